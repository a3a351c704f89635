"""The events app's lifts rows of the permission matrix: see tests/events/permission_rows.py.

Objects (world.extra["lifts", label], each a dict: the event, an offer by someone else, a request on that offer waiting
for the driver, a request still looking): "A" an event of group A that member_a is booked on with no lift yet;
"A driving" one where member_a drives (their offer, with a rider waiting and one looking); "A riding" one where
member_a rides (a driver has offered them a seat); "B" an event of group B nobody of the matrix is booked on.

The page: anyone signed in who may see the event (what they see is their own lifts only). Offering and asking:
people booked on the event (403 otherwise). Acting on an offer or a request: its driver or rider only, found through
the signed-in person, so everyone else gets 404, organisers and administrators included. A write that worked, or
was refused with a message (REDIRECT either way), shows who reaches it.
"""

from django.urls import reverse

from groundgame.events import lifts
from groundgame.events.models import Event
from tests.people.factories import PersonFactory
from tests.people.test_permission_matrix import FORBIDDEN, LOGIN, NOT_FOUND, OK, REDIRECT, Row, expect

from .factories import EventFactory, RsvpFactory


def _booked(event: Event, person=None):
    person = person or PersonFactory()
    RsvpFactory(event=event, person=person)
    return person


def _lifts(event: Event, *, driver=None) -> dict:
    """An event with someone's offer (member_a's when `driver`), a request waiting on it, and one still looking."""
    offer = lifts.lift_offer(
        event=event, driver=_booked(event, driver), pickup_postcode="DE22 1AA", seats=3, acting=None
    )
    requested = lifts.lift_request(event=event, rider=_booked(event), postcode="DE22 1AA", acting=None)
    lifts.lift_request_seat(lift_request=requested, offer=offer, acting=None)
    looking = lifts.lift_request(event=event, rider=_booked(event), postcode="DE22 1AA", acting=None)
    return {"event": event, "offer": offer, "requested": requested, "looking": looking}


def build(world) -> None:
    a, b = world.groups["A"], world.groups["B"]
    member_a = world.users["member_a"].person

    world.extra["lifts", "A"] = _lifts(EventFactory(host=a, title="Lifts A"))
    _booked(world.extra["lifts", "A"]["event"], member_a)

    driving = EventFactory(host=a, title="Lifts A driving")
    world.extra["lifts", "A driving"] = _lifts(driving, driver=member_a)

    riding = EventFactory(host=a, title="Lifts A riding")
    world.extra["lifts", "A riding"] = parts = _lifts(riding)
    mine = lifts.lift_request(event=riding, rider=_booked(riding, member_a), postcode="DE22 1AA", acting=None)
    lifts.lift_invite(lift_request=mine, offer=parts["offer"], acting=None)

    world.extra["lifts", "B"] = _lifts(EventFactory(host=b, title="Lifts B"))


def _url(name: str, pick=None):
    """The URL `name` for the object's event (and the id of one of its offers or requests, when `pick`)."""

    def path(w, o):
        parts = w.extra["lifts", o]
        args = [parts["event"].uuid] + ([parts[pick].pk] if pick else [])
        return reverse(name, args=args)

    return path


SIGNED_IN = expect(LOGIN, OK, OK, OK, OK, OK, OK)
NOBODY_ELSE = expect(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)
ONLY_MEMBER_A = expect(LOGIN, REDIRECT, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)
BOOKED_MEMBER_A = expect(LOGIN, REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN)
NOT_BOOKED = expect(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN)

ROWS: dict = {
    "events:lifts": Row(
        "GET",
        _url("events:lifts"),
        {"A": SIGNED_IN, "A driving": SIGNED_IN, "A riding": SIGNED_IN, "B": SIGNED_IN},
    ),
    "events:lift_offer": Row(
        "POST",
        _url("events:lift_offer"),
        {"A": BOOKED_MEMBER_A, "B": NOT_BOOKED},
        data=lambda w, o: {"offer-pickup_postcode": "DE22 1AA", "offer-seats": "2"},
    ),
    "events:lift_ask": Row(
        "POST",
        _url("events:lift_ask"),
        {"A": BOOKED_MEMBER_A, "B": NOT_BOOKED},
        data=lambda w, o: {"ask-postcode": "DE22 1AA"},
    ),
    # The driver's.
    "events:lift_offer_withdraw": Row(
        "POST", _url("events:lift_offer_withdraw"), {"A": NOBODY_ELSE, "A driving": ONLY_MEMBER_A, "B": NOBODY_ELSE}
    ),
    **{
        f"events:{name}": Row(
            "POST",
            _url(f"events:{name}", pick),
            {"A": NOBODY_ELSE, "A driving": ONLY_MEMBER_A, "B": NOBODY_ELSE},
        )
        for name, pick in [("lift_accept", "requested"), ("lift_decline", "requested"), ("lift_invite", "looking")]
    },
    # The rider's.
    "events:lift_request_seat": Row(
        "POST",
        _url("events:lift_request_seat", "offer"),
        {"A": NOBODY_ELSE, "A riding": ONLY_MEMBER_A, "B": NOBODY_ELSE},
    ),
    **{
        f"events:{name}": Row(
            "POST", _url(f"events:{name}"), {"A": NOBODY_ELSE, "A riding": ONLY_MEMBER_A, "B": NOBODY_ELSE}
        )
        for name in ("lift_confirm", "lift_turn_down", "lift_cancel")
    },
}
