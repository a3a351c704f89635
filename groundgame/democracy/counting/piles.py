"""Piles of ballot papers for counts that move whole papers (Scottish STV, IRV).

Papers with the same ranking always sit on the same pile at the same value, so a pile entry is a group of
identical ballots: its ranking, how many papers (`weights`), the value of each paper (integer units) and the
candidate now holding them (`holder`, -1 = non-transferable). Moving papers on is a few vectorised numpy
operations over the groups concerned, never a Python loop over ballots.
"""

from __future__ import annotations

import numpy as np

from .ballots import exact_sums


class Piles:
    def __init__(self, ranks: np.ndarray, weights: np.ndarray, n: int, continuing: list[int], unit: int) -> None:
        groups = len(weights)
        self.n = n
        self.weights = weights
        # One extra column of -1 so that "the next preference" always exists (-1 = none: non-transferable).
        self.prefs = np.concatenate([ranks, np.full((groups, 1), -1, dtype=ranks.dtype)], axis=1)
        self.position = np.zeros(groups, dtype=np.int64)
        self.value = np.full(groups, unit, dtype=np.int64)
        # stops[c]: may papers stop at candidate c? Index -1 (no further preference) always stops them.
        self.stops = np.zeros(n + 1, dtype=bool)
        self.stops[-1] = True
        self.stops[continuing] = True
        self.width = self.prefs.shape[1]
        self.flat = self.prefs.reshape(-1)
        self.holder = self.prefs[:, 0].astype(np.int64)
        elsewhere = np.flatnonzero(~self.stops[self.holder])  # first preference not for a continuing candidate
        if elsewhere.size:
            self._advance(elsewhere, np.zeros(elsewhere.size, dtype=np.int64))
        self.totals = self.sums()

    def sums(self) -> np.ndarray:
        """Value held by each candidate, recomputed from the piles (integer units)."""
        held = self.holder >= 0
        return exact_sums(self.holder[held], self.weights[held] * self.value[held], self.n)

    def remove(self, candidate: int) -> None:
        """The candidate no longer continues: papers will pass over them from now on."""
        self.stops[candidate] = False

    def papers_of(self, candidate: int) -> np.ndarray:
        """The groups whose papers `candidate` holds."""
        return np.flatnonzero(self.holder == candidate)

    def move_on(self, groups: np.ndarray) -> None:
        """Move the papers of `groups` to their next continuing preference at their current value."""
        self._advance(groups, self.position[groups] + 1)
        received = self.holder[groups]
        to_candidate = received >= 0
        amounts = self.weights[groups] * self.value[groups]
        self.totals += exact_sums(received[to_candidate], amounts[to_candidate], self.n)

    def _advance(self, groups: np.ndarray, position: np.ndarray) -> None:
        moving = groups
        while moving.size:
            nxt = self.flat[moving * self.width + position]
            stop = self.stops[nxt]
            done = moving[stop]
            self.position[done] = position[stop]
            self.holder[done] = nxt[stop]
            moving, position = moving[~stop], position[~stop] + 1
