"""The democracy demo seed: bodies, motions at every stage, a closed STV ballot with its stored result, an open
ballot the demo member can vote in; running it twice adds nothing."""

import datetime

import pytest
from django.utils import timezone

from groundgame.democracy import demo
from groundgame.democracy.models import Amendment, Ballot, Body, CastBallot, Comment, Motion, RollEntry
from groundgame.people.models import Membership
from tests.people.factories import GroupFactory, MembershipFactory, PersonWithUserFactory

pytestmark = pytest.mark.django_db


def test_the_demo_seed_builds_every_stage_and_is_idempotent():
    group = GroupFactory(name="Derby")
    since = timezone.now() - datetime.timedelta(days=400)
    for _ in range(20):
        MembershipFactory(group=group, decided_at=since)
    member = PersonWithUserFactory(email=demo.MEMBER_EMAIL)
    Membership.objects.create(person=member, group=group, status=Membership.Status.ACTIVE, decided_at=timezone.now())

    lines = demo.seed_demo_lines(password="x")
    counts = [m.objects.count() for m in (Body, Motion, Ballot, CastBallot, RollEntry, Amendment, Comment)]
    again = demo.seed_demo_lines(password="x")

    assert lines == again and "Derby members" in lines[0]
    assert [m.objects.count() for m in (Body, Motion, Ballot, CastBallot, RollEntry, Amendment, Comment)] == counts
    body = Body.objects.get(group=group)
    assert Body.objects.filter(group__isnull=True, name=demo.MOVEMENT).exists()
    statuses = set(Motion.objects.filter(body=body).values_list("status", flat=True))
    assert statuses == {"draft", "gathering", "debate", "result"}
    stv = Ballot.objects.get(body=body, question=demo.DELEGATES)
    assert stv.status == Ballot.Status.CLOSED and len(stv.result.elected) == 3 and stv.result.voted > 5
    assert '"method": "scottish-stv"' in stv.result.transcript
    open_ballot = Ballot.objects.get(body=body, question=demo.PRIORITY)
    assert open_ballot.status == Ballot.Status.OPEN
    assert RollEntry.objects.filter(ballot=open_ballot, person=member, voted=False).exists()
    assert Amendment.objects.filter(motion__body=body).count() == 1 and Comment.objects.count() == 3
