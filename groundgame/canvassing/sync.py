"""Doorstep records from the phone: batch ingest, idempotent by the client's UUID, append-only; and the current
status of electors and doors, derived from the latest record.

The protocol (the app's side is static/canvassing/app/sync.js):

1. The phone writes every record to its outbox first, with a UUID it generates (crypto.randomUUID()).
2. It posts batches (oldest first, at most `MAX_BATCH`) to the walk list's sync endpoint. For each record the answer
   either acknowledges its id or gives an error for it; a batch is never all-or-nothing, so one bad record cannot
   hold back the others.
3. The phone deletes only acknowledged records from its outbox; rejected ones are set aside on the phone and shown.
   Anything else (no answer, 5xx) leaves the outbox as it was, and the same records are sent again later.

A record already stored is acknowledged again and not stored twice (the UUID is the primary key); a record with a
stored UUID but different content is rejected (`ERROR_CONFLICT`) and the stored one is kept. So a batch may be sent
any number of times, in any order, and a lost answer costs only a resend. Rows are inserted with ON CONFLICT DO
NOTHING and read back in the same transaction, so two copies of one batch racing each other store each record once
and both get acknowledged.

Stored records are never updated by sync: an elector's status is the outcome of the latest record about them
(`latest_by_elector`); a door's, the latest record at that door about nobody in particular (`latest_by_address`).
"""

import datetime
import json
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from groundgame.core.audit import audit_record
from groundgame.core.bulk import insert_new

from .models import ContactRecord, Elector, Survey, WalkList, WalkListStop

MAX_BATCH = 200
MAX_NOTES = 2000
MAX_NAME = ContactRecord._meta.get_field("unlisted_name").max_length
ERROR_CONFLICT = "conflict: a different record with this id is already stored"

# What a record says: two records with the same id and these values are the same record.
COMPARED = (
    "walk_list_id", "address_id", "elector_id", "survey_id", "recorded_at", "outcome", "intention", "certainty",
    "issues", "follow_ups", "notes", "unlisted_name",
)  # fmt: skip
# Links that the register's deletion (SET_NULL) or an erasure (redaction) may have cleared since the record arrived.
_CLEARABLE = {"address_id", "elector_id", "walk_list_id"}
_REDACTABLE = {"elector_id", "notes", "unlisted_name"}


class BatchInvalid(ValueError):
    """The body is not a batch at all (not JSON, no list of records, too many): nothing in it was looked at."""


@dataclass
class IngestResult:
    acknowledged: list[str] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)  # {"index": i, "id": "..." or None, "error": "..."}
    created: int = 0

    def as_dict(self) -> dict:
        return {"acknowledged": self.acknowledged, "errors": self.errors}


def parse_batch(body: bytes) -> list:
    """The records of a request body `{"records": [...]}`; BatchInvalid when it is not one."""
    try:
        data = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise BatchInvalid("body: not JSON") from exc
    records = data.get("records") if isinstance(data, dict) else None
    if not isinstance(records, list):
        raise BatchInvalid('body: expected {"records": [...]}')
    if len(records) > MAX_BATCH:
        raise BatchInvalid(f"records: at most {MAX_BATCH} in one batch")
    return records


# --- what a batch refers to: the list's doors and electors, the campaign's surveys ------------------------------
#
# Read once per walk list and claim and kept in this process for CACHE_SECONDS: a phone syncs a batch every minute
# or so for hours, always about the same fifty doors. Only positive facts are kept: a door or elector that is not
# known makes one fresh read before a record is refused (an elector added by a newer register copy), and a database
# refusal (a row deleted since) clears the list's facts and the batch is tried once more. Surveys never change (a new
# version is a new row). `clear_caches()` empties both (tests; a restart does the same).

CACHE_SECONDS = 300
_CACHE_LIMIT = 5000
_facts: dict[tuple, tuple[float, "_Facts"]] = {}
_surveys: dict[tuple[int, int], tuple[int, dict[str, frozenset[str]]]] = {}


@dataclass
class _Facts:
    doors: dict[str, tuple[int, int]]  # address uuid -> (address id, polling district id)
    electors: dict[str, tuple[int, int]]  # elector uuid -> (elector id, address id)


def clear_caches() -> None:
    _facts.clear()
    _surveys.clear()


def _load_facts(walk_list: WalkList) -> _Facts:
    doors = {
        str(u): (a, d)
        for u, a, d in WalkListStop.objects.filter(walk_list=walk_list).values_list(
            "address__uuid", "address_id", "address__polling_district_id"
        )
    }
    electors = {
        str(u): (e, a)
        for u, e, a in Elector.objects.filter(address__stops__walk_list=walk_list).values_list(
            "uuid", "id", "address_id"
        )
    }
    return _Facts(doors, electors)


def _facts_for(walk_list: WalkList, *, fresh: bool = False) -> _Facts:
    key = (walk_list.pk, walk_list.token_sha256)  # a new claim, new facts
    now = time.monotonic()
    hit = _facts.get(key)
    if hit is not None and not fresh and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    facts = _load_facts(walk_list)
    if len(_facts) >= _CACHE_LIMIT:
        _facts.clear()
    _facts[key] = (now, facts)
    return facts


def _survey(campaign_id: int, version) -> tuple[int, dict[str, frozenset[str]]] | None:
    if type(version) is not int:
        return None
    hit = _surveys.get((campaign_id, version))
    if hit is not None:
        return hit
    row = Survey.objects.filter(campaign_id=campaign_id, version=version).values_list("id", "questions").first()
    if row is None:
        return None
    survey_id, questions = row
    codes = {
        key: frozenset(item.get("code") for item in questions.get(key) or [] if isinstance(item, dict))
        for key in ("intentions", "issues", "follow_ups")
    }
    if len(_surveys) >= _CACHE_LIMIT:
        _surveys.clear()
    _surveys[campaign_id, version] = (survey_id, codes)
    return survey_id, codes


def uuid_text(value) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def parse_recorded_at(value) -> datetime.datetime | str:
    if not isinstance(value, str):
        return "recorded_at: expected an ISO 8601 date and time"
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return "recorded_at: expected an ISO 8601 date and time"
    if moment.tzinfo is None:
        return "recorded_at: needs a time zone (e.g. 2026-11-29T10:15:00Z)"
    return moment


def _codes(value, allowed: frozenset[str], name: str) -> list[str] | str:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return f"{name}: expected a list of codes"
    unknown = set(value) - allowed
    if unknown:
        return f"{name}: not in this survey: {', '.join(sorted(unknown))}"
    return sorted(set(value))


def _text(value, limit: int) -> str | None:
    """The text, stripped (and without NUL characters, which PostgreSQL cannot store), or None when it is not a
    string within `limit` (the caller reports it)."""
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > limit:
        return None
    return value.replace("\x00", "").strip()


_OUTCOMES = frozenset(ContactRecord.Outcome.values)


def _build(raw: dict, record_id: str, facts: _Facts, walk_list: WalkList, *, canvasser_id, received_at) -> dict | str:
    """The new row's column values (by attname) from one record of the batch, or the first problem with it."""
    door = facts.doors.get(uuid_text(raw.get("address")) or "")
    if door is None:
        return "address: not a door of this walk list"
    address_id, district_id = door
    elector_id = None
    if raw.get("elector") is not None:
        elector = facts.electors.get(uuid_text(raw.get("elector")) or "")
        if elector is None or elector[1] != address_id:
            return "elector: not on the register at this address"
        elector_id = elector[0]
    survey = _survey(walk_list.campaign_id, raw.get("survey"))
    if survey is None:
        return "survey: not a version of this campaign's survey"
    survey_id, codes = survey
    recorded_at = parse_recorded_at(raw.get("recorded_at"))
    if isinstance(recorded_at, str):
        return recorded_at
    outcome = raw.get("outcome")
    if outcome not in _OUTCOMES:
        return f"outcome: one of {', '.join(ContactRecord.Outcome.values)}"
    intention = raw.get("intention") or ""
    if not isinstance(intention, str) or (intention and intention not in codes["intentions"]):
        return "intention: not in this survey"
    certainty = raw.get("certainty")
    if certainty is not None and (type(certainty) is not int or not 1 <= certainty <= 5):
        return "certainty: a whole number from 1 to 5"
    if (intention or certainty is not None) and outcome != ContactRecord.Outcome.SPOKE:
        return "intention: only recorded with the outcome 'spoke'"
    issues = _codes(raw.get("issues"), codes["issues"], "issues")
    if isinstance(issues, str):
        return issues
    follow_ups = _codes(raw.get("follow_ups"), codes["follow_ups"], "follow_ups")
    if isinstance(follow_ups, str):
        return follow_ups
    notes = _text(raw.get("notes"), MAX_NOTES)
    if notes is None:
        return f"notes: text of at most {MAX_NOTES} characters"
    unlisted_name = _text(raw.get("unlisted_name"), MAX_NAME)
    if unlisted_name is None:
        return f"unlisted_name: text of at most {MAX_NAME} characters"
    if unlisted_name and elector_id is not None:
        return "unlisted_name: only for someone not on the register (no elector)"
    return {
        "id": uuid.UUID(record_id),
        "campaign_id": walk_list.campaign_id,
        "address_id": address_id,
        "elector_id": elector_id,
        "polling_district_id": district_id,
        "walk_list_id": walk_list.pk,
        "survey_id": survey_id,
        "canvasser_id": canvasser_id,
        "recorded_at": recorded_at,
        "received_at": received_at,
        "outcome": outcome,
        "intention": intention,
        "certainty": certainty,
        "issues": issues,
        "follow_ups": follow_ups,
        "notes": notes,
        "unlisted_name": unlisted_name,
        "redacted_at": None,
    }


def _same(stored: dict, sent: dict) -> bool:
    """The stored row is the record sent, allowing for links cleared and free text redacted since it arrived."""
    for name in COMPARED:
        if stored[name] == sent[name]:
            continue
        if name in _CLEARABLE and stored[name] is None:
            continue
        if name in _REDACTABLE and stored["redacted_at"] is not None:
            continue
        return False
    return True


def _references(records: list) -> tuple[set[str], set[str]]:
    doors, electors = set(), set()
    for raw in records:
        if isinstance(raw, dict):
            if a := uuid_text(raw.get("address")):
                doors.add(a)
            if e := uuid_text(raw.get("elector")):
                electors.add(e)
    return doors, electors


def contact_records_ingest(*, walk_list: WalkList, records: list, canvasser=None) -> IngestResult:
    """Store the batch's new records (append-only) and answer for each: acknowledged, or an error.

    `walk_list` is the list the token opened: every record must be about one of its doors. `canvasser` (a Person,
    by default whoever claimed the list) is recorded on new records and is the audit row's actor."""
    canvasser = canvasser if canvasser is not None else _claimant(walk_list)
    facts = _facts_for(walk_list)
    doors, electors = _references(records)
    if not (doors <= facts.doors.keys() and electors <= facts.electors.keys()):
        facts = _facts_for(walk_list, fresh=True)
    try:
        return _ingest(walk_list, records, canvasser, facts)
    except IntegrityError:  # a door, elector or survey deleted since it was cached: once more, from the database
        clear_caches()
        return _ingest(walk_list, records, canvasser, _facts_for(walk_list, fresh=True))


@dataclass(frozen=True)
class _Claimant:
    """Whoever claimed the list, as far as a sync needs them: the id for new records, the account for the audit."""

    pk: int | None
    user_id: int | None


def _claimant(walk_list: WalkList):
    if hasattr(walk_list, "claimant_user_id"):  # access.walk_list_for_token(purpose="sync") read it along
        return _Claimant(walk_list.claimed_by_id, walk_list.claimant_user_id)
    return walk_list.claimed_by


def _ingest(walk_list: WalkList, records: list, canvasser, facts: _Facts) -> IngestResult:
    result = IngestResult()
    received_at = timezone.now()
    canvasser_id = getattr(canvasser, "pk", None)
    built: dict[str, tuple[int, dict]] = {}  # id -> (index, row), the first of each id in the batch
    repeats: list[tuple[int, str, dict]] = []
    for i, raw in enumerate(records):
        record_id = uuid_text(raw.get("id")) if isinstance(raw, dict) else None
        if record_id is None:
            problem = "record: expected an object" if not isinstance(raw, dict) else "id: expected a UUID"
            raw_id = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else None
            result.errors.append({"index": i, "id": raw_id, "error": problem})
            continue
        row = _build(raw, record_id, facts, walk_list, canvasser_id=canvasser_id, received_at=received_at)
        if isinstance(row, str):
            result.errors.append({"index": i, "id": record_id, "error": row})
        elif record_id in built:
            repeats.append((i, record_id, row))
        else:
            built[record_id] = (i, row)
    if not built:
        return result
    with transaction.atomic():
        inserted = _insert_new([row for _, row in built.values()])
        unsure = [record_id for record_id in built if record_id not in inserted]
        stored = {}
        if unsure:  # already stored (a resend), or sent twice at once, or refused by the database
            stored = {
                str(r["id"]): r
                for r in ContactRecord.objects.filter(pk__in=unsure).values("id", "redacted_at", *COMPARED)
            }
        for record_id, (i, row) in built.items():
            if record_id in inserted:
                result.acknowledged.append(record_id)
                result.created += 1
            elif (old := stored.get(record_id)) is None:
                result.errors.append({"index": i, "id": record_id, "error": "record: could not be stored"})
            elif _same(old, row):
                result.acknowledged.append(record_id)
            else:
                result.errors.append({"index": i, "id": record_id, "error": ERROR_CONFLICT})
        acknowledged = set(result.acknowledged)
        for i, record_id, row in repeats:
            if record_id not in acknowledged or not _same(built[record_id][1], row):
                result.errors.append({"index": i, "id": record_id, "error": ERROR_CONFLICT})
        if result.created:
            # One row per batch: the walk list, and that contact records were added to it (ids and names only).
            audit_record(
                actor=canvasser,
                action="contact_record.sync",
                target=walk_list,
                fields=["contacts"],
                reason=f"{result.created} doorstep records from the canvasser app",
            )
    return result


def _insert_new(rows: list[dict]) -> set[str]:
    """Insert the rows whose id is not stored yet; the ids inserted, as text (core.bulk)."""
    return insert_new(ContactRecord, rows)


# --- current status, derived from the records -------------------------------------------------------------------


def _latest(queryset: QuerySet, partition: str) -> QuerySet:
    ranked = queryset.annotate(
        _rank=Window(
            RowNumber(), partition_by=[F(partition)], order_by=[F("recorded_at").desc(), F("received_at").desc()]
        )
    )
    return ranked.filter(_rank=1)


def latest_by_elector(elector_ids: Iterable[int]) -> dict[int, ContactRecord]:
    """For each elector, the latest record about them (by when it was recorded on the phone)."""
    ids = list(elector_ids)
    if not ids:
        return {}
    return {r.elector_id: r for r in _latest(ContactRecord.objects.filter(elector_id__in=ids), "elector_id")}


def latest_by_address(address_ids: Iterable[int]) -> dict[int, ContactRecord]:
    """For each door, the latest record there about nobody in particular ("not in", someone not on the list...)."""
    ids = list(address_ids)
    if not ids:
        return {}
    doors = ContactRecord.objects.filter(Q(address_id__in=ids) & Q(elector__isnull=True))
    return {r.address_id: r for r in _latest(doors, "address_id")}


def elector_status(elector: Elector) -> str | None:
    """The outcome of the latest record about the elector (ContactRecord.Outcome), or None when never contacted."""
    latest = latest_by_elector([elector.pk]).get(elector.pk)
    return latest.outcome if latest else None


# --- what the phone downloads -----------------------------------------------------------------------------------

DOWNLOAD_FORMAT = 1


def _house(address) -> str:
    """What is written on the door: "Flat 2, Rose Court, 12A" (the street is given apart, for headings)."""
    number = f"{address.house_number or ''}{address.house_suffix}".strip()
    return ", ".join(part for part in (address.flat, address.house_name, number) if part) or address.street


def _last(record: ContactRecord | None) -> dict | None:
    """The previous contact, minimal: outcome, intention and certainty when given, and the day."""
    if record is None:
        return None
    last = {"outcome": record.outcome, "on": timezone.localdate(record.recorded_at).isoformat()}
    if record.intention:
        last["intention"] = record.intention
    if record.certainty:
        last["certainty"] = record.certainty
    return last


def walk_list_download(walk_list: WalkList) -> dict:
    """What the phone holds for one walk list: the doors in walking order with the electors at each (name, postal
    voter) and their previous contact, and the survey to ask. Nothing else: no elector numbers, birth or attainer
    dates, notes, or coordinates. Four or five queries whatever the list's size."""
    from .services import current_survey

    stops = list(
        WalkListStop.objects.filter(walk_list=walk_list)
        .select_related("address")
        .only(
            "position",
            "address__uuid",
            "address__flat",
            "address__house_name",
            "address__house_number",
            "address__house_suffix",
            "address__street",
            "address__postcode",
        )  # fmt: skip
        .order_by("position")
    )
    address_ids = [stop.address_id for stop in stops]
    electors = list(
        Elector.objects.filter(address_id__in=address_ids, removed_at__isnull=True)
        .order_by("number", "suffix")
        .values_list("id", "uuid", "address_id", "first_names", "surname", "postal_voter")
    )
    by_elector = latest_by_elector([e[0] for e in electors])
    by_door = latest_by_address(address_ids)
    at_door: dict[int, list[dict]] = {}
    for elector_id, elector_uuid, address_id, first_names, surname, postal in electors:
        item = {"id": str(elector_uuid), "name": f"{first_names} {surname}".strip()}
        if postal:
            item["postal"] = True
        if last := _last(by_elector.get(elector_id)):
            item["last"] = last
        at_door.setdefault(address_id, []).append(item)
    doors = []
    for stop in stops:
        address = stop.address
        door = {
            "id": str(address.uuid),
            "house": _house(address),
            "street": address.street,
            "postcode": address.postcode,
        }
        if last := _last(by_door.get(address.pk)):
            door["last"] = last
        door["electors"] = at_door.get(address.pk, [])
        doors.append(door)
    survey = current_survey(walk_list.campaign)
    return {
        "format": DOWNLOAD_FORMAT,
        "walk_list": {
            "id": str(walk_list.uuid),
            "name": walk_list.name,
            "campaign": walk_list.campaign.name,
            "district": walk_list.polling_district.code,
            "expires_at": walk_list.token_expires_at.isoformat() if walk_list.token_expires_at else None,
        },
        "survey": (
            {
                "version": survey.version,
                **{
                    key: survey.questions.get(key, [])
                    for key in ("outcomes", "intentions", "certainty", "issues", "follow_ups")
                },
            }
            if survey
            else None
        ),
        "doors": doors,
    }
