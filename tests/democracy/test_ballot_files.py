"""Reading BLT and PrefLib ballot files, and rejecting malformed ones with the line at fault."""

import numpy as np
import pytest

from groundgame.democracy.counting import BallotFileError, parse_ballots, parse_blt, parse_preflib, read_ballots
from groundgame.democracy.counting.ballots import group_identical

GOOD_BLT = """4 2
-4
3 1 2 0
2 2 1 3 0
1 3 0
5 4 1 0
0
"Ann Smith" "Bob O'Neill"
Cat Jones
"Dee"
"Ward 9 - by-election"
"""


def test_blt_reads_weights_names_title_seats_and_withdrawn_candidates():
    profile = parse_blt(GOOD_BLT)
    assert profile.candidates == ("Ann Smith", "Bob O'Neill", "Cat Jones", "Dee")
    assert profile.seats == 2
    assert profile.title == "Ward 9 - by-election"
    assert profile.withdrawn == frozenset({3})
    assert profile.weights.tolist() == [3, 2, 1, 5]
    assert profile.ranks.tolist() == [[0, 1, -1], [1, 0, 2], [2, -1, -1], [3, 0, -1]]
    assert profile.standing == [0, 1, 2]


def test_blt_withdrawn_candidates_may_follow_the_header_on_the_same_line():
    text = GOOD_BLT.replace("4 2\n-4\n", "4 2 -4\n")
    assert parse_blt(text).withdrawn == frozenset({3})


def test_strict_rankings_skip_withdrawn_candidates_and_merge_identical_ballots():
    ranks, weights = parse_blt(GOOD_BLT).strict_rankings()
    rows = {tuple(r[r >= 0]): int(w) for r, w in zip(ranks, weights, strict=True)}
    assert rows == {(0, 1): 3, (1, 0, 2): 2, (2,): 1, (0,): 5}  # "4 1" became "1"


def test_blank_ballots_are_counted_apart_and_not_valid():
    profile = parse_blt("2 1\n3 1 0\n4 0\n0\nA\nB\nT\n")
    assert profile.blank == 4
    assert profile.weights.tolist() == [3]


def test_crlf_line_ends_and_a_byte_order_mark_are_accepted():
    text = "\ufeff" + GOOD_BLT.replace("\n", "\r\n")
    profile = parse_blt(text.encode("utf-8"))
    assert profile.candidates[2] == "Cat Jones"
    assert profile.weights.tolist() == [3, 2, 1, 5]


def test_vectorised_and_line_by_line_parsers_agree_on_a_large_file():
    rng = np.random.default_rng(7)
    lines = ["9 3"]
    for _ in range(3000):
        length = int(rng.integers(1, 10))
        prefs = rng.permutation(9)[:length] + 1
        lines.append(f"{int(rng.integers(1, 4))} {' '.join(map(str, prefs))} 0")
    body = "\n".join(lines) + "\n0\n" + "\n".join(f'"C{i}"' for i in range(9)) + '\n"Big"\n'
    fast = parse_blt(body)
    slow = parse_blt(body.replace("\n0\n", "\n\n0\n", 1))  # a blank line sends it down the line-by-line path
    assert np.array_equal(fast.ranks, slow.ranks)
    assert np.array_equal(fast.weights, slow.weights)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("four 2\n1 1 0\n0\nA\nB\nC\nD\nT\n", 1, "bad header"),
        ("4\n1 1 0\n0\nA\nB\nC\nD\nT\n", 1, "bad header"),
        ("4 0\n1 1 0\n0\nA\nB\nC\nD\nT\n", 1, "0 seats"),
        ("2 3\n1 1 0\n0\nA\nB\nT\n", 1, "only 2 candidates"),
        ("4 2\n-7\n1 1 0\n0\nA\nB\nC\nD\nT\n", 2, "withdrawn candidate 7 does not exist"),
        ("4 2\n1 1 2 0\n2 1 5 0\n0\nA\nB\nC\nD\nT\n", 3, "candidate 5, who does not exist"),
        ("4 2\n1 1 2 0\n2 3 1 3 0\n0\nA\nB\nC\nD\nT\n", 3, "ranked twice"),
        ("4 2\n1 1 2 0\n2 3 0 1 0\n0\nA\nB\nC\nD\nT\n", 3, "0 in the middle"),
        ("4 2\n1 1 2 0\n-2 3 0\n0\nA\nB\nC\nD\nT\n", 3, "positive whole number"),
        ("4 2\n1 1 2 0\n2 3=1 0\n0\nA\nB\nC\nD\nT\n", 3, "equal rankings"),
        ("4 2\n1 1 2 0\n2 1 x 0\n0\nA\nB\nC\nD\nT\n", 3, "whole numbers"),
        ("4 2\n1 1 2 0\n2 3 1\n0\nA\nB\nC\nD\nT\n", 3, "does not end with 0"),
        ("4 2\n1 1 2 0\n0\nA\nB\nC\nD\nT\nExtra\n", 9, "after the title"),
        ('4 2\n1 1 2 0\n0\n"A\nB\nC\nD\nT\n', 4, "unbalanced quotes"),
    ],
    ids=[
        "header-not-a-number",
        "header-without-seats",
        "no-seats",
        "more-seats-than-candidates",
        "withdrawn-unknown-candidate",
        "preference-for-non-existent-candidate",
        "duplicate-preference",
        "zero-inside-ballot",
        "negative-weight",
        "equal-ranking",
        "not-a-number",
        "ballot-without-terminator",
        "text-after-title",
        "unbalanced-quote",
    ],
)
def test_malformed_blt_is_rejected_naming_the_line(text, line, words):
    with pytest.raises(BallotFileError) as caught:
        parse_blt(text, source="bad.blt")
    assert caught.value.line == line
    assert words in caught.value.message
    assert str(caught.value).startswith(f"bad.blt:{line}: ")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("4 2\n1 1 2 0\n2 3 1 0\n", 4),  # cut after the ballots: no "0" line, no names
        ("4 2\n1 1 2 0\n2 3 1", 3),  # cut in the middle of a ballot line
        ("4 2\n1 1 2 0\n0\nA\nB\n", 6),  # cut in the names
        ("", 1),  # nothing at all
    ],
    ids=["no-terminator", "mid-ballot", "mid-names", "empty"],
)
def test_truncated_blt_is_rejected_naming_where_it_stops(text, line):
    with pytest.raises(BallotFileError) as caught:
        parse_blt(text)
    assert caught.value.line == line


def test_duplicate_candidate_names_are_rejected():
    with pytest.raises(BallotFileError, match="appears twice"):
        parse_blt("2 1\n1 1 0\n0\nA\nA\nT\n")


def test_group_identical_sums_weights_of_equal_rankings():
    ranks = np.array([[0, 1, -1], [2, -1, -1], [0, 1, -1]], dtype=np.int32)
    grouped, weights = group_identical(ranks, np.array([2, 5, 3]))
    rows = {tuple(r[r >= 0]): int(w) for r, w in zip(grouped, weights, strict=True)}
    assert rows == {(0, 1): 5, (2,): 5}


# --- PrefLib ---------------------------------------------------------------------------------------------------------

SOI = """# FILE NAME: test.soi
# TITLE: Club: chair 2024
# DATA TYPE: soi
# NUMBER ALTERNATIVES: 3
# NUMBER VOTERS: 6
# NUMBER UNIQUE ORDERS: 3
# ALTERNATIVE NAME 1: Red
# ALTERNATIVE NAME 2: Green
# ALTERNATIVE NAME 3: Blue
3: 1,2,3
2: 2
1: 3,1
"""


def test_preflib_soi_reads_names_counts_and_orders():
    profile = parse_preflib(SOI)
    assert profile.candidates == ("Red", "Green", "Blue")
    assert profile.title == "Club: chair 2024"
    assert profile.weights.tolist() == [3, 2, 1]
    assert profile.ranks.tolist() == [[0, 1, 2], [1, -1, -1], [2, 0, -1]]
    assert profile.levels is None


def test_preflib_toi_keeps_equal_rankings_as_levels():
    text = SOI.replace("soi", "toi").replace("3: 1,2,3", "3: 1,{2,3}")
    profile = parse_preflib(text)
    assert profile.has_ties
    assert profile.levels[0].tolist()[:3] == [0, 1, 1]


def test_format_is_sniffed_from_the_content():
    assert parse_ballots(SOI).candidates == ("Red", "Green", "Blue")
    assert parse_ballots(GOOD_BLT).seats == 2


@pytest.mark.parametrize(
    ("change", "line", "words"),
    [
        (("# DATA TYPE: soi", "# DATA TYPE: xyz"), 3, "DATA TYPE"),
        (("# NUMBER ALTERNATIVES: 3", "# NUMBER ALTERNATIVES: three"), 4, "whole number"),
        (("# TITLE: Club: chair 2024", "# title is lower case"), 2, "bad header"),
        (("1: 3,1", "1: 3,4"), 12, "alternative 4, which does not exist"),
        (("3: 1,2,3", "3: 1,2,1"), 10, "listed twice"),
        (("3: 1,2,3", "3: 1,{2,3}"), 10, "strict-order"),
        (("2: 2\n", "2 2\n"), 11, "<count>: <order>"),
        (("1: 3,1\n", ""), 12, "NUMBER UNIQUE ORDERS"),
        (("1: 3,1\n", "2: 3,1\n"), 5, "NUMBER VOTERS"),
    ],
    ids=[
        "bad-data-type",
        "bad-number",
        "bad-header-line",
        "non-existent-alternative",
        "duplicate-alternative",
        "tie-in-strict-file",
        "not-an-order",
        "truncated",
        "voters-do-not-add-up",
    ],
)
def test_malformed_preflib_is_rejected_naming_the_line(change, line, words):
    with pytest.raises(BallotFileError) as caught:
        parse_preflib(SOI.replace(*change))
    assert caught.value.line == line
    assert words in caught.value.message


@pytest.mark.realdata
def test_debian_2002_file_reads_475_voters_over_4_options(data_dir):
    profile = read_ballots(data_dir / "ballots/preflib/debian-2002-leader.soi")
    assert profile.candidates[2] == "Bdale Garbee"
    assert int(profile.weights.sum()) == 475
    assert len(profile.weights) == 41
