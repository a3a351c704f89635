"""Walk lists: cutting a polling district into lists (turf.py does the geometry), merging, splitting, assigning
and releasing them, and the reads the organisers' pages and the PDF walk sheet need.

Statuses: a cut makes *draft* lists; an organiser marks one *ready* (or assigns it to a canvasser or a campaign
session, which does that too); the phone app claims a ready list (*claimed*, canvassing.access); releasing it takes
it back (the phone's access revoked through access.walk_list_release, the canvasser unassigned) and leaves it ready
for someone else, or *done*. Cutting a district again replaces its drafts only: doors on ready, claimed or done
lists stay where they are and are left out of the new cut.

Doors located only by their postcode district's centroid (location_quality "district") count as not located for
cutting: a point shared by a whole postcode district says nothing about where a door is along its street.

Every write is keyword-only, atomic, validated (ValidationError with a message for the organiser) and audited with
ids and field names (core.audit). Reads that show electors are for callers that checked
`canvassing.view_electors` (rules.may_see_electors).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from groundgame.core.audit import audit_record, audit_record_many
from groundgame.events.models import Event
from groundgame.people.models import LocalGroup, Person

from . import access, turf
from .models import Address, Campaign, Elector, PollingDistrict, RegisterCopy, WalkList, WalkListStop

MIN_TARGET, MAX_TARGET = 5, 500
EDITABLE = (WalkList.Status.DRAFT, WalkList.Status.READY)  # merge and split only these: no phone holds them
KEPT_BY_A_CUT = (WalkList.Status.READY, WalkList.Status.CLAIMED, WalkList.Status.DONE)
NAME_MAX = WalkList._meta.get_field("name").max_length


# --- reads ------------------------------------------------------------------------------------------------------


def district_doors(*, campaign: Campaign, polling_districts: Iterable[PollingDistrict]) -> list[turf.Door]:
    """The doors a cut works on: the districts' addresses from current register copies, less those on lists that
    are ready, claimed or done. Streets without a name fall back to the locality."""
    on_kept_lists = WalkListStop.objects.filter(
        address=OuterRef("pk"), walk_list__campaign=campaign, walk_list__status__in=KEPT_BY_A_CUT
    )
    codes = {d.pk: d.code for d in polling_districts}
    rows = (
        Address.objects.filter(
            campaign=campaign, polling_district_id__in=list(codes), register_copy__status=RegisterCopy.Status.CURRENT
        )
        .filter(~Exists(on_kept_lists))
        .order_by()
        .values_list(
            "pk",
            "polling_district_id",
            "street",
            "locality",
            "house_number",
            "house_suffix",
            "flat",
            "house_name",
            "latitude",
            "longitude",
            "location_quality",
        )  # fmt: skip
    )
    precise = Address.LocationQuality.POSTCODE
    return [
        turf.Door(
            id=pk,
            district=codes[district_id],
            street=street or locality,
            number=number,
            suffix=suffix,
            flat=flat,
            name=name,
            lat=lat if quality == precise else None,
            lon=lon if quality == precise else None,
        )
        for pk, district_id, street, locality, number, suffix, flat, name, lat, lon, quality in rows.iterator(2_000)
    ]


@dataclass
class ListSummary:
    """A row of the organisers' table of lists."""

    walk_list: WalkList
    doors: int
    streets: list[str] = field(default_factory=list)


def walk_lists_of_district(*, district: PollingDistrict) -> list[ListSummary]:
    """The district's lists with their door counts and streets in walking order (three queries in all)."""
    lists = list(
        WalkList.objects.filter(polling_district=district)
        .select_related("assigned_to", "session")
        .annotate(door_count=Count("stops"))
        .order_by("name", "pk")
    )
    streets: dict[int, list[str]] = {w.pk: [] for w in lists}
    rows = (
        WalkListStop.objects.filter(walk_list__polling_district=district)
        .order_by("walk_list_id", "position")
        .values_list("walk_list_id", "address__street", "address__locality")
    )
    for list_id, street, locality in rows.iterator(2_000):
        name = street or locality
        seen = streets[list_id]
        if name and (not seen or seen[-1] != name) and name not in seen:
            seen.append(name)
    return [ListSummary(w, w.door_count, streets[w.pk]) for w in lists]


@dataclass
class DistrictSummary:
    district: PollingDistrict
    addresses: int
    lists: int
    on_lists: int


def district_summaries(*, campaign: Campaign) -> list[DistrictSummary]:
    """Every polling district of the campaign with its addresses, lists and doors on lists (four queries: counting
    through joins would multiply the district's addresses by its lists)."""
    districts = list(PollingDistrict.objects.filter(campaign=campaign).order_by("code"))

    def per_district(queryset, field: str) -> dict[int, int]:
        return dict(queryset.order_by().values_list(field).annotate(n=Count("pk")))

    addresses = per_district(Address.objects.filter(campaign=campaign), "polling_district_id")
    lists = per_district(WalkList.objects.filter(campaign=campaign), "polling_district_id")
    on_lists = per_district(WalkListStop.objects.filter(walk_list__campaign=campaign), "walk_list__polling_district_id")
    return [DistrictSummary(d, addresses.get(d.pk, 0), lists.get(d.pk, 0), on_lists.get(d.pk, 0)) for d in districts]


@dataclass
class Stop:
    """A door of a list in walking order, with its electors when the reader may see them."""

    position: int
    address: Address
    electors: list[Elector] = field(default_factory=list)

    @property
    def number_label(self) -> str:
        a = self.address
        return f"{a.house_number}{a.house_suffix}" if a.house_number is not None else a.house_name


def walk_list_stops(*, walk_list: WalkList, with_electors: bool) -> list[Stop]:
    """The list's doors in walking order; electors (current, by elector number) only when `with_electors`."""
    stops = walk_list.stops.select_related("address").order_by("position")
    if with_electors:
        current = Elector.objects.filter(removed_at__isnull=True).select_related("polling_district")
        stops = stops.prefetch_related(
            Prefetch("address__electors", queryset=current.order_by("number", "suffix"), to_attr="current_electors")
        )
    return [
        Stop(s.position, s.address, getattr(s.address, "current_electors", []) if with_electors else []) for s in stops
    ]


def assignable_people(*, campaign: Campaign) -> QuerySet[Person]:
    """Who a list may be given to: active members of the campaign's host group and the groups below it."""
    groups = LocalGroup.objects.subtree_of(campaign.host)
    return Person.objects.not_erased().in_groups(groups).order_by("last_name", "first_name", "pk")


def assignable_sessions(*, campaign: Campaign, now=None) -> QuerySet[Event]:
    """Campaign sessions a list may be worked in: approved canvassing sessions not yet over, in the campaign's
    seats (hosted by the campaign's group or one below it, when the campaign names no seat)."""
    sessions = Event.objects.approved().upcoming(now).of_kind(Event.Kind.CANVASSING)
    seats = list(campaign.constituencies.values_list("pk", flat=True))
    if seats:
        return sessions.filter(target_seat_id__in=seats)
    return sessions.hosted_by(LocalGroup.objects.subtree_of(campaign.host))


# --- naming -----------------------------------------------------------------------------------------------------


def _numbers_in_use(district: PollingDistrict) -> set[int]:
    pattern = re.compile(rf"^{re.escape(district.code)}-(\d+)\b")
    names = WalkList.objects.filter(polling_district=district).values_list("name", flat=True)
    return {int(m.group(1)) for name in names if (m := pattern.match(name))}


def _name(code: str, number: int, first_street: str) -> str:
    return f"{code}-{number:02d} {first_street}".strip()[:NAME_MAX]


def _next_number(used: set[int]) -> int:
    number = 1
    while number in used:
        number += 1
    used.add(number)
    return number


# --- writes -----------------------------------------------------------------------------------------------------


def _as_list(polling_districts: PollingDistrict | Iterable[PollingDistrict]) -> list[PollingDistrict]:
    if isinstance(polling_districts, PollingDistrict):
        return [polling_districts]
    return list(polling_districts)


@transaction.atomic
def walk_lists_cut(
    *,
    campaign: Campaign,
    polling_districts: PollingDistrict | Iterable[PollingDistrict],
    target_size: int = turf.DEFAULT_TARGET,
    acting,
) -> list[WalkList]:
    """Cut the districts' doors into draft walk lists of about `target_size` doors (turf.cut), replacing the
    districts' draft lists. Lists are named "<district>-<nn> <first street>", numbering past the names in use."""
    districts = _as_list(polling_districts)
    if not districts:
        raise ValidationError(_("Choose at least one polling district."))
    if any(d.campaign_id != campaign.pk for d in districts):
        raise ValidationError(_("That polling district belongs to another campaign."))
    if not MIN_TARGET <= target_size <= MAX_TARGET:
        raise ValidationError(
            _("Choose between %(low)d and %(high)d doors per list.") % {"low": MIN_TARGET, "high": MAX_TARGET}
        )
    by_code = {d.code: d for d in districts}
    old = list(
        WalkList.objects.filter(campaign=campaign, polling_district__in=districts, status=WalkList.Status.DRAFT)
        .order_by()
        .values_list("pk", flat=True)
    )
    if old:
        WalkListStop.objects.filter(walk_list_id__in=old).delete()
        WalkList.objects.filter(pk__in=old).delete()
        audit_record_many(
            actor=acting, action="walk_list.delete", targets=[("canvassing.walklist", pk) for pk in old], reason="recut"
        )
    doors = district_doors(campaign=campaign, polling_districts=districts)
    turfs = turf.cut(doors, target_size=target_size)
    used = {code: _numbers_in_use(d) for code, d in by_code.items()}
    now = timezone.now()
    lists = [
        WalkList(
            campaign=campaign,
            polling_district=by_code[t.district],
            name=_name(t.district, _next_number(used[t.district]), t.streets[0] if t.streets else ""),
            status=WalkList.Status.DRAFT,
            created_at=now,
        )
        for t in turfs
    ]
    WalkList.objects.bulk_create(lists, batch_size=500)
    _insert_stops(
        (w.pk, address_id, position)
        for w, t in zip(lists, turfs, strict=True)
        for position, address_id in enumerate(t.ids, start=1)
    )
    audit_record_many(
        actor=acting,
        action="walk_list.cut",
        targets=lists,
        fields=["name", "polling_district", "status", "stops"],
        reason=f"target {target_size}",
    )
    for w, t in zip(lists, turfs, strict=True):
        w.door_count, w.streets, w.distance_m = t.doors, t.streets, t.distance_m
    return lists


def _insert_stops(rows: Iterable[tuple[int, int, int]]) -> None:
    """(walk list id, address id, position) rows in one executemany: a constituency's 35,000 stops through
    bulk_create spend about 1 s compiling SQL (a model instance and field preparation per value); this takes a
    tenth of that, on SQLite and PostgreSQL alike (docs/benchmarks.md)."""
    meta = WalkListStop._meta
    columns = ", ".join(
        connection.ops.quote_name(meta.get_field(f).column) for f in ("walk_list", "address", "position")
    )
    sql = f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({columns}) VALUES (%s, %s, %s)"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, list(rows))


def _check_editable(walk_list: WalkList) -> None:
    if walk_list.status not in EDITABLE:
        raise ValidationError(
            _("%(name)s is out on the doorstep or done: release it before changing it.") % {"name": walk_list.name}
        )


def _locked(walk_list: WalkList) -> WalkList:
    """The row again, locked for the rest of the transaction (PostgreSQL; SQLite serialises writers anyway)."""
    return WalkList.objects.select_for_update().select_related("polling_district").get(pk=walk_list.pk)


@transaction.atomic
def walk_list_merge(*, walk_list: WalkList, other: WalkList, acting) -> WalkList:
    """Append `other`'s doors, in their order, after `walk_list`'s; `other` is deleted. Both must be of the same
    polling district, and neither out on the doorstep. The merged list keeps `walk_list`'s name and assignment."""
    if walk_list.pk == other.pk:
        raise ValidationError(_("Choose another list to merge with."))
    walk_list, other = _locked(walk_list), _locked(other)
    if walk_list.polling_district_id != other.polling_district_id:
        raise ValidationError(_("Only lists of the same polling district can be merged."))
    _check_editable(walk_list)
    _check_editable(other)
    offset = walk_list.stops.aggregate(last=Max("position"))["last"] or 0
    # One UPDATE: the moved positions all lie past the kept list's last, so no two stops ever share one.
    moved = WalkListStop.objects.filter(walk_list=other).update(walk_list=walk_list, position=F("position") + offset)
    other_id = other.pk
    other.delete()
    audit_record(actor=acting, action="walk_list.merge", target=walk_list, fields=["stops"], reason=f"from {other_id}")
    audit_record(actor=acting, action="walk_list.delete", target=("canvassing.walklist", other_id), reason="merged")
    walk_list.moved_doors = moved
    return walk_list


@transaction.atomic
def walk_list_split(*, walk_list: WalkList, at_position: int, acting) -> WalkList:
    """Split before the door at `at_position`: that door and the ones after it become a new draft list (the next
    free number of the district, unassigned), in the same order. Returns the new list."""
    walk_list = _locked(walk_list)
    _check_editable(walk_list)
    bounds = walk_list.stops.aggregate(first=Min("position"), last=Max("position"))
    if bounds["first"] is None or not bounds["first"] < at_position <= bounds["last"]:
        raise ValidationError(_("Choose a door after the first one: both lists need at least one door."))
    if not walk_list.stops.filter(position=at_position).exists():
        raise ValidationError(_("There is no door at that position."))
    district = walk_list.polling_district
    first_door = walk_list.stops.select_related("address").get(position=at_position).address
    new = WalkList(
        campaign_id=walk_list.campaign_id,
        polling_district=district,
        name=_name(district.code, _next_number(_numbers_in_use(district)), first_door.street or first_door.locality),
        status=WalkList.Status.DRAFT,
    )
    new.full_clean()
    new.save()
    WalkListStop.objects.filter(walk_list=walk_list, position__gte=at_position).update(
        walk_list=new, position=F("position") - at_position + 1
    )
    audit_record(actor=acting, action="walk_list.split", target=walk_list, fields=["stops"], reason=f"into {new.pk}")
    audit_record(
        actor=acting,
        action="walk_list.create",
        target=new,
        fields=["name", "polling_district", "status", "stops"],
        reason=f"split from {walk_list.pk}",
    )
    return new


@transaction.atomic
def walk_list_assign(
    *, walk_list: WalkList, acting, person: Person | None = None, session: Event | None = None
) -> WalkList:
    """Give the list to a canvasser (an active member of the campaign's groups), a campaign session (a canvassing
    session in the campaign's seats), both, or neither (clearing the assignment). A draft given to someone or a
    session becomes ready. A list out on a phone keeps its claim (release it to take it back)."""
    walk_list = _locked(walk_list)
    campaign = walk_list.campaign
    if walk_list.status == WalkList.Status.DONE:
        raise ValidationError(_("This list is done."))
    if person is not None and not assignable_people(campaign=campaign).filter(pk=person.pk).exists():
        raise ValidationError(_("Choose an active member of the campaign's groups."))
    if session is not None and not assignable_sessions(campaign=campaign).filter(pk=session.pk).exists():
        raise ValidationError(_("Choose an upcoming canvassing session of this campaign."))
    walk_list.assigned_to, walk_list.session = person, session
    if (person is not None or session is not None) and walk_list.status == WalkList.Status.DRAFT:
        walk_list.status = WalkList.Status.READY
    walk_list.save(update_fields=["assigned_to", "session", "status"])
    audit_record(actor=acting, action="walk_list.assign", target=walk_list, fields=["assigned_to", "session", "status"])
    return walk_list


@transaction.atomic
def walk_list_mark_ready(*, walk_list: WalkList, acting, ready: bool = True) -> WalkList:
    """Draft -> ready (canvassers may then open it on their phone: access.may_claim says who), or back to draft
    (only a ready list that no phone holds; a re-cut would then replace it)."""
    walk_list = _locked(walk_list)
    wanted, current = (
        (WalkList.Status.READY, WalkList.Status.DRAFT) if ready else (WalkList.Status.DRAFT, WalkList.Status.READY)
    )
    if walk_list.status == wanted:
        return walk_list
    if walk_list.status != current:
        raise ValidationError(
            _("Only a draft can be made ready, and only a ready list that is not out can go back to draft.")
        )
    walk_list.status = wanted
    walk_list.save(update_fields=["status"])
    audit_record(actor=acting, action="walk_list.status", target=walk_list, fields=["status"])
    return walk_list


@transaction.atomic
def walk_list_release(*, walk_list: WalkList, acting, done: bool = False) -> WalkList:
    """Take the list back: a phone holding it loses it at its next sync (access.walk_list_release: its token answers
    "released"), the canvasser is unassigned (the session stays), and the list is ready for someone else, or
    done when `done`. Records already synced stay."""
    walk_list = _locked(walk_list)
    if walk_list.status not in (WalkList.Status.READY, WalkList.Status.CLAIMED):
        raise ValidationError(_("Only a list that is ready or out on the doorstep can be released."))
    if walk_list.status == WalkList.Status.CLAIMED:
        walk_list = access.walk_list_release(walk_list=walk_list, acting=acting, done=done, reason="organiser")
    elif done:
        walk_list.status = WalkList.Status.DONE
        walk_list.save(update_fields=["status"])
        audit_record(actor=acting, action="walk_list.status", target=walk_list, fields=["status"])
    if walk_list.assigned_to_id is not None:
        walk_list.assigned_to = None
        walk_list.save(update_fields=["assigned_to"])
        audit_record(
            actor=acting, action="walk_list.assign", target=walk_list, fields=["assigned_to"], reason="release"
        )
    return walk_list
