"""Instant-runoff voting (the alternative vote) for one seat.

Each stage, a candidate holding more than half of the votes still in play (papers not yet non-transferable) is
elected. Otherwise the candidate with the fewest votes is excluded and all their papers move to the next continuing
preference. Ties for exclusion: the fewest votes at the most recent earlier stage at which the tied candidates
differed, then lot. When one candidate is left, they are elected. Each stage's `quota` is its majority threshold:
floor(votes in play / 2) + 1; the result's top-level `quota` is null because the threshold changes from stage to
stage. Whole votes only: no fractions arise.
"""

from __future__ import annotations

import numpy as np

from .ballots import CountError, Profile
from .piles import Piles
from .result import CountResult, Stage
from .ties import TieBreaker


def count_irv(profile: Profile, seats: int | None = None, *, seed: str | None = None) -> CountResult:
    """Count `profile` by instant-runoff. `seats` must be 1 (or None)."""
    if seats is not None and seats != 1:
        raise CountError(f"instant-runoff elects one candidate; use scottish-stv or meek for {seats} seats")
    ranks, weights = profile.strict_rankings()
    standing = profile.standing
    names = profile.candidates
    log: list[str] = []
    ties = TieBreaker(seed or (lambda: profile.digest()[:16]), names, log)
    piles = Piles(ranks, weights, profile.n_candidates, standing, 1)
    totals = piles.totals
    valid = int(weights.sum())
    continuing = list(standing)
    history: list[np.ndarray] = []
    stages: list[Stage] = []
    elected: list[int] = []
    action, moved = "first", None
    while True:
        history.append(totals.copy())
        in_play = int(sum(int(totals[c]) for c in continuing))
        threshold = in_play // 2 + 1
        number = len(stages) + 1
        winner = None
        if continuing:
            top = max(int(totals[c]) for c in continuing)
            if top >= threshold or len(continuing) == 1:
                leaders = [c for c in continuing if int(totals[c]) == top]
                winner = ties.pick(leaders, history, lowest=False, reason="election", stage=number)
        if winner is not None:
            elected.append(winner)
        stages.append(
            Stage(
                number=number,
                action=action,
                candidate=None if moved is None else names[moved],
                quota=threshold,
                totals={names[c]: int(totals[c]) for c in standing},
                elected_this_stage=[] if winner is None else [names[winner]],
                non_transferable=valid - in_play,
            )
        )
        if winner is not None or not continuing:
            break
        low = min(int(totals[c]) for c in continuing)
        tied = [c for c in continuing if int(totals[c]) == low]
        moved = ties.pick(tied, history, lowest=True, reason="exclusion", stage=number + 1)
        continuing.remove(moved)
        piles.remove(moved)
        piles.move_on(piles.papers_of(moved))
        totals[moved] = 0
        action = "exclusion"
    return CountResult(
        method="irv",
        seats=1,
        valid=valid,
        quota=None,
        elected=[names[c] for c in elected],
        stages=stages,
        log=log,
        seed=ties.seed_if_used,
    )
