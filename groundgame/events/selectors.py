"""Reads of events and RSVPs, narrowed to what the asking user may see (None or an anonymous user: the public).

`events_visible_to` is the list form of the `events.view_event` rule; RSVPs (personal data) are only read through
`event_rsvps`, which checks `events.view_rsvps`.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from uuid import UUID

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from groundgame.people.models import LocalGroup, Person
from groundgame.people.rules import is_administrator, organised_group_ids, person_of
from groundgame.places.models import Constituency
from groundgame.places.selectors import Location, Seat, locate_postcode, target_seats

from .models import Event, Rsvp, Shift
from .rules import is_movement_member


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated


def events_visible_to(*, user) -> QuerySet[Event]:
    """Every event the user may open: approved public events; approved members-only events for members; and,
    whatever their status, events of groups they organise and events they proposed or are the contact for."""
    events = Event.objects.select_related("host")
    if not _signed_in(user):
        return events.public()
    if is_administrator(user):
        return events.all()
    visible = Q(status=Event.Status.APPROVED, visibility=Event.Visibility.PUBLIC)
    if is_movement_member(user):
        visible |= Q(status=Event.Status.APPROVED)
    person = person_of(user)
    if person is not None:
        visible |= Q(proposed_by=person) | Q(organiser_contact=person)
    organised = organised_group_ids(user)
    if organised:
        visible |= Q(host_id__in=organised)
    return events.filter(visible)


def event_for(*, user, uuid: UUID | str) -> Event | None:
    """The event behind a share link, if the user may see it."""
    try:
        share_id = uuid if isinstance(uuid, UUID) else UUID(str(uuid))
    except ValueError:
        return None
    return events_visible_to(user=user).filter(uuid=share_id).first()


@dataclass
class NearbyEvents:
    location: Location
    events: list[Event]  # nearest first, each with `distance_km`


def events_near_postcode(
    *,
    postcode: str,
    user=None,
    km: float = 30,
    kinds: tuple[str, ...] = (),
    now: datetime.datetime | None = None,
    limit: int = 50,
) -> NearbyEvents:
    """Upcoming approved events the user may see within `km` of a postcode or postcode district, nearest first.
    Raises places' InvalidPostcode or UnknownPostcode for the caller to explain."""
    location = locate_postcode(postcode)
    events = events_visible_to(user=user).approved().upcoming(now)
    if kinds:
        events = events.of_kind(*kinds)
    return NearbyEvents(location, list(events.near(location.lat, location.lon, km)[:limit]))


def sessions_in_seat(*, constituency: Constituency, user=None, now: datetime.datetime | None = None) -> QuerySet[Event]:
    """Upcoming campaign sessions (canvassing, phone banks) for a seat, soonest first."""
    return events_visible_to(user=user).approved().upcoming(now).campaign_sessions().in_seat(constituency)


@dataclass
class SeatSessions:
    seat: Seat
    sessions: list[Event]


def sessions_by_target_seat(
    *, user=None, year: int | None = None, now: datetime.datetime | None = None
) -> list[SeatSessions]:
    """ "Find where you're needed": every target seat, most marginal first, with its upcoming campaign sessions
    (an empty list where none is planned yet). Raises places' NoElectionData when no results are imported."""
    _election, seats = target_seats(year=year)
    sessions = (
        events_visible_to(user=user)
        .approved()
        .upcoming(now)
        .campaign_sessions()
        .filter(target_seat_id__in=[seat.constituency_id for seat in seats])
    )
    by_seat: dict[int, list[Event]] = defaultdict(list)
    for event in sessions:
        by_seat[event.target_seat_id].append(event)
    return [SeatSessions(seat, by_seat.get(seat.constituency_id, [])) for seat in seats]


def proposals_to_approve(*, user, now: datetime.datetime | None = None) -> QuerySet[Event]:
    """The approval queue: upcoming proposed events of the groups the user organises (every group for admins)."""
    proposals = Event.objects.proposed().upcoming(now).select_related("host", "proposed_by")
    if is_administrator(user):
        return proposals
    return proposals.filter(host_id__in=organised_group_ids(user))


def group_calendar_events(*, group: LocalGroup, now: datetime.datetime | None = None) -> QuerySet[Event]:
    """What a group's public calendar feed lists: upcoming public events of the group and the groups below it."""
    return Event.objects.public().upcoming(now).hosted_by(LocalGroup.objects.subtree_of(group))


def event_rsvps(*, user, event: Event) -> QuerySet[Rsvp]:
    """The event's RSVPs with the people who made them, for its organisers and organiser contact (none for
    anyone else), by shift then booking order."""
    if not _signed_in(user) or not user.has_perm("events.view_rsvps", event):
        return Rsvp.objects.none()
    return (
        Rsvp.objects.filter(event=event)
        .select_related("person", "shift")
        .order_by("shift__starts_at", "shift_id", "created_at", "pk")
    )


@dataclass
class Places:
    shift: Shift | None  # None: the whole event
    capacity: int | None
    confirmed: int
    waitlisted: int

    @property
    def free(self) -> int | None:
        return None if self.capacity is None else max(0, self.capacity - self.confirmed)


def event_places(*, event: Event) -> list[Places]:
    """Places taken and free, per shift (or for the whole event when it has no shifts): two queries."""
    counts = {
        (row["shift_id"], row["status"]): row["n"]
        for row in Rsvp.objects.live().filter(event=event).values("shift_id", "status").annotate(n=Count("pk"))
    }

    def places(shift: Shift | None, capacity: int | None) -> Places:
        key = shift.pk if shift else None
        return Places(shift, capacity, counts.get((key, "confirmed"), 0), counts.get((key, "waitlisted"), 0))

    shifts = list(event.shifts.all())
    if not shifts:
        return [places(None, event.capacity)]
    return [places(shift, shift.capacity) for shift in shifts]


def waitlist_position(*, rsvp: Rsvp) -> int | None:
    """1 for the first on the waiting list; None when the RSVP is not waitlisted."""
    if rsvp.status != Rsvp.Status.WAITLISTED:
        return None
    ahead = (
        Rsvp.objects.waitlisted()
        .for_places(rsvp.event, rsvp.shift)
        .filter(Q(created_at__lt=rsvp.created_at) | Q(created_at=rsvp.created_at, pk__lt=rsvp.pk))
    )
    return ahead.count() + 1


def rsvps_of(*, person: Person, now: datetime.datetime | None = None) -> QuerySet[Rsvp]:
    """A person's live bookings for events not yet over, soonest first."""
    return (
        Rsvp.objects.live()
        .filter(person=person, event__ends_at__gt=now or timezone.now())
        .select_related("event", "shift")
        .order_by("event__starts_at", "shift__starts_at", "pk")
    )
