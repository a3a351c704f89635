"""Marginality and target seats (no Django).

Definitions (percentages of valid votes; swings in percentage points of two-party swing):
- majority_pct: the declared majority as a percentage of valid votes.
- gain (we stood and lost): swing_needed = (winner's share - our share) / 2.
- defend (we won):          swing_needed = (our share - runner-up's share) / 2 = majority_pct / 2.
- neither: we did not stand (e.g. Northern Ireland for Labour, the Speaker's seat).
A seat is a target when our position is gain or defend and swing_needed <= the swing window.
The declared majority is used, never recomputed from party columns ("Other" aggregates candidates).
"""

from dataclasses import dataclass
from enum import StrEnum


class Position(StrEnum):
    DEFEND = "defend"
    GAIN = "gain"
    NEITHER = "neither"


@dataclass(frozen=True)
class SeatResult:
    """What the targeting maths needs from one constituency result."""

    valid_votes: int
    majority: int
    first_party: str
    second_party: str
    party_votes: dict[str, int]
    other_winner_votes: int | None = None


@dataclass(frozen=True)
class Standing:
    position: Position
    majority: int
    majority_pct: float
    swing_needed: float | None  # None when we did not stand
    our_share: float | None


def winner_votes(result: SeatResult) -> int:
    """The winner's votes: their party column, else the file's 'other winner' column, else runner-up + majority."""
    if result.first_party in result.party_votes and result.first_party != "Other":
        return result.party_votes[result.first_party]
    if result.other_winner_votes:
        return result.other_winner_votes
    if result.second_party in result.party_votes and result.second_party != "Other":
        return result.party_votes[result.second_party] + result.majority
    return result.party_votes.get("Other", result.majority)


def standing(result: SeatResult, our_party: str) -> Standing:
    """Our position in a seat and the swing that would change it."""
    valid = result.valid_votes
    majority_pct = 100.0 * result.majority / valid
    our_votes = result.party_votes.get(our_party, 0)
    if result.first_party == our_party:
        return Standing(Position.DEFEND, result.majority, majority_pct, majority_pct / 2, 100.0 * our_votes / valid)
    if our_votes <= 0:
        return Standing(Position.NEITHER, result.majority, majority_pct, None, None)
    gap = 100.0 * (winner_votes(result) - our_votes) / valid
    return Standing(Position.GAIN, result.majority, majority_pct, gap / 2, 100.0 * our_votes / valid)


def is_target(s: Standing, window: float) -> bool:
    return s.position is not Position.NEITHER and s.swing_needed is not None and s.swing_needed <= window
