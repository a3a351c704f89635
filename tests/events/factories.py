"""Factories and reference places for events tests: a few real-looking postcodes around the East Midlands."""

import datetime

import factory
from django.utils import timezone

from groundgame.events.models import Event, Rsvp, Shift
from groundgame.places.models import BoundarySet, Constituency, Postcode, PostcodeDistrict
from groundgame.places.selectors import clear_caches
from tests.people.factories import GroupFactory, PersonFactory

# Postcode centroids (WGS84). Derby to Nottingham is about 21 km; Derby to Manchester about 80 km.
PLACES = {
    "DE22 1AA": (52.9225, -1.4746),  # Derby
    "DE1 1AA": (52.9217, -1.4767),  # Derby centre, ~0.2 km away
    "NG1 1AA": (52.9548, -1.1581),  # Nottingham
    "M1 1AA": (53.4808, -2.2426),  # Manchester
}
DISTRICTS = {"DE22": (52.93, -1.49), "NG1": (52.955, -1.15), "M1": (53.48, -2.24), "DE1": (52.92, -1.47)}


def make_places() -> None:
    """The postcodes above in the places tables (tests then locate them like real ones). When the real reference
    data is loaded (GROUNDGAME_DATA_DIR), the same postcodes exist already: they are set to these points, inside the
    test's transaction."""
    for outcode, (lat, lon) in DISTRICTS.items():
        PostcodeDistrict.objects.update_or_create(outcode=outcode, defaults={"latitude": lat, "longitude": lon})
    for postcode, (lat, lon) in PLACES.items():
        Postcode.objects.update_or_create(
            postcode=postcode, defaults={"outcode": postcode.split()[0], "latitude": lat, "longitude": lon}
        )
    clear_caches()


def make_seat(name: str = "Derby North", code: str = "E14000663") -> Constituency:
    boundaries, _ = BoundarySet.objects.get_or_create(
        slug="2024", defaults={"name": "2024 boundaries", "first_used": datetime.date(2024, 7, 4)}
    )
    return Constituency.objects.create(boundary_set=boundaries, code=code, name=name, nation="E")


def in_days(days: float, hour: int | None = None) -> datetime.datetime:
    moment = timezone.now() + datetime.timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0) if hour is not None else moment


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    kind = Event.Kind.CANVASSING
    status = Event.Status.APPROVED
    approved_at = factory.LazyFunction(timezone.now)
    host = factory.SubFactory(GroupFactory)
    title = factory.Sequence(lambda n: f"Canvassing session {n}")
    starts_at = factory.LazyFunction(lambda: in_days(7))
    ends_at = factory.LazyAttribute(lambda event: event.starts_at + datetime.timedelta(hours=3))
    venue_name = "Community centre"
    venue_postcode = "DE22 1AA"
    latitude, longitude = PLACES["DE22 1AA"]


class ShiftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shift

    event = factory.SubFactory(EventFactory)
    label = factory.Sequence(lambda n: f"Shift {n}")
    starts_at = factory.LazyAttribute(lambda shift: shift.event.starts_at)
    ends_at = factory.LazyAttribute(lambda shift: shift.event.ends_at)
    capacity = 10


class RsvpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rsvp

    event = factory.SubFactory(EventFactory)
    person = factory.SubFactory(PersonFactory)
    status = Rsvp.Status.CONFIRMED
