"""The democracy app's rows of the permission matrix (tests/people/test_permission_matrix.py explains roles, objects
and outcomes).

Objects (world.extra, keyed (kind, label)), for group A (Derby) and group B (Bolton), each with a body:
- "motion": a motion gathering support; A's moved by the matrix's member of A, B's by B's subject;
- "draft": a draft motion by the same mover (seen only by its mover and the body's organisers);
- "debate": a motion in debate with a proposed amendment ("amendment") and a comment ("comment");
- "open": an open yes/no ballot (its roll: the active members of the group: member_a and organiser_a for A);
- "ballot_draft": a draft ballot (seen only by the body's organisers);
- "closed": a closed Scottish STV ballot with its stored result.

Who may do what: signed-in users see bodies, submitted motions and published ballots; members of the body (not
the region's organisers, stewards or administrators, who are not members of it) propose, support, amend and
comment; the body's organisers (the group's and the region's) and administrators run ballots and moderate; the
mover decides on amendments; the roll votes. A closed ballot's result and verification files are public; the
same URLs for a ballot that has not closed answer 404 to everyone.
"""

import datetime

from django.urls import reverse
from django.utils import timezone

from groundgame.democracy import services
from groundgame.democracy.models import Ballot, Motion
from tests.people.test_permission_matrix import FORBIDDEN, LOGIN, NOT_FOUND, OK, REDIRECT, Row, everyone, expect

from .factories import BodyFactory


def _motion(body, proposer, title: str, status: str) -> Motion:
    motion = services.motion_create(acting=None, body=body, proposer=proposer, title=title, text="One.\nTwo.\nThree.")
    if status != Motion.Status.DRAFT:
        services.motion_status_set(acting=None, motion=motion, status=Motion.Status.GATHERING)
    if status == Motion.Status.DEBATE:
        motion.status = Motion.Status.DEBATE
        motion.save(update_fields=["status"])
    return motion


def build(world) -> None:
    now = timezone.now()
    for label in ("A", "B"):
        body = BodyFactory(group=world.groups[label], name=f"{world.groups[label].name} members", support_threshold=5)
        mover = world.users["member_a"].person if label == "A" else world.subjects[label]
        world.extra["body", label] = body
        world.extra["motion", label] = _motion(body, mover, "Gathering", Motion.Status.GATHERING)
        world.extra["draft", label] = _motion(body, mover, "Draft", Motion.Status.DRAFT)
        debate = _motion(body, mover, "Debate", Motion.Status.DEBATE)
        world.extra["debate", label] = debate
        world.extra["amendment", label] = services.amendment_propose(
            motion=debate, proposer=world.subjects[label], line_from=2, line_to=2, replacement="Deux."
        )
        world.extra["comment", label] = services.comment_create(
            motion=debate, author=world.subjects[label], text="Yes!"
        )
        week = datetime.timedelta(days=7)
        yes_no = {"body": body, "method": Ballot.Method.YES_NO_ABSTAIN, "acting": None}
        open_ballot = services.ballot_create(question="Open?", opens_at=now - week, closes_at=now + week, **yes_no)
        world.extra["open", label] = services.ballot_open(acting=None, ballot=open_ballot, now=now)
        world.extra["ballot_draft", label] = services.ballot_create(
            question="Draft?", opens_at=now + week, closes_at=now + 2 * week, **yes_no
        )
        closed = services.ballot_create(
            acting=None,
            body=body,
            question="Delegates",
            method=Ballot.Method.SCOTTISH_STV,
            options=["Ann", "Bob", "Cat"],
            seats=2,
            opens_at=now - week,
            closes_at=now + datetime.timedelta(hours=1),
        )
        services.ballot_open(acting=None, ballot=closed, now=now)
        services.vote_cast(ballot=closed, person=world.subjects[label], choices=[2, 1], now=now)
        world.extra["closed", label] = services.ballot_close(acting=None, ballot=closed, now=closed.closes_at)


def _url(name: str, kind: str):
    return lambda w, o: reverse(name, args=[w.extra[kind, o].pk])


SIGNED_IN = {label: expect(LOGIN, OK, OK, OK, OK, OK, OK) for label in ("A", "B")}
# Members of the body: A's member and organiser are members of Derby; the region's organiser is a member of the region.
MEMBERS_SEE = {
    "A": expect(LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "B": expect(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN),
}
MEMBERS_ACT = {
    "A": expect(LOGIN, REDIRECT, REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "B": expect(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, FORBIDDEN),
}
ORGANISERS_SEE = {
    "A": expect(LOGIN, FORBIDDEN, OK, OK, FORBIDDEN, FORBIDDEN, OK),
    "B": expect(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, OK),
}
ORGANISERS_ACT = {
    "A": expect(LOGIN, FORBIDDEN, REDIRECT, REDIRECT, FORBIDDEN, FORBIDDEN, REDIRECT),
    "B": expect(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, REDIRECT),
}
# Drafts (motions and ballots) exist only for their mover and the body's organisers: 404 to everyone else.
DRAFT_MOTION = {
    "A": expect(LOGIN, OK, OK, OK, NOT_FOUND, NOT_FOUND, OK),
    "B": expect(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND, OK),
}
MOVER_SUBMITS = {
    "A": expect(LOGIN, REDIRECT, FORBIDDEN, FORBIDDEN, NOT_FOUND, NOT_FOUND, FORBIDDEN),
    "B": expect(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, FORBIDDEN, NOT_FOUND, FORBIDDEN),
}
# Amendments: decided by the mover (A's is member_a; B's mover is B's subject, none of the roles).
MOVER_DECIDES = {
    "A": expect(LOGIN, REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "B": expect(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
}
DRAFT_BALLOT = {
    "A": expect(LOGIN, NOT_FOUND, OK, OK, NOT_FOUND, NOT_FOUND, OK),
    "B": expect(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND, OK),
}
DRAFT_BALLOT_ACT = {
    "A": expect(LOGIN, NOT_FOUND, REDIRECT, REDIRECT, NOT_FOUND, NOT_FOUND, REDIRECT),
    "B": expect(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, REDIRECT, NOT_FOUND, REDIRECT),
}
# The roll: the group's active members when the ballot opened.
ROLL = {
    "A": expect(LOGIN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "B": expect(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN),
}


def _public(name: str) -> Row:
    """Public once closed; 404 for a ballot still open."""
    return Row(
        "GET",
        lambda w, o: reverse(name, args=[w.extra["closed" if o != "open A" else "open", "A"].pk]),
        {"closed A": everyone(OK), "open A": everyone(NOT_FOUND)},
    )


ROWS: dict = {
    "democracy:index": Row(
        "GET", lambda w, o: reverse("democracy:index"), {"-": expect(LOGIN, OK, OK, OK, OK, OK, OK)}
    ),
    "democracy:body": Row("GET", _url("democracy:body", "body"), SIGNED_IN),
    "democracy:motion_create": Row("GET", _url("democracy:motion_create", "body"), MEMBERS_SEE),
    "democracy:ballot_create": Row("GET", _url("democracy:ballot_create", "body"), ORGANISERS_SEE),
    "democracy:motion": Row(
        "GET",
        lambda w, o: reverse(
            "democracy:motion", args=[w.extra["draft" if o.startswith("draft") else "motion", o[-1]].pk]
        ),
        {**SIGNED_IN, "draft A": DRAFT_MOTION["A"], "draft B": DRAFT_MOTION["B"]},
    ),
    "democracy:motion_submit": Row("POST", _url("democracy:motion_submit", "draft"), MOVER_SUBMITS),
    "democracy:motion_support": Row("POST", _url("democracy:motion_support", "motion"), MEMBERS_ACT),
    "democracy:amendment_create": Row("GET", _url("democracy:amendment_create", "debate"), MEMBERS_SEE),
    "democracy:comment_create": Row(
        "POST", _url("democracy:comment_create", "debate"), MEMBERS_ACT, data=lambda w, o: {"text": "I agree."}
    ),
    "democracy:amendment_accept": Row("POST", _url("democracy:amendment_accept", "amendment"), MOVER_DECIDES),
    "democracy:amendment_to_vote": Row("POST", _url("democracy:amendment_to_vote", "amendment"), MOVER_DECIDES),
    "democracy:comment_moderate": Row(
        "POST", _url("democracy:comment_moderate", "comment"), ORGANISERS_ACT, data=lambda w, o: {"action": "hide"}
    ),
    "democracy:ballot": Row(
        "GET",
        lambda w, o: reverse(
            "democracy:ballot", args=[w.extra["ballot_draft" if o.startswith("draft") else "open", o[-1]].pk]
        ),
        {**SIGNED_IN, "draft A": DRAFT_BALLOT["A"], "draft B": DRAFT_BALLOT["B"]},
    ),
    "democracy:ballot_open": Row("POST", _url("democracy:ballot_open", "ballot_draft"), DRAFT_BALLOT_ACT),
    # Before its closing time the service refuses and the organiser is sent back to the ballot page (a redirect).
    "democracy:ballot_close": Row("POST", _url("democracy:ballot_close", "open"), ORGANISERS_ACT),
    "democracy:vote": Row("GET", _url("democracy:vote", "open"), ROLL),
    "democracy:result": _public("democracy:result"),
    "democracy:ballot_file": _public("democracy:ballot_file"),
    "democracy:transcript": _public("democracy:transcript"),
    "democracy:box": _public("democracy:box"),
    # The receipt check answers for any published ballot (saying, while it is open, when the box will be published).
    "democracy:receipt_lookup": Row(
        "GET",
        lambda w, o: reverse(
            "democracy:receipt_lookup",
            args=[w.extra[{"closed A": "closed", "open A": "open", "draft A": "ballot_draft"}[o], "A"].pk],
        ),
        {"closed A": everyone(OK), "open A": everyone(OK), "draft A": everyone(NOT_FOUND)},
    ),
}
