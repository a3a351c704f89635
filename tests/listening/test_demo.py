"""The listening demo seed: a conversation in the demo organiser's group with votes and a computed map; idempotent."""

import pytest

from groundgame.listening import demo
from groundgame.listening.models import Conversation, Statement, StatementVote
from tests.people.factories import GroupFactory, MembershipFactory, PersonWithUserFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_demo_seed_builds_a_conversation_with_a_map_and_running_it_again_changes_nothing():
    assert demo.seed_demo_lines(password="x") == []  # no demo organiser yet: nothing to do
    group = GroupFactory()
    organiser = PersonWithUserFactory(user=UserFactory(username="organiser", email="organiser@example.org"))
    MembershipFactory(person=organiser, group=group, role="organiser")
    for _ in range(40):
        MembershipFactory(group=group)
    lines = demo.seed_demo_lines(password="x")
    conversation = Conversation.objects.get()
    assert lines and f"/listening/{conversation.pk}/" in lines[0]
    assert conversation.opinion_map.group_count >= 2
    assert Statement.objects.filter(status=Statement.Status.PENDING).count() == len(demo.PENDING)
    votes = StatementVote.objects.count()
    demo.seed_demo_lines(password="x")
    assert Conversation.objects.count() == 1 and StatementVote.objects.count() == votes
