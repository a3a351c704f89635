"""The Schulze method (beatpath, winning votes), for choosing between options.

d[a][b] is the number of ballots ranking a above b; an option a voter left out ranks below every option they ranked,
and options ranked equal (PrefLib TOI) count for neither. The strength of the direct link a->b is d[a][b] when
d[a][b] > d[b][a], else 0; p[a][b] is the strength of the strongest path from a to b (the widest path, found with
Floyd-Warshall). a beats b when p[a][b] > p[b][a]; this relation is transitive, so there is always an option no
other beats: the winner. For several seats the winners are taken in that order; options left unbeaten together are
ordered by a seeded lot (logged).

Transcript: one stage, `quota` null; `totals` gives each option the strength of its weakest strongest path to a
rival, min over b of p[a][b]. A Condorcet winner has a positive strength and every other option 0.
"""

from __future__ import annotations

import numpy as np

from .ballots import CountError, Profile
from .result import CountResult, Stage
from .ties import TieBreaker


def pairwise(profile: Profile) -> tuple[np.ndarray, int]:
    """(d, valid): d[a][b] = ballots ranking a above b, over standing options in file order; valid ballots."""
    standing = profile.standing
    index = {c: i for i, c in enumerate(standing)}
    rows, width = profile.ranks.shape
    unranked = np.iinfo(np.int32).max
    position = np.full((rows, len(standing)), unranked, dtype=np.int64)
    for column in range(width):
        candidate = profile.ranks[:, column]
        level = profile.levels[:, column] if profile.levels is not None else np.full(rows, column)
        for c, i in index.items():
            mark = candidate == c
            position[mark, i] = level[mark]
    listed = (position < unranked).any(axis=1)
    position, weights = position[listed], profile.weights[listed]
    d = np.zeros((len(standing), len(standing)), dtype=np.int64)
    for i in range(len(standing)):
        d[i] = weights @ (position[:, i : i + 1] < position).astype(np.int64)
    return d, int(weights.sum())


def strongest_paths(d: np.ndarray) -> np.ndarray:
    """p[a][b]: strength of the strongest path from a to b (winning votes)."""
    p = np.where(d > d.T, d, 0)
    np.fill_diagonal(p, 0)
    for k in range(len(p)):
        through = np.minimum(p[:, k : k + 1], p[k : k + 1, :])
        p = np.maximum(p, through)
        np.fill_diagonal(p, 0)
    return p


def count_schulze(profile: Profile, seats: int | None = None, *, seed: str | None = None) -> CountResult:
    """Rank the options by Schulze and elect the first `seats` (default: the ballot file's seats, else 1)."""
    seats = seats or profile.seats or 1
    standing = profile.standing
    if seats > len(standing):
        raise CountError(f"{seats} seats but only {len(standing)} options")
    d, valid = pairwise(profile)
    p = strongest_paths(d)
    beats = p > p.T
    names = profile.candidates
    log: list[str] = []
    ties = TieBreaker(seed or (lambda: profile.digest()[:16]), names, log)
    remaining = list(range(len(standing)))
    order: list[int] = []
    while remaining and len(order) < seats:
        unbeaten = [a for a in remaining if not any(beats[b, a] for b in remaining)]
        chosen = ties.pick([standing[a] for a in unbeaten], [], lowest=False, reason="the Schulze order", stage=1)
        order.append(chosen)
        remaining.remove(standing.index(chosen))
    strength = {
        names[c]: int(min((p[i, j] for j in range(len(standing)) if j != i), default=0)) for i, c in enumerate(standing)
    }
    stage = Stage(
        number=1,
        action="first",
        candidate=None,
        quota=None,
        totals=strength,
        elected_this_stage=[names[c] for c in order],
        non_transferable=0,
    )
    return CountResult(
        method="schulze",
        seats=seats,
        valid=valid,
        quota=None,
        elected=[names[c] for c in order],
        stages=[stage],
        log=log,
        seed=ties.seed_if_used,
    )
