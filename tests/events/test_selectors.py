"""Reads behind the event pages: places left per shift, waiting-list positions, a person's bookings, and the
"find where you're needed" list of sessions per target seat."""

import datetime

import pytest

from groundgame.events import selectors, services
from groundgame.events.models import Event
from groundgame.places.selectors import Seat
from tests.people.factories import PersonFactory

from .factories import EventFactory, ShiftFactory, in_days, make_seat

pytestmark = pytest.mark.django_db


def book(event, n, shift=None):
    return [services.rsvp_create(event=event, shift=shift, person=PersonFactory(), acting=None) for _ in range(n)]


def test_places_are_counted_per_shift_in_two_queries(django_assert_num_queries):
    event = EventFactory()
    morning = ShiftFactory(event=event, capacity=2, starts_at=event.starts_at)
    evening = ShiftFactory(event=event, capacity=None, starts_at=event.starts_at + datetime.timedelta(minutes=30))
    book(event, 3, shift=morning)
    book(event, 1, shift=evening)

    with django_assert_num_queries(2):
        places = selectors.event_places(event=event)

    assert [(p.shift, p.capacity, p.confirmed, p.waitlisted, p.free) for p in places] == [
        (morning, 2, 2, 1, 0),
        (evening, None, 1, 0, None),
    ]


def test_an_event_without_shifts_counts_its_own_places():
    event = EventFactory(capacity=5)
    book(event, 2)

    (places,) = selectors.event_places(event=event)

    assert (places.shift, places.confirmed, places.free) == (None, 2, 3)


def test_waiting_list_positions_follow_booking_order_and_move_up_on_promotion():
    event = EventFactory(capacity=1)
    confirmed, first, second = book(event, 3)

    assert [selectors.waitlist_position(rsvp=r) for r in (confirmed, first, second)] == [None, 1, 2]
    services.rsvp_cancel(rsvp=confirmed, acting=None)
    second.refresh_from_db()
    assert selectors.waitlist_position(rsvp=second) == 1


def test_a_persons_bookings_are_the_live_ones_for_events_not_yet_over():
    person = PersonFactory()
    soon, later, cancelled = EventFactory(starts_at=in_days(2)), EventFactory(starts_at=in_days(9)), EventFactory()
    for event in (later, soon, cancelled):
        services.rsvp_create(event=event, person=person, acting=None)
    services.rsvp_cancel(rsvp=cancelled.rsvps.get(), acting=None)

    assert [r.event for r in selectors.rsvps_of(person=person)] == [soon, later]


def test_find_where_youre_needed_lists_every_target_seat_with_its_sessions(monkeypatch):
    marginal, safe_ish = make_seat("Derby North", "E14000663"), make_seat("Erewash", "E14000695")
    seats = [
        Seat(constituency_id=s.pk, code=s.code, name=s.name, lat=None, lon=None, standing=None, result=None)
        for s in (marginal, safe_ish)
    ]
    monkeypatch.setattr(selectors, "target_seats", lambda year=None: (None, seats))
    session = EventFactory(target_seat=marginal)
    EventFactory(target_seat=marginal, kind=Event.Kind.SOCIAL)

    found = selectors.sessions_by_target_seat()

    assert [(row.seat.name, row.sessions) for row in found] == [("Derby North", [session]), ("Erewash", [])]
