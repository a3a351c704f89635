"""Scottish STV: the Scottish Local Government Elections Order 2007, schedule 1 rules 45-52 (as re-made in 2011).

- Quota (rule 46): floor(valid ballots / (seats + 1)) + 1. A candidate whose votes equal or exceed it is elected
  (rule 47).
- Surplus (rule 48): ALL the ballot papers the elected candidate holds move to their next available preference
  (a continuing candidate: neither elected nor excluded), each at transfer value
      (surplus x value of the paper when the candidate received it) / candidate's total votes,
  calculated to five decimal places, any remainder being ignored (truncated). A first-preference paper is worth 1.
  Papers with no further preference are non-transferable. The candidate is left with exactly the quota.
- Order (rule 49): the largest surplus first; equal surpluses: whoever had more votes at the most recent preceding
  stage at which they differed; equal at every stage: by lot.
- Exclusion (rules 50-51): when no surplus is left to transfer, the continuing candidate with fewest votes is
  excluded and all their papers move, in one stage, at the value each paper had when they received it. Ties: the
  fewest votes at the most recent preceding stage at which they differed, then lot.
- Last vacancies (rule 52): when the continuing candidates are no more than the vacancies left, they are elected and
  no further transfer is made.

Arithmetic is in integers: every value is a whole number of 0.00001-vote units, so truncation is exact floor
division and no float ever touches a total. Ballots with the same ranking always travel together (same pile, same
value), so the count works on groups of identical ballots; each stage is a handful of vectorised numpy operations
over the groups, never a Python loop over ballots.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .ballots import CountError, Profile
from .piles import Piles
from .result import CountResult, Stage, units_to_decimal
from .ties import TieBreaker

PLACES = 5
SCALE = 10**PLACES

CONTINUING, ELECTED, EXCLUDED = 0, 1, 2


def count_scottish_stv(profile: Profile, seats: int | None = None, *, seed: str | None = None) -> CountResult:
    """Count `profile` by the Scottish rules for `seats` seats (default: the seats the ballot file names)."""
    seats = seats if seats is not None else profile.seats
    if seats is None or seats < 1:
        raise CountError("Scottish STV needs the number of seats (--seats N)")
    ranks, weights = profile.strict_rankings()
    return _Count(profile, ranks, weights, seats, seed or (lambda: profile.digest()[:16])).run()


class _Count:
    def __init__(
        self, profile: Profile, ranks: np.ndarray, weights: np.ndarray, seats: int, seed: str | Callable[[], str]
    ) -> None:
        self.standing = profile.standing
        self.names = profile.candidates
        self.n = profile.n_candidates
        self.seats = seats
        self.valid = int(weights.sum())
        self.quota_votes = self.valid // (seats + 1) + 1
        self.quota = self.quota_votes * SCALE
        self.state = np.full(self.n, EXCLUDED, dtype=np.int8)
        self.state[self.standing] = CONTINUING
        self.piles = Piles(ranks, weights, self.n, self.standing, SCALE)
        self.totals = self.piles.totals  # the same array: moving papers updates it
        self.history: list[np.ndarray] = []
        self.stages: list[Stage] = []
        self.elected: list[int] = []
        self.pending: list[int] = []  # elected, surplus not yet transferred
        self.log: list[str] = []
        self.ties = TieBreaker(seed, self.names, self.log)

    # -- the count ----------------------------------------------------------------------------------------
    def run(self) -> CountResult:
        self._record("first", None)
        while len(self.elected) < self.seats:
            continuing = self._continuing()
            if len(continuing) <= self.seats - len(self.elected):
                self._elect_remaining(continuing)
                break
            if self.pending:
                self._transfer_surplus(self._largest_surplus())
            else:
                self._exclude(self._lowest())
        return CountResult(
            method="scottish-stv",
            seats=self.seats,
            valid=self.valid,
            quota=self.quota_votes,
            elected=[self.names[c] for c in self.elected],
            stages=self.stages,
            log=self.log,
            seed=self.ties.seed_if_used,
        )

    def _continuing(self) -> list[int]:
        return [c for c in self.standing if self.state[c] == CONTINUING]

    def _largest_surplus(self) -> int:
        top = max(int(self.totals[c]) for c in self.pending)
        tied = [c for c in self.pending if int(self.totals[c]) == top]
        stage = len(self.stages) + 1
        chosen = self.ties.pick(tied, self.history, lowest=False, reason="the largest surplus", stage=stage)
        self.pending.remove(chosen)
        return chosen

    def _lowest(self) -> int:
        continuing = self._continuing()
        low = min(int(self.totals[c]) for c in continuing)
        tied = [c for c in continuing if int(self.totals[c]) == low]
        stage = len(self.stages) + 1
        return self.ties.pick(tied, self.history, lowest=True, reason="exclusion", stage=stage)

    def _transfer_surplus(self, candidate: int) -> None:
        total = int(self.totals[candidate])
        surplus = total - self.quota
        groups = self.piles.papers_of(candidate)
        # Rule 48(3): (surplus x value when received) / total votes, to five places, remainder ignored.
        value = self.piles.value
        value[groups] = value[groups] * surplus // total
        self.piles.move_on(groups)
        self.totals[candidate] = self.quota
        self._record("surplus", candidate)

    def _exclude(self, candidate: int) -> None:
        self.state[candidate] = EXCLUDED
        self.piles.remove(candidate)
        self.piles.move_on(self.piles.papers_of(candidate))
        self.totals[candidate] = 0
        self._record("exclusion", candidate)

    def _record(self, action: str, candidate: int | None) -> None:
        """Close a stage: elect whoever reached the quota (largest first) and write the stage to the transcript."""
        self.history.append(self.totals.copy())
        stage_number = len(self.stages) + 1
        reached = [c for c in self._continuing() if self.totals[c] >= self.quota]
        newly: list[int] = []
        if reached:
            newly = self.ties.order(reached, self.totals, self.history, reason="order of election", stage=stage_number)
            for c in newly:
                self._elect(c)
                if self.totals[c] > self.quota:
                    self.pending.append(c)
        self.stages.append(
            Stage(
                number=stage_number,
                action=action,
                candidate=None if candidate is None else self.names[candidate],
                quota=self.quota_votes,
                totals={self.names[c]: units_to_decimal(int(self.totals[c]), PLACES) for c in self.standing},
                elected_this_stage=[self.names[c] for c in newly],
                non_transferable=units_to_decimal(self.valid * SCALE - int(self.totals.sum()), PLACES),
            )
        )

    def _elect(self, candidate: int) -> None:
        self.state[candidate] = ELECTED
        self.piles.remove(candidate)
        self.elected.append(candidate)

    def _elect_remaining(self, continuing: list[int]) -> None:
        """Rule 52: the continuing candidates fill the last vacancies, recorded at the stage just closed."""
        stage = self.stages[-1]
        ordered = self.ties.order(continuing, self.totals, self.history, reason="order of election", stage=stage.number)
        for c in ordered:
            self._elect(c)
            stage.elected_this_stage.append(self.names[c])
