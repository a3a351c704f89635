"""Benchmark of events: searching 20,000 events near a postcode, and RSVP throughput over HTTP.

    GROUNDGAME_DATA_DIR=../shared/data .venv/bin/python bench/events.py                                 # SQLite
    GROUNDGAME_DATA_DIR=../shared/data DATABASE_URL=postgres://%2Fvar%2Frun%2Fpostgresql/groundgame \\
        .venv/bin/python bench/events.py --database postgres                                            # PostgreSQL

It builds a fresh database under the production settings (an SQLite file in a temporary GROUNDGAME_HOME, or a new
PostgreSQL database beside the one DATABASE_URL names, dropped afterwards), migrates it, imports the real postcode
district centroids from GROUNDGAME_DATA_DIR, and creates a national group, 40 local groups and `--events` approved
public events (all kinds, the next 90 days) at venues scattered around real postcode districts, more of them in
towns (districts drawn uniformly, then jittered up to 4 km). Then it prints:

(a) in-process latency of `events.selectors.events_near_postcode` (30 km, the first 50 nearest) for `--searches`
    random postcode districts of Great Britain, as an anonymous visitor: p50/p95/p99/max;
(b) HTTP throughput of guest RSVPs, `POST /events/<uuid>/rsvp/` (a new name and email address each time, spread
    over 100 events of 50 places each, so bookings confirm and then waitlist; each makes a person, a consent record,
    the booking, audit rows, and sends the confirmation email to a local SMTP sink started by this script), against
    `GET /api/ping` on the same production server (`groundgame serve`: granian, 2 workers x 4 threads),
    alternating the two in rounds of the same run; and their ratio. Load comes from `wrk` (Debian package).

Targets (issue 4): (a) p95 under 50 ms. (b) is measured, with its ratio, no target.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import datetime
import os
import platform
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

from nearest_marginal import (  # bench/ is the script directory, so on sys.path
    DISTRICT_FILE,
    Server,
    Wrk,
    configure_environment,
    cpu_model,
    database_version,
    fail,
    free_port,
    heading,
    memory_gib,
    percentile,
    run_wrk,
    total_rps,
)
from scratch import cleanup

P95_TARGET_MS = 50.0
CSRF = "benchbenchbenchbenchbenchbench12"  # an unmasked CSRF secret: 32 letters and digits, sent as cookie and header


# --- a local SMTP sink: the confirmation emails go somewhere real, as to a local mail relay ----------------------


class SmtpSink:
    """Accepts every message (RFC 5321's happy path) and counts them; a stand-in for a local mail relay."""

    def __init__(self):
        self.port = free_port()
        self.messages = 0
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()
        self.ready.wait(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(asyncio.start_server(self._session, "127.0.0.1", self.port))
        self.ready.set()
        with contextlib.suppress(Exception):
            self.loop.run_until_complete(server.serve_forever())

    async def _session(self, reader, writer) -> None:
        writer.write(b"220 sink ESMTP\r\n")
        try:
            while line := await reader.readline():
                verb = line[:4].upper()
                if verb == b"DATA":
                    writer.write(b"354 go ahead\r\n")
                    await writer.drain()
                    while (await reader.readline()) not in (b".\r\n", b""):
                        pass
                    self.messages += 1
                    writer.write(b"250 queued\r\n")
                elif verb == b"QUIT":
                    writer.write(b"221 bye\r\n")
                    break
                elif verb in (b"EHLO", b"HELO"):
                    writer.write(b"250 sink\r\n")
                else:
                    writer.write(b"250 ok\r\n")
                await writer.drain()
        except ConnectionError:
            pass  # the server was stopped mid-conversation at the end of the run
        finally:
            writer.close()


# --- data ----------------------------------------------------------------------------------------------------------


def districts(data_dir: Path) -> list[tuple[str, float, float]]:
    with (data_dir / DISTRICT_FILE).open(newline="", encoding="utf-8") as handle:
        return [(r["outcode"].strip(), float(r["latitude"]), float(r["longitude"])) for r in csv.DictReader(handle)]


def prepare(data_dir: Path, count: int, rng: random.Random) -> list[str]:
    """Migrate, import the district centroids, create groups and events; return the uuids of 100 bookable events."""
    from django.core.management import call_command
    from django.utils import timezone

    from groundgame.events.models import Event
    from groundgame.people.models import LocalGroup
    from groundgame.places.importers.postcodes import import_postcode_districts

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    import_postcode_districts(data_dir / DISTRICT_FILE, quiet=True)
    national = LocalGroup.objects.create(name="National", slug="national", level="national")
    groups = LocalGroup.objects.bulk_create(
        LocalGroup(name=f"Group {n}", slug=f"group-{n}", level="local", parent=national) for n in range(40)
    )
    places = districts(data_dir)
    now = timezone.now()
    kinds = [k for k, _ in Event.Kind.choices]
    events = []
    for n in range(count):
        outcode, lat, lon = rng.choice(places)
        starts = now + datetime.timedelta(days=rng.uniform(1, 90), hours=rng.randint(0, 10))
        events.append(
            Event(
                kind=rng.choice(kinds),
                status="approved",
                visibility="public",
                host=rng.choice(groups),
                title=f"Event {n}",
                starts_at=starts,
                ends_at=starts + datetime.timedelta(hours=3),
                venue_name="Community centre",
                venue_postcode=f"{outcode} 1AA"[:8],
                latitude=lat + rng.uniform(-0.036, 0.036),
                longitude=lon + rng.uniform(-0.058, 0.058),
                capacity=50,
                approved_at=now,
            )
        )
    Event.objects.bulk_create(events, batch_size=2000)
    print(f"prepared {count:,} events, {len(places):,} postcode districts in {time.perf_counter() - started:.1f} s")
    return [str(u) for u in Event.objects.order_by("?").values_list("uuid", flat=True)[:100]]


# --- (a) search ----------------------------------------------------------------------------------------------------


def search_latency(outcodes: list[str], searches: int, rng: random.Random) -> list[float]:
    from groundgame.events.selectors import events_near_postcode

    for outcode in outcodes[:50]:  # warm: the postcode table and the database's caches
        events_near_postcode(postcode=outcode)
    timings, found = [], 0
    for _ in range(searches):
        outcode = rng.choice(outcodes)
        started = time.perf_counter()
        result = events_near_postcode(postcode=outcode)
        timings.append((time.perf_counter() - started) * 1e3)
        found += len(result.events)
    print(f"{searches:,} searches, {found / searches:.1f} events found per search on average (at most 50)")
    return sorted(timings)


# --- (b) RSVP throughput -------------------------------------------------------------------------------------------


def rsvp_script(workdir: Path, uuids: list[str]) -> Path:
    paths = ",\n".join(f'"/events/{u}/rsvp/"' for u in uuids)
    script = workdir / "rsvp.lua"
    script.write_text(
        f"""
local paths = {{
{paths}
}}
local threads = {{}}
local counter = 0
function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end
function init(args)
  math.randomseed(id * 7919 + os.time())
end
request = function()
  counter = counter + 1
  local path = paths[(counter * 7 + id) % #paths + 1]
  local body = "guest_name=Bench+Guest&guest_email=guest-" .. id .. "-" .. counter .. "-" .. math.random(1e9) ..
    "%40example.org"
  local headers = {{}}
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  headers["Cookie"] = "csrftoken={CSRF}"
  headers["X-CSRFToken"] = "{CSRF}"
  return wrk.format("POST", path, headers, body)
end
"""
    )
    return script


class RsvpWrk(Wrk):
    """wrk with the RSVP script for ["rsvp"]; a booking answers 302 (to its confirmation page), a success for wrk."""

    def __init__(self, *args, script: Path, **kwargs):
        super().__init__(*args, **kwargs)
        self.script = script

    def run(self, paths: list[str], seconds: float):
        if paths != ["rsvp"]:
            return super().run(paths, seconds)
        return run_wrk(self.port, self.script, threads=self.threads, connections=self.connections, seconds=seconds)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database",
        choices=["sqlite", "postgres"],
        default="postgres" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite",
    )
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--searches", type=int, default=2_000)
    parser.add_argument("--seconds", type=float, default=8.0, help="seconds per load round per endpoint (8)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--no-http", action="store_true", help="skip the RSVP throughput part")
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument("--strict", action="store_true", help="exit 1 when the search target is missed")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    data_value = os.environ.get("GROUNDGAME_DATA_DIR")
    if not data_value:
        fail("GROUNDGAME_DATA_DIR is not set: point it at the reference data (e.g. ../shared/data).")
    data_dir = Path(data_value).resolve()
    home = Path(tempfile.mkdtemp(prefix="groundgame-bench-"))
    scratch = server = None
    rng = random.Random(args.seed)
    try:
        scratch = configure_environment(args, home)
        sink = SmtpSink()
        os.environ.update({"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(sink.port)})
        import django

        django.setup()
        heading("Machine")
        print(f"{cpu_model()}, {os.cpu_count()} cores, {memory_gib()}; Python {platform.python_version()}, "
              f"Django {django.get_version()}, {database_version()}; load {os.getloadavg()[0]:.1f}")  # fmt: skip
        heading("Preparing")
        bookable = prepare(data_dir, args.events, rng)
        outcodes = [o for o, _, _ in districts(data_dir)]

        heading(f"(a) Search: {args.events:,} events, 30 km around a postcode district, in process")
        timings = search_latency(outcodes, args.searches, rng)
        p95 = percentile(timings, 95)
        print(f"p50 {percentile(timings, 50):.2f} ms  p95 {p95:.2f} ms  p99 {percentile(timings, 99):.2f} ms  "
              f"max {timings[-1]:.2f} ms  (target p95 < {P95_TARGET_MS:.0f} ms: "
              f"{'met' if p95 < P95_TARGET_MS else 'MISSED'})")  # fmt: skip

        if not args.no_http:
            heading("(b) HTTP: guest RSVP vs GET /api/ping, same server, alternating rounds")
            from django.db import connections

            connections.close_all()
            port = free_port()
            server = Server(port, args.workers, args.threads, home / "server.log")
            server.wait_ready()
            wrk = RsvpWrk(port, args.connections, 2, home, script=rsvp_script(home, bookable))
            print(f"{wrk.version()}, {args.connections} connections; server {args.workers} workers x {args.threads}")
            wrk.run(["/api/ping"], 2)
            wrk.run(["rsvp"], 2)
            results = {"ping": [], "rsvp": []}
            for n in range(args.rounds):
                order = [("ping", ["/api/ping"]), ("rsvp", ["rsvp"])]
                for name, paths in order if n % 2 == 0 else order[::-1]:
                    load = wrk.run(paths, args.seconds)
                    results[name].append(load)
                    print(f"round {n + 1} {name:<5} {load.rps:8.0f} req/s  p50 {load.p50_ms:7.2f} ms  "
                          f"p99 {load.p99_ms:7.2f} ms  ({load.requests} requests, {load.errors} errors)")  # fmt: skip
            ping, rsvp = total_rps(results["ping"]), total_rps(results["rsvp"])
            from groundgame.events.models import Rsvp

            stored = Rsvp.objects.count()
            print(f"RSVP {rsvp:.0f}/s vs ping {ping:.0f}/s: ratio {rsvp / ping:.3f}; {stored:,} bookings stored, "
                  f"{sink.messages:,} confirmation emails received by the SMTP sink")  # fmt: skip
        return 0 if p95 < P95_TARGET_MS or not args.strict else 1
    finally:
        if server is not None:
            server.stop()
        cleanup(scratch, home)


if __name__ == "__main__":
    sys.exit(main())
