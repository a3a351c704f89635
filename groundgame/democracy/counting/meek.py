"""Meek STV after the New Zealand method (Local Electoral Regulations 2001, schedule 1A), the line of Hill, Wichmann
and Woodall's Algorithm 123 (Computer Journal, 1987).

Every candidate has a keep value: 1 while hopeful, 0 once excluded, and for an elected candidate the share of each
vote reaching them that they keep. Each ballot's single vote goes down its ranking: each candidate keeps
`value x keep value` and passes the rest on; whatever reaches the end of the ranking is non-transferable.
One iteration:

1. keep value of each elected candidate := keep value x quota / votes (each step rounded up);
2. distribute every ballot with the keep values;
3. quota := (valid - non-transferable) / (seats + 1), truncated, + 0.000000001;
4. hopeful candidates whose votes reach the quota are elected;
5. total surplus := sum over elected candidates of (votes - quota).

Iterations go on until a candidate is elected, or the total surplus is below 0.0001, or the lowest hopeful
candidate could not overtake the next lowest even with all of the surplus (NZ clause 13), or the surplus stops
shrinking. Then, if no one was just elected, the lowest hopeful candidate is excluded (keep value 0). When the
elected and hopeful candidates are no more than the seats, the hopeful are elected.

Arithmetic is fixed point with nine decimal places held in integers (units of 10**-9 vote): keep values are rounded
up; the part a candidate keeps (value x keep value) is rounded up and the part passed on is the exact remainder, so
no vote is created or lost in the rounding (as in Hill's NZ calculator). Ties for exclusion are broken like the
Scottish rules (most recent earlier stage at which the tied differed, then a seeded lot), not by NZ's
pseudo-random-number method.

Transcript: stage 1 is the first preferences; each later stage is one set of iterations, ending as above, with the
quota it reached. Stages that exclude a candidate name them; stages that only redistribute surpluses have action
"surplus" and candidate null (every elected candidate's surplus moves at once under Meek).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .ballots import CountError, Profile, exact_sums
from .result import CountResult, Stage, units_to_decimal
from .ties import TieBreaker

PLACES = 9
SCALE = 10**PLACES
OMEGA = SCALE // 10_000  # total surplus below 0.0001 of a vote counts as converged
MAX_ITERATIONS = 10_000

HOPEFUL, ELECTED, EXCLUDED = 0, 1, 2


def count_meek(profile: Profile, seats: int | None = None, *, seed: str | None = None) -> CountResult:
    """Count `profile` by Meek STV (NZ method) for `seats` seats (default: the seats the ballot file names)."""
    seats = seats if seats is not None else profile.seats
    if seats is None or seats < 1:
        raise CountError("Meek STV needs the number of seats (--seats N)")
    ranks, weights = profile.strict_rankings()
    return _Meek(profile, ranks, weights, seats, seed or (lambda: profile.digest()[:16])).run()


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


class _Meek:
    def __init__(
        self, profile: Profile, ranks: np.ndarray, weights: np.ndarray, seats: int, seed: str | Callable[[], str]
    ) -> None:
        self.names = profile.candidates
        self.standing = profile.standing
        self.n = profile.n_candidates
        self.seats = seats
        self.weights = weights
        self.valid = int(weights.sum())
        # Padding (-1) indexes the extra last keep value, always 0: nothing kept, everything passed on.
        self.prefs = np.where(ranks < 0, self.n, ranks).astype(np.int64)
        self.keep = np.zeros(self.n + 1, dtype=np.int64)
        self.state = np.full(self.n, EXCLUDED, dtype=np.int8)
        self.state[self.standing] = HOPEFUL
        self.keep[self.standing] = SCALE
        self.votes = np.zeros(self.n, dtype=np.int64)
        self.non_transferable = 0
        self.quota = 0
        self.surplus = 0
        self.stalled = False  # the last stage ended because the surplus stopped shrinking: exclude next
        self.elected: list[int] = []
        self.history: list[np.ndarray] = []
        self.stages: list[Stage] = []
        self.log: list[str] = []
        self.ties = TieBreaker(seed, self.names, self.log)

    def run(self) -> CountResult:
        self._distribute()
        newly = self._elect_reaching_quota(stage=1)
        self._record("first", None, newly)
        if not self._complete() and self.surplus >= OMEGA:
            # As in NZ clause 13, the exclusion test comes after an iteration, never on the first preferences.
            self._record("surplus", None, self._iterate())
        while not self._complete():
            if self.stalled or self._may_exclude():
                excluded = self._lowest()
                self.state[excluded] = EXCLUDED
                self.keep[excluded] = 0
                action = ("exclusion", excluded)
            else:
                action = ("surplus", None)
            newly = self._iterate()
            self._record(action[0], action[1], newly)
        hopeful = self._hopeful()
        if len(self.elected) < self.seats and hopeful:
            stage = self.stages[-1]
            ordered = self.ties.order(hopeful, self.votes, self.history, reason="order of election", stage=stage.number)
            for c in ordered:
                self.state[c] = ELECTED
                self.elected.append(c)
                stage.elected_this_stage.append(self.names[c])
        return CountResult(
            method="meek",
            seats=self.seats,
            valid=self.valid,
            quota=units_to_decimal(self.quota, PLACES),
            elected=[self.names[c] for c in self.elected],
            stages=self.stages,
            log=self.log,
            seed=self.ties.seed_if_used,
        )

    # -- pieces ---------------------------------------------------------------------------------------------
    def _hopeful(self) -> list[int]:
        return [c for c in self.standing if self.state[c] == HOPEFUL]

    def _complete(self) -> bool:
        return len(self.elected) >= self.seats or len(self.elected) + len(self._hopeful()) <= self.seats

    def _distribute(self) -> None:
        """Steps 2-3: share every ballot out by the keep values; new votes, non-transferable and quota."""
        weight = np.full(len(self.weights), SCALE, dtype=np.int64)  # value still to be shared, per ballot
        votes = np.zeros(self.n + 1, dtype=np.int64)
        rows = np.arange(len(self.weights))
        for column in range(self.prefs.shape[1]):
            if rows.size == 0:
                break
            candidate = self.prefs[rows, column]
            keep = self.keep[candidate]
            kept = (weight[rows] * keep + (SCALE - 1)) // SCALE  # rounded up
            weight[rows] -= kept
            votes += exact_sums(candidate, kept * self.weights[rows], self.n + 1)
            rows = rows[weight[rows] > 0]
        self.votes = votes[: self.n]
        self.non_transferable = self.valid * SCALE - int(self.votes.sum())
        self.quota = (self.valid * SCALE - self.non_transferable) // (self.seats + 1) + 1
        self.surplus = sum(max(0, int(self.votes[c]) - self.quota) for c in self.elected)

    def _elect_reaching_quota(self, stage: int) -> list[int]:
        reached = [c for c in self._hopeful() if int(self.votes[c]) >= self.quota]
        if not reached:
            return []
        history = [*self.history, self.votes.copy()]
        ordered = self.ties.order(reached, self.votes, history, reason="order of election", stage=stage)
        for c in ordered:
            self.state[c] = ELECTED
            self.elected.append(c)
        self.surplus = sum(max(0, int(self.votes[c]) - self.quota) for c in self.elected)
        return ordered

    def _may_exclude(self) -> bool:
        """NZ clause 13: converged (surplus < 0.0001), or the lowest hopeful cannot catch the next lowest."""
        if self.surplus < OMEGA:
            return True
        hopeful = sorted(int(self.votes[c]) for c in self._hopeful())
        return len(hopeful) >= 2 and hopeful[0] + self.surplus < hopeful[1]

    def _update_keep_values(self) -> None:
        """Step 1: keep value := keep value x quota / votes, each step rounded up to nine places."""
        for c in self.elected:
            votes = int(self.votes[c])
            if votes > 0:
                scaled = _ceil_div(int(self.keep[c]) * self.quota, SCALE)
                self.keep[c] = min(SCALE, _ceil_div(scaled * SCALE, votes))

    def _iterate(self) -> list[int]:
        """One stage: iterate until someone is elected, the surplus converges or an exclusion is safe."""
        stage = len(self.stages) + 1
        previous = None
        self.stalled = False
        for _ in range(MAX_ITERATIONS):
            self._update_keep_values()
            self._distribute()
            newly = self._elect_reaching_quota(stage)
            if newly or self._complete():
                return newly
            if self.surplus < OMEGA or self._may_exclude():
                return []
            if previous is not None and self.surplus >= previous:
                surplus = units_to_decimal(self.surplus, PLACES)
                self.log.append(f"stage {stage}: the surplus stopped shrinking at {surplus}")
                self.stalled = True
                return []
            previous = self.surplus
        self.log.append(f"stage {stage}: stopped after {MAX_ITERATIONS} iterations")
        self.stalled = True
        return []

    def _lowest(self) -> int:
        hopeful = self._hopeful()
        low = min(int(self.votes[c]) for c in hopeful)
        tied = [c for c in hopeful if int(self.votes[c]) == low]
        return self.ties.pick(tied, self.history, lowest=True, reason="exclusion", stage=len(self.stages) + 1)

    def _record(self, action: str, candidate: int | None, newly: list[int]) -> None:
        self.history.append(self.votes.copy())
        self.stages.append(
            Stage(
                number=len(self.stages) + 1,
                action=action,
                candidate=None if candidate is None else self.names[candidate],
                quota=units_to_decimal(self.quota, PLACES),
                totals={self.names[c]: units_to_decimal(int(self.votes[c]), PLACES) for c in self.standing},
                elected_this_stage=[self.names[c] for c in newly],
                non_transferable=units_to_decimal(self.non_transferable, PLACES),
            )
        )
