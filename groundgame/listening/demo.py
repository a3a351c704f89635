"""Demo seed for listening. Called by `core.demo.seed_demo` (`groundgame demo`) after the earlier apps' seeds.

A conversation in the demo organiser's group with seed statements, votes from up to 150 of its members in three
opinion camps (with noise, skipped statements and passes, deterministic), two statements waiting for moderation,
and its opinion map computed. Running it again changes nothing."""

from __future__ import annotations

import random

from django.db import transaction
from django.utils import timezone

from groundgame.people.models import LocalGroup, Membership, Person

from . import services
from .models import Conversation, Statement, StatementVote

TOPIC = "What should we campaign on locally this year?"
STATEMENTS = [
    "Buses should run until midnight.",
    "Rents in the town centre are too high.",
    "The library should open on Sundays.",
    "Council tax should pay for more youth clubs.",
    "Cycle lanes make the high street safer.",
    "New homes should be council homes first.",
    "The hospital needs a late-night bus.",
    "Parks need more bins and benches.",
    "Empty shops should become community spaces.",
    "Landlords should be licensed.",
    "Speed limits near schools should be 20 mph.",
    "Local firms should get council contracts first.",
    "The swimming pool should be free for children.",
    "Potholes are the council's first job.",
    "There should be a night bus to the station.",
    "Public toilets should be reopened.",
    "More trees on every street.",
    "Food banks should not be needed.",
]
PENDING = ["The council should publish every contract online.", "Bring back the Saturday market."]


def camp_votes(statements: list, voters: list, *, camps: int = 3, seed: int = 8) -> list[tuple]:
    """(voter, statement, value) triples: each camp leans for or against each statement; every voter skips some,
    passes on some and strays from their camp now and then. The first three statements are liked by everyone."""
    rng = random.Random(seed)  # noqa: S311 (demo data)
    lean = [
        [1.0 if i < 3 else rng.choice([-0.9, -0.6, 0.6, 0.9]) for i in range(len(statements))] for _ in range(camps)
    ]
    triples = []
    for index, voter in enumerate(voters):
        camp = index % camps
        turnout = rng.uniform(0.6, 1.0)
        for i, statement in enumerate(statements):
            if rng.random() > turnout:
                continue
            roll = rng.random()
            if roll < 0.12:
                value = 0
            else:
                agree = 0.5 + 0.45 * lean[camp][i]
                value = 1 if rng.random() < agree else -1
            triples.append((voter, statement, value))
    return triples


@transaction.atomic
def seed() -> Conversation | None:
    organiser = Person.objects.filter(user__email="organiser@example.org").first()
    membership = (
        Membership.objects.organising().filter(person=organiser).select_related("group").first() if organiser else None
    )
    if membership is None:
        return None
    group: LocalGroup = membership.group
    existing = Conversation.objects.filter(group=group, topic=TOPIC).first()
    if existing is not None:
        return existing
    conversation = services.conversation_create(
        topic=TOPIC,
        description="Vote on each statement, one at a time; add your own. The map shows where we agree.",
        group=group,
        moderation=Conversation.Moderation.STRICT,
        seed_statements=STATEMENTS,
        acting=organiser,
    )
    statements = list(conversation.statements.order_by("pk"))
    voters = list(
        Person.objects.filter(memberships__group=group, memberships__status="active")
        .exclude(pk=organiser.pk)
        .order_by("pk")[:150]
    )
    now = timezone.now()
    StatementVote.objects.bulk_create(
        StatementVote(statement=s, conversation=conversation, participant=p, value=v, voted_at=now)
        for p, s, v in camp_votes(statements, voters)
    )
    Conversation.objects.filter(pk=conversation.pk).update(votes_changed_at=now)
    for text in PENDING:
        Statement.objects.create(conversation=conversation, text=text, author=voters[0] if voters else None)
    services.opinion_map_recompute(conversation=conversation)
    return conversation


def seed_demo_lines(*, password: str) -> list[str]:
    conversation = seed()
    if conversation is None:
        return []
    opinion_map = getattr(conversation, "opinion_map", None)
    groups = opinion_map.group_count if opinion_map else 0
    return [f"Demo conversation: /listening/{conversation.pk}/ ({groups} opinion groups on its map)"]
