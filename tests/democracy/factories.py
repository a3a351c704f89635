"""Factories for democracy tests: a body of members, and ballots opened (electorate frozen) for them."""

import datetime

import factory
from django.utils import timezone

from groundgame.democracy import services
from groundgame.democracy.models import Ballot, Body
from groundgame.people.models import Membership
from tests.people.factories import GroupFactory, MembershipFactory


class BodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Body

    group = factory.SubFactory(GroupFactory)
    name = factory.LazyAttribute(lambda body: f"{body.group.name} members" if body.group else "The movement")
    membership_days = 0
    votes_changeable = True
    contents_by_receipt = True
    support_threshold = 3
    support_period_days = 28


def members_of(body: Body, count: int, *, days: int = 60) -> list:
    """`count` people who joined the body's group `days` ago (active members), each with an account."""
    joined = timezone.now() - datetime.timedelta(days=days)
    people = []
    for _ in range(count):
        membership = MembershipFactory(group=body.group, status=Membership.Status.ACTIVE, decided_at=joined)
        people.append(membership.person)
    return people


def open_ballot(
    body: Body,
    *,
    method: str = Ballot.Method.YES_NO_ABSTAIN,
    options: tuple[str, ...] = (),
    seats: int = 1,
    question: str = "Shall we adopt the motion?",
) -> Ballot:
    """A ballot of `body` opened a minute ago (its electorate frozen now), closing in a week."""
    now = timezone.now()
    ballot = services.ballot_create(
        acting=None,
        body=body,
        question=question,
        method=method,
        options=options,
        seats=seats,
        opens_at=now - datetime.timedelta(minutes=1),
        closes_at=now + datetime.timedelta(days=7),
    )
    return services.ballot_open(acting=None, ballot=ballot)


def close(ballot: Ballot) -> Ballot:
    """Close `ballot` as if its closing time had come."""
    return services.ballot_close(acting=None, ballot=ballot, now=ballot.closes_at + datetime.timedelta(seconds=1))
