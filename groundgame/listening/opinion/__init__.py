"""Opinion maps: Pol.is's maths (PCA, base clusters, opinion groups, representative statements, group-informed
consensus) as a plain library with no Django dependency."""

from .maths import OpinionMap, RepStatement, adjusted_rand_index, opinion_map
from .votes import PolisExport, VoteTable, from_arrays, read_polis_export

__all__ = [
    "OpinionMap",
    "PolisExport",
    "RepStatement",
    "VoteTable",
    "adjusted_rand_index",
    "from_arrays",
    "opinion_map",
    "read_polis_export",
]
