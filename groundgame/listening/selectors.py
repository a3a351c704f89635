"""Reads for listening: who takes part, the vote table of a conversation, the next statement to vote on, the map."""

from __future__ import annotations

import contextlib
import math
import random

import numpy as np
from django.db.models import Count, Q

from groundgame.people.models import LocalGroup, Membership, Person

from .models import Conversation, OpinionMap, Statement, StatementVote
from .opinion import VoteTable, from_arrays


def takes_part_in(*, person: Person, conversation: Conversation) -> bool:
    """An active member of the conversation's group or a group below it; any active member for a movement-wide
    conversation."""
    memberships = Membership.objects.active().filter(person=person)
    if conversation.group_id is not None:
        memberships = memberships.filter(group__in=LocalGroup.objects.subtree_of(conversation.group))
    return memberships.exists()


def conversations_for(*, person: Person | None, organised: frozenset[int], admin: bool) -> list[Conversation]:
    """The conversations a person may see: their groups' (and the groups above theirs), movement-wide ones if they
    are a member, those of groups they organise; everything for administrators."""
    conversations = Conversation.objects.select_related("group").annotate(
        statement_count=Count("statements", filter=Q(statements__status=Statement.Status.APPROVED), distinct=True)
    )
    if admin:
        return list(conversations)
    group_ids = set(organised)
    is_member = False
    if person is not None:
        mine = list(Membership.objects.active().filter(person=person).values_list("group_id", "group__parent_id"))
        is_member = bool(mine)
        for group_id, parent_id in mine:
            group_ids.update(i for i in (group_id, parent_id) if i)
        parents = LocalGroup.objects.filter(pk__in=[p for _, p in mine if p]).values_list("parent_id", flat=True)
        group_ids.update(p for p in parents if p)
    visible = Q(group_id__in=group_ids)
    if is_member:
        visible |= Q(group__isnull=True)
    return list(conversations.filter(visible))


def approved_statements(conversation: Conversation):
    return conversation.statements.filter(status=Statement.Status.APPROVED)


def vote_table(conversation: Conversation) -> VoteTable:
    """The conversation's votes on approved statements (one per participant and statement), read in chunks into
    numpy arrays rather than as a list of Python tuples."""
    rows = (
        StatementVote.objects.filter(conversation=conversation, statement__status=Statement.Status.APPROVED)
        .order_by()
        .values_list("participant_id", "statement_id", "value")
    )
    count = rows.count()
    data = np.fromiter(
        (x for row in rows.iterator(chunk_size=20_000) for x in row), dtype=np.int64, count=3 * count
    ).reshape(count, 3)
    statement_ids = list(approved_statements(conversation).values_list("pk", flat=True))
    return from_arrays(data[:, 0], data[:, 1], data[:, 2], statement_ids=statement_ids)


def statement_weights(conversation: Conversation, statements: list[Statement]) -> list[float]:
    """Routing weights: statements with few votes first (Pol.is's newness factor, 1 + 8 x 2^(-votes/5)), and those
    that divide the opinion groups (the spread of the groups' agreement on the last map), squared as Pol.is does
    to deepen the bias. A statement the map has not seen yet counts as moderately divisive."""
    stats = {}
    with contextlib.suppress(OpinionMap.DoesNotExist):
        stats = conversation.opinion_map.data.get("statements", {})
    weights = []
    for statement in statements:
        votes = getattr(statement, "vote_count", 0)
        divisiveness = stats.get(str(statement.pk), {}).get("divisiveness", 0.5)
        weights.append(((1 + 8 * math.pow(2, -votes / 5)) * (0.25 + divisiveness)) ** 2)
    return weights


def next_statement(*, conversation: Conversation, person: Person) -> tuple[Statement | None, int]:
    """The next statement for `person` and how many are left for them: a weighted draw (statement_weights) among
    the approved statements they have not voted on, seeded by who they are and how far they have got, so a reload
    shows the same statement."""
    voted = StatementVote.objects.filter(conversation=conversation, participant=person).values("statement_id")
    remaining = list(
        approved_statements(conversation).exclude(pk__in=voted).annotate(vote_count=Count("votes")).order_by("pk")
    )
    if not remaining:
        return None, 0
    done = StatementVote.objects.filter(conversation=conversation, participant=person).count()
    rng = random.Random(f"{conversation.pk}:{person.pk}:{done}")  # noqa: S311 (routing, not security)
    choice = rng.choices(remaining, weights=statement_weights(conversation, remaining))[0]
    return choice, len(remaining)


def opinion_map_of(conversation: Conversation) -> OpinionMap | None:
    return OpinionMap.objects.filter(conversation=conversation).first()


def map_context(conversation: Conversation) -> dict:
    """What the map page shows: the points as SVG coordinates, the group cards with their representative
    statements, consensus and divisive statements (texts looked up in one query)."""
    opinion_map = opinion_map_of(conversation)
    if opinion_map is None or not opinion_map.data.get("points"):
        return {"opinion_map": opinion_map, "points": [], "groups": [], "consensus": [], "divisive": []}
    data = opinion_map.data
    texts = dict(conversation.statements.values_list("pk", "text"))
    size, margin = 400.0, 16.0
    xs = [p[0] for p in data["points"]]
    ys = [p[1] for p in data["points"]]
    span = max(max(map(abs, xs), default=1.0), max(map(abs, ys), default=1.0), 1e-9)
    scale = (size / 2 - margin) / span
    points = [
        {"x": round(size / 2 + x * scale, 1), "y": round(size / 2 - y * scale, 1), "group": g}
        for x, y, g in data["points"]
    ]
    groups = []
    for index, group in enumerate(data.get("groups", [])):
        members = [p for p in points if p["group"] == index]
        cx = sum(p["x"] for p in members) / len(members) if members else size / 2
        cy = sum(p["y"] for p in members) / len(members) if members else size / 2
        reps = [
            rep | {"text": texts.get(rep["statement_id"], ""), "percent": round(100 * rep["p_success"])}
            for rep in group["repness"]
        ]
        groups.append({"index": index, "letter": chr(ord("A") + index), "size": group["size"], "reps": reps,
                       "cx": round(cx, 1), "cy": round(cy, 1)})  # fmt: skip
    statements = data.get("statements", {})

    def described(ids):
        return [
            {
                "id": i,
                "text": texts.get(i, ""),
                "group_agree": [
                    {"letter": chr(ord("A") + g), "percent": round(100 * p)}
                    for g, p in enumerate(statements[str(i)]["group_agree"])
                ],
            }
            for i in ids
            if str(i) in statements
        ]

    return {
        "opinion_map": opinion_map,
        "points": points,
        "groups": groups,
        # Shown as agreement only where every group mostly agrees (the ranking itself is group-informed consensus).
        "consensus": [
            s for s in described(data.get("consensus", [])) if all(g["percent"] > 50 for g in s["group_agree"])
        ],
        "divisive": described(data.get("divisive", [])),
        "size": int(size),
        "half": int(size / 2),
    }


def report_rows(conversation: Conversation) -> list[dict]:
    """One row per approved statement for the organiser report: votes, agreement overall and per group, and
    whether it is a consensus, divisive or representative statement. Aggregates only: no person."""
    opinion_map = opinion_map_of(conversation)
    data = opinion_map.data if opinion_map else {}
    stats = data.get("statements", {})
    consensus, divisive = set(data.get("consensus", [])), set(data.get("divisive", []))
    representative = {
        rep["statement_id"]: chr(ord("A") + g)
        for g, group in enumerate(data.get("groups", []))
        for rep in group["repness"]
    }
    counts = {
        row["statement_id"]: row
        for row in StatementVote.objects.filter(conversation=conversation)
        .values("statement_id")
        .annotate(
            agree=Count("pk", filter=Q(value=1)),
            disagree=Count("pk", filter=Q(value=-1)),
            passed=Count("pk", filter=Q(value=0)),
        )
    }
    rows = []
    for statement in approved_statements(conversation).order_by("pk"):
        c = counts.get(statement.pk, {"agree": 0, "disagree": 0, "passed": 0})
        s = stats.get(str(statement.pk), {})
        rows.append(
            {
                "id": statement.pk,
                "text": statement.text,
                "seed": statement.is_seed,
                "agree": c["agree"],
                "disagree": c["disagree"],
                "pass": c["passed"],
                "group_agree": s.get("group_agree", []),
                "consensus": statement.pk in consensus,
                "divisive": statement.pk in divisive,
                "represents": representative.get(statement.pk, ""),
            }
        )
    return rows
