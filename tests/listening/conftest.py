"""Shared helpers for the listening tests: a group, members who vote in two camps, a conversation."""

import pytest

from groundgame.listening import services
from groundgame.listening.models import Conversation
from tests.people.factories import GroupFactory, MembershipFactory


class Camps:
    """`size` members in each of two camps in one group; camp 0 agrees with the even statements, camp 1 with the odd."""

    def __init__(self, *, size=12, statements=10, moderation=Conversation.Moderation.STRICT):
        self.group = GroupFactory()
        self.organiser = MembershipFactory(group=self.group, role="organiser").person
        self.members = [MembershipFactory(group=self.group).person for _ in range(2 * size)]
        self.conversation = services.conversation_create(
            topic="Our town",
            group=self.group,
            moderation=moderation,
            seed_statements=[f"Statement number {i}" for i in range(statements)],
            acting=self.organiser,
        )
        self.statements = list(self.conversation.statements.order_by("pk"))

    def camp_of(self, person) -> int:
        return self.members.index(person) % 2

    def vote_all(self, members=None):
        for person in members or self.members:
            camp = self.camp_of(person)
            for i, statement in enumerate(self.statements):
                services.vote_cast(statement=statement, participant=person, value=1 if i % 2 == camp else -1)


@pytest.fixture
def camps(db):
    return Camps()
