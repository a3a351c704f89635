"""Breaking ties: by the most recent earlier stage at which the tied candidates differed, then by lot.

The lot is drawn from Python's `random.Random` (Mersenne Twister) seeded with a logged seed, so a recount with the
same seed draws the same lot. The default seed is the SHA-256 of the ballot profile: fixed by the ballots alone
(nobody can choose it after seeing them), and the same for anyone who recounts the published ballot file.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

import numpy as np


class TieBreaker:
    """`seed` is the seed itself, or a function that makes it (called only if a lot is ever drawn)."""

    def __init__(self, seed: str | Callable[[], str], names: Sequence[str], log: list[str]) -> None:
        self._seed = seed
        self.names = names
        self.log = log
        self._random: random.Random | None = None

    @property
    def seed(self) -> str:
        if callable(self._seed):
            self._seed = self._seed()
        return self._seed

    @property
    def seed_if_used(self) -> str | None:
        """The seed, if it was given or a lot was drawn with it (else None: nothing depended on it)."""
        return None if callable(self._seed) else self._seed

    def _lot(self, group: list[int]) -> int:
        if self._random is None:
            self._random = random.Random(self.seed)
        return self._random.choice(group)

    def pick(self, tied: Sequence[int], history: Sequence[np.ndarray], *, lowest: bool, reason: str, stage: int) -> int:
        """Choose one of `tied` (candidate indices, equal now) to be excluded (`lowest`) or to go first.

        `history` holds the totals at the end of every stage so far, the current stage last. Going back from the
        stage before the current one, the first stage at which the tied candidates' totals were not all equal
        decides: the lowest (or highest) there is chosen; if several still share that value, the search goes on
        further back among them. If they were equal at every stage, the choice is made by lot.
        """
        group = sorted(tied)
        if len(group) == 1:
            return group[0]
        labels = ", ".join(self.names[c] for c in group)
        for number in range(len(history) - 2, -1, -1):
            totals = history[number]
            values = [int(totals[c]) for c in group]
            if len(set(values)) > 1:
                target = min(values) if lowest else max(values)
                group = [c for c, v in zip(group, values, strict=True) if v == target]
                if len(group) == 1:
                    self.log.append(
                        f"stage {stage}: {labels} tied for {reason}; decided by the totals at stage {number + 1}: "
                        f"{self.names[group[0]]}"
                    )
                    return group[0]
        choice = self._lot(group)
        self.log.append(
            f"stage {stage}: {labels} tied for {reason} at every stage; decided by lot (seed {self.seed}): "
            f"{self.names[choice]}"
        )
        return choice

    def order(
        self, candidates: Sequence[int], totals: np.ndarray, history: Sequence[np.ndarray], *, reason: str, stage: int
    ) -> list[int]:
        """`candidates` from the highest total to the lowest, ties broken by `pick` (highest first)."""
        remaining = list(candidates)
        ordered: list[int] = []
        while remaining:
            top = max(int(totals[c]) for c in remaining)
            tied = [c for c in remaining if int(totals[c]) == top]
            first = self.pick(tied, history, lowest=False, reason=reason, stage=stage)
            ordered.append(first)
            remaining.remove(first)
        return ordered
