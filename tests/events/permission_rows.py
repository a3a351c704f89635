"""The events app's public and volunteer rows of the permission matrix (tests/people/test_permission_matrix.py,
which explains roles, objects and outcomes). `build(world)` adds events of groups A and B to `world.extra`; ROWS
maps each events URL name to a Row. The matrix module imports this one after defining Row, expect and the outcome
constants, so `from tests.people.test_permission_matrix import Row, expect, OK, ...` works at the top of this file.
The organiser pages' rows are in permission_rows_organiser.py, the lifts' in permission_rows_lifts.py.

Objects (world.extra, keyed ("public", label)): "A" an approved public canvassing session of group A in the world's
seat; "A members" an approved members-only meeting of A; "A proposed" a proposal waiting for A's organisers; "RSVP"
the booking of group A's subject for "A". Every role of the matrix is a member of the movement (people factories
make members), so members-only events open to every signed-in role.
"""

from django.urls import reverse

from groundgame.events import tokens
from groundgame.events.models import Event
from tests.people.test_permission_matrix import (
    FORBIDDEN,
    LOGIN,
    NOT_FOUND,
    OK,
    REDIRECT,
    Row,
    everyone,
    expect,
)

from .factories import EventFactory, RsvpFactory


def build(world) -> None:
    a = world.groups["A"]
    world.extra["public", "A"] = EventFactory(host=a, title="Doors in Derby North", target_seat=world.seat)
    world.extra["public", "A members"] = EventFactory(
        host=a, kind=Event.Kind.MEETING, title="Members' meeting", visibility=Event.Visibility.MEMBERS
    )
    world.extra["public", "A proposed"] = EventFactory(
        host=a, title="Proposed social", kind=Event.Kind.SOCIAL, status=Event.Status.PROPOSED, approved_at=None
    )
    world.extra["public", "RSVP"] = RsvpFactory(event=world.extra["public", "A"], person=world.subjects["A"])


def _event(name: str, suffix: str = ""):
    return lambda w, o: reverse(name, args=[w.extra["public", o].uuid]) + suffix


def _token(name: str):
    def path(w, o):
        token = "not-a-token" if o == "bad token" else tokens.rsvp_token(w.extra["public", "RSVP"], tokens.MANAGE)
        return reverse(name, args=[token])

    return path


MEMBERS_ONLY = expect(LOGIN, OK, OK, OK, OK, OK, OK)
# A proposal: its group's organisers (and those of the groups above) and administrators see it; nobody books it.
PROPOSAL_SEEN = expect(NOT_FOUND, NOT_FOUND, OK, OK, NOT_FOUND, NOT_FOUND, OK)
PROPOSAL_BOOKED = expect(NOT_FOUND, NOT_FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND, NOT_FOUND, FORBIDDEN)
GUEST = {"guest_name": "Guest Person", "guest_email": "guest.person@example.org"}

ROWS: dict = {
    "events:list": Row("GET", lambda w, o: reverse("events:list"), {"-": everyone(OK)}),
    "events:sessions": Row(
        "GET", lambda w, o: reverse("events:sessions") + f"?seats={w.seat.code}", {"-": everyone(OK)}
    ),
    "events:group_ical": Row(
        "GET",
        lambda w, o: reverse("events:group_ical", args=[w.groups[o].slug]),
        {"A": everyone(OK), "B": everyone(OK)},
    ),
    "events:event": Row(
        "GET",
        _event("events:event"),
        {"A": everyone(OK), "A members": MEMBERS_ONLY, "A proposed": PROPOSAL_SEEN},
    ),
    "events:event_ical": Row(
        "GET",
        _event("events:event_ical"),
        {"A": everyone(OK), "A members": MEMBERS_ONLY, "A proposed": PROPOSAL_SEEN},
    ),
    # Booking: guests (with a name and an email address) and every signed-in role go on to the confirmation page.
    "events:rsvp": Row(
        "POST",
        _event("events:rsvp"),
        {
            "A": everyone(REDIRECT),
            "A members": expect(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
            "A proposed": PROPOSAL_BOOKED,
        },
        data=lambda w, o: GUEST,
    ),
    # Without a booking of this browser's in the session, the confirmation page sends everyone to the event.
    "events:booked": Row("GET", _event("events:booked"), {"A": everyone(REDIRECT)}),
    # The signed link in the confirmation email is the authority: it works for whoever holds it.
    "events:rsvp_manage": Row(
        "GET", _token("events:rsvp_manage"), {"RSVP": everyone(OK), "bad token": everyone(NOT_FOUND)}
    ),
    "events:rsvp_cancel": Row(
        "POST", _token("events:rsvp_cancel"), {"RSVP": everyone(REDIRECT), "bad token": everyone(NOT_FOUND)}
    ),
}
