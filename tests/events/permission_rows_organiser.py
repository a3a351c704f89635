"""The events app's organiser rows of the permission matrix (tests/people/test_permission_matrix.py explains roles,
objects and outcomes; tests/events/permission_rows.py how the parts plug in).

Objects, for groups A and B: an approved public event starting within the hour (check-in open) with a shift and a
booking on it; an event that ended yesterday with a confirmed booking; a proposal (A's proposed by member_a, B's by
a member of B). The organisers of a group and of its region, and administrators, run its events. Everyone signed in
may see an approved public event, so another group's event answers 403 to them; a proposal answers 404 to whoever
may not see it. "B via A" puts B's shift or booking in A's event URL: those who run A find nothing there (404).
"""

import datetime

from django.urls import reverse
from django.utils import timezone

from groundgame.events import tokens
from groundgame.events.models import Event
from tests.people.factories import PersonFactory
from tests.people.test_permission_matrix import FORBIDDEN, LOGIN, NOT_FOUND, OK, REDIRECT, Row, expect

from .factories import EventFactory, RsvpFactory, ShiftFactory

ORGANISERS = expect(LOGIN, FORBIDDEN, OK, OK, OK, FORBIDDEN, OK)
EVERYONE_SIGNED_IN = expect(LOGIN, OK, OK, OK, OK, OK, OK)
RUN_A = expect(LOGIN, FORBIDDEN, OK, OK, FORBIDDEN, FORBIDDEN, OK)
RUN_B = expect(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, OK)
ACT_A = expect(LOGIN, FORBIDDEN, REDIRECT, REDIRECT, FORBIDDEN, FORBIDDEN, REDIRECT)
ACT_B = expect(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, REDIRECT)
VIA_A = expect(LOGIN, FORBIDDEN, NOT_FOUND, NOT_FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND)
# A proposal: A's was proposed by member_a, who sees it but may not approve it; B's is unknown to A's people.
PROPOSAL_A = expect(LOGIN, FORBIDDEN, OK, OK, NOT_FOUND, NOT_FOUND, OK)
PROPOSAL_B = expect(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND, OK)
APPROVE_A = expect(LOGIN, FORBIDDEN, REDIRECT, REDIRECT, NOT_FOUND, NOT_FOUND, REDIRECT)
APPROVE_B = expect(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, REDIRECT, NOT_FOUND, REDIRECT)


def build(world) -> None:
    now = timezone.now()
    for key, group in world.groups.items():
        soon = EventFactory(
            host=group,
            title=f"Doors in {group.name}",
            starts_at=now + datetime.timedelta(minutes=50),
            ends_at=now + datetime.timedelta(hours=3),
        )
        shift = ShiftFactory(event=soon, capacity=5)
        world.extra["org_event", key] = soon
        world.extra["org_shift", key] = shift
        world.extra["org_rsvp", key] = RsvpFactory(event=soon, shift=shift, person=PersonFactory())
        past = EventFactory(
            host=group,
            starts_at=now - datetime.timedelta(days=1, hours=3),
            ends_at=now - datetime.timedelta(days=1),
        )
        world.extra["org_past", key] = past
        world.extra["org_past_rsvp", key] = RsvpFactory(event=past, person=PersonFactory())
        proposer = world.users["member_a"].person if key == "A" else world.subjects[key]
        world.extra["org_proposal", key] = EventFactory(
            host=group, status=Event.Status.PROPOSED, approved_at=None, proposed_by=proposer
        )


def _event_url(name: str, kind: str = "org_event"):
    return lambda w, o: reverse(name, args=[w.extra[kind, o].uuid])


def _inner_url(name: str, kind: str, event_kind: str = "org_event"):
    """An URL of an event's shift or booking; "B via A" is B's inside A's event URL."""

    def path(w, o):
        event_key, inner_key = ("A", "B") if o == "B via A" else (o, o)
        return reverse(name, args=[w.extra[event_kind, event_key].uuid, w.extra[kind, inner_key].pk])

    return path


def _qr_url(w, o):
    return reverse("events:check_in", args=[tokens.rsvp_token(w.extra["org_rsvp", o], tokens.CHECK_IN)])


RUNS = {"A": RUN_A, "B": RUN_B}
_EDITED = {
    "A": ("org_event", "A"),
    "B": ("org_event", "B"),
    "A's proposal": ("org_proposal", "A"),
    "B's proposal": ("org_proposal", "B"),
}
ACTS = {"A": ACT_A, "B": ACT_B}

ROWS = {
    # The dashboard and the approval queue: organisers of any group, and administrators.
    "events:organise": Row("GET", lambda w, o: reverse("events:organise"), {"-": ORGANISERS}),
    "events:organise_proposals": Row("GET", lambda w, o: reverse("events:organise_proposals"), {"-": ORGANISERS}),
    "events:organise_create": Row("GET", lambda w, o: reverse("events:organise_create"), {"-": ORGANISERS}),
    # Anyone signed in may open the proposal form (it offers the groups they belong to, or says to join one).
    "events:organise_propose": Row("GET", lambda w, o: reverse("events:organise_propose"), {"-": EVERYONE_SIGNED_IN}),
    # One event: those who run it.
    "events:organise_event": Row("GET", _event_url("events:organise_event"), RUNS),
    "events:organise_edit": Row(
        "GET",
        lambda w, o: reverse("events:organise_edit", args=[w.extra[_EDITED[o]].uuid]),
        {
            "A": RUN_A,
            "B": RUN_B,
            # A proposal may also be changed by the member who proposed it, until it is approved.
            "A's proposal": expect(LOGIN, OK, OK, OK, NOT_FOUND, NOT_FOUND, OK),
            "B's proposal": PROPOSAL_B,
        },
    ),
    "events:organise_cancel": Row(
        "POST", _event_url("events:organise_cancel"), ACTS, data=lambda w, o: {"confirm": "on"}
    ),
    "events:organise_approve": Row(
        "POST", _event_url("events:organise_approve", "org_proposal"), {"A": APPROVE_A, "B": APPROVE_B}
    ),
    "events:organise_decline": Row(
        "GET", _event_url("events:organise_decline", "org_proposal"), {"A": PROPOSAL_A, "B": PROPOSAL_B}
    ),
    "events:organise_shift_create": Row("GET", _event_url("events:organise_shift_create"), RUNS),
    "events:organise_shift_edit": Row(
        "GET", _inner_url("events:organise_shift_edit", "org_shift"), {**RUNS, "B via A": VIA_A}
    ),
    # Removing a shift someone is booked on is refused with a message: a redirect back all the same.
    "events:organise_shift_delete": Row(
        "POST",
        _inner_url("events:organise_shift_delete", "org_shift"),
        {**ACTS, "B via A": VIA_A},
    ),
    "events:organise_rsvps_csv": Row("GET", _event_url("events:organise_rsvps_csv"), RUNS),
    "events:organise_check_in_list": Row("GET", _event_url("events:organise_check_in_list"), RUNS),
    "events:organise_rsvp_check_in": Row(
        "POST", _inner_url("events:organise_rsvp_check_in", "org_rsvp"), {**ACTS, "B via A": VIA_A}
    ),
    "events:organise_rsvp_attendance": Row(
        "POST",
        _inner_url("events:organise_rsvp_attendance", "org_past_rsvp", "org_past"),
        {**ACTS, "B via A": VIA_A},
        data=lambda w, o: {"attended": "1"},
    ),
    "events:organise_no_shows": Row("POST", _event_url("events:organise_no_shows", "org_past"), ACTS),
    "events:organise_follow_up": Row("GET", _event_url("events:organise_follow_up", "org_past"), RUNS),
    # The link in an attendee's QR code: the event's organisers check them in; anyone else signed in is refused.
    "events:check_in": Row("GET", _qr_url, RUNS),
}
