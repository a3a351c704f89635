"""Every write of polling day: the plan and its places, promises, teller passes, knock-up rounds, marks and lifts,
rehearsal and going live. Telling entries arrive through telling.py (the phone's batches).

Every write is keyword-only, atomic, validated (ValidationError with a message for the organiser) and audited with
ids and field names (core.audit). Permissions are checked by the caller (pollingday.rules).
"""

import datetime
import secrets
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from groundgame.canvassing import turf
from groundgame.canvassing.access import TOKEN_BYTES, token_hash  # the walk lists' tokens: the same scheme
from groundgame.canvassing.models import Address, Campaign, PollingDistrict
from groundgame.core.audit import audit_record
from groundgame.people.models import Person

from . import selectors
from .models import (
    CommitteeRoom,
    DistrictArrangement,
    KnockUpList,
    KnockUpMark,
    KnockUpRound,
    KnockUpStop,
    PollingDayPlan,
    PollingLift,
    PollingStation,
    Promise,
    TellerPass,
    TellingEntry,
)

PASS_LIFETIME = datetime.timedelta(hours=18)  # from before 7 am to after 10 pm


# --- the plan ----------------------------------------------------------------------------------------------------


def _centre(district: PollingDistrict) -> tuple[float | None, float | None]:
    centre = Address.objects.filter(polling_district=district, latitude__isnull=False).aggregate(
        lat=Avg("latitude"), lon=Avg("longitude")
    )
    return centre["lat"], centre["lon"]


@transaction.atomic
def plan_create(
    *, campaign: Campaign, acting, promise_intentions: list[str], promise_min_certainty: int = 4
) -> PollingDayPlan:
    """The campaign's polling day, in rehearsal, with a first arrangement an organiser then edits: one polling
    station per polling district (at its doors' centre) and one committee room covering them all."""
    if PollingDayPlan.objects.filter(campaign=campaign).exists():
        raise ValidationError(_("This campaign already has a polling day plan."))
    plan = PollingDayPlan(
        campaign=campaign, promise_intentions=list(promise_intentions), promise_min_certainty=promise_min_certainty
    )
    _validate_rule(campaign, plan)
    plan.full_clean()
    plan.save()
    CommitteeRoom.objects.create(plan=plan, name=_("Main committee room"))
    arrange_new_districts(plan=plan, acting=acting)
    audit_record(actor=acting, action="polling_day.create", target=plan, fields=["promise_intentions"])
    return plan


@transaction.atomic
def arrange_new_districts(*, plan: PollingDayPlan, acting) -> int:
    """Give every polling district of the campaign without an arrangement (all of them for a new plan; those a newer
    register copy added since) a polling station of its own, at its doors' centre, knocked up from the plan's first
    committee room; an organiser rearranges them on the plan page. Returns how many were added."""
    room = CommitteeRoom.objects.filter(plan=plan).order_by("pk").first()
    added = 0
    for district in PollingDistrict.objects.filter(campaign=plan.campaign_id, polling_day_arrangement__isnull=True):
        lat, lon = _centre(district)
        name = _("%(district)s polling station") % {"district": district.name or district.code}
        station = PollingStation.objects.filter(plan=plan, name=name).first() or PollingStation.objects.create(
            plan=plan, name=name, latitude=lat, longitude=lon
        )
        arrangement = DistrictArrangement.objects.create(
            plan=plan, district=district, station=station, committee_room=room
        )
        audit_record(
            actor=acting, action="polling_day.arrange", target=arrangement, fields=["station", "committee_room"]
        )
        added += 1
    return added


def _validate_rule(campaign: Campaign, plan: PollingDayPlan) -> None:
    codes = {p.get("code") for p in campaign.parties or []}
    unknown = [c for c in plan.promise_intentions if codes and c not in codes]
    if not plan.promise_intentions:
        raise ValidationError({"promise_intentions": _("Choose at least one voting intention that makes a promise.")})
    if unknown:
        raise ValidationError(
            {"promise_intentions": _("Not a party on this ballot: %(codes)s") % {"codes": ", ".join(unknown)}}
        )


@transaction.atomic
def plan_update(
    *, plan: PollingDayPlan, acting, promise_intentions: list[str], promise_min_certainty: int, knock_up_list_size: int
) -> PollingDayPlan:
    plan.promise_intentions = list(promise_intentions)
    plan.promise_min_certainty = promise_min_certainty
    plan.knock_up_list_size = knock_up_list_size
    _validate_rule(plan.campaign, plan)
    plan.full_clean()
    plan.save()
    audit_record(
        actor=acting,
        action="polling_day.update",
        target=plan,
        fields=["promise_intentions", "promise_min_certainty", "knock_up_list_size"],
    )
    return plan


@transaction.atomic
def place_create(
    *, plan: PollingDayPlan, acting, kind: str, name: str, address: str = ""
) -> PollingStation | CommitteeRoom:
    model = {"station": PollingStation, "room": CommitteeRoom}[kind]
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give it a name.")})
    if model.objects.filter(plan=plan, name=name).exists():
        raise ValidationError({"name": _("There is already one with this name.")})
    place = model.objects.create(plan=plan, name=name, address=address.strip())
    audit_record(actor=acting, action=f"polling_day.{kind}_create", target=place, fields=["name", "address"])
    return place


@transaction.atomic
def arrangement_set(
    *, arrangement: DistrictArrangement, acting, station: PollingStation, committee_room: CommitteeRoom
) -> DistrictArrangement:
    if station.plan_id != arrangement.plan_id or committee_room.plan_id != arrangement.plan_id:
        raise ValidationError(_("That station or committee room belongs to another polling day."))
    arrangement.station = station
    arrangement.committee_room = committee_room
    arrangement.save(update_fields=["station", "committee_room"])
    audit_record(actor=acting, action="polling_day.arrange", target=arrangement, fields=["station", "committee_room"])
    return arrangement


# --- promises ----------------------------------------------------------------------------------------------------


@transaction.atomic
def promises_refresh(*, plan: PollingDayPlan, acting, now: datetime.datetime | None = None) -> dict[str, int]:
    """Make the promises those electors whose latest canvass record meets the plan's rule (an intention in
    `promise_intentions`, certainty at least `promise_min_certainty`): new ones added, those who no longer meet it
    removed (a later record said otherwise, or the register dropped them). Returns {"added", "removed", "total"}."""
    now = now or timezone.now()
    arrange_new_districts(plan=plan, acting=acting)
    meeting = selectors.electors_meeting_rule(plan)
    current = dict(Promise.objects.filter(plan=plan).values_list("elector_id", "pk"))
    gone = [pk for elector_id, pk in current.items() if elector_id not in meeting]
    Promise.objects.filter(pk__in=gone).delete()
    new = [
        Promise(plan=plan, elector_id=e, district_id=d, address_id=a, postal=postal, added_at=now)
        for e, (d, a, postal) in meeting.items()
        if e not in current
    ]
    Promise.objects.bulk_create(new, batch_size=2000)
    plan.promises_refreshed_at = now
    plan.save(update_fields=["promises_refreshed_at"])
    audit_record(actor=acting, action="polling_day.promises_refresh", target=plan, fields=["promises"],
                 reason=f"{len(new)} added, {len(gone)} removed")  # fmt: skip
    return {"added": len(new), "removed": len(gone), "total": len(meeting)}


# --- tellers' passes ---------------------------------------------------------------------------------------------


class PassRefused(Exception):
    """A token that does not (or no longer) open a station: "unknown" (401) or "expired"/"revoked" (410)."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


@transaction.atomic
def teller_pass_issue(*, station: PollingStation, person: Person | None, acting, now=None) -> tuple[TellerPass, str]:
    """A pass for a teller's phone at `station`: the token is returned once (the app keeps it), only its hash kept."""
    now = now or timezone.now()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    teller_pass = TellerPass.objects.create(
        station=station, person=person, token_sha256=token_hash(token), issued_at=now, expires_at=now + PASS_LIFETIME
    )
    audit_record(actor=acting, action="teller_pass.issue", target=teller_pass, fields=["person", "station"])
    return teller_pass, token


def teller_pass_for_token(token: str, *, pass_uuid=None, now=None) -> TellerPass:
    now = now or timezone.now()
    teller_pass = (
        TellerPass.objects.select_related("station__plan__campaign")
        .filter(token_sha256=token_hash(token or ""))
        .first()
    )
    if teller_pass is None or (pass_uuid is not None and str(teller_pass.uuid) != str(pass_uuid)):
        raise PassRefused("unknown", _("This telling pass is not known."))
    if teller_pass.revoked_at is not None:
        raise PassRefused("revoked", _("This telling pass was withdrawn by an organiser."))
    if teller_pass.expires_at <= now:
        raise PassRefused("expired", _("This telling pass has expired."))
    return teller_pass


@transaction.atomic
def teller_pass_revoke(*, teller_pass: TellerPass, acting, now=None) -> TellerPass:
    if teller_pass.revoked_at is None:
        teller_pass.revoked_at = now or timezone.now()
        teller_pass.save(update_fields=["revoked_at"])
        audit_record(actor=acting, action="teller_pass.revoke", target=teller_pass, fields=["revoked_at"])
    return teller_pass


# --- knock-up ----------------------------------------------------------------------------------------------------


@transaction.atomic
def knock_up_round_create(*, committee_room: CommitteeRoom, acting, now=None) -> KnockUpRound:
    """A new round for the committee room: its promises at polling stations (not postal voters) not yet known to have
    voted, nor marked "needs a lift" with the lift still open, cut into lists of about `knock_up_list_size` doors in
    walking order (canvassing.turf), one district per list."""
    plan = PollingDayPlan.objects.select_for_update().get(pk=committee_room.plan_id)
    now = now or timezone.now()
    number = (committee_room.rounds.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    knock_up_round = KnockUpRound.objects.create(
        committee_room=committee_room, number=number, created_at=now, rehearsal=plan.rehearsal
    )
    address_ids = selectors.addresses_to_knock(committee_room)
    rows = Address.objects.filter(pk__in=address_ids).values_list(
        "pk", "polling_district_id", "polling_district__code", "street", "locality", "house_number", "house_suffix",
        "flat", "house_name", "latitude", "longitude", "location_quality",
    )  # fmt: skip
    districts: dict[str, int] = {}
    doors = []
    for pk, district_id, code, street, locality, number_, suffix, flat, name, lat, lon, quality in rows:
        districts[code] = district_id
        precise = quality == Address.LocationQuality.POSTCODE
        doors.append(
            turf.Door(
                id=pk,
                district=code,
                street=street or locality,
                number=number_,
                suffix=suffix,
                flat=flat,
                name=name,
                lat=lat if precise else None,
                lon=lon if precise else None,
            )  # fmt: skip
        )
    lists, stops = [], []
    for position, piece in enumerate(turf.cut(doors, target_size=plan.knock_up_list_size), start=1):
        first = piece.streets[0] if piece.streets else ""
        knock_up_list = KnockUpList(
            round=knock_up_round,
            district_id=districts[piece.district],
            position=position,
            name=f"{piece.district} {number}.{position}: {first}"[:120],
        )
        lists.append(knock_up_list)
        stops.append(piece.ids)
    KnockUpList.objects.bulk_create(lists)
    KnockUpStop.objects.bulk_create(
        [
            KnockUpStop(knock_up_list=knock_up_list, address_id=address_id, position=i)
            for knock_up_list, ids in zip(lists, stops, strict=True)
            for i, address_id in enumerate(ids, start=1)
        ],
        batch_size=2000,
    )
    audit_record(actor=acting, action="knock_up.round", target=knock_up_round, fields=["lists"],
                 reason=f"{len(lists)} lists, {len(doors)} doors")  # fmt: skip
    return knock_up_round


@transaction.atomic
def knock_up_list_assign(*, knock_up_list: KnockUpList, person: Person | None, acting) -> KnockUpList:
    knock_up_list.assigned_to = person
    knock_up_list.save(update_fields=["assigned_to"])
    audit_record(actor=acting, action="knock_up.assign", target=knock_up_list, fields=["assigned_to"])
    return knock_up_list


@transaction.atomic
def knock_up_mark(
    *, knock_up_list: KnockUpList, elector_id: int, outcome: str, knocker: Person | None, acting, mark_id=None, now=None
) -> KnockUpMark:
    """Record what the knocker found for a promise on their list. "Needs a lift" also asks for a lift to the
    elector's polling station (one open lift per elector). The same `mark_id` sent again is stored once."""
    if outcome not in KnockUpMark.Outcome.values:
        raise ValidationError({"outcome": _("Not a knock-up outcome.")})
    room = knock_up_list.round.committee_room
    plan = room.plan
    promise = Promise.objects.filter(plan=plan, elector_id=elector_id, postal=False).first()
    if (
        promise is None
        or not KnockUpStop.objects.filter(knock_up_list=knock_up_list, address_id=promise.address_id).exists()
    ):
        raise ValidationError(_("This elector is not a promise on this knock-up list."))
    if mark_id is not None and (existing := KnockUpMark.objects.filter(pk=mark_id).first()) is not None:
        if existing.knock_up_list_id != knock_up_list.pk or existing.elector_id != elector_id:
            raise ValidationError(_("This mark was already recorded for someone else."))
        return existing  # the same tap sent again
    PollingDayPlan.objects.select_for_update().filter(pk=plan.pk).first()  # marks and lifts of a plan one at a time
    mark = KnockUpMark.objects.create(
        **({"id": mark_id} if mark_id else {}),
        plan=plan,
        knock_up_list=knock_up_list,
        committee_room=room,
        elector_id=elector_id,
        outcome=outcome,
        knocker=knocker,
        recorded_at=now or timezone.now(),
        rehearsal=plan.rehearsal,
    )
    if outcome == KnockUpMark.Outcome.LIFT:
        arrangement = DistrictArrangement.objects.get(district_id=promise.district_id)
        open_lift = PollingLift.objects.filter(plan=plan, elector_id=elector_id, status__in=["pending", "taken"])
        if not open_lift.exists():
            PollingLift.objects.create(
                plan=plan, committee_room=room, station=arrangement.station, elector_id=elector_id,
                requested_at=mark.recorded_at, rehearsal=plan.rehearsal,
            )  # fmt: skip
    audit_record(actor=acting, action="knock_up.mark", target=mark, fields=["outcome", "elector"])
    return mark


LIFT_MOVES = {
    PollingLift.Status.PENDING: {PollingLift.Status.TAKEN, PollingLift.Status.CANCELLED},
    PollingLift.Status.TAKEN: {PollingLift.Status.DONE, PollingLift.Status.PENDING, PollingLift.Status.CANCELLED},
}


@transaction.atomic
def lift_update(*, lift: PollingLift, status: str, acting, driver: Person | None = None) -> PollingLift:
    lift = PollingLift.objects.select_for_update().get(pk=lift.pk)
    if status not in LIFT_MOVES.get(lift.status, set()):
        raise ValidationError(_("This lift cannot go from “%(from)s” to that.") % {"from": lift.get_status_display()})
    lift.status = status
    if status == PollingLift.Status.TAKEN:
        lift.driver = driver
    elif status == PollingLift.Status.PENDING:
        lift.driver = None
    lift.save(update_fields=["status", "driver"])
    audit_record(actor=acting, action="polling_lift.update", target=lift, fields=["status", "driver"])
    return lift


# --- rehearsal and the real day ------------------------------------------------------------------------------------

REHEARSAL_MODELS = (TellingEntry, KnockUpMark, PollingLift, KnockUpRound)


@transaction.atomic
def go_live(*, plan: PollingDayPlan, acting) -> dict[str, int]:
    """End the rehearsal: everything written while rehearsing is deleted and from now on entries count. The
    rehearsal's teller passes are withdrawn, so that a phone still holding practice entries (offline at the switch)
    wipes them on its next sync instead of sending them into the real day; tellers open their station again."""
    plan = PollingDayPlan.objects.select_for_update().get(pk=plan.pk)
    if not plan.rehearsal:
        return {}  # already live (a second click, an old tab): nothing to delete, and live passes must stay
    now = timezone.now()
    rehearsal_passes = TellerPass.objects.filter(station__plan=plan, revoked_at__isnull=True, issued_at__lte=now)
    deleted: dict[str, int] = defaultdict(int, {"tellerpass withdrawn": rehearsal_passes.update(revoked_at=now)})
    for model in REHEARSAL_MODELS:
        field = "plan" if model is not KnockUpRound else "committee_room__plan"
        count, _by_model = model.objects.filter(Q(**{field: plan}) & Q(rehearsal=True)).delete()
        deleted[model._meta.model_name] = count
    plan.rehearsal = False
    plan.save(update_fields=["rehearsal"])
    audit_record(actor=acting, action="polling_day.go_live", target=plan, fields=["rehearsal"])
    return dict(deleted)


@transaction.atomic
def rehearse_again(*, plan: PollingDayPlan, acting) -> PollingDayPlan:
    """Back to rehearsal: only before anything counted for real (no live telling entry or knock-up mark)."""
    plan = PollingDayPlan.objects.select_for_update().get(pk=plan.pk)
    if (
        TellingEntry.objects.filter(plan=plan, rehearsal=False).exists()
        or KnockUpMark.objects.filter(plan=plan, rehearsal=False).exists()
    ):
        raise ValidationError(_("Polling day is under way for real: it cannot go back to rehearsal."))
    plan.rehearsal = True
    plan.save(update_fields=["rehearsal"])
    audit_record(actor=acting, action="polling_day.rehearse", target=plan, fields=["rehearsal"])
    return plan
