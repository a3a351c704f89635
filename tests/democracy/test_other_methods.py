"""Meek STV, instant-runoff, Schulze and approval."""

from decimal import Decimal

import numpy as np
import pytest

from groundgame.democracy.counting import CountError, count, parse_blt, parse_preflib, read_ballots, read_blt
from groundgame.democracy.counting.schulze import pairwise, strongest_paths
from tests.democracy.helpers import SCOTLAND, blt, ward_params


def profile_of(candidates, seats, ballots):
    return parse_blt(blt(candidates, seats, ballots))


# --- Meek ------------------------------------------------------------------------------------------------------------


def reference_meek(profile, seats):
    """A plain floating-point Meek count written independently of the library: iterate keep values to convergence
    (total surplus < 1e-7), then exclude the lowest hopeful. Returns the elected set and the final votes."""
    ranks, weights = profile.strict_rankings()
    ballots = [(int(w), [int(c) for c in r if c >= 0]) for r, w in zip(ranks, weights, strict=True)]
    n = profile.n_candidates
    keep = [1.0] * n
    elected: list[int] = []
    excluded: set[int] = set()
    while True:
        for _ in range(100_000):
            votes = [0.0] * n
            exhausted = 0.0
            for weight, ranking in ballots:
                value = 1.0
                for c in ranking:
                    votes[c] += weight * value * keep[c]
                    value *= 1 - keep[c]
                exhausted += weight * value
            quota = (sum(w for w, _ in ballots) - exhausted) / (seats + 1)
            elected += [c for c in range(n) if c not in excluded and c not in elected and votes[c] >= quota]
            hopeful = [c for c in range(n) if c not in excluded and c not in elected]
            if len(elected) >= seats or len(elected) + len(hopeful) <= seats:
                return set(elected) | (set(hopeful) if len(elected) < seats else set()), votes
            surplus = sum(votes[c] - quota for c in elected)
            if surplus < 1e-7:
                break
            for c in elected:
                keep[c] *= quota / votes[c]
        lowest = min(hopeful, key=lambda c: votes[c])
        excluded.add(lowest)
        keep[lowest] = 0.0


def test_meek_elects_like_a_float_reference_and_conserves_every_vote():
    rng = np.random.default_rng(11)
    names = [f"C{i}" for i in range(7)]
    for trial in range(6):
        ballots = []
        for _ in range(60):
            length = int(rng.integers(1, 8))
            ballots.append((int(rng.integers(1, 30)), " ".join(names[i] for i in rng.permutation(7)[:length])))
        profile = profile_of(names, 3, ballots)
        result = count(profile, "meek")
        expected, _ = reference_meek(profile, 3)
        assert set(result.elected) == {names[c] for c in expected}, f"trial {trial}"
        for stage in result.stages:
            assert sum(stage.totals.values()) + stage.non_transferable == result.valid


def test_meek_quota_shrinks_as_votes_become_non_transferable():
    result = count(profile_of(list("ABCD"), 2, [(10, "A"), (6, "B"), (5, "C"), (4, "D A")]), "meek")
    assert result.stages[0].quota == Decimal("8.333333334")  # 25 / 3, truncated, + 0.000000001
    assert result.stages[-1].quota < result.stages[0].quota
    assert result.elected[0] == "A"


def test_meek_passes_votes_through_an_elected_candidate_where_scottish_stv_skips_them():
    """A is elected on first preferences; B's 3 voters rank B, A, C. When B is excluded, the Scottish rules skip the
    elected A and give C all 3 votes (C 7 beats D 6). Under Meek A keeps her share of those votes too, so C gets only
    part of them, and D, with 6, reaches the shrinking quota instead."""
    profile = profile_of(list("ABCD"), 2, [(9, "A"), (3, "B A C"), (4, "C"), (6, "D")])
    assert count(profile, "scottish-stv").elected == ["A", "C"]
    meek = count(profile, "meek")
    assert meek.elected == ["A", "D"]
    after = next(s for s in meek.stages if s.action == "exclusion" and s.candidate == "B")
    assert after.elected_this_stage == ["D"]  # the iterations stop as soon as D reaches the quota
    assert after.totals["C"] < after.quota <= after.totals["D"] == 6
    assert after.totals["C"] < 7  # the Scottish count gave C all 3 of B's votes


@pytest.mark.realdata
@pytest.mark.parametrize("row", ward_params())
def test_meek_on_real_ward_agrees_with_the_float_reference(row, data_dir):
    profile = read_blt(data_dir / SCOTLAND / row["ballots"])
    result = count(profile, "meek", int(row["seats"]))
    expected, votes = reference_meek(profile, int(row["seats"]))
    assert set(result.elected) == {profile.candidates[c] for c in expected}
    final = result.stages[-1]
    for stage in result.stages:
        assert sum(stage.totals.values()) + stage.non_transferable == result.valid
    assert len(result.elected) == int(row["seats"])
    assert final.quota is not None


# --- IRV -------------------------------------------------------------------------------------------------------------


def test_irv_excludes_until_a_majority_of_the_votes_in_play():
    result = count(profile_of(list("ABC"), 1, [(8, "A"), (5, "B C"), (6, "C B")]), "irv")
    assert [s.action for s in result.stages] == ["first", "exclusion"]
    assert result.stages[1].candidate == "B"
    assert result.stages[1].totals == {"A": 8, "B": 0, "C": 11}
    assert result.elected == ["C"]
    assert result.stages[1].quota == 10
    assert result.quota is None


def test_irv_counts_exhausted_ballots_as_non_transferable():
    result = count(profile_of(list("ABC"), 1, [(8, "A"), (5, "B"), (6, "C")]), "irv")
    assert result.stages[1].non_transferable == 5
    assert result.elected == ["A"]


def test_irv_refuses_more_than_one_seat():
    with pytest.raises(CountError, match="one candidate"):
        count(profile_of(list("ABC"), 2, [(1, "A")]), "irv", 2)


# --- Schulze ---------------------------------------------------------------------------------------------------------

WIKIPEDIA = [  # the 45-voter example of the Schulze method article: E wins, order E > A > C > B > D
    (5, "A C B E D"),
    (5, "A D E C B"),
    (8, "B E D A C"),
    (3, "C A B E D"),
    (7, "C A E B D"),
    (2, "C B A D E"),
    (7, "D C E B A"),
    (8, "E B A D C"),
]


def test_schulze_resolves_a_condorcet_cycle_by_strongest_paths():
    profile = profile_of(list("ABCDE"), 1, WIKIPEDIA)
    d, valid = pairwise(profile)
    assert valid == 45
    assert d[0, 1] == 20 and d[1, 0] == 25  # A-B: 20 to 25
    p = strongest_paths(d)
    assert p[4, 0] == 25 and p[0, 4] == 24  # E -> A 25 beats A -> E 24
    result = count(profile, "schulze", 5)
    assert result.elected == list("EACBD")
    assert result.quota is None
    assert len(result.stages) == 1


def test_schulze_counts_equal_rankings_for_neither_side():
    toi = "# DATA TYPE: toi\n# NUMBER ALTERNATIVES: 3\n3: {1,2},3\n2: 3,1,2\n"
    d, _ = pairwise(parse_preflib(toi))
    assert d[0, 1] == 2 and d[1, 0] == 0
    assert d[0, 2] == 3 and d[2, 0] == 2


@pytest.mark.realdata
def test_debian_2002_leader_election_gives_option_3_under_schulze(data_dir):
    profile = read_ballots(data_dir / "ballots/preflib/debian-2002-leader.soi")
    d, valid = pairwise(profile)
    assert valid == 475
    assert (d[2, 0], d[0, 2]) == (291, 180)  # option 3 beats 1 by 291-180
    assert (d[2, 1], d[1, 2]) == (327, 140)  # and 2 by 327-140
    result = count(profile, "schulze")
    assert result.elected == ["Bdale Garbee"] == [profile.candidates[2]]
    strengths = result.stages[0].totals
    assert strengths["Bdale Garbee"] > 0
    assert all(v == 0 for name, v in strengths.items() if name != "Bdale Garbee")


# --- approval --------------------------------------------------------------------------------------------------------


def test_approval_counts_every_listed_option_once_per_ballot():
    result = count(profile_of(list("ABC"), 1, [(3, "A B"), (2, "C A"), (1, "B")]), "approval")
    assert result.stages[0].totals == {"A": 5, "B": 4, "C": 2}
    assert result.elected == ["A"]


def test_approval_breaks_a_tie_for_the_last_seat_by_logged_lot():
    result = count(profile_of(list("ABC"), 2, [(3, "A"), (2, "B"), (2, "C")]), "approval", 2, seed="s")
    assert result.elected[0] == "A"
    assert result.elected[1] in {"B", "C"}
    assert any("by lot (seed s)" in entry for entry in result.log)
