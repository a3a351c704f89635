"""Scottish STV (Scottish Local Government Elections Order 2007, rules 45-52): hand-checked cases, then every ward
of the 2017 Aberdeen and Edinburgh councils against the official count sheets."""

from decimal import Decimal

import pytest

from groundgame.democracy.counting import BallotFileError, CountError, count, parse_blt, read_blt
from tests.democracy.helpers import at_published_precision, blt, official_sheet, ward_params

D = Decimal


def stv(candidates, seats, ballots, seed=None):
    return count(parse_blt(blt(candidates, seats, ballots)), "scottish-stv", seed=seed)


def test_quota_is_floor_of_valid_over_seats_plus_one_plus_one():
    result = stv(list("ABC"), 2, [(7, "A"), (4, "B"), (4, "C")])
    assert result.quota == 15 // 3 + 1 == 6


def test_transfer_value_is_truncated_to_five_places_not_rounded():
    """1/7 = 0.142857...: truncated 0.14285 (rounding would give 0.14286, and 7 x 0.14286 = 1.00002)."""
    result = stv(list("ABCD"), 2, [(7, "A B"), (3, "B"), (3, "C"), (2, "D")])
    assert result.quota == 6
    second = result.stages[1]
    assert (second.action, second.candidate) == ("surplus", "A")
    assert second.totals["B"] == D("3.99995")  # 3 + 7 x 0.14285
    assert second.totals["A"] == 6
    assert second.non_transferable == D("0.00005")  # lost to truncation


def test_later_surplus_moves_all_papers_each_at_its_own_value():
    """Rule 48(3): new value = surplus x value when received / total, for every paper the candidate holds.

    A: 20 first preferences, quota 9, surplus 11 -> 0.55 each, 20 x 0.55 = 11 to B (6 + 11 = 17).
    B: surplus 8 of 17 -> B's own 6 papers at trunc5(8/17) = 0.47058, A's 20 at trunc5(8 x 0.55 / 17) = 0.25882.
    C: 4 + 6 x 0.47058 + 20 x 0.25882 = 11.99988.
    """
    result = stv(list("ABCDE"), 3, [(20, "A B C"), (6, "B C"), (4, "C"), (3, "D"), (2, "E C")])
    assert result.quota == 9
    assert [s.candidate for s in result.stages] == [None, "A", "B"]
    assert result.stages[1].totals["B"] == 17
    assert result.stages[2].totals["C"] == D("11.99988")
    assert result.stages[2].non_transferable == D("0.00012")
    assert result.elected == ["A", "B", "C"]


def test_largest_surplus_is_transferred_first():
    result = stv(list("ABCD"), 3, [(8, "A C"), (9, "B D"), (1, "C"), (2, "D")])
    assert result.quota == 6
    assert result.stages[0].elected_this_stage == ["B", "A"]
    assert [s.candidate for s in result.stages[1:3]] == ["B", "A"]


def test_exclusion_moves_every_paper_at_its_current_value_in_one_stage():
    result = stv(list("ABCD"), 2, [(10, "A C"), (3, "B"), (2, "C D"), (2, "D")])
    # quota 6; A's surplus 4/10 -> 0.4 x 10 = 4 to C (2 + 4 = 6: elected).
    assert result.stages[1].totals["C"] == 6
    assert result.elected[:2] == ["A", "C"]


def test_tie_for_exclusion_goes_back_to_the_most_recent_stage_where_they_differed():
    """Stage 1: B 5, C 4. Stage 2 (E out): B 5, C 6. Stage 3 (D out): B 6, C 6.
    The most recent earlier difference is stage 2, where B had fewer: B is excluded (not C, as the first stage
    would say)."""
    ballots = [(8, "A"), (5, "B"), (4, "C"), (1, "D B"), (2, "D"), (2, "E C")]
    result = stv(list("ABCDE"), 1, ballots)
    assert [s.candidate for s in result.stages[:4]] == [None, "E", "D", "B"]
    assert result.stages[2].totals["B"] == result.stages[2].totals["C"] == 6
    assert any("decided by the totals at stage 2" in entry for entry in result.log)


TIED = [(4, "A"), (2, "B"), (2, "C"), (3, "D")]  # quota 6: nobody elected; B and C tie for exclusion at stage 1


def test_tie_at_every_stage_is_decided_by_a_logged_reproducible_lot():
    first = stv(list("ABCD"), 1, TIED, seed="agm-2026")
    again = stv(list("ABCD"), 1, TIED, seed="agm-2026")
    assert first.stages[1].candidate == again.stages[1].candidate
    assert any("by lot (seed agm-2026)" in entry for entry in first.log)
    losers = {stv(list("ABCD"), 1, TIED, seed=str(seed)).stages[1].candidate for seed in range(20)}
    assert losers == {"B", "C"}, "the lot must be able to fall either way"


def test_default_seed_comes_from_the_ballots_so_every_recount_draws_the_same():
    results = {stv(list("ABCD"), 1, TIED).stages[1].candidate for _ in range(3)}
    assert len(results) == 1


def test_when_continuing_candidates_equal_vacancies_left_they_are_elected():
    result = stv(list("ABC"), 2, [(5, "A"), (3, "B"), (2, "C")])
    # quota 4: A elected; A's surplus has nowhere to go; C excluded; B fills the last seat without a quota.
    assert result.elected == ["A", "B"]
    assert result.stages[-1].elected_this_stage == ["B"]
    assert result.stages[-1].totals["B"] == 3


def test_withdrawn_candidates_are_skipped_and_left_out_of_the_totals():
    text = "3 1\n-2\n4 2 1 0\n3 3 0\n2 1 0\n0\nA\nB\nC\nT\n"
    result = count(parse_blt(text), "scottish-stv")
    assert set(result.stages[0].totals) == {"A", "C"}
    assert result.stages[0].totals["A"] == 6
    assert result.elected == ["A"]


def test_totals_and_non_transferable_always_add_up_to_the_valid_vote():
    result = stv(list("ABCDE"), 3, [(20, "A B C"), (6, "B C"), (4, "C"), (3, "D"), (2, "E C")])
    for stage in result.stages:
        assert sum(stage.totals.values()) + stage.non_transferable == result.valid


def test_seats_are_required_and_ties_in_rankings_are_refused():
    profile = parse_blt(blt(list("AB"), 1, [(1, "A")]))
    with pytest.raises(CountError):
        count(profile, "scottish-stv", 0)
    from groundgame.democracy.counting import parse_preflib

    toi = "# DATA TYPE: toi\n# NUMBER ALTERNATIVES: 2\n1: {1,2}\n"
    with pytest.raises(CountError, match="strict rankings"):
        count(parse_preflib(toi), "scottish-stv", 1)
    with pytest.raises(BallotFileError):
        parse_blt("")


# --- every ward of the published 2017 count sheets -------------------------------------------------------------------


@pytest.mark.realdata
@pytest.mark.parametrize("row", ward_params())
def test_ward_count_matches_the_official_count_sheet(row, data_dir):
    """Quota, valid poll, who is elected at which stage, and every candidate's total at every stage, to the
    precision the sheet publishes. The BLT and the sheet spell names differently, so candidates are matched by their
    first-preference totals (unique within every ward)."""
    profile = read_blt(data_dir / "ballots/scotland-2017" / row["ballots"])
    result = count(profile, "scottish-stv", int(row["seats"]))
    sheet = official_sheet(data_dir, row)
    info = sheet["countInfo"]
    assert result.quota == int(info["Quota"]) == int(row["quota"])
    assert result.valid == int(info["Valid_Poll"]) == int(row["valid_poll"])

    entries = sheet["countGroup"]
    published_name = {e["Candidate_Id"]: f"{e['Firstname']} {e['Surname']}" for e in entries}
    first = {e["Candidate_Id"]: D(e["Total_Votes"]) for e in entries if int(e["Count_Number"]) == 1}
    ours_first = result.stages[0].totals
    ours = {}
    for candidate_id, votes in first.items():
        matches = [name for name, value in ours_first.items() if value == votes]
        assert len(matches) == 1, f"first preferences {votes} of {published_name[candidate_id]} match {matches}"
        ours[candidate_id] = matches[0]
    assert sorted(ours.values()) == sorted(ours_first), "every candidate is matched once"

    stages = max(int(e["Count_Number"]) for e in entries)
    assert len(result.stages) == stages
    mismatches = []
    for e in entries:
        stage = result.stages[int(e["Count_Number"]) - 1]
        value = stage.totals[ours[e["Candidate_Id"]]]
        if at_published_precision(value, e["Total_Votes"]) != D(e["Total_Votes"]):
            mismatches.append(
                f"stage {stage.number} {published_name[e['Candidate_Id']]}: {value} vs {e['Total_Votes']}"
            )
    assert not mismatches

    elected_at = {ours[e["Candidate_Id"]]: int(e["Occurred_On_Count"]) for e in entries if e["Status"] == "Elected"}
    ours_at = {name: s.number for s in result.stages for name in s.elected_this_stage}
    assert ours_at == elected_at
    manifest = {ours[cid] for cid, name in published_name.items() if name in row["elected"].split("; ")}
    assert set(result.elected) == manifest
    assert len(result.elected) == int(row["seats"])
