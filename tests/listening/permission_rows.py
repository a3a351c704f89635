"""The listening app's rows of the permission matrix (tests/people/test_permission_matrix.py explains roles, objects
and outcomes).

Objects (world.extra): ("conversation", "A") a conversation of group A (Derby) with two seed statements and one
statement waiting for moderation (("pending", "A")); the same for B (Bolton). "B via A" is B's statement inside A's
URL: those who may act on A find nothing there (404).

Who: seeing a conversation (voting page, map) is for the members of its group and the groups below, its organisers
(of the group or a group above) and administrators; others get 404. Voting is for those who take part (members of
the group and below): a regional organiser or an administrator may look but not vote (403). Adding a statement:
those who take part or run it. Running it (moderation, report, doorstep insight): organisers and administrators.
"""

from django.urls import reverse

from groundgame.listening import services
from groundgame.listening.models import Conversation, Statement
from tests.people.test_permission_matrix import FORBIDDEN, LOGIN, NOT_FOUND, OK, REDIRECT, Row, expect


def build(world) -> None:
    for label in ("A", "B"):
        organiser = world.users["organiser_a" if label == "A" else "organiser_b"].person
        conversation = services.conversation_create(
            topic=f"Conversation {label}",
            group=world.groups[label],
            moderation=Conversation.Moderation.STRICT,
            seed_statements=["Buses should run later.", "Rents are too high."],
            acting=organiser,
        )
        world.extra["conversation", label] = conversation
        world.extra["statement", label] = conversation.statements.first()
        world.extra["pending", label] = Statement.objects.create(
            conversation=conversation, text="The library should open on Sundays.", author=world.subjects[label]
        )


def _conversation(name: str):
    return lambda w, o: reverse(name, args=[w.extra["conversation", o].pk])


def _within_a(name: str, kind: str):
    def path(w, o):
        conversation, thing = ("A", "B") if o == "B via A" else (o, o)
        return reverse(name, args=[w.extra["conversation", conversation].pk, w.extra[kind, thing].pk])

    return path


VIEW = {
    "A": expect(LOGIN, OK, OK, OK, NOT_FOUND, NOT_FOUND, OK),
    "B": expect(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND, OK),
}
MANAGE = {
    "A": expect(LOGIN, FORBIDDEN, OK, OK, NOT_FOUND, NOT_FOUND, OK),
    "B": expect(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND, OK),
}
VOTE = {
    "A": expect(LOGIN, REDIRECT, REDIRECT, FORBIDDEN, NOT_FOUND, NOT_FOUND, FORBIDDEN),
    "B": expect(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, REDIRECT, NOT_FOUND, FORBIDDEN),
    "B via A": expect(LOGIN, NOT_FOUND, NOT_FOUND, FORBIDDEN, NOT_FOUND, NOT_FOUND, FORBIDDEN),
}
ADD = {
    "A": expect(LOGIN, REDIRECT, REDIRECT, REDIRECT, NOT_FOUND, NOT_FOUND, REDIRECT),
    "B": expect(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, REDIRECT, NOT_FOUND, REDIRECT),
}
MODERATE = {
    "A": expect(LOGIN, FORBIDDEN, REDIRECT, REDIRECT, NOT_FOUND, NOT_FOUND, REDIRECT),
    "B": expect(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, REDIRECT, NOT_FOUND, REDIRECT),
    "B via A": expect(LOGIN, FORBIDDEN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
}

ROWS: dict = {
    "listening:index": Row(
        "GET", lambda w, o: reverse("listening:index"), {"-": expect(LOGIN, OK, OK, OK, OK, OK, OK)}
    ),
    "listening:conversation_create": Row(
        "GET",
        lambda w, o: reverse("listening:conversation_create"),
        {"-": expect(LOGIN, FORBIDDEN, OK, OK, OK, FORBIDDEN, OK)},
    ),
    "listening:conversation": Row("GET", _conversation("listening:conversation"), VIEW),
    "listening:map": Row("GET", _conversation("listening:map"), VIEW),
    "listening:vote": Row("POST", _within_a("listening:vote", "statement"), VOTE, data=lambda w, o: {"value": "1"}),
    "listening:statement_submit": Row(
        "POST", _conversation("listening:statement_submit"), ADD, data=lambda w, o: {"text": "Parks need more bins."}
    ),
    "listening:moderate": Row("GET", _conversation("listening:moderate"), MANAGE),
    "listening:statement_moderate": Row(
        "POST",
        _within_a("listening:statement_moderate", "pending"),
        MODERATE,
        data=lambda w, o: {"decision": "approve"},
    ),
    "listening:report": Row("GET", _conversation("listening:report"), MANAGE),
    "listening:insight": Row("GET", _conversation("listening:insight"), MANAGE),
}
