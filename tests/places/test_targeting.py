"""Marginality maths (no database): our position in a seat, the swing that would change it, and which seats
are targets. Definitions from issue 2: swing_needed = (winner's share - our share) / 2 for a gain and
(our share - runner-up's share) / 2 for a defence; majority_pct = declared majority / valid votes * 100."""

import pytest

from groundgame.places.targeting import Position, SeatResult, is_target, standing, winner_votes

WINDOW = 5.0


def seat(first: str, second: str, votes: dict[str, int], *, majority: int | None = None, other_winner=None):
    """A result whose valid votes are the sum of the party columns and whose majority is first minus second,
    unless given (the declared majority is what counts, e.g. when 'Other' aggregates several candidates)."""
    if majority is None:
        majority = votes[first] - votes[second]
    return SeatResult(
        valid_votes=sum(votes.values()),
        majority=majority,
        first_party=first,
        second_party=second,
        party_votes=votes,
        other_winner_votes=other_winner,
    )


def test_a_seat_we_lost_narrowly_is_a_gain_needing_half_the_gap_in_shares():
    result = seat("Con", "Lab", {"Con": 20_000, "Lab": 18_000, "LD": 2_000})  # 50% v 45% of 40,000
    s = standing(result, "Lab")
    assert s.position is Position.GAIN
    assert s.majority == 2_000
    assert s.majority_pct == pytest.approx(5.0)
    assert s.our_share == pytest.approx(45.0)
    assert s.swing_needed == pytest.approx((50.0 - 45.0) / 2)
    assert is_target(s, WINDOW)


def test_a_gain_from_third_place_measures_the_gap_to_the_winner_not_the_runner_up():
    result = seat("Con", "LD", {"Con": 20_000, "LD": 15_000, "Lab": 5_000})  # 50%, 37.5%, 12.5%
    s = standing(result, "Lab")
    assert s.position is Position.GAIN
    assert s.swing_needed == pytest.approx((50.0 - 12.5) / 2)
    assert s.majority_pct == pytest.approx(12.5)  # the winner's lead over the runner-up, not over us
    assert not is_target(s, WINDOW)


def test_a_seat_we_hold_is_defended_by_half_our_lead_over_the_runner_up():
    result = seat("Lab", "Con", {"Lab": 21_000, "Con": 17_000, "Green": 2_000})  # 52.5% v 42.5%
    s = standing(result, "Lab")
    assert s.position is Position.DEFEND
    assert s.our_share == pytest.approx(52.5)
    assert s.swing_needed == pytest.approx((52.5 - 42.5) / 2)
    assert s.swing_needed == pytest.approx(s.majority_pct / 2)
    assert is_target(s, WINDOW)


def test_a_safe_seat_we_hold_is_not_a_target():
    s = standing(seat("Lab", "Con", {"Lab": 30_000, "Con": 10_000}), "Lab")
    assert s.position is Position.DEFEND
    assert s.swing_needed == pytest.approx(25.0)
    assert not is_target(s, WINDOW)


def test_a_defence_uses_the_declared_majority_when_the_runner_up_is_inside_other():
    # An independent came second: their votes are part of "Other" (with another candidate's), so only the
    # declared majority says how far ahead we were.
    result = seat("Lab", "Ind", {"Lab": 15_896, "Con": 1_920, "Other": 15_699}, majority=1_689)
    s = standing(result, "Lab")
    assert s.position is Position.DEFEND
    assert s.majority_pct == pytest.approx(100 * 1_689 / result.valid_votes)
    assert s.swing_needed == pytest.approx(s.majority_pct / 2)


def test_a_seat_we_did_not_contest_is_neither_gain_nor_defence():
    s = standing(seat("DUP", "SF", {"DUP": 20_000, "SF": 15_000, "APNI": 5_000}), "Lab")
    assert s.position is Position.NEITHER
    assert s.swing_needed is None
    assert s.our_share is None
    assert s.majority_pct == pytest.approx(12.5)
    assert not is_target(s, WINDOW)


def test_the_speakers_seat_is_neither_when_we_did_not_stand_against_the_speaker():
    # Buckingham 2015: the Speaker's votes sit in "Other"; Labour did not stand.
    result = seat("Spk", "UKIP", {"UKIP": 11_675, "Green": 7_400, "Other": 34_617}, majority=22_942)
    s = standing(result, "Lab")
    assert s.position is Position.NEITHER
    assert not is_target(s, WINDOW)
    assert winner_votes(result) == 11_675 + 22_942  # runner-up + majority


def test_the_speakers_seat_is_neither_even_with_a_very_small_majority():
    result = seat("Spk", "Green", {"Green": 20_000, "Other": 20_500}, majority=500, other_winner=20_500)
    assert standing(result, "Lab").position is Position.NEITHER


def test_an_other_winner_uses_the_files_other_winner_votes():
    # North Down 2017: an independent won; "Other" (16,185) also holds another candidate's votes.
    votes = {"Con": 941, "Green": 2_549, "DUP": 14_940, "SF": 531, "SDLP": 400, "APNI": 3_639, "Other": 16_185}
    result = seat("Ind", "DUP", votes, majority=1_208, other_winner=16_148)
    assert winner_votes(result) == 16_148


def test_an_other_winner_without_an_other_winner_column_uses_runner_up_plus_majority():
    # North Down 2015: the file has no 'other winner' column; the winner had 8,487 + 9,202 = 17,689 votes,
    # fewer than the whole "Other" column (18,713).
    votes = {"Con": 1_593, "UKIP": 1_482, "Green": 1_958, "DUP": 8_487, "APNI": 3_086, "Other": 18_713}
    result = seat("Ind", "DUP", votes, majority=9_202)
    assert winner_votes(result) == 17_689


def test_an_other_winner_with_us_second_is_a_gain_measured_from_the_winners_own_votes():
    # Islington North 2024: an independent beat Labour; "Other" includes more than the winner.
    votes = {"Con": 1_950, "Lab": 16_873, "LD": 1_661, "RUK": 1_710, "Green": 2_660, "Other": 24_152}
    result = seat("Ind", "Lab", votes, majority=7_247, other_winner=24_120)
    s = standing(result, "Lab")
    assert s.position is Position.GAIN
    valid = result.valid_votes
    assert s.swing_needed == pytest.approx((100 * 24_120 / valid - 100 * 16_873 / valid) / 2)
    assert s.swing_needed == pytest.approx(s.majority_pct / 2)  # we were the runner-up


def test_a_named_party_winner_uses_its_own_column():
    result = seat("Con", "Ind", {"Con": 25_401, "Lab": 5_591, "Other": 13_140}, majority=12_261)
    assert winner_votes(result) == 25_401


def test_a_gain_from_an_other_winner_with_someone_else_second_uses_runner_up_plus_majority():
    votes = {"Con": 10_000, "Lab": 6_000, "Other": 14_000}
    result = seat("Ind", "Con", votes, majority=3_000)  # the independent had 13,000 of "Other"'s 14,000
    s = standing(result, "Lab")
    assert s.position is Position.GAIN
    assert s.swing_needed == pytest.approx((100 * 13_000 / 30_000 - 100 * 6_000 / 30_000) / 2)


@pytest.mark.parametrize(
    ("lab", "con", "swing", "target"),
    [
        (19_000, 21_000, 2.5, True),  # 47.5% v 52.5%
        (17_000, 23_000, 7.5, False),  # 42.5% v 57.5%
    ],
)
def test_a_gain_is_a_target_only_within_the_swing_window(lab, con, swing, target):
    s = standing(seat("Con", "Lab", {"Con": con, "Lab": lab}), "Lab")
    assert s.swing_needed == pytest.approx(swing)
    assert is_target(s, WINDOW) is target
    assert is_target(s, 10.0) is True  # a wider window takes it in


def test_a_seat_exactly_at_the_window_is_a_target_and_just_outside_is_not():
    at_window = standing(seat("Con", "Lab", {"Con": 55_000, "Lab": 45_000}), "Lab")  # 10-point gap: swing 5
    assert at_window.swing_needed == pytest.approx(5.0)
    assert is_target(at_window, 5.0)
    outside = standing(seat("Con", "Lab", {"Con": 55_001, "Lab": 44_999}), "Lab")
    assert not is_target(outside, 5.0)


def test_our_party_is_a_parameter():
    result = seat("Con", "LD", {"Con": 21_000, "LD": 19_000})
    assert standing(result, "LD").position is Position.GAIN
    assert standing(result, "Con").position is Position.DEFEND
    assert standing(result, "Lab").position is Position.NEITHER
