"""Approval voting: every option a ballot lists (ranks, in any position) is approved; the most approved win.

Transcript: one stage, `quota` null, `totals` = approvals per option. Equal approvals at the edge of the seats are
decided by a seeded lot (logged).
"""

from __future__ import annotations

import numpy as np

from .ballots import CountError, Profile, exact_sums, without_withdrawn
from .result import CountResult, Stage
from .ties import TieBreaker


def count_approval(profile: Profile, seats: int | None = None, *, seed: str | None = None) -> CountResult:
    """Elect the `seats` (default: the ballot file's seats, else 1) options with the most approvals."""
    seats = seats or profile.seats or 1
    standing = profile.standing
    if seats > len(standing):
        raise CountError(f"{seats} seats but only {len(standing)} options")
    ranks = without_withdrawn(profile.ranks, profile.withdrawn)
    listed = ranks >= 0
    valid_rows = listed.any(axis=1) if ranks.shape[1] else np.zeros(len(ranks), dtype=bool)
    weights = np.broadcast_to(profile.weights[:, None], ranks.shape)
    approvals = exact_sums(ranks[listed].astype(np.int64), weights[listed], profile.n_candidates)
    names = profile.candidates
    log: list[str] = []
    ties = TieBreaker(seed or (lambda: profile.digest()[:16]), names, log)
    ranked = sorted(standing, key=lambda c: -int(approvals[c]))  # stable: equal approvals keep file order
    edge = int(approvals[ranked[seats - 1]])
    order = [c for c in ranked if int(approvals[c]) > edge]
    at_edge = [c for c in ranked if int(approvals[c]) == edge]
    while len(order) < seats:  # more options share the last places' approvals than there are places: lot
        chosen = (
            at_edge[0]
            if len(at_edge) == seats - len(order)
            else ties.pick(at_edge, [approvals], lowest=False, reason="the last seat", stage=1)
        )
        order.append(chosen)
        at_edge.remove(chosen)
    stage = Stage(
        number=1,
        action="first",
        candidate=None,
        quota=None,
        totals={names[c]: int(approvals[c]) for c in standing},
        elected_this_stage=[names[c] for c in order],
        non_transferable=0,
    )
    return CountResult(
        method="approval",
        seats=seats,
        valid=int(profile.weights[valid_rows].sum()),
        quota=None,
        elected=[names[c] for c in order],
        stages=[stage],
        log=log,
        seed=ties.seed_if_used,
    )
