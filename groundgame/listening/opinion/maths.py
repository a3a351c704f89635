"""The opinion map: Pol.is's maths on a last-vote-wins vote table, in numpy/scipy with sparse matrices throughout.

Steps (after polis math `conversation.clj`, `pca.clj`, `clusters.clj`, `repness.clj`):

1. Column means over the votes cast; missing votes are imputed with the column mean, so the centred matrix is zero
   wherever nobody voted and stays sparse (800,000 non-zeros for 10,000 x 1,000).
2. Two principal components of the centred matrix (truncated SVD); each participant is projected from their own
   votes only and scaled by sqrt(statements / their votes), Pol.is's sparsity-aware projection, so people who voted
   little are not all bunched in the middle.
3. Participants "in the conversation": at least min(7, statements) votes (topped up with the most active voters
   when fewer than 15 qualify).
4. Base clusters: k-means with k = 100 (or fewer distinct points) on their projections.
5. Opinion groups: k-means of the base-cluster centres weighted by their sizes, for k = 2 .. min(5, 2 + bases/12),
   the k with the best silhouette over the base-cluster centres. Each k-means keeps the best of several seeded
   starts (lowest weighted inertia), so the result is deterministic and does not hinge on one unlucky start.
6. Per group and statement: agree/disagree/seen counts, pseudocounted probabilities, the one-proportion test and
   the two-proportion test against everyone else; representative statements chosen as `repness.clj` does.
7. Group-informed consensus: the product over groups of (agrees + 1) / (votes + 2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import svds

from .votes import VoteTable

BASE_K = 100
MAX_GROUPS = 5
Z_90 = 1.2815515655446004  # one-sided 90% critical value of the normal distribution, as polis math `z-sig-90?`
GROUP_STARTS = 20
K_TOLERANCE = 0.02


@dataclass(frozen=True)
class GroupStatementStats:
    """Arrays of shape (groups, statements)."""

    n_agree: np.ndarray
    n_disagree: np.ndarray
    n_seen: np.ndarray
    p_agree: np.ndarray
    p_disagree: np.ndarray
    p_agree_test: np.ndarray
    p_disagree_test: np.ndarray
    r_agree: np.ndarray
    r_disagree: np.ndarray
    r_agree_test: np.ndarray
    r_disagree_test: np.ndarray


@dataclass(frozen=True)
class RepStatement:
    statement_id: int
    repful_for: str  # "agree" | "disagree"
    n_success: int
    n_trials: int
    p_success: float
    p_test: float
    repness: float
    repness_test: float
    best_agree: bool = False


@dataclass(frozen=True)
class OpinionMap:
    participant_ids: np.ndarray  # every participant with a row (at least one vote)
    statement_ids: np.ndarray
    projection: np.ndarray  # (participants, 2)
    in_conversation: np.ndarray  # bool (participants,)
    group_of: np.ndarray  # int (participants,), -1 for participants the clustering did not place
    group_count: int
    silhouettes: dict[int, float]
    components: np.ndarray  # (2, statements)
    statement_projection: np.ndarray  # (statements, 2)
    stats: GroupStatementStats
    consensus_scores: np.ndarray  # (statements,) group-informed consensus (agree)
    consensus_disagree_scores: np.ndarray  # (statements,)
    divisiveness: np.ndarray  # (statements,) spread of the groups' agree probabilities
    n_votes: np.ndarray  # (statements,) votes on each statement, everyone counted
    repness: dict[int, list[RepStatement]]

    def groups(self) -> dict[int, int]:
        """participant id -> group index, for the participants the clustering placed."""
        placed = self.group_of >= 0
        return dict(zip(self.participant_ids[placed].tolist(), self.group_of[placed].tolist(), strict=True))

    def consensus(self, limit: int = 5) -> list[int]:
        """Up to `limit` statement ids by group-informed consensus, best first (ties: lower id first)."""
        if self.group_count == 0 or len(self.statement_ids) == 0:
            return []
        order = np.lexsort((self.statement_ids, -self.consensus_scores))
        return self.statement_ids[order[:limit]].tolist()

    def divisive(self, limit: int = 5) -> list[int]:
        if self.group_count < 2 or len(self.statement_ids) == 0:
            return []
        order = np.lexsort((self.statement_ids, -self.divisiveness))
        return [int(s) for s in self.statement_ids[order[:limit]] if True]

    def repness_ids(self, limit: int = 5) -> dict[int, list[int]]:
        return {g: [r.statement_id for r in reps[:limit]] for g, reps in self.repness.items()}

    def summary(self) -> dict:
        """The `groundgame opinion-map --json` document."""
        return {
            "participants": int(len(self.participant_ids)),
            "groups": {str(p): g for p, g in self.groups().items()},
            "consensus": self.consensus(),
            "repness": {str(g): ids for g, ids in self.repness_ids().items()},
        }


# ----------------------------------------------------------------------------------------------------------------
# 1-2. PCA with column-mean imputation and the sparsity-aware projection


def _sparse_votes(votes: VoteTable) -> tuple[sparse.csr_matrix, np.ndarray]:
    n, m = votes.shape
    values = votes.values.astype(np.float64)
    counts = np.bincount(votes.cols, minlength=m)
    sums = np.bincount(votes.cols, weights=values, minlength=m)
    means = np.divide(sums, counts, out=np.zeros(m), where=counts > 0)
    centred = sparse.csr_matrix((values - means[votes.cols], (votes.rows, votes.cols)), shape=(n, m))
    return centred, means


def principal_components(centred: sparse.csr_matrix, n_components: int = 2) -> np.ndarray:
    """The top principal axes (n_components, statements) of the centred matrix, with a fixed sign convention."""
    n, m = centred.shape
    k = min(n_components, n, m)
    if k == 0:
        return np.zeros((n_components, m))
    if min(n, m) <= 2 * n_components + 1 or n * m <= 4_000_000:
        _, _, vt = np.linalg.svd(centred.toarray(), full_matrices=False)
        axes = vt[:k]
    else:
        v0 = np.random.default_rng(0).standard_normal(min(n, m))
        _, singular, vt = svds(centred, k=k, v0=v0, solver="arpack")
        axes = vt[np.argsort(-singular)]
    # Sign: the entry of largest magnitude is positive (PCA's sign is arbitrary; this makes it stable).
    for row in axes:
        if row[np.argmax(np.abs(row))] < 0:
            row *= -1
    if k < n_components:
        axes = np.vstack([axes, np.zeros((n_components - k, m))])
    return axes


def sparsity_aware_projection(centred: sparse.csr_matrix, axes: np.ndarray, votes_per_participant) -> np.ndarray:
    n, m = centred.shape
    projection = np.asarray(centred @ axes.T)
    scale = np.sqrt(m / np.maximum(votes_per_participant, 1))
    return projection * scale[:, None]


# ----------------------------------------------------------------------------------------------------------------
# 3-5. Who is clustered; base clusters; opinion groups


def in_conversation_mask(votes_per_participant: np.ndarray, n_statements: int, *, min_votes: int = 7) -> np.ndarray:
    threshold = min(min_votes, n_statements)
    mask = votes_per_participant >= max(threshold, 1)
    greedy = 15
    if mask.sum() < greedy:
        candidates = np.flatnonzero(~mask & (votes_per_participant > 0))
        order = candidates[np.lexsort((candidates, -votes_per_participant[candidates]))]
        mask[order[: greedy - int(mask.sum())]] = True
    return mask


def _first_distinct(points: np.ndarray, k: int) -> np.ndarray:
    """Indices of the first k distinct rows, in order (polis math `init-clusters`)."""
    _, first = np.unique(points, axis=0, return_index=True)
    return np.sort(first)[:k]


def _squared_distances(points: np.ndarray, centres: np.ndarray) -> np.ndarray:
    return ((points * points).sum(1)[:, None] - 2.0 * points @ centres.T + (centres * centres).sum(1)[None, :]).clip(
        min=0
    )


def kmeans(
    points: np.ndarray,
    centres: np.ndarray,
    *,
    weights: np.ndarray | None = None,
    max_iter: int = 100,
    tolerance: float = 0.01,
) -> tuple[np.ndarray, np.ndarray]:
    """Lloyd's k-means from the given centres; empty clusters are dropped (as polis math does). Returns (labels,
    centres), labels indexing the returned centres."""
    weights = np.ones(len(points)) if weights is None else np.asarray(weights, dtype=np.float64)
    centres = centres.astype(np.float64).copy()
    for _ in range(max_iter):
        labels = np.argmin(_squared_distances(points, centres), axis=1)
        k = len(centres)
        mass = np.bincount(labels, weights=weights, minlength=k)
        keep = mass > 0
        new = np.column_stack([np.bincount(labels, weights=weights * points[:, d], minlength=k) for d in range(2)])
        new = new[keep] / mass[keep, None]
        if len(new) == len(centres) and np.all(np.linalg.norm(new - centres, axis=1) < tolerance):
            centres = new
            break
        centres = new
    labels = np.argmin(_squared_distances(points, centres), axis=1)
    return labels, centres


def _kmeans_best_of(points: np.ndarray, weights: np.ndarray, k: int, rng: np.random.Generator, starts: int):
    """The lowest weighted inertia over the Pol.is start (first distinct points) and seeded k-means++ starts."""
    best = None
    candidates = [points[_first_distinct(points, k)]]
    for _ in range(starts - 1):
        candidates.append(_kmeans_plus_plus(points, weights, k, rng))
    for start in candidates:
        labels, centres = kmeans(points, start, weights=weights)
        inertia = float((weights * ((points - centres[labels]) ** 2).sum(1)).sum())
        if best is None or inertia < best[0] - 1e-12:
            best = (inertia, labels, centres)
    return best[1], best[2]


def _kmeans_plus_plus(points: np.ndarray, weights: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    chosen = [int(rng.choice(len(points), p=weights / weights.sum()))]
    closest = ((points - points[chosen[0]]) ** 2).sum(1)
    for _ in range(1, k):
        mass = weights * closest
        if mass.sum() <= 0:
            break
        index = int(rng.choice(len(points), p=mass / mass.sum()))
        chosen.append(index)
        closest = np.minimum(closest, ((points - points[index]) ** 2).sum(1))
    return points[chosen]


def silhouette(distances: np.ndarray, labels: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Mean silhouette of points given their distance matrix. With `weights`, each point stands for that many
    participants at the same place (a base cluster at its centre): the participant-level silhouette of the
    clustering with everyone moved to their base centre. A cluster of one participant scores 0."""
    n = len(labels)
    weights = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    k = labels.max() + 1
    one_hot = np.zeros((n, k))
    one_hot[np.arange(n), labels] = weights
    mass = one_hot.sum(0)
    sums = distances @ one_hot  # (points, clusters): weighted total distance to each cluster's members
    own = mass[labels] - 1  # the other participants of one's own cluster (the same base counts, at distance 0)
    a = np.divide(sums[np.arange(n), labels], own, out=np.zeros(n), where=own > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        others = sums / mass
    others[np.arange(n), labels] = np.inf
    others[:, mass == 0] = np.inf
    b = others.min(1)
    score = np.where((own > 0) & np.isfinite(b), (b - a) / np.maximum(np.maximum(a, b), 1e-300), 0.0)
    return float((score * weights).sum() / weights.sum())


def choose_k(silhouettes: dict[int, float], *, tolerance: float = K_TOLERANCE) -> int:
    """The fewest groups whose silhouette is within `tolerance` of the best. Pol.is holds its number of groups
    steady over updates (it changes k only after a new k wins four recomputes running); preferring the smaller k
    unless more groups are clearly better is the snapshot analogue, and keeps near-ties from splitting a group."""
    best = max(silhouettes.values())
    return min(k for k, score in silhouettes.items() if score >= best - tolerance)


# ----------------------------------------------------------------------------------------------------------------
# 6-7. Group statistics, representative statements, consensus


def prop_test(success: np.ndarray, n: np.ndarray) -> np.ndarray:
    """polis math `prop-test`: one-proportion z against 1/2 with a pseudocount."""
    success, n = success + 1.0, n + 1.0
    return 2.0 * np.sqrt(n) * (success / n - 0.5)


def two_prop_test(success_1, success_2, n_1, n_2) -> np.ndarray:
    """polis math `two-prop-test` with pseudocounts; 0 where the pooled proportion is 1."""
    success_1, success_2, n_1, n_2 = (np.asarray(x, dtype=np.float64) + 1.0 for x in (success_1, success_2, n_1, n_2))
    p1, p2 = success_1 / n_1, success_2 / n_2
    pooled = (success_1 + success_2) / (n_1 + n_2)
    denominator = np.sqrt(pooled * (1 - pooled) * (1 / n_1 + 1 / n_2))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (p1 - p2) / denominator
    return np.where((pooled >= 1) | (denominator == 0), 0.0, z)


def group_statement_stats(votes: VoteTable, group_of: np.ndarray, group_count: int) -> GroupStatementStats:
    placed = group_of[votes.rows] >= 0
    rows, cols, values = votes.rows[placed], votes.cols[placed], votes.values[placed]
    groups = group_of[rows]
    m = votes.shape[1]

    def count(mask):
        flat = groups[mask].astype(np.int64) * m + cols[mask]
        return np.bincount(flat, minlength=group_count * m).reshape(group_count, m).astype(np.float64)

    na, nd, ns = count(values == 1), count(values == -1), count(np.ones(len(values), dtype=bool))
    rest_na, rest_nd, rest_ns = na.sum(0) - na, nd.sum(0) - nd, ns.sum(0) - ns
    pa, pd = (na + 1) / (ns + 2), (nd + 1) / (ns + 2)
    return GroupStatementStats(
        n_agree=na,
        n_disagree=nd,
        n_seen=ns,
        p_agree=pa,
        p_disagree=pd,
        p_agree_test=prop_test(na, ns),
        p_disagree_test=prop_test(nd, ns),
        r_agree=pa / ((rest_na + 1) / (rest_ns + 2)),
        r_disagree=pd / ((rest_nd + 1) / (rest_ns + 2)),
        r_agree_test=two_prop_test(na, rest_na, ns, rest_ns),
        r_disagree_test=two_prop_test(nd, rest_nd, ns, rest_ns),
    )


def _finalize(stats: GroupStatementStats, g: int, j: int, statement_id: int, best_agree=False) -> RepStatement:
    agree = stats.r_agree_test[g, j] > stats.r_disagree_test[g, j]
    if best_agree:
        agree = True
    if agree:
        fields = (stats.n_agree, stats.p_agree, stats.p_agree_test, stats.r_agree, stats.r_agree_test)
    else:
        fields = (stats.n_disagree, stats.p_disagree, stats.p_disagree_test, stats.r_disagree, stats.r_disagree_test)
    n_success, p_success, p_test, repness, repness_test = (float(f[g, j]) for f in fields)
    return RepStatement(
        statement_id=int(statement_id),
        repful_for="agree" if agree else "disagree",
        n_success=int(n_success),
        n_trials=int(stats.n_seen[g, j]),
        p_success=p_success,
        p_test=p_test,
        repness=repness,
        repness_test=repness_test,
        best_agree=best_agree,
    )


def representative_statements(
    stats: GroupStatementStats, statement_ids: np.ndarray, *, pick_max: int = 5
) -> dict[int, list[RepStatement]]:
    """polis math `select-rep-comments`: significant statements (one-proportion and two-proportion tests both past
    90% for agree, or both for disagree) sorted by repness x repness-test x p x p-test, the group's best agree
    statement first, at most `pick_max`, agrees before disagrees; if none is significant, the best agree statement
    or failing that the statement with the best two-proportion test."""
    result: dict[int, list[RepStatement]] = {}
    for g in range(stats.n_seen.shape[0]):
        na, nd = stats.n_agree[g], stats.n_disagree[g]
        pa, pat, ra, rat = stats.p_agree[g], stats.p_agree_test[g], stats.r_agree[g], stats.r_agree_test[g]
        pdt, rdt = stats.p_disagree_test[g], stats.r_disagree_test[g]
        best_agree = None
        for j in range(len(statement_ids)):
            if na[j] == 0 and nd[j] == 0:
                continue
            if best_agree is None:
                better = pat[j] > Z_90 or (ra[j] > 1.0 and pa[j] > 0.5)
            elif ra[best_agree] > 1.0:
                better = (
                    ra[j] * rat[j] * pa[j] * pat[j]
                    > ra[best_agree] * rat[best_agree] * pa[best_agree] * pat[best_agree]
                )
            else:
                better = pa[j] * pat[j] > pa[best_agree] * pat[best_agree]
            if better:
                best_agree = j
        sufficient = np.flatnonzero(((rat > Z_90) & (pat > Z_90)) | ((rdt > Z_90) & (pdt > Z_90)))
        head = (
            [_finalize(stats, g, best_agree, statement_ids[best_agree], best_agree=True)]
            if best_agree is not None
            else []
        )
        if len(sufficient) == 0:
            if not head and len(statement_ids):
                best = int(np.argmax(np.maximum(rat, rdt)))
                head = [_finalize(stats, g, best, statement_ids[best])]
            result[g] = head
            continue
        finals = [_finalize(stats, g, int(j), statement_ids[j]) for j in sufficient if j != best_agree]
        finals.sort(key=lambda r: (-(r.repness * r.repness_test * r.p_success * r.p_test), r.statement_id))
        chosen = (head + finals)[:pick_max]
        result[g] = [r for r in chosen if r.repful_for == "agree"] + [r for r in chosen if r.repful_for == "disagree"]
    return result


# ----------------------------------------------------------------------------------------------------------------
# The whole recompute


def opinion_map(
    votes: VoteTable,
    *,
    base_k: int = BASE_K,
    max_groups: int = MAX_GROUPS,
    min_votes: int = 7,
    seed: int = 0,
    group_starts: int = GROUP_STARTS,
    k_tolerance: float = K_TOLERANCE,
) -> OpinionMap:
    """Compute the opinion map of a vote table (deterministic for a given `seed`)."""
    n, m = votes.shape
    rng = np.random.default_rng(seed)
    votes_per_participant = np.bincount(votes.rows, minlength=n)
    n_votes = np.bincount(votes.cols, minlength=m)
    centred, _means = _sparse_votes(votes)
    axes = principal_components(centred)
    projection = sparsity_aware_projection(centred, axes, votes_per_participant)
    statement_projection = axes.T * math.sqrt(m) if m else np.zeros((0, 2))
    in_conv = in_conversation_mask(votes_per_participant, m, min_votes=min_votes)
    group_of = np.full(n, -1, dtype=np.int64)
    silhouettes: dict[int, float] = {}
    group_count = 0
    members = np.flatnonzero(in_conv)
    points = projection[members]
    if len(members) >= 2 and m > 0:
        base_start = points[_first_distinct(points, base_k)]
        base_labels, base_centres = kmeans(points, base_start)
        base_sizes = np.bincount(base_labels, minlength=len(base_centres)).astype(np.float64)
        top_k = min(max_groups, 2 + len(base_centres) // 12, len(base_centres))
        distances = np.sqrt(_squared_distances(base_centres, base_centres))
        clusterings = {}
        for k in range(2, top_k + 1):
            labels, centres = _kmeans_best_of(base_centres, base_sizes, k, rng, group_starts)
            if len(centres) < 2:
                continue
            clusterings[k] = labels
            silhouettes[k] = silhouette(distances, labels, base_sizes)
        if clusterings:
            best_k = choose_k(silhouettes, tolerance=k_tolerance)
            labels = clusterings[best_k]
            participant_groups = labels[base_labels]
            # Number groups by size, largest first (ties: by lowest member index), so indices are stable.
            ids = np.unique(participant_groups)
            order = sorted(
                ids, key=lambda g: (-int((participant_groups == g).sum()), int(np.argmax(participant_groups == g)))
            )
            relabel = {int(g): i for i, g in enumerate(order)}
            group_of[members] = [relabel[int(g)] for g in participant_groups]
            group_count = len(order)
    stats = group_statement_stats(votes, group_of, group_count)
    if group_count:
        consensus_scores = stats.p_agree.prod(0)
        consensus_disagree = stats.p_disagree.prod(0)
        divisiveness = stats.p_agree.max(0) - stats.p_agree.min(0)
    else:
        consensus_scores = consensus_disagree = divisiveness = np.zeros(m)
    repness = representative_statements(stats, votes.statement_ids) if group_count else {}
    return OpinionMap(
        participant_ids=votes.participant_ids,
        statement_ids=votes.statement_ids,
        projection=projection,
        in_conversation=in_conv,
        group_of=group_of,
        group_count=group_count,
        silhouettes=silhouettes,
        components=axes,
        statement_projection=statement_projection,
        stats=stats,
        consensus_scores=consensus_scores,
        consensus_disagree_scores=consensus_disagree,
        divisiveness=divisiveness,
        n_votes=n_votes,
        repness=repness,
    )


def adjusted_rand_index(labels_a, labels_b) -> float:
    """Adjusted Rand index of two labelings of the same items (Hubert and Arabie)."""
    labels_a, labels_b = np.asarray(labels_a), np.asarray(labels_b)
    if len(labels_a) != len(labels_b):
        raise ValueError("labelings differ in length")
    _, a = np.unique(labels_a, return_inverse=True)
    _, b = np.unique(labels_b, return_inverse=True)
    table = np.zeros((a.max() + 1 if len(a) else 0, b.max() + 1 if len(b) else 0))
    np.add.at(table, (a, b), 1)

    def pairs(x):
        return (x * (x - 1) / 2).sum()

    index = pairs(table)
    rows, cols, total = pairs(table.sum(1)), pairs(table.sum(0)), len(a) * (len(a) - 1) / 2
    expected = rows * cols / total if total else 0.0
    maximum = (rows + cols) / 2
    if maximum == expected:
        return 1.0
    return float((index - expected) / (maximum - expected))
