"""Benchmark of the canvasser app's API: the size of a 50-door walk list download, and sync ingest throughput.

    GROUNDGAME_DATA_DIR=../shared/data DATABASE_URL=postgres://%2Fvar%2Frun%2Fpostgresql/groundgame \\
        .venv/bin/python bench/sync_ingest.py

It builds a fresh database (a new PostgreSQL database created beside the one DATABASE_URL names and dropped
afterwards; `--database sqlite` for an SQLite file), migrates it, imports the real reference data from
GROUNDGAME_DATA_DIR, generates a synthetic register for a real seat (canvassing.synthetic, seeded) and imports it
through the real importer, cuts walk lists of about 50 doors (canvassing.walklists), records a previous contact for
every elector and door of the lists used (so that the download carries the "last time" of each), and claims
`--connections` lists, one per load connection, as canvassers would. Then it prints:

(a) the download of a 50-door walk list through the real endpoint of the production server: the JSON's bytes, the
    bytes the server sends gzipped (Accept-Encoding: gzip), and gzip -9 of the JSON for comparison;
(b) in-process cost of `sync.contact_records_ingest` for batches of 50 new records (no HTTP): microseconds per
    batch and records/s on one core;
(c) HTTP throughput against one production server (`groundgame serve`: granian WSGI, production settings, random
    SECRET_KEY): batches of `--batch` new records posted to POST /api/canvass/walk-lists/<id>/sync over
    `--connections` keep-alive connections (each its own claimed list and token), every record a fresh UUID made by
    the load generator, alternating in rounds with a trivial POST (the same endpoint and token with an empty batch,
    `{"records": []}`: HTTP, middleware, the token's lookup, JSON in and out, no records); records/s and the ratio of
    sync requests/s to trivial POSTs/s. Afterwards the stored records are counted: every acknowledged record must
    be in the database.

Load comes from `wrk` (Debian package; `apt-get install -y wrk`) with a Lua script that makes the bodies. Traffic
goes to 127.0.0.1 only; every run is bounded in time. Target (issue 5): >= 5,000 records/s on PostgreSQL in batches
of 50; a 50-door download <= 20 KB gzipped.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import gzip
import http.client
import json
import os
import platform
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from nearest_marginal import (
    DEFAULT_POSTGRES_URL,
    Load,
    Server,
    configure_environment,
    cpu_model,
    database_version,
    fail,
    free_port,
    heading,
    memory_gib,
    run_wrk,
)
from nearest_marginal import print_profile as print_profile_listing
from scratch import cleanup  # bench/ is the script directory, so on sys.path

RECORDS_TARGET = 5000
DOWNLOAD_TARGET = 20 * 1024
SEAT = "E14000662"  # Derby North (2010 boundaries)


# --- the data: a synthetic register, walk lists, claims ---------------------------------------------------------


def prepare(data_dir: Path, args: argparse.Namespace):
    """Reference data, a campaign with a synthetic register, walk lists, previous contacts; returns (lists, tokens)."""
    from django.core.management import call_command

    from groundgame.canvassing import access, register, services, synthetic, walklists
    from groundgame.canvassing.models import Campaign, WalkList
    from groundgame.people.models import LocalGroup, Membership, Person
    from groundgame.places.models import Constituency
    from groundgame.places.services import reference_data_import

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    reference_data_import(data_dir=data_dir, quiet=True)
    print(f"migrate, collectstatic, reference data: {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    national = LocalGroup.objects.create(name="National", slug="national", level=LocalGroup.Level.NATIONAL)
    host = LocalGroup.objects.create(name="Derby", slug="derby", level=LocalGroup.Level.LOCAL, parent=national)
    seat = Constituency.objects.filter(code=SEAT).order_by("-boundary_set__first_used").first()
    if seat is None:
        fail(f"constituency {SEAT} is not in the reference data")
    campaign = services.campaign_create(
        acting=None,
        host=host,
        name="Derby North: general election",
        kind=Campaign.Kind.GENERAL,
        polling_date=datetime.date(2029, 5, 3),
        constituencies=[seat],
        parties=["Lab", "Con", "LD", "Green", "RUK"],
    )
    published = datetime.date(2028, 12, 1)
    details = register.CopyDetails(
        supplier="Benchmark (synthetic register)",
        published_on=published,
        received_on=published,
        permitted_purpose="Benchmark: nobody in it exists.",
        delete_by=datetime.date(2029, 8, 1),
    )
    path = Path(tempfile.mkdtemp(prefix="groundgame-bench-register-")) / "register.csv"
    synthetic.generate_file(path, constituency=seat, seed=args.seed, electors=args.electors, register_date=published)
    report = register.commit(path, campaign=campaign, copy=details, acting=None)
    shutil.rmtree(path.parent, ignore_errors=True)
    lists = walklists.walk_lists_cut(
        campaign=campaign, polling_districts=list(campaign.polling_districts.all()), target_size=50, acting=None
    )
    print(
        f"synthetic register for {seat.name}: {report.electors:,} electors in {report.households:,} households; "
        f"{len(lists)} walk lists cut; {time.perf_counter() - started:.1f} s"
    )

    chosen = sorted(lists, key=lambda w: (abs(w.door_count - 50), w.pk))[: args.connections]
    canvassers = []
    for n, walk_list in enumerate(chosen):
        WalkList.objects.filter(pk=walk_list.pk).update(status=WalkList.Status.READY)
        person = Person.objects.create(first_name="Canvasser", last_name=str(n), email=f"canvasser{n}@example.org")
        Membership.objects.create(person=person, group=host, role=Membership.Role.CANVASSER, status="active")
        services.register_access_grant(campaign=campaign, person=person, acting=None)
        canvassers.append(person)
    tokens = [
        access.walk_list_claim(walk_list=WalkList.objects.get(pk=w.pk), person=p, acting=None)
        for w, p in zip(chosen, canvassers, strict=True)
    ]
    claimed = [access.walk_list_for_token(t) for t in tokens]
    previous_round(claimed)
    return claimed, tokens


def record_templates(walk_list, count: int, seed: int) -> list[list[dict]]:
    """`count` batches' worth of plausible records at the list's doors (ids and times filled in later): about 60%
    "not in" at the door, 30% conversations (intention, certainty, an issue or two, sometimes a note), the rest
    refusals, come back later, moved."""
    from groundgame.canvassing.models import Elector, WalkListStop
    from groundgame.canvassing.services import current_survey

    rng = random.Random(seed)
    survey = current_survey(walk_list.campaign)
    intentions = [i["code"] for i in survey.questions["intentions"]]
    issues = [i["code"] for i in survey.questions["issues"]]
    doors = list(WalkListStop.objects.filter(walk_list=walk_list).values_list("address_id", "address__uuid"))
    electors: dict[int, list[str]] = {}
    for address_id, elector_uuid in Elector.objects.filter(address_id__in=[a for a, _ in doors]).values_list(
        "address_id", "uuid"
    ):
        electors.setdefault(address_id, []).append(str(elector_uuid))
    out = []
    for _ in range(count):
        address_id, address_uuid = rng.choice(doors)
        people = electors.get(address_id) or []
        roll = rng.random()
        rec = {"address": str(address_uuid), "elector": None, "survey": survey.version, "outcome": "not_in"}
        if people and roll > 0.4:
            rec["elector"] = rng.choice(people)
            if roll < 0.7:
                rec.update(
                    outcome="spoke",
                    intention=rng.choice(intentions),
                    certainty=rng.randint(1, 5),
                    issues=rng.sample(issues, rng.randint(0, 2)),
                )
                if rng.random() < 0.3:
                    rec["notes"] = "Worried about the bus service and the price of everything."
            else:
                rec["outcome"] = rng.choice(["refused", "come_back", "moved"])
        out.append(rec)
    return out


def previous_round(claimed) -> None:
    """A contact for every elector and a "not in" at every door of the lists, as after a first pass: the downloads
    then carry each one's last contact (the largest they get)."""
    from groundgame.canvassing import sync
    from groundgame.canvassing.models import Elector, WalkListStop

    when = (datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=9)).isoformat()
    for walk_list in claimed:
        records = []
        for address_id, address_uuid in WalkListStop.objects.filter(walk_list=walk_list).values_list(
            "address_id", "address__uuid"
        ):
            base = {"address": str(address_uuid), "survey": 1, "recorded_at": when}
            records.append({**base, "id": str(uuid.uuid4()), "outcome": "not_in"})
            for elector_uuid in Elector.objects.filter(address_id=address_id).values_list("uuid", flat=True):
                records.append(
                    {
                        **base,
                        "id": str(uuid.uuid4()),
                        "elector": str(elector_uuid),
                        "outcome": "spoke",
                        "intention": "Lab",
                        "certainty": 3,
                    }
                )
        for start in range(0, len(records), 200):
            result = sync.contact_records_ingest(walk_list=walk_list, records=records[start : start + 200])
            if result.errors:
                fail(f"the previous round was refused: {result.errors[:3]}")


# --- (a) the download ------------------------------------------------------------------------------------------


def download_size(port: int, walk_list, token: str) -> dict:
    def get(gzipped: bool) -> tuple[int, bytes, dict]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Authorization": f"Bearer {token}", "Host": "127.0.0.1"}
        if gzipped:
            headers["Accept-Encoding"] = "gzip"
        conn.request("GET", f"/api/canvass/walk-lists/{walk_list.uuid}", headers=headers)
        response = conn.getresponse()
        body = response.read()
        conn.close()
        return response.status, body, {k.lower(): v for k, v in response.getheaders()}

    status, raw, _ = get(False)
    if status != 200:
        fail(f"the download answered {status}: {raw[:200]!r}")
    status, sent, headers = get(True)
    if headers.get("content-encoding") != "gzip" or gzip.decompress(sent) != raw:
        fail("the server did not gzip the download, or gzipped something else")
    data = json.loads(raw)
    return {
        "doors": len(data["doors"]),
        "electors": sum(len(d["electors"]) for d in data["doors"]),
        "with_last": sum(bool(e.get("last")) for d in data["doors"] for e in d["electors"]),
        "json": len(raw),
        "sent": len(sent),
        "gzip9": len(gzip.compress(raw, compresslevel=9, mtime=0)),
    }


# --- (b) in-process ingest -------------------------------------------------------------------------------------


def fill(templates: list[dict]) -> list[dict]:
    now = datetime.datetime.now(datetime.UTC).isoformat()
    return [{**t, "id": str(uuid.uuid4()), "recorded_at": now} for t in templates]


def in_process(walk_list, batches: int, size: int, profile: bool) -> tuple[float, float]:
    """Mean microseconds per batch of `size` new records through sync.contact_records_ingest, each batch its own
    transaction as in a request: (wall clock, including the database and its commit; this process's CPU)."""
    from groundgame.canvassing import sync

    templates = record_templates(walk_list, size * 40, seed=7)
    bodies = [fill(templates[(i * size) % len(templates) :][:size] or templates[:size]) for i in range(batches)]
    for body in bodies[:10]:
        sync.contact_records_ingest(walk_list=walk_list, records=body)
    bodies = bodies[10:]
    started, cpu = time.perf_counter(), time.process_time()
    for body in bodies:
        result = sync.contact_records_ingest(walk_list=walk_list, records=body)
        if result.errors:
            fail(f"records refused: {result.errors[:3]}")
    per_batch = (time.perf_counter() - started) / len(bodies) * 1e6
    cpu_per_batch = (time.process_time() - cpu) / len(bodies) * 1e6
    if profile:
        extra = [fill(templates[:size]) for _ in range(100)]
        profiler = cProfile.Profile()
        profiler.enable()
        for body in extra:
            sync.contact_records_ingest(walk_list=walk_list, records=body)
        profiler.disable()
        print_profile_listing(profiler, f"cProfile of 100 in-process batches of {size}")
    return per_batch, cpu_per_batch


# --- (c) HTTP throughput with wrk -------------------------------------------------------------------------------

LUA = r"""
-- Made by bench/sync_ingest.py: POSTs to each claimed list's sync endpoint in turn, with its token. In "sync" mode
-- every record gets a fresh random id (so every batch stores new rows); in "trivial" mode the batch is empty.
local mode = "%(mode)s"
local lists = %(lists)s
local templates = %(templates)s
local i = 0
math.randomseed(tonumber(os.getenv("BENCH_SEED")))  -- a new seed each run: new ids each run
local random, format = math.random, string.format
local function uuid4()
  return format("%%04x%%04x-%%04x-4%%03x-%%04x-%%04x%%04x%%04x", random(0, 65535), random(0, 65535), random(0, 65535),
    random(0, 4095), 32768 + random(0, 16383), random(0, 65535), random(0, 65535), random(0, 65535))
end
request = function()
  i = i %% #lists + 1
  local list = lists[i]
  local body
  if mode == "ping" then
    return wrk.format("POST", "/api/ping", {["Content-Type"] = "application/json"}, '{"records":[]}')
  elseif mode == "sync" then
    local t = list.templates[random(1, #list.templates)]
    body = templates[t]:gsub("@ID@", uuid4)
  else
    body = '{"records":[]}'
  end
  return wrk.format("POST", list.path, {["Authorization"] = list.auth, ["Content-Type"] = "application/json"}, body)
end
"""


def lua_string(text: str) -> str:
    return "[==[" + text + "]==]"


def write_lua(workdir: Path, mode: str, lists, tokens, batch: int, seed: int) -> Path:
    templates, entries = [], []
    now = datetime.datetime.now(datetime.UTC).isoformat()
    for n, (walk_list, token) in enumerate(zip(lists, tokens, strict=True)):
        indexes = []
        pool = record_templates(walk_list, batch * 20, seed=seed + n)
        for k in range(20):
            records = [{**r, "id": "@ID@", "recorded_at": now} for r in pool[k * batch : (k + 1) * batch]]
            templates.append(json.dumps({"records": records}, separators=(",", ":")))
            indexes.append(len(templates))
        path = lua_string(f"/api/canvass/walk-lists/{walk_list.uuid}/sync")
        auth = lua_string(f"Bearer {token}")
        entries.append(f"{{path={path}, auth={auth}, templates={{{','.join(map(str, indexes))}}}}}")
    script = workdir / f"{mode}.lua"
    script.write_text(
        LUA
        % {
            "mode": mode,
            "lists": "{" + ",\n".join(entries) + "}",
            "templates": "{" + ",\n".join(lua_string(t) for t in templates) + "}",
        }
    )
    return script


def wrk(port: int, script: Path, connections: int, seconds: float) -> Load:
    """One wrk thread; each run gets a new BENCH_SEED, so the Lua script makes new record ids every run."""
    env = {**os.environ, "BENCH_SEED": str(secrets.randbelow(2**52))}
    return run_wrk(port, script, threads=1, connections=connections, seconds=seconds, env=env)


def stored_records() -> int:
    from groundgame.canvassing.models import ContactRecord

    return ContactRecord.objects.count()


# --- Main ------------------------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--database",
        choices=["sqlite", "postgres"],
        default="postgres",
        help="default postgres: a new database beside the one DATABASE_URL names (without DATABASE_URL: "
        f"{DEFAULT_POSTGRES_URL.replace('%', '%%')}), dropped afterwards",
    )
    parser.add_argument("--electors", type=int, default=6000, help="synthetic register size (6000)")
    parser.add_argument("--batch", type=int, default=50, help="records per sync request (50)")
    parser.add_argument("--in-process", type=int, default=300, help="in-process batches timed (300)")
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds per load round per endpoint (5)")
    parser.add_argument("--rounds", type=int, default=3, help="load rounds; each runs both endpoints (3)")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of load per endpoint before timing (2)")
    parser.add_argument("--connections", type=int, default=8, help="keep-alive connections = claimed lists (8)")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes (2, as `groundgame serve`)")
    parser.add_argument("--threads", type=int, default=4, help="server threads per worker (4, as `groundgame serve`)")
    parser.add_argument("--profile", action="store_true", help="print a cProfile listing of the in-process ingest")
    parser.add_argument("--seed", type=int, default=2029)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    data_value = os.environ.get("GROUNDGAME_DATA_DIR")
    if not data_value:
        fail("GROUNDGAME_DATA_DIR is not set: point it at the reference data (e.g. ../shared/data).")
    if not shutil.which("wrk"):
        fail("wrk is not installed: apt-get install -y wrk")
    if args.seconds * args.rounds > 600 or args.warmup > 60:
        fail("keep the load bounded: --seconds x --rounds <= 600 and --warmup <= 60")
    home = Path(tempfile.mkdtemp(prefix="groundgame-bench-"))
    scratch = server = None
    try:
        scratch = configure_environment(args, home)
        import django

        django.setup()
        from django.conf import settings
        from django.db import connections

        heading("Machine")
        import granian

        print(f"{os.cpu_count()} CPUs ({cpu_model()}), {memory_gib()} RAM, {platform.platform()}")
        print(
            f"Python {platform.python_version()}, Django {django.get_version()}, {database_version()}, "
            f"granian {granian.__version__}"
        )
        version = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False).stdout  # noqa: S603
        print(f"load: {version.split('[')[0].strip() or 'wrk'}; date {time.strftime('%Y-%m-%d %H:%M:%S %Z')}")

        heading(f"Fresh {args.database} database ({settings.DATABASES['default']['NAME']})")
        lists, tokens = prepare(Path(data_value).resolve(), args)
        fifty = lists[0]
        print(f"claimed {len(lists)} lists of {', '.join(str(w.stops.count()) for w in lists)} doors")

        heading(f"(b) In-process ingest: sync.contact_records_ingest, {args.in_process} batches of {args.batch}")
        micros, cpu = in_process(lists[-1], args.in_process + 10, args.batch, args.profile)
        print(
            f"{micros:8.0f} us per batch of {args.batch} wall clock, with the database and its commit "
            f"({args.batch / micros * 1e6:,.0f} records/s, one at a time)"
        )
        print(f"{cpu:8.0f} us per batch of this process's CPU ({args.batch / cpu * 1e6:,.0f} records/s per core)")
        connections.close_all()

        port = free_port()
        heading(
            f"(a) and (c): groundgame serve (granian WSGI, production settings, {args.workers} workers x "
            f"{args.threads} threads) on 127.0.0.1:{port}"
        )
        server = Server(port, args.workers, args.threads, home / "server.log")
        server.wait_ready()

        size = download_size(port, fifty, tokens[0])
        verdict = "met" if size["sent"] <= DOWNLOAD_TARGET and size["doors"] >= 50 else "MISSED"
        print(
            f"download of a {size['doors']}-door list ({size['electors']} electors, {size['with_last']} with a last "
            f"contact): JSON {size['json']:,} bytes; sent gzipped {size['sent']:,} bytes; gzip -9 {size['gzip9']:,} "
            f"bytes (target <= {DOWNLOAD_TARGET:,}: {verdict})"
        )

        scripts = {
            "sync": write_lua(home, "sync", lists, tokens, args.batch, args.seed),
            "trivial": write_lua(home, "trivial", lists, tokens, args.batch, args.seed),
            "ping": write_lua(home, "ping", lists, tokens, args.batch, args.seed),
        }
        before = stored_records()
        print(
            f"load: wrk, 1 thread, {args.connections} keep-alive connections (one claimed list each), "
            f"{args.rounds} rounds x {args.seconds:g} s per endpoint after {args.warmup:g} s warm-up each"
        )
        wrk(port, scripts["ping"], args.connections, args.warmup)
        wrk(port, scripts["trivial"], args.connections, args.warmup)
        warm = wrk(port, scripts["sync"], args.connections, args.warmup)
        results: dict[str, list[Load]] = {"ping": [], "trivial": [], "sync": []}
        for n in range(args.rounds):
            order = ["ping", "trivial", "sync"] if n % 2 == 0 else ["sync", "trivial", "ping"]
            for name in order:
                load = wrk(port, scripts[name], args.connections, args.seconds)
                results[name].append(load)
                extra = f"  = {load.rps * args.batch:8,.0f} records/s" if name == "sync" else ""
                print(
                    f"round {n + 1} {name:<8} {load.rps:7.0f} req/s{extra}  p50 {load.p50_ms:6.2f} ms  "
                    f"p99 {load.p99_ms:6.2f} ms  ({load.requests} requests, {load.errors} errors)",
                    flush=True,
                )
        server.stop()
        server = None
        errors = sum(x.errors for v in results.values() for x in v) + warm.errors
        total = {name: sum(x.requests for x in v) / sum(x.seconds for x in v) for name, v in results.items()}
        records_per_s = total["sync"] * args.batch
        ratio = total["sync"] / total["trivial"]
        ratio_ping = total["sync"] / total["ping"]
        answered = (warm.requests + sum(x.requests for x in results["sync"])) * args.batch
        stored = stored_records() - before
        print(f"POST /api/ping {total['ping']:6.0f} req/s (a trivial JSON view; mean over rounds)")
        print(f"empty batch  {total['trivial']:8.0f} req/s (the sync endpoint, its token check, no records)")
        print(f"sync         {total['sync']:8.0f} req/s = {records_per_s:,.0f} records/s (mean over rounds)")
        print(f"ratio sync / POST /api/ping (requests/s): {ratio_ping:.3f}; sync / empty batch: {ratio:.2f}")
        print(f"records stored during the load: {stored:,}; answered by the server as counted by wrk: {answered:,}")
        if errors:
            fail(f"{errors} requests failed or answered non-200: the figures above are not valid")
        if stored < answered:
            fail("fewer records stored than answered: the figures above are not valid")

        heading(f"Summary ({args.database})")
        missed = []
        ok = records_per_s >= RECORDS_TARGET
        missed += [] if ok else ["ingest"]
        print(f"sync ingest {records_per_s:,.0f} records/s (target >= {RECORDS_TARGET:,}): {'met' if ok else 'MISSED'}")
        ok = size["sent"] <= DOWNLOAD_TARGET
        missed += [] if ok else ["download"]
        print(
            f"50-door download {size['sent']:,} bytes gzipped (target <= {DOWNLOAD_TARGET:,}): "
            f"{'met' if ok else 'MISSED'}"
        )
        return 1 if (missed and args.strict) else 0
    finally:
        if server is not None:
            server.stop()
        cleanup(scratch, home)


if __name__ == "__main__":
    sys.exit(main())
