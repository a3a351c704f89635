"""Telling entries from tellers' phones: the same outbox protocol as the canvasser app (canvassing/sync.py).

The phone writes each entry to its outbox first with a UUID it made, and posts batches to the pass's sync endpoint.
Each record is acknowledged (stored now or before: the phone may drop it) or refused with an error (set aside on the
phone and shown); nothing else leaves the outbox, so a lost answer costs only a resend, and a resent or duplicated
batch stores each entry once (the UUID is the primary key; ON CONFLICT DO NOTHING, then read back).

A record:

    {"id": "<uuid>", "kind": "tell", "text": "AB1-888/1", "district": "AB1", "recorded_at": "2029-05-03T07:12:09Z"}
    {"id": "<uuid>", "kind": "undo", "undoes": "<uuid of a tell entry>", "recorded_at": "..."}

`text` is what the teller typed: 888, 888/1, AB1-888 or AB1-888/1 (canvassing.addresses.parse_elector_number);
without a district in it, `district` (the one picked on the phone) or else the station's only district. The
district must vote at the pass's station. A well-formed number that matches nobody on the current register is
stored all the same (the teller may have misread it; organisers see it) and its id is listed in the answer's
`unknown`, which the phone shows at once. An undo names the entry it undoes, which may not have arrived yet.
"""

from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from groundgame.canvassing.addresses import BadElectorNumber, parse_elector_number
from groundgame.canvassing.models import Elector
from groundgame.canvassing.sync import parse_batch, parse_recorded_at, uuid_text  # noqa: F401  (parse_batch: api)
from groundgame.core.audit import audit_record
from groundgame.core.bulk import insert_new

from .models import DistrictArrangement, TellerPass, TellingEntry
from .services import PassRefused

ERROR_CONFLICT = "conflict: a different entry with this id is already stored"
MAX_TEXT = TellingEntry._meta.get_field("text").max_length
COMPARED = ("kind", "text", "station_id", "undoes", "recorded_at")


@dataclass
class TellingResult:
    acknowledged: list[str] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    created: int = 0

    def as_dict(self) -> dict:
        return {"acknowledged": self.acknowledged, "errors": self.errors, "unknown": self.unknown}


def _station_districts(teller_pass: TellerPass) -> dict[str, int]:
    return dict(
        DistrictArrangement.objects.filter(station_id=teller_pass.station_id).values_list(
            "district__code", "district_id"
        )
    )


def _build(raw: dict, record_id: str, teller_pass: TellerPass, districts: dict[str, int], received_at) -> dict | str:
    kind = raw.get("kind")
    recorded_at = parse_recorded_at(raw.get("recorded_at"))
    if isinstance(recorded_at, str):
        return recorded_at
    plan = teller_pass.station.plan
    row = {
        "id": record_id, "plan_id": plan.pk, "station_id": teller_pass.station_id, "teller_pass_id": teller_pass.pk,
        "teller_id": teller_pass.person_id, "kind": kind, "text": "", "district_id": None, "number": None,
        "suffix": None, "elector_id": None, "undoes": None, "recorded_at": recorded_at, "received_at": received_at,
        "rehearsal": plan.rehearsal,
    }  # fmt: skip
    if kind == TellingEntry.Kind.UNDO:
        undoes = uuid_text(raw.get("undoes"))
        if undoes is None:
            return "undoes: expected the id of the entry to undo"
        row["undoes"] = undoes
        return row
    if kind != TellingEntry.Kind.TELL:
        return 'kind: expected "tell" or "undo"'
    text = raw.get("text")
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
        return "text: expected the elector number as typed"
    try:
        parsed = parse_elector_number(text)
    except BadElectorNumber as exc:
        return f"text: {exc}"
    code = parsed.district or (raw.get("district") or "").strip().upper()
    if not code:
        if len(districts) != 1:
            return "district: this station serves several polling districts; say which"
        code = next(iter(districts))
    if code not in districts:
        return f"district: {code} does not vote at this polling station"
    row.update(text=text.strip(), district_id=districts[code], number=parsed.number, suffix=parsed.suffix)
    return row


def _match_electors(rows: list[dict], campaign_id: int) -> None:
    """Fill in `elector_id` for tell rows whose district, number and suffix (0 when none was typed) are on the
    current register."""
    wanted = [r for r in rows if r["kind"] == TellingEntry.Kind.TELL]
    if not wanted:
        return
    query = Q()
    for district_id in {r["district_id"] for r in wanted}:
        numbers = {r["number"] for r in wanted if r["district_id"] == district_id}
        query |= Q(polling_district_id=district_id, number__in=numbers)
    found = {
        (d, n, s): pk
        for pk, d, n, s in Elector.objects.filter(query, campaign_id=campaign_id, removed_at__isnull=True)
        .values_list("pk", "polling_district_id", "number", "suffix")
        .order_by()
    }
    for row in wanted:
        row["elector_id"] = found.get((row["district_id"], row["number"], row["suffix"] or 0))


def _recheck_under_lock(teller_pass: TellerPass, rows: list[dict]) -> None:
    """Hold the plan against going live while the batch is stored (PostgreSQL: a share lock, which batches do not
    take from one another and `services.go_live`'s update lock waits for; SQLite: one writer at a time already), and
    look again at the mode and the pass under it: a batch never lands in a mode that has just ended, nor through a
    pass withdrawn meanwhile (PassRefused: the phone keeps the batch, or wipes it on 410)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM pollingday_pollingdayplan WHERE id = %s FOR SHARE", [teller_pass.station.plan_id]
            )
    revoked, rehearsal = (
        TellerPass.objects.filter(pk=teller_pass.pk).values_list("revoked_at", "station__plan__rehearsal").get()
    )
    if revoked is not None:
        raise PassRefused("revoked", "This telling pass was withdrawn.")
    for row in rows:
        row["rehearsal"] = rehearsal


def telling_ingest(*, teller_pass: TellerPass, records: list) -> TellingResult:
    """Store the batch's new entries and answer for each (see the module docstring)."""
    result = TellingResult()
    received_at = timezone.now()
    districts = _station_districts(teller_pass)
    built: dict[str, tuple[int, dict]] = {}
    for i, raw in enumerate(records):
        record_id = uuid_text(raw.get("id")) if isinstance(raw, dict) else None
        if record_id is None:
            problem = "record: expected an object" if not isinstance(raw, dict) else "id: expected a UUID"
            result.errors.append({"index": i, "id": raw.get("id") if isinstance(raw, dict) else None, "error": problem})
            continue
        row = _build(raw, record_id, teller_pass, districts, received_at)
        if isinstance(row, str):
            result.errors.append({"index": i, "id": record_id, "error": row})
        elif record_id in built:
            if any(built[record_id][1][k] != row[k] for k in COMPARED):
                result.errors.append({"index": i, "id": record_id, "error": ERROR_CONFLICT})
        else:
            built[record_id] = (i, row)
    if not built:
        return result
    rows = [row for _, row in built.values()]
    _match_electors(rows, teller_pass.station.plan.campaign_id)
    with transaction.atomic():
        _recheck_under_lock(teller_pass, rows)
        inserted = insert_new(TellingEntry, rows)
        unsure = [record_id for record_id in built if record_id not in inserted]
        stored = {}
        if unsure:
            stored = {
                str(r["id"]): r
                for r in TellingEntry.objects.filter(pk__in=unsure).values("id", "elector_id", *COMPARED)
            }
        for record_id, (i, row) in built.items():
            if record_id in inserted:
                result.acknowledged.append(record_id)
                result.created += 1
                unknown = row["kind"] == TellingEntry.Kind.TELL and row["elector_id"] is None
            elif (old := stored.get(record_id)) is None:
                result.errors.append({"index": i, "id": record_id, "error": "record: could not be stored"})
                continue
            elif all(str(old[k]) == str(row[k]) for k in COMPARED if k != "recorded_at") and (
                old["recorded_at"] == row["recorded_at"]
            ):
                result.acknowledged.append(record_id)
                unknown = old["kind"] == TellingEntry.Kind.TELL and old["elector_id"] is None
            else:
                result.errors.append({"index": i, "id": record_id, "error": ERROR_CONFLICT})
                continue
            if unknown:
                result.unknown.append(record_id)
        if result.created:
            audit_record(
                actor=teller_pass.person,
                action="telling.sync",
                target=teller_pass.station,
                fields=["telling"],
                reason=f"{result.created} telling entries",
            )
    return result
