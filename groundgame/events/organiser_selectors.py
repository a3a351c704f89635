"""Reads for the organiser pages (organiser_views.py): the groups a user may host events for, the events they run,
and the organiser dashboard's figures. Like events.selectors, every read is narrowed to who is asking: the groups
they organise (and the groups below those), or every group for administrators.

The dashboard costs a fixed handful of queries however many events there are: counts come from grouped queries, not
one per event (tests pin it).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from groundgame.people.models import LocalGroup, Membership, Person
from groundgame.people.rules import is_administrator, organised_group_ids, person_of
from groundgame.places.models import BoundarySet, Constituency

from .models import Event, LiftOffer, LiftRequest, Rsvp, Shift

UPCOMING_LIMIT = 50
PAST_DAYS = 90
PAST_LIMIT = 20


# --- groups and people to choose from ----------------------------------------------------------------------------


def groups_to_host(*, user) -> QuerySet[LocalGroup]:
    """Groups the user may create events for, approved at once (events.create_event): those they organise."""
    if is_administrator(user):
        return LocalGroup.objects.order_by("name")
    return LocalGroup.objects.filter(pk__in=organised_group_ids(user)).order_by("name")


def groups_to_propose_for(*, user) -> QuerySet[LocalGroup]:
    """Groups the user may propose an event to (events.propose_event): those they are an active member of or
    organise."""
    if is_administrator(user):
        return LocalGroup.objects.order_by("name")
    person = person_of(user)
    member_of = (
        Membership.objects.active().filter(person=person).values("group_id") if person else Membership.objects.none()
    )
    return LocalGroup.objects.filter(Q(pk__in=member_of) | Q(pk__in=organised_group_ids(user))).order_by("name")


def contacts_to_choose(*, user, groups: QuerySet[LocalGroup], current: Person | None = None) -> QuerySet[Person]:
    """Who can be an event's organiser contact: the user, and the organisers, canvassers and volunteers of the
    groups offered (not every member: the list stays short), plus the current contact."""
    me = person_of(user)
    helpers = Membership.objects.active().filter(group__in=groups).exclude(role=Membership.Role.MEMBER)
    wanted = Q(pk__in=helpers.values("person_id"))
    for person in (me, current):
        if person is not None:
            wanted |= Q(pk=person.pk)
    return Person.objects.not_erased().filter(wanted).order_by("first_name", "last_name", "pk")


def current_seats() -> QuerySet[Constituency]:
    """Constituencies of the newest boundary set (target seats are chosen from the boundaries now in force)."""
    newest = BoundarySet.objects.filter(first_used__lte=timezone.localdate()).order_by("-first_used").first()
    if newest is None:
        newest = BoundarySet.objects.order_by("first_used").first()
    return Constituency.objects.filter(boundary_set=newest).select_related("boundary_set").order_by("name")


# --- events the user runs ----------------------------------------------------------------------------------------


def events_run_by(*, user) -> QuerySet[Event]:
    """Every event of the groups the user organises (all of them for administrators), whatever its status."""
    events = Event.objects.select_related("host", "target_seat")
    if is_administrator(user):
        return events
    return events.filter(host_id__in=organised_group_ids(user))


def next_events_for(*, user, after: Event, now: datetime.datetime | None = None) -> QuerySet[Event]:
    """Upcoming approved events the user runs, other than `after`: what a follow-up can point people to next."""
    return events_run_by(user=user).approved().upcoming(now).exclude(pk=after.pk)


# --- the dashboard -----------------------------------------------------------------------------------------------


@dataclass
class EventFigures:
    """One event's bookings and attendance. `places` is the event's capacity, or its shifts' added up; None when
    any of them has no limit."""

    event: Event
    places: int | None = None
    confirmed: int = 0
    waitlisted: int = 0
    attended: int = 0
    no_shows: int = 0

    @property
    def not_recorded(self) -> int:
        return max(0, self.confirmed - self.attended - self.no_shows)

    @property
    def full_percent(self) -> int | None:
        if not self.places:
            return None
        return min(100, round(100 * self.confirmed / self.places))

    @property
    def attendance_rate(self) -> float | None:
        """Of those whose attendance was recorded, the share who came (None: nothing recorded)."""
        recorded = self.attended + self.no_shows
        return self.attended / recorded if recorded else None

    @property
    def attendance_percent(self) -> int | None:
        rate = self.attendance_rate
        return None if rate is None else round(100 * rate)


def event_figures(events: list[Event]) -> list[EventFigures]:
    """Figures for each event, in two queries (RSVP counts; shift places)."""
    figures = {event.pk: EventFigures(event, places=event.capacity) for event in events}
    if not figures:
        return []
    rows = (
        Rsvp.objects.live()
        .filter(event_id__in=figures)
        .values("event_id", "status", "attendance")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        item = figures[row["event_id"]]
        if row["status"] == Rsvp.Status.WAITLISTED:
            item.waitlisted += row["n"]
            continue
        item.confirmed += row["n"]
        if row["attendance"] == Rsvp.Attendance.ATTENDED:
            item.attended += row["n"]
        elif row["attendance"] == Rsvp.Attendance.NO_SHOW:
            item.no_shows += row["n"]
    shift_places: dict[int, list[int | None]] = defaultdict(list)
    for event_id, capacity in Shift.objects.filter(event_id__in=figures).values_list("event_id", "capacity"):
        shift_places[event_id].append(capacity)
    for event_id, capacities in shift_places.items():
        figures[event_id].places = None if None in capacities else sum(capacities)
    return [figures[event.pk] for event in events]


@dataclass
class SeatVolunteers:
    """Volunteers mobilised for one target seat: distinct people with a confirmed place at the seat's campaign
    sessions (booked), and those of them recorded as having come."""

    seat: Constituency
    sessions: int = 0
    booked: int = 0
    came: int = 0


def volunteers_by_seat(*, events: QuerySet[Event]) -> list[SeatVolunteers]:
    """Per target seat of the given events' campaign sessions (approved, not cancelled), most volunteers first."""
    sessions = events.approved().campaign_sessions().filter(target_seat__isnull=False)
    seats: dict[int, SeatVolunteers] = {}
    for row in sessions.values("target_seat_id").annotate(n=Count("pk")).order_by():
        seats[row["target_seat_id"]] = SeatVolunteers(seat=None, sessions=row["n"])  # type: ignore[arg-type]
    if not seats:
        return []
    people = (
        Rsvp.objects.confirmed()
        .filter(event__in=sessions.values("pk"))
        .values("event__target_seat_id")
        .annotate(
            booked=Count("person_id", distinct=True),
            came=Count("person_id", distinct=True, filter=Q(attendance=Rsvp.Attendance.ATTENDED)),
        )
        .order_by()
    )
    for row in people:
        item = seats[row["event__target_seat_id"]]
        item.booked, item.came = row["booked"], row["came"]
    for seat in Constituency.objects.filter(pk__in=seats).select_related("boundary_set"):
        seats[seat.pk].seat = seat
    return sorted(seats.values(), key=lambda s: (-s.booked, -s.sessions, s.seat.name))


@dataclass
class LiftFigures:
    seats_offered: int = 0  # free seats in drivers' open offers
    filled: int = 0  # lifts confirmed by both driver and rider
    looking: int = 0  # riders still looking, or waiting for an answer

    @property
    def filled_percent(self) -> int | None:
        return min(100, round(100 * self.filled / self.seats_offered)) if self.seats_offered else None


def lifts_filled(*, events: QuerySet[Event]) -> LiftFigures:
    """Lift seats offered, lifts confirmed and riders still looking, for the given events (two queries)."""
    offered = LiftOffer.objects.filter(event__in=events, status=LiftOffer.Status.OPEN).aggregate(seats=Sum("seats"))
    rows = (
        LiftRequest.objects.filter(event__in=events, status__in=LiftRequest.LIVE)
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    figures = LiftFigures(seats_offered=offered["seats"] or 0)
    for row in rows:
        if row["status"] == LiftRequest.Status.CONFIRMED:
            figures.filled += row["n"]
        else:
            figures.looking += row["n"]
    return figures


@dataclass
class Dashboard:
    upcoming: list[EventFigures] = field(default_factory=list)
    past: list[EventFigures] = field(default_factory=list)  # approved events that ended in the last PAST_DAYS
    proposals: int = 0  # waiting for approval
    attended: int = 0  # over `past`
    no_shows: int = 0
    not_recorded: int = 0
    seats: list[SeatVolunteers] = field(default_factory=list)
    lifts: LiftFigures = field(default_factory=LiftFigures)  # for `upcoming` and `past`

    @property
    def attendance_rate(self) -> float | None:
        recorded = self.attended + self.no_shows
        return self.attended / recorded if recorded else None

    @property
    def attendance_percent(self) -> int | None:
        rate = self.attendance_rate
        return None if rate is None else round(100 * rate)

    @property
    def booked(self) -> int:
        """Places taken at upcoming events."""
        return sum(figures.confirmed for figures in self.upcoming)

    @property
    def volunteers(self) -> int:
        """People booked at campaign sessions, added up over the seats (someone active in two seats counts twice)."""
        return sum(seat.booked for seat in self.seats)


def organiser_dashboard(*, user, now: datetime.datetime | None = None) -> Dashboard:
    """The organiser dashboard for the groups the user organises: upcoming events with bookings against places,
    the approval queue's length, attendance at recent events, volunteers mobilised per target seat, lifts."""
    now = now or timezone.now()
    events = events_run_by(user=user)
    upcoming = list(events.exclude(status=Event.Status.CANCELLED).upcoming(now)[:UPCOMING_LIMIT])
    past = list(
        events.approved()
        .filter(ends_at__lte=now, ends_at__gt=now - datetime.timedelta(days=PAST_DAYS))
        .order_by("-starts_at", "-pk")[:PAST_LIMIT]
    )
    dashboard = Dashboard(
        upcoming=event_figures(upcoming),
        past=event_figures(past),
        proposals=sum(1 for event in upcoming if event.status == Event.Status.PROPOSED),
        seats=volunteers_by_seat(events=events),
        lifts=lifts_filled(events=Event.objects.filter(pk__in=[event.pk for event in (*upcoming, *past)])),
    )
    for figures in dashboard.past:
        dashboard.attended += figures.attended
        dashboard.no_shows += figures.no_shows
        dashboard.not_recorded += figures.not_recorded
    return dashboard
