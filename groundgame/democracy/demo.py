"""Demo seed for democracy. Called by `core.demo.seed_demo` (`groundgame demo`) after the earlier apps' seeds.

- Bodies: one for the demo member's local group (member@example.org; organised by organiser@example.org) and the
  whole movement's body.
- Motions at every stage in the group's body: a draft of the demo member's, one gathering support, one in debate
  with an amendment and comments, one decided by a closed yes/no ballot; one gathering support movement-wide.
- A closed STV ballot (Scottish rules, 3 seats, 6 candidates) with its stored result, made with synthetic ballots
  cast by the group's members (deterministic: random.Random(DEMO_SEED)) through the real services, so the box,
  roll, result and transcript are exactly what a real ballot would leave.
- An open ranked (Schulze) ballot of the group's body the demo member can vote in.

Idempotent: bodies are found by group (or name), motions by body and title, ballots by body and question; a second
run adds nothing.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from groundgame.people.models import LocalGroup, Membership, Person

from . import services
from .models import Amendment, Ballot, Body, Comment, Motion, MotionSupport, RollEntry

DEMO_SEED = 2027
MEMBER_EMAIL = "member@example.org"
MOVEMENT = "The whole movement"
CANDIDATES = ["Aisha Rahman", "Ben Carter", "Chloe Evans", "Dev Patel", "Ellie Morgan", "Femi Adebayo"]
PRIORITIES = ["Cost of living", "Local buses", "Housing repairs", "Youth services"]
DELEGATES = "Delegates to national conference"
PRIORITY = "Our campaign priority this spring"


def _group_and_member() -> tuple[LocalGroup | None, Person | None]:
    member = Person.objects.filter(email__iexact=MEMBER_EMAIL).first()
    if member is not None:
        membership = (
            Membership.objects.active()
            .filter(person=member, group__level=LocalGroup.Level.LOCAL)
            .select_related("group")
            .first()
        )
        if membership is not None:
            return membership.group, member
    group = LocalGroup.objects.filter(level=LocalGroup.Level.LOCAL).order_by("name").first()
    return group, member


def _body(group: LocalGroup | None) -> Body:
    if group is None:
        body = Body.objects.filter(group__isnull=True, name=MOVEMENT).first()
        return body or services.body_create(acting=None, name=MOVEMENT, membership_days=30, support_threshold=20)
    body = Body.objects.filter(group=group).first()
    return body or services.body_create(
        acting=None,
        name=f"{group.name} members",
        group=group,
        support_threshold=3,
        support_period_days=28,
        moderation=Body.Moderation.PERMISSIVE,
    )


def _motion(body: Body, proposer: Person | None, title: str, text: str, rationale: str) -> tuple[Motion, bool]:
    existing = Motion.objects.filter(body=body, title=title).first()
    if existing is not None:
        return existing, False
    return services.motion_create(
        acting=None, body=body, proposer=proposer, title=title, text=text, rationale=rationale
    ), True


def _motions(body: Body, member: Person | None, others: list[Person]) -> None:
    proposer = others[0] if others else member
    _motion(
        body,
        member,
        "Bike racks at every meeting place",
        "This group resolves:\nto ask each venue we use for secure bike parking;\nto list it on every event page.",
        "Half of us cycle to meetings.",
    )
    gathering, made = _motion(
        body,
        proposer,
        "Open a community office",
        "This group resolves:\nto rent a shop front on the high street;\nto staff it twice a week;\n"
        "to report back to members within a year.",
        "People should be able to find us without a smartphone.",
    )
    if made:
        services.motion_status_set(acting=None, motion=gathering, status=Motion.Status.GATHERING)
        for person in others[1:2]:
            services.motion_support(motion=gathering, person=person)
    debate, made = _motion(
        body,
        proposer,
        "Free childcare at every meeting",
        "This group resolves:\nto provide free childcare at every members' meeting;\n"
        "to budget for it from membership dues;\nto review the cost after six months.",
        "Parents of young children are missing from our meetings.",
    )
    if made:
        services.motion_status_set(acting=None, motion=debate, status=Motion.Status.GATHERING)
        for person in others[1 : 1 + body.support_threshold]:
            services.motion_support(motion=debate, person=person)
        debate.refresh_from_db()
        if debate.status == Motion.Status.DEBATE and len(others) > 2:
            services.amendment_propose(
                motion=debate,
                proposer=others[2],
                line_from=3,
                line_to=3,
                replacement="to budget for it from membership dues and fundraising;",
                rationale="Dues alone will not cover it.",
            )
            for person, text in zip(
                others[3:6],
                [
                    "Strongly support: I have missed every meeting since my daughter was born.",
                    "Could we share a crèche with the tenants' association?",
                    "Six months is too short to judge it; make it a year.",
                ],
                strict=False,
            ):
                services.comment_create(motion=debate, author=person, text=text)
    decided, made = _motion(
        body,
        proposer,
        "Adopt the local manifesto",
        "This group resolves:\nto adopt the draft local manifesto as circulated;\nto campaign on its five pledges.",
        "It has been through three rounds of consultation.",
    )
    if made:
        services.motion_status_set(acting=None, motion=decided, status=Motion.Status.GATHERING)
        for person in others[1 : 1 + body.support_threshold]:
            services.motion_support(motion=decided, person=person)
        decided.refresh_from_db()
        if decided.status == Motion.Status.DEBATE:
            _past_ballot(
                body,
                question="Shall we adopt the local manifesto?",
                method=Ballot.Method.YES_NO_ABSTAIN,
                options=(),
                seats=1,
                motion=decided,
                choose=lambda rng, n: [rng.choices([1, 2, 3], weights=[6, 2, 1])[0]],
                days_ago=20,
            )


def _past_ballot(body: Body, *, question, method, options, seats, choose, days_ago: int, motion=None) -> Ballot:
    """A ballot that opened `days_ago` days ago for a week, with synthetic votes by most of its roll, closed."""
    opens_at = timezone.now() - datetime.timedelta(days=days_ago)
    ballot = services.ballot_create(
        acting=None,
        body=body,
        motion=motion,
        question=question,
        method=method,
        options=options,
        seats=seats,
        opens_at=opens_at,
        closes_at=opens_at + datetime.timedelta(days=7),
        quorum_percent=20,
    )
    services.ballot_open(acting=None, ballot=ballot, now=opens_at)
    rng = random.Random(f"{DEMO_SEED}:{question}")
    voters = list(RollEntry.objects.filter(ballot=ballot).order_by("pk").values_list("person_id", flat=True))
    people = {p.pk: p for p in Person.objects.filter(pk__in=voters)}
    count = ballot.options.count()
    for person_id in voters:
        if rng.random() < 0.75:
            services.vote_cast(
                ballot=ballot,
                person=people[person_id],
                choices=choose(rng, count),
                now=opens_at + datetime.timedelta(hours=1),
            )
    return services.ballot_close(acting=None, ballot=ballot, now=ballot.closes_at)


def _ranking(rng: random.Random, count: int) -> list[int]:
    """A plausible ranking: candidates 1-2 and 3-4 run as slates, so transfers show; 1 to `count` preferences."""
    weights = [9, 6, 7, 4, 3, 2][:count]
    order: list[int] = []
    pool = list(range(1, count + 1))
    for _ in range(rng.randint(1, count)):
        choice = rng.choices(
            pool, weights=[weights[p - 1] + (5 if order and abs(p - order[-1]) == 1 else 0) for p in pool]
        )[0]
        order.append(choice)
        pool.remove(choice)
    return order


@transaction.atomic
def seed() -> list[str]:
    group, member = _group_and_member()
    if group is None:
        return ["Democracy demo: skipped (no local groups)"]
    body, movement = _body(group), _body(None)
    others = list(
        Person.objects.filter(
            memberships__group=group, memberships__status=Membership.Status.ACTIVE, erased_at__isnull=True
        )
        .exclude(pk=getattr(member, "pk", None))
        .exclude(memberships__role=Membership.Role.ORGANISER)
        .order_by("pk")
        .distinct()[:12]
    )
    _motions(body, member, others)
    movement_motion, made = _motion(
        movement,
        others[0] if others else member,
        "Publish our accounts every quarter",
        "The movement resolves:\nto publish its income and spending every quarter;\nin plain language, online.",
        "Members should see where their dues go.",
    )
    if made:
        services.motion_status_set(acting=None, motion=movement_motion, status=Motion.Status.GATHERING)
    if not Ballot.objects.filter(body=body, question=DELEGATES).exists():
        _past_ballot(
            body,
            question=DELEGATES,
            method=Ballot.Method.SCOTTISH_STV,
            options=CANDIDATES,
            seats=3,
            choose=_ranking,
            days_ago=12,
        )
    if not Ballot.objects.filter(body=body, question=PRIORITY).exists():
        now = timezone.now()
        ballot = services.ballot_create(
            acting=None,
            body=body,
            question=PRIORITY,
            method=Ballot.Method.SCHULZE,
            options=PRIORITIES,
            opens_at=now - datetime.timedelta(minutes=5),
            closes_at=now + datetime.timedelta(days=14),
            quorum_percent=25,
        )
        services.ballot_open(acting=None, ballot=ballot, now=now)
    return [
        f"Democracy demo: {body.name} ({Motion.objects.filter(body=body).count()} motions, "
        f"{Ballot.objects.filter(body=body).count()} ballots; {MEMBER_EMAIL} can vote in “{PRIORITY}”), "
        f"{movement.name}; {Amendment.objects.count()} amendments, {Comment.objects.count()} comments, "
        f"{MotionSupport.objects.count()} supports"
    ]


def seed_demo_lines(*, password: str) -> list[str]:
    """The hook `core.demo.seed_demo` calls: seed, then the lines to print."""
    del password  # the demo accounts are the people seed's
    return seed()
