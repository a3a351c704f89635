"""Reads of lifts: matching, one person's lifts to an event, and counts. Writes are in lifts.py.

Matching is by the distance (km, great circle) between pickups and riders' postcodes, computed by the database
(events.querysets.haversine_expression): for a rider, the open offers with a free seat, nearest first; for a driver,
the riders still looking, nearest their pickup first. Only people still booked on the event are matched.

Before a lift is confirmed by both, each side sees the other's postcode district, distance and notes, never a name
or contact detail: `Contact` (name, phone, email, full pickup postcode) is only filled in for a confirmed lift.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum

from groundgame.people.models import Person
from groundgame.places.geometry import haversine_km

from .lifts import has_live_rsvp
from .models import Event, LiftOffer, LiftRequest, Rsvp
from .querysets import haversine_expression

MATCH_LIMIT = 20


def _booked(person_field: str) -> Exists:
    """Whether the row's driver or rider still has a live RSVP for the row's event."""
    return Exists(Rsvp.objects.live().filter(event=OuterRef("event"), person=OuterRef(person_field)))


def offers_for_rider(*, lift_request: LiftRequest, limit: int = MATCH_LIMIT) -> QuerySet[LiftOffer]:
    """Open offers to the rider's event with a free seat, by pickup distance from the rider (`distance_km`)."""
    return (
        LiftOffer.objects.filter(
            event_id=lift_request.event_id,
            status=LiftOffer.Status.OPEN,
            seats_taken__lt=F("seats"),
            latitude__isnull=False,
        )
        .exclude(driver_id=lift_request.rider_id)
        .filter(_booked("driver"))
        .annotate(distance_km=haversine_expression(lift_request.latitude, lift_request.longitude))
        .order_by("distance_km", "created_at", "pk")[:limit]
    )


def requests_near_offer(*, offer: LiftOffer, limit: int = MATCH_LIMIT) -> QuerySet[LiftRequest]:
    """Riders to the offer's event still looking for a lift, by distance from the pickup (`distance_km`)."""
    return (
        LiftRequest.objects.filter(event_id=offer.event_id, status=LiftRequest.Status.OPEN, latitude__isnull=False)
        .exclude(rider_id=offer.driver_id)
        .filter(_booked("rider"))
        .annotate(distance_km=haversine_expression(offer.latitude, offer.longitude))
        .order_by("distance_km", "created_at", "pk")[:limit]
    )


@dataclass(frozen=True)
class Contact:
    """The other side of a confirmed lift."""

    name: str
    phone: str
    email: str
    postcode: str  # the driver's pickup, or the rider's postcode


def _contact(person: Person | None, postcode: str) -> Contact | None:
    if person is None or person.erased_at is not None:
        return None
    return Contact(name=str(person), phone=person.phone, email=person.email, postcode=postcode)


def rider_contact(lift_request: LiftRequest) -> Contact | None:
    """What the driver sees of a rider: only once the lift is confirmed by both."""
    if lift_request.status != LiftRequest.Status.CONFIRMED:
        return None
    return _contact(lift_request.rider, lift_request.postcode)


def driver_contact(lift_request: LiftRequest) -> Contact | None:
    """What the rider sees of the driver: only once the lift is confirmed by both."""
    if lift_request.status != LiftRequest.Status.CONFIRMED or lift_request.offer is None:
        return None
    return _contact(lift_request.offer.driver, lift_request.offer.pickup_postcode)


@dataclass
class Passenger:
    """A rider on (or asking for) the driver's offer."""

    request: LiftRequest
    distance_km: float | None
    contact: Contact | None


@dataclass
class MyLifts:
    """One person's lifts to one event, for the lifts page."""

    event: Event
    booked: bool
    offer: LiftOffer | None = None  # their open offer, as a driver
    passengers: list[Passenger] = field(default_factory=list)  # asked, accepted and confirmed riders of that offer
    riders_looking: list[LiftRequest] = field(default_factory=list)  # open requests near the pickup
    request: LiftRequest | None = None  # their live request, as a rider
    driver: Contact | None = None  # the driver of their confirmed lift
    offers: list[LiftOffer] = field(default_factory=list)  # offers near them, while they look

    @property
    def can_start(self) -> bool:
        """Booked, and neither offering nor asking yet."""
        return self.booked and self.offer is None and self.request is None


def lifts_of(*, event: Event, person: Person | None) -> MyLifts:
    """Everything the lifts page shows `person` about `event` (a few queries, whatever the number of lifts)."""
    mine = MyLifts(event=event, booked=has_live_rsvp(event=event, person=person))
    if person is None:
        return mine
    mine.offer = LiftOffer.objects.filter(event=event, driver=person, status=LiftOffer.Status.OPEN).first()
    if mine.offer is not None:
        matched = (
            LiftRequest.objects.filter(offer=mine.offer, status__in=LiftRequest.MATCHED)
            .select_related("rider")
            .order_by("matched_at", "pk")
        )
        for each in matched:
            distance = haversine_km(mine.offer.latitude, mine.offer.longitude, each.latitude, each.longitude)
            mine.passengers.append(Passenger(each, distance, rider_contact(each)))
        if mine.offer.seats_free:
            mine.riders_looking = list(requests_near_offer(offer=mine.offer))
    mine.request = (
        LiftRequest.objects.filter(event=event, rider=person, status__in=LiftRequest.LIVE)
        .select_related("offer", "offer__driver")
        .first()
    )
    if mine.request is not None:
        if mine.request.offer is not None:
            offer = mine.request.offer
            offer.distance_km = haversine_km(
                mine.request.latitude, mine.request.longitude, offer.latitude, offer.longitude
            )
            mine.driver = driver_contact(mine.request)
        else:
            mine.offers = list(offers_for_rider(lift_request=mine.request))
    return mine


@dataclass(frozen=True)
class LiftCounts:
    drivers: int
    seats_offered: int
    seats_free: int
    riders_looking: int
    riders_confirmed: int


def lift_counts(*, event: Event) -> LiftCounts:
    """Anonymous counts for the event page and the organisers' dashboard (two queries)."""
    offers = LiftOffer.objects.filter(event=event, status=LiftOffer.Status.OPEN).aggregate(
        drivers=Count("pk"), seats=Sum("seats"), taken=Sum("seats_taken")
    )
    requests = LiftRequest.objects.filter(event=event).aggregate(
        looking=Count("pk", filter=Q(status__in=[LiftRequest.Status.OPEN, LiftRequest.Status.REQUESTED])),
        confirmed=Count("pk", filter=Q(status=LiftRequest.Status.CONFIRMED)),
    )
    seats, taken = offers["seats"] or 0, offers["taken"] or 0
    return LiftCounts(
        drivers=offers["drivers"],
        seats_offered=seats,
        seats_free=seats - taken,
        riders_looking=requests["looking"],
        riders_confirmed=requests["confirmed"],
    )
