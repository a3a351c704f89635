"""The opinion-map maths on small synthetic conversations (no Django, no database)."""

import json

import numpy as np
import pytest

from groundgame.listening.opinion import adjusted_rand_index, from_arrays, opinion_map, read_polis_export
from groundgame.listening.opinion.maths import choose_k, prop_test, silhouette, two_prop_test


def planted(groups=2, per_group=40, statements=30, turnout=0.8, seed=1):
    """Participants in `groups` camps; each camp agrees with its own statements and disagrees with the others'."""
    rng = np.random.default_rng(seed)
    camp_of = np.repeat(np.arange(groups), per_group)
    stance = np.where(np.arange(statements)[None, :] % groups == np.arange(groups)[:, None], 1, -1)
    stance[:, :3] = 1  # the first three statements: everyone agrees
    p, s, v = [], [], []
    for person, camp in enumerate(camp_of):
        for statement in range(statements):
            if rng.random() < turnout:
                vote = stance[camp, statement] if rng.random() < 0.9 else rng.choice([-1, 0, 1])
                p.append(person)
                s.append(statement)
                v.append(vote)
    return from_arrays(p, s, v), camp_of


def test_last_vote_by_timestamp_wins_not_the_last_row():
    table = from_arrays([1, 1, 1], [5, 5, 6], [1, -1, 0], timestamps=[30, 10, 20])
    matrix = table.dense()
    assert matrix[0, list(table.statement_ids).index(5)] == 1
    assert matrix[0, list(table.statement_ids).index(6)] == 0


def test_a_tie_on_timestamp_goes_to_the_later_row():
    table = from_arrays([1, 1], [5, 5], [1, -1], timestamps=[10, 10])
    assert table.dense()[0, 0] == -1


def test_moderated_out_statements_are_left_out_but_their_voters_stay(tmp_path):
    (tmp_path / "comments.csv").write_text(
        "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"
        "1,x,0,0,1,0,1,kept\n2,x,1,0,1,0,-1,moderated out\n"
    )
    (tmp_path / "votes.csv").write_text(
        "timestamp,datetime,comment-id,voter-id,vote\n1,x,0,7,1\n2,x,1,8,1\n3,x,1,7,-1\n"
    )
    export = read_polis_export(tmp_path)
    assert export.votes().statement_ids.tolist() == [0]
    assert export.votes().participant_ids.tolist() == [7, 8]
    assert export.votes(include_moderated_out=True).statement_ids.tolist() == [0, 1]


def test_two_planted_camps_are_found_as_two_groups():
    table, camp_of = planted(groups=2)
    result = opinion_map(table)
    assert result.group_count == 2
    assert adjusted_rand_index(camp_of, result.group_of) == pytest.approx(1.0)


def test_three_planted_camps_are_found_as_three_groups():
    table, camp_of = planted(groups=3, per_group=50, statements=36)
    result = opinion_map(table)
    assert result.group_count == 3
    assert adjusted_rand_index(camp_of, result.group_of) > 0.95


def test_the_result_is_deterministic_for_a_seed():
    table, _ = planted(groups=3, per_group=50, statements=36)
    first, second = opinion_map(table, seed=3), opinion_map(table, seed=3)
    assert first.summary() == second.summary()
    assert np.array_equal(first.projection, second.projection)


def test_participants_with_fewer_than_seven_votes_are_not_placed():
    table, _ = planted(groups=2)
    extra = from_arrays(
        np.concatenate([table.participant_ids[table.rows], [999] * 6]),
        np.concatenate([table.statement_ids[table.cols], np.arange(6)]),
        np.concatenate([table.values, [1] * 6]),
    )
    result = opinion_map(extra)
    row = list(result.participant_ids).index(999)
    assert not result.in_conversation[row]
    assert result.group_of[row] == -1
    assert "999" not in result.summary()["groups"]
    assert result.summary()["participants"] == len(extra.participant_ids)


def test_with_fewer_than_seven_statements_voting_on_all_of_them_is_enough():
    p = [i for i in range(20) for _ in range(3)]
    s = [j for _ in range(20) for j in range(3)]
    v = [(1 if i < 10 else -1) * (1 if j != 2 else 1) for i in range(20) for j in range(3)]
    result = opinion_map(from_arrays(p, s, v))
    assert result.in_conversation.all()


def test_projection_is_scaled_up_for_participants_who_voted_little():
    """Two people who agree with the same statements: the one who voted on fewer is pushed out by sqrt(m / votes)."""
    table, _ = planted(groups=2, turnout=1.0)
    rows = table.rows
    keep = ~((rows == 0) & (table.cols >= 10))  # participant 0 votes on statements 0..9 only
    reduced = from_arrays(table.participant_ids[rows[keep]], table.statement_ids[table.cols[keep]], table.values[keep])
    from groundgame.listening.opinion.maths import _sparse_votes, sparsity_aware_projection

    centred, _ = _sparse_votes(reduced)
    axes = opinion_map(reduced).components
    counts = np.bincount(reduced.rows, minlength=reduced.shape[0])
    raw = np.asarray(centred @ axes.T)
    scaled = sparsity_aware_projection(centred, axes, counts)
    assert scaled[0] == pytest.approx(raw[0] * np.sqrt(30 / 10))
    assert scaled[1] == pytest.approx(raw[1])


def test_each_camps_own_statements_represent_it():
    table, camp_of = planted(groups=2)
    result = opinion_map(table)
    for group, reps in result.repness.items():
        assert 1 <= len(reps) <= 5
        members = camp_of[result.group_of == group]
        camp = np.bincount(members).argmax()
        for rep in reps:
            own = rep.statement_id % 2 == camp and rep.statement_id >= 3
            assert own == (rep.repful_for == "agree"), rep
        agrees = [r.repful_for for r in reps]
        assert agrees == sorted(agrees)  # agrees before disagrees


def test_consensus_ranks_what_every_group_agrees_with_first():
    table, _ = planted(groups=2)
    result = opinion_map(table)
    assert set(result.consensus(3)) == {0, 1, 2}
    assert len(result.consensus()) == 5
    assert result.consensus_scores[0] == pytest.approx(np.prod(result.stats.p_agree[:, 0]))


def test_group_informed_consensus_is_the_product_of_pseudocounted_group_agreement():
    table, _ = planted(groups=2)
    result = opinion_map(table)
    na, ns = result.stats.n_agree, result.stats.n_seen
    assert result.consensus_scores == pytest.approx(((na + 1) / (ns + 2)).prod(0))


def test_proportion_tests_match_polis_formulas():
    # prop-test: 2 sqrt(n + 1) ((succ + 1) / (n + 1) - 1/2)
    assert prop_test(np.array(7.0), np.array(9.0)) == pytest.approx(2 * np.sqrt(10) * (8 / 10 - 0.5))
    z = two_prop_test(8, 2, 10, 10)
    p1, p2, pooled = 9 / 11, 3 / 11, 12 / 22
    assert z == pytest.approx((p1 - p2) / np.sqrt(pooled * (1 - pooled) * (2 / 11)))
    assert two_prop_test(10, 10, 10, 10) == 0.0  # pooled proportion 1


def test_silhouette_of_two_tight_far_clusters_is_near_one_and_weights_count_as_copies():
    points = np.array([[0.0, 0], [0, 0.1], [10, 0], [10, 0.1]])
    distances = np.linalg.norm(points[:, None] - points[None], axis=2)
    labels = np.array([0, 0, 1, 1])
    assert silhouette(distances, labels) > 0.98
    heavy = silhouette(distances[[0, 2]][:, [0, 2]], np.array([0, 1]), np.array([2.0, 2.0]))
    assert heavy == pytest.approx(1.0)  # two copies at the same place: a = 0


def test_fewest_groups_within_tolerance_of_the_best_silhouette_are_chosen():
    assert choose_k({2: 0.40, 3: 0.41, 4: 0.30}, tolerance=0.02) == 2
    assert choose_k({2: 0.30, 3: 0.41, 4: 0.40}, tolerance=0.02) == 3


def test_adjusted_rand_index_ignores_label_names():
    assert adjusted_rand_index([0, 0, 1, 1], [5, 5, 2, 2]) == pytest.approx(1.0)
    assert adjusted_rand_index([0, 0, 1, 1, 2, 2], [0, 1, 0, 1, 0, 1]) < 0.0 + 1e-9
    # a hand-checked value: contingency [[2, 1], [0, 2]]
    assert adjusted_rand_index([0, 0, 0, 1, 1], [0, 0, 1, 1, 1]) == pytest.approx(0.16666666, abs=1e-6)


def test_cli_prints_the_documented_json(tmp_path, capsys):
    from groundgame.cli import main

    table, _ = planted(groups=2)
    lines = ["timestamp,datetime,comment-id,voter-id,vote"]
    lines += [
        f"{i},x,{table.statement_ids[c]},{table.participant_ids[r]},{v}"
        for i, (r, c, v) in enumerate(zip(table.rows, table.cols, table.values, strict=True))
    ]
    (tmp_path / "votes.csv").write_text("\n".join(lines) + "\n")
    comments = ["timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body"]
    comments += [f"0,x,{s},0,0,0,1,statement {s}" for s in table.statement_ids]
    (tmp_path / "comments.csv").write_text("\n".join(comments) + "\n")
    assert main(["opinion-map", str(tmp_path), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert set(document) == {"participants", "groups", "consensus", "repness"}
    assert document["participants"] == 80
    assert set(document["groups"].values()) == {0, 1}
    assert set(document["repness"]) == {"0", "1"}
    assert all(1 <= len(ids) <= 5 for ids in document["repness"].values())
    assert len(document["consensus"]) == 5


def test_cli_reports_a_missing_folder(tmp_path, capsys):
    from groundgame.cli import main

    assert main(["opinion-map", str(tmp_path / "nope"), "--json"]) == 1
    assert "not found" in capsys.readouterr().err
