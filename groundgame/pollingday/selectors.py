"""Reads for polling day: who is a promise, who has voted (derived, never stored), what to knock next, and the
committee-room dashboard.

An elector has voted when a teller took their number (a "tell" entry that no "undo" entry undid) or a knocker marked
them "voted". Only the rows of the plan's current mode count (rehearsal or live, `PollingDayPlan.rehearsal`).
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import BooleanField, Case, Count, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from groundgame.canvassing.models import ContactRecord, Elector, RegisterCopy

from .models import (
    CommitteeRoom,
    DistrictArrangement,
    KnockUpList,
    KnockUpMark,
    KnockUpStop,
    PollingDayPlan,
    PollingLift,
    PollingStation,
    Promise,
    TellerPass,
    TellingEntry,
)

ACTIVE_WINDOW = datetime.timedelta(minutes=30)
OPEN_LIFT = (PollingLift.Status.PENDING, PollingLift.Status.TAKEN)


def electors_meeting_rule(plan: PollingDayPlan) -> dict[int, tuple[int, int, bool]]:
    """{elector id: (polling district id, address id, postal voter)} for the campaign's electors on a current register
    copy whose latest canvass record has an intention in the rule and at least its certainty.

    One sorted scan of the campaign's records, the latest of each elector taken first: a plan that does not depend on
    the database choosing well for a correlated subquery (at 200,000 records one such choice took minutes). Read in
    one go, not through a server-side cursor, whose plan PostgreSQL optimises for the first rows (0.4 s against
    minutes on freshly loaded tables); 200,000 short rows are a few tens of megabytes."""
    rows = (
        ContactRecord.objects.filter(
            campaign=plan.campaign_id,
            elector__isnull=False,
            elector__removed_at__isnull=True,
            elector__register_copy__status=RegisterCopy.Status.CURRENT,
        )
        .order_by("elector_id", "-recorded_at", "-received_at", "-id")
        .values_list(
            "elector_id",
            "intention",
            "certainty",
            "elector__polling_district_id",
            "elector__address_id",
            "elector__postal_voter",
        )  # fmt: skip
    )
    intentions, lowest = set(plan.promise_intentions), plan.promise_min_certainty
    meeting, seen = {}, None
    for elector_id, intention, certainty, district_id, address_id, postal in rows:
        if elector_id == seen:
            continue  # an older record of the same elector
        seen = elector_id
        if intention in intentions and certainty is not None and certainty >= lowest:
            meeting[elector_id] = (district_id, address_id, postal)
    return meeting


def _undo_of(entry) -> QuerySet[TellingEntry]:
    """Undo entries for `entry` (an OuterRef to a tell entry): from the same station, plan and mode only, so that no
    pass can undo another station's numbers."""
    return TellingEntry.objects.filter(
        kind=TellingEntry.Kind.UNDO,
        undoes=entry,
        plan=OuterRef("plan"),
        station=OuterRef("station"),
        rehearsal=OuterRef("rehearsal"),
    )


def told_entries(plan: PollingDayPlan) -> QuerySet[TellingEntry]:
    """The "tell" entries of the plan's current mode that matched an elector and were not undone."""
    undone = _undo_of(OuterRef("pk"))
    return TellingEntry.objects.filter(
        plan=plan, rehearsal=plan.rehearsal, kind=TellingEntry.Kind.TELL, elector__isnull=False
    ).filter(~Exists(undone))


def _marks(plan: PollingDayPlan) -> QuerySet[KnockUpMark]:
    return KnockUpMark.objects.filter(plan=plan, rehearsal=plan.rehearsal)


def _latest_mark(plan: PollingDayPlan) -> Subquery:
    """The outcome of the latest knock-up mark about the outer row's elector (a mistaken tap is corrected by the
    next one)."""
    return Subquery(
        _marks(plan).filter(elector_id=OuterRef("elector_id")).order_by("-recorded_at", "-id").values("outcome")[:1]
    )


def promises_with_status(plan: PollingDayPlan) -> QuerySet[Promise]:
    """The plan's promises with `told` (a teller took their number), `latest_mark`, `voted` (told, or the latest
    mark says so) and `knocked` (any knock-up mark) as annotations."""
    told = told_entries(plan).filter(elector_id=OuterRef("elector_id"))
    knocked = _marks(plan).filter(elector_id=OuterRef("elector_id"))
    return (
        Promise.objects.filter(plan=plan)
        .annotate(told=Exists(told), latest_mark=_latest_mark(plan), knocked=Exists(knocked))
        .annotate(
            # Case, not a bare OR: no mark at all is NULL, and "NULL or false" would be neither voted nor not
            voted=Case(
                When(Q(told=True) | Q(latest_mark=KnockUpMark.Outcome.VOTED), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
    )


def voted_elector_ids(plan: PollingDayPlan) -> set[int]:
    """Every elector (promise or not) known to have voted: told, or marked voted by the latest knock-up mark."""
    told = set(told_entries(plan).values_list("elector_id", flat=True))
    latest: dict[int, str] = dict(_marks(plan).order_by("recorded_at", "id").values_list("elector_id", "outcome"))
    return told | {e for e, outcome in latest.items() if outcome == KnockUpMark.Outcome.VOTED}


def addresses_to_knock(committee_room: CommitteeRoom) -> set[int]:
    """Doors of the room's promises who vote at a station (not by post), have not voted and have no open lift."""
    plan = committee_room.plan
    open_lift = PollingLift.objects.filter(
        plan=plan, rehearsal=plan.rehearsal, elector_id=OuterRef("elector_id"), status__in=OPEN_LIFT
    )
    districts = DistrictArrangement.objects.filter(committee_room=committee_room).values("district_id")
    rows = (
        promises_with_status(plan)
        .filter(district_id__in=districts, postal=False, voted=False)
        .filter(~Exists(open_lift))
        .values_list("address_id", flat=True)
    )
    return set(rows)


# --- the dashboard ------------------------------------------------------------------------------------------------


@dataclass
class Counts:
    promises: int = 0  # who vote at a polling station
    postal: int = 0  # promises who vote by post (not knocked up)
    voted: int = 0  # of `promises`
    knocked: int = 0  # of `promises`, any knock-up mark
    pending_lifts: int = 0
    active_volunteers: int = 0

    @property
    def remaining(self) -> int:
        return self.promises - self.voted

    @property
    def turnout(self) -> float | None:
        return self.voted / self.promises if self.promises else None

    def add(self, other: "Counts") -> None:
        for name in ("promises", "postal", "voted", "knocked", "pending_lifts"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict:
        return {
            "promises": self.promises, "postal": self.postal, "voted": self.voted, "knocked": self.knocked,
            "remaining": self.remaining, "pending_lifts": self.pending_lifts,
            "active_volunteers": self.active_volunteers,
            "turnout": None if self.turnout is None else round(self.turnout, 4),
        }  # fmt: skip


@dataclass
class RoomRow:
    room: CommitteeRoom
    counts: Counts = field(default_factory=Counts)
    districts: list[tuple[str, Counts]] = field(default_factory=list)


@dataclass
class Dashboard:
    plan: PollingDayPlan
    rooms: list[RoomRow]
    total: Counts
    telling_entries: int
    unknown_numbers: int
    at: datetime.datetime

    def as_dict(self) -> dict:
        return {
            "rehearsal": self.plan.rehearsal,
            "at": self.at.isoformat(),
            "total": self.total.as_dict(),
            "telling_entries": self.telling_entries,
            "unknown_numbers": self.unknown_numbers,
            "rooms": [
                {
                    "name": row.room.name,
                    **row.counts.as_dict(),
                    "districts": {code: counts.as_dict() for code, counts in row.districts},
                }
                for row in self.rooms
            ],
        }


def dashboard(plan: PollingDayPlan, *, now: datetime.datetime | None = None) -> Dashboard:
    """Per committee room and district: promises, voted so far, knocked, remaining, pending lifts; per room the
    volunteers active in the last half hour; overall turnout among promises. A handful of grouped queries."""
    now = now or timezone.now()
    per_district = (
        promises_with_status(plan)
        .values("district_id", "postal")
        .annotate(
            n=Count("pk"),
            n_voted=Count("pk", filter=Q(voted=True)),
            n_knocked=Count("pk", filter=Q(knocked=True)),
        )
        .order_by()
    )
    by_district: dict[int, Counts] = defaultdict(Counts)
    for row in per_district:
        counts = by_district[row["district_id"]]
        if row["postal"]:
            counts.postal += row["n"]
        else:
            counts.promises += row["n"]
            counts.voted += row["n_voted"]
            counts.knocked += row["n_knocked"]
    lifts = Counter(
        PollingLift.objects.filter(plan=plan, rehearsal=plan.rehearsal, status=PollingLift.Status.PENDING)
        .values_list("committee_room_id", flat=True)
        .order_by()
    )
    arrangements = list(
        DistrictArrangement.objects.filter(plan=plan)
        .select_related("district", "committee_room")
        .order_by("district__code")
    )
    since = now - ACTIVE_WINDOW
    tellers_at = defaultdict(set)
    for station_id, pass_id in (
        TellingEntry.objects.filter(plan=plan, rehearsal=plan.rehearsal, recorded_at__gte=since)
        .values_list("station_id", "teller_pass_id")
        .distinct()
        .order_by()
    ):
        tellers_at[station_id].add(pass_id)
    knockers_in = defaultdict(set)
    for room_id, knocker_id in (
        _marks(plan).filter(recorded_at__gte=since).values_list("committee_room_id", "knocker_id").distinct().order_by()
    ):
        knockers_in[room_id].add(knocker_id)
    rooms: dict[int, RoomRow] = {}
    room_stations: dict[int, set[int]] = defaultdict(set)
    for arrangement in arrangements:
        room = arrangement.committee_room
        row = rooms.setdefault(room.pk, RoomRow(room))
        counts = by_district.get(arrangement.district_id, Counts())
        row.districts.append((arrangement.district.code, counts))
        row.counts.add(counts)
        room_stations[room.pk].add(arrangement.station_id)
    total = Counts()
    for room_id, row in rooms.items():
        row.counts.pending_lifts = lifts.get(room_id, 0)
        tellers = set().union(*(tellers_at[s] for s in room_stations[room_id])) if room_stations[room_id] else set()
        row.counts.active_volunteers = len(tellers) + len(knockers_in[room_id])
        total.add(row.counts)
        total.active_volunteers += row.counts.active_volunteers
    entries = TellingEntry.objects.filter(plan=plan, rehearsal=plan.rehearsal, kind=TellingEntry.Kind.TELL).filter(
        ~Exists(_undo_of(OuterRef("pk")))
    )
    return Dashboard(
        plan=plan,
        rooms=sorted(rooms.values(), key=lambda r: r.room.name),
        total=total,
        telling_entries=entries.count(),
        unknown_numbers=entries.filter(elector__isnull=True).count(),
        at=now,
    )


# --- telling ------------------------------------------------------------------------------------------------------


def station_districts(station: PollingStation) -> list[str]:
    return list(
        DistrictArrangement.objects.filter(station=station)
        .order_by("district__code")
        .values_list("district__code", flat=True)
    )


def counts_per_hour(station: PollingStation, *, now: datetime.datetime | None = None) -> list[tuple[str, int]]:
    """Numbers taken at the station today, per hour (local time), not counting undone ones: [("07:00", n), ...]."""
    now = timezone.localtime(now or timezone.now())
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    plan = station.plan
    undone = _undo_of(OuterRef("pk"))
    times = (
        TellingEntry.objects.filter(
            station=station, rehearsal=plan.rehearsal, kind=TellingEntry.Kind.TELL, recorded_at__gte=start
        )
        .filter(~Exists(undone))
        .values_list("recorded_at", flat=True)
    )
    hours = Counter(timezone.localtime(t).strftime("%H:00") for t in times)
    return sorted(hours.items())


def station_info(teller_pass: TellerPass) -> dict:
    """What the telling app downloads for its station."""
    station = teller_pass.station
    plan = station.plan
    return {
        "pass": str(teller_pass.uuid),
        "station": station.name,
        "campaign": plan.campaign.name,
        "rehearsal": plan.rehearsal,
        "districts": station_districts(station),
        "expires_at": teller_pass.expires_at.isoformat(),
        "per_hour": counts_per_hour(station),
    }


# --- knock-up -----------------------------------------------------------------------------------------------------


@dataclass
class KnockUpDoor:
    position: int
    address: str
    promises: list[dict]


def _promise_rows(plan: PollingDayPlan, promises: QuerySet[Promise]) -> dict[int, list[dict]]:
    """{address id: [promise as the knock-up page shows it]} for `promises` (annotated by promises_with_status)."""
    promises = list(
        promises.select_related("elector__polling_district").order_by("elector__surname", "elector__first_names")
    )
    ids = [p.elector_id for p in promises]
    lifts = dict(
        PollingLift.objects.filter(plan=plan, rehearsal=plan.rehearsal, elector_id__in=ids)
        .exclude(status=PollingLift.Status.CANCELLED)
        .values_list("elector_id", "status")
    )
    at: dict[int, list[dict]] = defaultdict(list)
    for promise in promises:
        elector: Elector = promise.elector
        at[promise.address_id].append(
            {
                "elector_id": elector.pk,
                "name": " ".join(p for p in (elector.first_names, elector.surname) if p),
                "number": elector.elector_number,
                "voted": promise.voted,
                "told": promise.told,
                "latest": promise.latest_mark,
                "lift": lifts.get(elector.pk),
            }
        )
    return at


def knock_up_doors(knock_up_list: KnockUpList) -> list[KnockUpDoor]:
    """The list's doors in walking order, each with its promises who vote at a station (postal voters are not knocked
    up): name, number, voted, the latest mark, a lift."""
    plan = knock_up_list.round.committee_room.plan
    stops = list(KnockUpStop.objects.filter(knock_up_list=knock_up_list).select_related("address").order_by("position"))
    at = _promise_rows(
        plan, promises_with_status(plan).filter(address_id__in=[s.address_id for s in stops], postal=False)
    )
    return [KnockUpDoor(stop.position, str(stop.address), at[stop.address_id]) for stop in stops]


def knock_up_promise(knock_up_list: KnockUpList, elector_id: int) -> dict | None:
    """One promise of the list as knock_up_doors shows it (the page swaps it in after a mark)."""
    plan = knock_up_list.round.committee_room.plan
    rows = _promise_rows(plan, promises_with_status(plan).filter(elector_id=elector_id, postal=False))
    return next((p for promises in rows.values() for p in promises), None)


def open_lifts(committee_room: CommitteeRoom) -> QuerySet[PollingLift]:
    plan = committee_room.plan
    return (
        PollingLift.objects.filter(committee_room=committee_room, rehearsal=plan.rehearsal, status__in=OPEN_LIFT)
        .select_related("elector__address", "elector__polling_district", "station", "driver")
        .order_by("requested_at")
    )
