"""Benchmark: a whole polling day, compressed in time, against the production server.

    DATABASE_URL=postgres://%2Fvar%2Frun%2Fpostgresql/groundgame .venv/bin/python bench/polling_day.py   # PostgreSQL
    .venv/bin/python bench/polling_day.py --database sqlite --scale 0.1                                   # smaller

It builds a fresh database (a new PostgreSQL database beside the one DATABASE_URL names, dropped afterwards, or an
SQLite file), migrates it and builds a campaign ready for polling day (tests/pollingday/world.py): at full scale
(--scale 1) 222,000 electors in 100 polling districts and stations, 10 committee rooms, about 40,000 promises (a tenth
of them postal voters), 5,000 volunteers (1,000 tellers, 4,000 knockers). Then `groundgame serve` (granian,
production settings) runs the day: the tellers send 100,000 telling entries over HTTP in outbox batches with lost
answers, duplicated batches, misread numbers and undos (groundgame/pollingday/simulation.py); three knock-up rounds
are cut between the shares of the telling and knockers post marks for some of the promises on every list. At the end
the dashboard (JSON) is compared with an independent recount from what the simulation sent and was acknowledged,
and every acknowledged entry is looked for in the database exactly once.

Prints the set-up and run times, the entries and requests per second, the dashboard's latency (in process and over
HTTP) and the recount's verdict. Exit status 1 when anything was lost or the dashboard disagrees.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from nearest_marginal import (  # bench/ is the script directory, so on sys.path
    Server,
    configure_environment,
    cpu_model,
    database_version,
    fail,
    free_port,
    heading,
    memory_gib,
)
from scratch import cleanup

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for tests.pollingday.world


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--scale", type=float, default=1.0, help="1 = the full day (default); 0.1 = a tenth")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--threads", type=int, default=8, help="threads per server worker")
    parser.add_argument("--clients", type=int, default=24, help="simulation client threads")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="groundgame-bench-pollingday-"))
    scratch = configure_environment(args, home)
    server = None
    try:
        import django

        django.setup()
        from django.core.management import call_command

        from groundgame.pollingday import selectors, simulation
        from groundgame.pollingday.views import DASHBOARD_SECONDS
        from tests.pollingday.world import build

        heading(f"Polling day at scale {args.scale:g}: {database_version()}")
        print(f"{cpu_model()}, {os.cpu_count()} cores, {memory_gib()}; Python {platform.python_version()}")
        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        call_command("collectstatic", verbosity=0, interactive=False)
        s = args.scale
        districts = max(4, round(100 * s))
        world = build(
            districts=districts, electors=round(222_000 * s), promise_share=0.18, postal_share=0.1,
            volunteers=round(5_000 * s), rooms=max(2, round(10 * s)), seed=2029,
        )  # fmt: skip
        built = time.perf_counter()
        tellers, knockers = round(1_000 * s), round(4_000 * s)
        cast = simulation.prepare(
            world.plan,
            tellers=world.volunteers[:tellers],
            knockers=world.volunteers[tellers : tellers + knockers],
            organiser=world.organiser,
        )
        prepared = time.perf_counter()
        print(
            f"built {world.electors:,} electors, {world.promises:,} promises, {len(world.volunteers):,} volunteers "
            f"in {districts} districts in {built - started:.1f} s; passes and sessions in {prepared - built:.1f} s"
        )

        port = free_port()
        server = Server(port, args.workers, args.threads, home / "server.log")
        server.wait_ready()
        scale = simulation.Scale(
            tellers=tellers, knockers=knockers, entries=round(100_000 * s), promise_turnout=0.75, other_turnout=0.6,
            rounds=3, knock_share=0.3, workers=args.clients, seed=2029,
        )  # fmt: skip
        outcome = simulation.run(f"http://127.0.0.1:{port}", world.plan, cast, scale)
        problems = simulation.check(world.plan, outcome)
        ledger = outcome.ledger
        entries = len(ledger.told) + len(ledger.undo_ids)

        heading("The day")
        print(
            f"{len(ledger.told):,} telling entries + {len(ledger.undo_ids):,} undos from {tellers:,} tellers in "
            f"{outcome.telling_seconds:.1f} s ({entries / max(outcome.telling_seconds, 1e-9):,.0f} entries/s); "
            f"{len(ledger.flagged_unknown):,} misread numbers flagged; {ledger.resent_batches:,} batches resent after "
            f"a lost answer, {ledger.duplicated_batches:,} sent twice at once"
        )
        print(
            f"{scale.rounds} knock-up rounds, {len(ledger.marks):,} marks from {knockers:,} knockers in "
            f"{outcome.knock_up_seconds:.1f} s ({len(ledger.marks) / max(outcome.knock_up_seconds, 1e-9):,.0f} marks/s)"
        )
        print(
            f"{ledger.requests:,} HTTP requests in {outcome.seconds:.1f} s ({ledger.requests / outcome.seconds:,.0f}/s)"
        )
        total = outcome.dashboard["total"]
        print(
            f"dashboard: {total['voted']:,} of {total['promises']:,} promises voted ({total['turnout']:.1%}), "
            f"{total['knocked']:,} knocked, {total['pending_lifts']:,} lifts waiting, {total['postal']:,} postal"
        )

        heading("Dashboard latency")
        timings = []
        for _ in range(10):
            t0 = time.perf_counter()
            selectors.dashboard(world.plan)
            timings.append((time.perf_counter() - t0) * 1000)
        print(f"in process: median {statistics.median(timings):.0f} ms, max {max(timings):.0f} ms (10 runs)")
        client = simulation.Client(f"http://127.0.0.1:{port}")
        from django.conf import settings
        from django.urls import reverse

        url = reverse("pollingday:dashboard", args=[world.campaign.slug])
        cookie = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={cast.organiser}", "HX-Request": "true"}
        from django.core.cache import cache

        cache.clear()  # the server's cache is the database's (production settings): the first request counts
        timings = []
        for _ in range(10):
            t0 = time.perf_counter()
            status, _body = client.request("GET", url, None, cookie)
            timings.append((time.perf_counter() - t0) * 1000)
            assert status == 200, status
        print(
            f"over HTTP (the page's 15-second refresh): first {timings[0]:.0f} ms (counted), then median "
            f"{statistics.median(timings[1:]):.0f} ms (the count is kept {DASHBOARD_SECONDS} s for every organiser)"
        )

        heading("Recount")
        if ledger.errors:
            print("errors:", *ledger.errors[:10], sep="\n  ")
        if problems:
            print("DISAGREES:", *problems, sep="\n  ")
            fail("the dashboard does not match the recount, or entries were lost")
        print(
            f"zero lost entries ({entries:,} acknowledged, each stored once); the dashboard matches the recount in "
            f"all {len(outcome.dashboard['rooms'])} committee rooms and {districts} districts"
        )
    finally:
        if server is not None:
            server.stop()
        cleanup(scratch, home)


if __name__ == "__main__":
    main()
