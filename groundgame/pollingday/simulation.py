"""A simulated polling day against a running server: synthetic tellers and knockers doing over HTTP what real ones do
on their phones, with the faults of a real day, and an independent recount to hold the dashboard to.

Used to rehearse (`groundgame pollingday_rehearse <campaign> --url ...` while trainees watch the dashboard and take
part), by the test suite (scaled down, tests/pollingday/test_simulation.py) and by the benchmark at full scale
(bench/polling_day.py: 5,000 volunteers, 40,000 promises, 100,000 telling entries on PostgreSQL).

- Set-up (`prepare`, in the database, as an organiser would on the pages): a pass for each teller at a station
  (services.teller_pass_issue), signed-in sessions for knockers holding register access and for one organiser.
- Telling: a pool of worker threads plays the tellers. Each teller's voters are electors of its station's districts
  (promises turn out more often than others); numbers are typed in every accepted form (888, 888/1, AB1-888,
  AB1-888/1), some are misread (a number nobody has: the answer must flag it `unknown`) and undone. Entries are sent
  in batches as a phone's outbox would: after a spell offline, several at once; an answer is sometimes lost (the
  batch is sent again), a batch is sometimes duplicated and sent twice at once. Times are compressed: entries carry
  `recorded_at` spread over the polling day while the run takes seconds.
- Knock-up: after each share of the telling, every committee room starts a round (HTTP, as the organiser) and
  knockers post marks for some of the promises on each list (HTTP form posts, as the page's buttons do).
- The ledger: what the simulation sent and the server acknowledged, kept by the simulation itself. The recount
  (`recount`) works out the dashboard's figures from the ledger and the promise list alone, never from the server's
  telling or knock-up tables; `check` compares it with the dashboard's JSON and finds every acknowledged entry
  stored exactly once.
"""

from __future__ import annotations

import datetime
import http.client
import json
import random
import secrets
import threading
import time
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import close_old_connections
from django.urls import reverse
from django.utils.module_loading import import_string

from groundgame.canvassing.models import Elector, RegisterAccess
from groundgame.people.models import Person

from . import services
from .models import CommitteeRoom, DistrictArrangement, KnockUpList, KnockUpStop, PollingDayPlan, Promise, TellingEntry


@dataclass
class Scale:
    tellers: int = 20
    knockers: int = 20
    entries: int = 1_000  # telling entries ("tell"), undos come on top
    promise_turnout: float = 0.75  # of promises who vote at a station: share seen by tellers during the run
    other_turnout: float = 0.45
    misread: float = 0.01  # numbers nobody has
    undo: float = 0.02  # entries undone straight after (a misread one is always undone)
    lost_answer: float = 0.03  # batches whose answer is lost: sent again
    duplicate: float = 0.02  # batches sent twice at once
    rounds: int = 2  # knock-up rounds, after 1/(rounds+1), 2/(rounds+1)... of the telling
    knock_share: float = 0.3  # of promises on a knock-up list, how many a knocker reaches and marks
    workers: int = 16  # client threads
    seed: int = 2029


@dataclass
class Ledger:
    """What the simulation sent and the server acknowledged."""

    told: dict[str, int | None] = field(default_factory=dict)  # entry id -> elector id (None: misread on purpose)
    undone: set[str] = field(default_factory=set)  # tell entry ids undone (acknowledged undo entries)
    undo_ids: set[str] = field(default_factory=set)
    flagged_unknown: set[str] = field(default_factory=set)  # ids the server said were not on the register
    marks: list[tuple[int, str]] = field(default_factory=list)  # (elector id, outcome), acknowledged
    requests: int = 0
    resent_batches: int = 0
    duplicated_batches: int = 0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def voted(self) -> set[int]:
        """Told and not undone, or marked "voted" by the latest mark (an elector's marks come one round after
        another, so the ledger's order is theirs)."""
        told = {e for i, e in self.told.items() if e is not None and i not in self.undone}
        latest = dict(self.marks)
        return told | {e for e, outcome in latest.items() if outcome == "voted"}


@dataclass
class Cast:
    """The volunteers the simulation plays, with their credentials."""

    passes: list[tuple[str, str, list[str], int]]  # (pass uuid, token, district codes, station id)
    knockers: list[str]  # session keys
    organiser: str  # session key


class Client:
    """One keep-alive HTTP connection per thread to the server."""

    def __init__(self, base_url: str):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port or 80
        self.local = threading.local()

    def _connection(self) -> http.client.HTTPConnection:
        if getattr(self.local, "connection", None) is None:
            self.local.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        return self.local.connection

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        for attempt in range(3):
            connection = self._connection()
            try:
                connection.request(method, path, body=body, headers=headers or {})
                response = connection.getresponse()
                return response.status, response.read()
            except (http.client.HTTPException, OSError):
                connection.close()
                self.local.connection = None
                if attempt == 2:
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise RuntimeError("unreachable")


def _session_for(user) -> str:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = next(
        path for path in settings.AUTHENTICATION_BACKENDS if hasattr(import_string(path), "get_user")
    )
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def prepare(plan: PollingDayPlan, *, tellers: list[Person], knockers: list[Person], organiser: Person) -> Cast:
    """Passes for the tellers (spread over the stations, every station staffed first) and sessions for the knockers
    (given register access) and the organiser."""
    stations = list(plan.stations.order_by("pk"))
    codes = defaultdict(list)
    for station_id, code in DistrictArrangement.objects.filter(plan=plan).values_list("station_id", "district__code"):
        codes[station_id].append(code)
    stations = [s for s in stations if codes[s.pk]]
    passes = []
    for i, person in enumerate(tellers):
        station = stations[i % len(stations)]
        teller_pass, token = services.teller_pass_issue(station=station, person=person, acting=organiser.user)
        passes.append((str(teller_pass.uuid), token, sorted(codes[station.pk]), station.pk))
    for person in knockers:
        RegisterAccess.objects.get_or_create(campaign=plan.campaign, person=person, revoked_at=None)
    return Cast(
        passes=passes,
        knockers=[_session_for(p.user) for p in knockers],
        organiser=_session_for(organiser.user),
    )


# --- telling -------------------------------------------------------------------------------------------------------


def _typed(rng: random.Random, code: str, number: int, suffix: int, districts: list[str]) -> tuple[str, str]:
    """(text, district picked on the phone) in one of the accepted forms."""
    suffix_text = f"/{suffix}" if suffix else ""
    if len(districts) > 1 or rng.random() < 0.3:
        form = rng.choice(["{c}-{n}{s}", "{c}-{n}{s}", "{c} - {n}{s}"])
        return form.format(c=code if rng.random() < 0.8 else code.lower(), n=number, s=suffix_text), ""
    return f"{number}{suffix_text}", code


@dataclass
class _Entry:
    record: dict
    elector_id: int | None


def _telling_plan(plan: PollingDayPlan, cast: Cast, scale: Scale, rng: random.Random) -> list[list[_Entry]]:
    """For each pass, the entries its teller will take, in order: voters of its station's districts."""
    promises = set(Promise.objects.filter(plan=plan, postal=False).values_list("elector_id", flat=True))
    by_district: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for pk, code, number, suffix in (
        Elector.objects.filter(campaign=plan.campaign, removed_at__isnull=True)
        .values_list("pk", "polling_district__code", "number", "suffix")
        .order_by("pk")
    ):
        by_district[code].append((pk, number, suffix))
    highest = {code: max(n for _, n, _ in rows) for code, rows in by_district.items()}
    station_voters: dict[int, list[tuple[int, str, int, int]]] = {}
    for _uuid, _token, codes, station_id in cast.passes:
        if station_id in station_voters:
            continue
        voters = []
        for code in codes:
            for pk, number, suffix in by_district[code]:
                chance = scale.promise_turnout if pk in promises else scale.other_turnout
                if rng.random() < chance:
                    voters.append((pk, code, number, suffix))
        rng.shuffle(voters)
        station_voters[station_id] = voters
    tellers_at = defaultdict(list)
    for i, (_uuid, _token, _codes, station_id) in enumerate(cast.passes):
        tellers_at[station_id].append(i)
    total_voters = sum(len(v) for v in station_voters.values()) or 1
    plans: list[list[_Entry]] = [[] for _ in cast.passes]
    day_start = datetime.datetime.now(datetime.UTC).replace(hour=6, minute=0, second=0, microsecond=0)
    for station_id, voters in station_voters.items():
        share = round(scale.entries * len(voters) / total_voters)
        tellers = tellers_at[station_id]
        codes = cast.passes[tellers[0]][2]
        for k, (pk, code, number, suffix) in enumerate(voters[:share]):
            teller = tellers[k % len(tellers)]
            at = day_start + datetime.timedelta(seconds=int(15 * 3600 * k / max(share, 1)))
            if rng.random() < scale.misread:
                text, picked = _typed(rng, code, highest[code] + rng.randint(1000, 9000), 0, codes)
                elector = None
            else:
                text, picked = _typed(rng, code, number, suffix, codes)
                elector = pk
            record = {"id": str(uuid.uuid4()), "kind": "tell", "text": text, "recorded_at": at.isoformat()}
            if picked:
                record["district"] = picked
            plans[teller].append(_Entry(record, elector))
            if elector is None or rng.random() < scale.undo:
                undo = {"id": str(uuid.uuid4()), "kind": "undo", "undoes": record["id"], "recorded_at": at.isoformat()}
                plans[teller].append(_Entry(undo, None))
    return plans


def _send_batch(client: Client, cast: Cast, index: int, batch: list[_Entry], ledger: Ledger, rng, scale) -> None:
    pass_id, token, _codes, _station = cast.passes[index]
    path = reverse("api:telling_sync", args=[pass_id])
    body = json.dumps({"records": [e.record for e in batch]}).encode()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    if rng.random() < scale.lost_answer:  # the answer never reached the phone: the outbox sends it again later
        client.request("POST", path, body, headers)
        with ledger.lock:
            ledger.requests += 1
            ledger.resent_batches += 1
    if rng.random() < scale.duplicate:  # the same batch twice at once (a double tap, a retry racing the first)
        other = Client(f"http://{client.host}:{client.port}")
        thread = threading.Thread(target=lambda: other.request("POST", path, body, headers))
        thread.start()
        with ledger.lock:
            ledger.duplicated_batches += 1
            ledger.requests += 1
    else:
        thread = None
    for _attempt in range(5):
        status, content = client.request("POST", path, body, headers)
        with ledger.lock:
            ledger.requests += 1
        if status == 200:
            break
        time.sleep(0.2)
    if thread is not None:
        thread.join()
    if status != 200:
        with ledger.lock:
            ledger.errors.append(f"sync {status}: {content[:200]!r}")
        return
    answer = json.loads(content)
    acknowledged = set(answer["acknowledged"])
    with ledger.lock:
        for entry in batch:
            record = entry.record
            if record["id"] not in acknowledged:
                continue
            if record["kind"] == "tell":
                ledger.told[record["id"]] = entry.elector_id
            else:
                ledger.undo_ids.add(record["id"])
                ledger.undone.add(record["undoes"])
        ledger.flagged_unknown.update(answer.get("unknown", []))
        for error in answer.get("errors", []):
            ledger.errors.append(f"refused: {error}")


def _tell(
    client: Client, cast: Cast, plans: list[list[_Entry]], ledger: Ledger, scale: Scale, share: tuple, seed: int
) -> None:
    """Send each teller's entries between the fractions `share` of their plan, in outbox-sized batches."""

    def teller(index: int) -> None:
        rng = random.Random(seed * 100_003 + index)
        entries = plans[index]
        start, end = int(len(entries) * share[0]), int(len(entries) * share[1])
        position = start
        while position < end:
            size = 1 if rng.random() < 0.6 else rng.randint(2, 25)  # online: one at a time; after a spell offline, more
            batch = entries[position : min(end, position + size)]
            _send_batch(client, cast, index, batch, ledger, rng, scale)
            position += len(batch)

    with ThreadPoolExecutor(scale.workers) as pool:
        for failure in pool.map(_guard(teller), range(len(cast.passes))):
            if failure:
                ledger.errors.append(failure)


def _guard(function):
    def run(*args):
        try:
            function(*args)
        except Exception as error:  # noqa: BLE001  (reported in the ledger, the run goes on)
            return f"{type(error).__name__}: {error}"
        finally:
            close_old_connections()
        return None

    return run


# --- knock-up ------------------------------------------------------------------------------------------------------


def _csrf_headers(session_key: str) -> dict:
    token = secrets.token_hex(16)  # 32 characters: a CSRF secret the cookie and the header agree on
    return {
        "Cookie": f"{settings.SESSION_COOKIE_NAME}={session_key}; {settings.CSRF_COOKIE_NAME}={token}",
        "X-CSRFToken": token,
        "Content-Type": "application/x-www-form-urlencoded",
    }


def _knock_up_round(client: Client, plan: PollingDayPlan, cast: Cast, ledger: Ledger, scale: Scale, seed: int) -> None:
    slug = plan.campaign.slug
    rooms = list(CommitteeRoom.objects.filter(plan=plan).order_by("pk"))
    started = []
    for room in rooms:
        status, content = client.request(
            "POST", reverse("pollingday:round_create", args=[slug, room.pk]), b"", _csrf_headers(cast.organiser)
        )
        ledger.requests += 1
        if status != 302:
            ledger.errors.append(f"round {status}: {content[:200]!r}")
            continue
        started.append(room.rounds.order_by("-number").first())
    work = []
    promises_at = defaultdict(list)
    station_promises = Promise.objects.filter(plan=plan, postal=False)
    for elector_id, address_id in station_promises.values_list("elector_id", "address_id"):
        promises_at[address_id].append(elector_id)
    for knock_up_round in started:
        for knock_up_list in KnockUpList.objects.filter(round=knock_up_round).order_by("position"):
            addresses = KnockUpStop.objects.filter(knock_up_list=knock_up_list).values_list("address_id", flat=True)
            electors = [e for a in addresses for e in promises_at[a]]
            work.append((str(knock_up_list.uuid), electors))

    def knock(item: tuple[int, tuple[str, list[int]]]) -> None:
        i, (list_uuid, electors) = item
        rng = random.Random(seed * 7919 + i)
        session = cast.knockers[i % len(cast.knockers)]
        path = reverse("pollingday:knock_up_mark", args=[slug, list_uuid])
        for elector_id in electors:
            if rng.random() >= scale.knock_share:
                continue
            outcome = rng.choices(["voted", "not_in", "later", "lift"], weights=[4, 3, 2, 1])[0]
            body = urlencode({"elector": elector_id, "outcome": outcome, "mark_id": str(uuid.uuid4())}).encode()
            headers = _csrf_headers(session) | {"HX-Request": "true"}
            status, content = client.request("POST", path, body, headers)
            with ledger.lock:
                ledger.requests += 1
                if status == 200:
                    ledger.marks.append((elector_id, outcome))
                else:
                    ledger.errors.append(f"mark {status}: {content[:200]!r}")

    with ThreadPoolExecutor(scale.workers) as pool:
        for failure in pool.map(_guard(knock), enumerate(work)):
            if failure:
                ledger.errors.append(failure)


# --- the whole day -------------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    ledger: Ledger
    dashboard: dict
    seconds: float
    telling_seconds: float
    knock_up_seconds: float


def run(base_url: str, plan: PollingDayPlan, cast: Cast, scale: Scale) -> Outcome:
    rng = random.Random(scale.seed)
    client = Client(base_url)
    ledger = Ledger()
    plans = _telling_plan(plan, cast, scale, rng)
    started = time.monotonic()
    telling = knocking = 0.0
    steps = scale.rounds + 1
    for step in range(steps):
        t0 = time.monotonic()
        _tell(client, cast, plans, ledger, scale, (step / steps, (step + 1) / steps), scale.seed + step)
        telling += time.monotonic() - t0
        if step < scale.rounds:
            t0 = time.monotonic()
            _knock_up_round(client, plan, cast, ledger, scale, scale.seed + step)
            knocking += time.monotonic() - t0
    seconds = time.monotonic() - started
    status, content = client.request(
        "GET", reverse("pollingday:dashboard", args=[plan.campaign.slug]) + "?format=json", None,
        {"Cookie": f"{settings.SESSION_COOKIE_NAME}={cast.organiser}"},
    )  # fmt: skip
    if status != 200:
        raise RuntimeError(f"the dashboard answered {status}: {content[:300]!r}")
    return Outcome(ledger, json.loads(content), round(seconds, 2), round(telling, 2), round(knocking, 2))


def recount(plan: PollingDayPlan, ledger: Ledger) -> dict:
    """The dashboard's totals and per-district figures from the ledger and the promise list alone."""
    voted = ledger.voted()
    knocked = {e for e, _outcome in ledger.marks}
    districts: dict[str, dict[str, int]] = defaultdict(lambda: {"promises": 0, "voted": 0, "knocked": 0, "postal": 0})
    for elector_id, code, postal in Promise.objects.filter(plan=plan).values_list(
        "elector_id", "district__code", "postal"
    ):
        row = districts[code]
        if postal:
            row["postal"] += 1
            continue
        row["promises"] += 1
        row["voted"] += elector_id in voted
        row["knocked"] += elector_id in knocked
    total = {key: sum(r[key] for r in districts.values()) for key in ("promises", "voted", "knocked", "postal")}
    total["remaining"] = total["promises"] - total["voted"]
    for row in districts.values():
        row["remaining"] = row["promises"] - row["voted"]
    taken = sum(1 for i in ledger.told if i not in ledger.undone)
    return {"total": total, "districts": dict(districts), "telling_entries": taken}


def check(plan: PollingDayPlan, outcome: Outcome) -> list[str]:
    """Differences between the server and the recount; [] when they agree and nothing acknowledged was lost."""
    problems = []
    ledger = outcome.ledger
    expected = recount(plan, ledger)
    board = outcome.dashboard
    for key in ("promises", "voted", "knocked", "postal", "remaining"):
        if board["total"][key] != expected["total"][key]:
            problems.append(f"total {key}: dashboard {board['total'][key]}, recount {expected['total'][key]}")
    shown = {code: counts for room in board["rooms"] for code, counts in room["districts"].items()}
    for code, counts in expected["districts"].items():
        for key in ("promises", "voted", "knocked", "remaining"):
            if shown.get(code, {}).get(key) != counts[key]:
                problems.append(f"{code} {key}: dashboard {shown.get(code, {}).get(key)}, recount {counts[key]}")
    if board["telling_entries"] != expected["telling_entries"]:
        problems.append(f"telling entries: dashboard {board['telling_entries']}, sent {expected['telling_entries']}")
    stored = set(
        str(i) for i in TellingEntry.objects.filter(plan=plan, rehearsal=plan.rehearsal).values_list("id", flat=True)
    )
    sent = set(ledger.told) | ledger.undo_ids
    if lost := sent - stored:
        problems.append(f"{len(lost)} acknowledged entries not stored")
    if extra := stored - sent:
        problems.append(f"{len(extra)} stored entries the simulation never had acknowledged")
    misread = {i for i, e in ledger.told.items() if e is None}
    if ledger.flagged_unknown != misread:
        problems.append(f"unknown flags: {len(ledger.flagged_unknown)} flagged, {len(misread)} misread")
    return problems
