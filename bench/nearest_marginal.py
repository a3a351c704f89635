"""Benchmark of "find where you're needed": in-process lookup latency and HTTP throughput.

    GROUNDGAME_DATA_DIR=../shared/data .venv/bin/python bench/nearest_marginal.py                      # SQLite
    GROUNDGAME_DATA_DIR=../shared/data DATABASE_URL=postgres://%2Fvar%2Frun%2Fpostgresql/groundgame \\
        .venv/bin/python bench/nearest_marginal.py --database postgres                                 # PostgreSQL

It builds a fresh database (an SQLite file in a temporary GROUNDGAME_HOME, or a new PostgreSQL database
created beside the one DATABASE_URL names and dropped afterwards), migrates it and imports the real
reference data from GROUNDGAME_DATA_DIR, then prints:

(a) in-process latency of `selectors.nearest_targets` (p50/p90/p99/mean, warm caches) over a mix of the
    full postcodes in the shared sample file and the postcode districts of the district file;
(b) in-process cost of one request through the production WSGI application for the lookup endpoint and for the
    trivial /api/ping view, which says how much CPU each costs the server;
(c) HTTP throughput (requests/s) of GET /api/nearest-marginal?postcode=... and of GET /api/ping against
    the same production server (`groundgame serve`: granian WSGI, production settings, a random
    SECRET_KEY, rate limit off), alternating the two in rounds of the same run, and their ratio.

Load comes from `wrk` (Debian package; `apt-get install -y wrk`) when it is on PATH, else from a small
asyncio client with keep-alive HTTP/1.1 connections. Traffic goes to 127.0.0.1 only; every run is
bounded in time. `--profile` adds cProfile listings of the lookup and of the endpoint's request path.
Targets (issue 2): p50 < 1 ms in process; lookup throughput >= 60% of the trivial view's.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import csv
import io
import os
import platform
import pstats
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from scratch import PostgresScratch, cleanup  # bench/ is the script directory, so on sys.path

P50_TARGET_MS = 1.0
RATIO_TARGET = 0.60
DEFAULT_POSTGRES_URL = "postgres://%2Fvar%2Frun%2Fpostgresql/postgres"
SAMPLE_FILE = "postcodes/gb-postcodes-sample-DE22-M19-LS2-LS6-codepoint-2014.csv"
DISTRICT_FILE = "postcodes/gb-postcode-district-centroids-codepoint-2014.csv"


def fail(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, round(q / 100 * len(sorted_values) + 0.5 - 1e-9))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def heading(text: str) -> None:
    print(f"\n== {text}", flush=True)


# --- Machine and versions ------------------------------------------------------------------------------


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def memory_gib() -> str:
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1048576:.1f} GiB"
    return "unknown"


# --- Database ------------------------------------------------------------------------------------------


# PostgresScratch (bench/scratch.py): a new database beside the one DATABASE_URL names, dropped afterwards.


def configure_environment(args: argparse.Namespace, home: Path) -> PostgresScratch | None:
    """Production settings as `groundgame serve` would run them, on a fresh database."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "groundgame.settings.production",
            "GROUNDGAME_HOME": str(home),
            "STATIC_ROOT": str(home / "static"),
            "SECRET_KEY": secrets.token_urlsafe(50),
            "GROUNDGAME_SUPPRESSION_KEY": secrets.token_urlsafe(32),
            "SECURE_SSL_REDIRECT": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "GROUNDGAME_PUBLIC_API_RATE": "0",  # <= 0 turns the per-client rate limit off
        }
    )
    os.environ.pop("DEBUG", None)
    if args.database == "postgres":
        scratch = PostgresScratch(os.environ.get("DATABASE_URL") or DEFAULT_POSTGRES_URL)
        os.environ["DATABASE_URL"] = scratch.create()
        return scratch
    os.environ.pop("DATABASE_URL", None)
    return None


def prepare_database(data_dir: Path) -> None:
    from django.core.management import call_command

    from groundgame.places.services import reference_data_import

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    migrated = time.perf_counter()
    summaries = reference_data_import(data_dir=data_dir, quiet=True)
    imported = time.perf_counter()
    print(
        f"migrate + collectstatic {migrated - started:.1f} s; "
        f"imported {len(summaries)} reference files in {imported - migrated:.1f} s"
    )


def database_version() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version}"


# --- Postcode mix --------------------------------------------------------------------------------------


def read_column(path: Path, column: str) -> list[str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [row[column].strip() for row in csv.DictReader(handle) if row.get(column, "").strip()]


@dataclass
class Mix:
    full: list[str]
    districts: list[str]
    skipped: dict[str, int]


def postcode_mix(data_dir: Path) -> Mix:
    """Every sample postcode and every district that the lookup answers (warming the caches on the way)."""
    from groundgame.places import selectors
    from groundgame.places.postcodes import InvalidPostcode

    full, districts, skipped = [], [], {}
    for kind, values, into in (
        ("full", read_column(data_dir / SAMPLE_FILE, "postcode"), full),
        ("district", read_column(data_dir / DISTRICT_FILE, "outcode"), districts),
    ):
        for value in values:
            try:
                selectors.nearest_targets(postcode=value)
            except (InvalidPostcode, selectors.UnknownPostcode) as exc:
                skipped[f"{kind}: {type(exc).__name__}"] = skipped.get(f"{kind}: {type(exc).__name__}", 0) + 1
                continue
            into.append(value)
    if not full or not districts:
        fail("the lookup answered none of the sample postcodes or districts: is the reference data imported?")
    return Mix(full, districts, skipped)


def sequence(mix: Mix, count: int, full_share: float, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    return [
        ("full", rng.choice(mix.full)) if rng.random() < full_share else ("district", rng.choice(mix.districts))
        for _ in range(count)
    ]


# --- (a) in-process lookup latency ---------------------------------------------------------------------


def lookup_latency(lookups: list[tuple[str, str]], profile: bool) -> dict[str, list[float]]:
    from groundgame.places import selectors

    nearest = selectors.nearest_targets
    for _, postcode in lookups[:500]:  # warm-up (the caches are already built by postcode_mix)
        nearest(postcode=postcode)
    timings: dict[str, list[float]] = {"full": [], "district": []}
    clock = time.perf_counter_ns
    for kind, postcode in lookups:
        start = clock()
        nearest(postcode=postcode)
        timings[kind].append((clock() - start) / 1e6)
    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _, postcode in lookups:
            nearest(postcode=postcode)
        profiler.disable()
        print_profile(profiler, f"cProfile of {len(lookups)} in-process lookups")
    return timings


def latency_line(label: str, values: list[float]) -> str:
    ordered = sorted(values)
    return (
        f"{label:<10} n={len(ordered):>5}  p50 {percentile(ordered, 50):6.3f} ms  p90 {percentile(ordered, 90):6.3f} ms"
        f"  p99 {percentile(ordered, 99):6.3f} ms  mean {statistics.fmean(ordered):6.3f} ms"
        f"  max {ordered[-1]:7.3f} ms"
    )


def print_profile(profiler: cProfile.Profile, title: str, limit: int = 25) -> None:
    heading(title)
    for sort in ("tottime", "cumulative"):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.strip_dirs().sort_stats(sort).print_stats(limit)
        text = out.getvalue()
        start = text.find("   ncalls")
        print(f"-- sorted by {sort}")
        print(text[start:] if start >= 0 else text)


# --- (b) in-process request cost -----------------------------------------------------------------------


class WsgiCaller:
    """Calls the production WSGI application directly, as a server thread would (request_started and
    request_finished fire, so database connections are opened and closed as configured), minus sockets."""

    def __init__(self):
        from groundgame.wsgi import application

        self.application = application
        self.status = ""

    def _start_response(self, status, headers, exc_info=None):
        self.status = status

    def get(self, url: str) -> tuple[int, bytes]:
        path, _, query = url.partition("?")
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": urllib.parse.unquote(path),
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        response = self.application(environ, self._start_response)
        try:
            body = b"".join(response)
        finally:
            if hasattr(response, "close"):
                response.close()
        return int(self.status.split(" ", 1)[0]), body


def request_cost(paths: list[str], count: int, profile: bool) -> dict[str, float]:
    """Mean microseconds for one request through the WSGI application (no sockets, no server)."""
    caller = WsgiCaller()
    costs = {}
    for name, urls in (("ping", ["/api/ping"]), ("nearest-marginal", paths)):
        for url in urls[:200]:
            status, body = caller.get(url)
            if status != 200:
                fail(f"GET {url} answered {status}: {body[:200]!r}")
        start = time.perf_counter()
        for i in range(count):
            caller.get(urls[i % len(urls)])
        costs[name] = (time.perf_counter() - start) / count * 1e6
        if profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for i in range(count):
                caller.get(urls[i % len(urls)])
            profiler.disable()
            print_profile(profiler, f"cProfile of {count} GET {urls[0].split('?')[0]} through the WSGI application")
    return costs


# --- (c) HTTP throughput -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`groundgame serve` in its own process group, on 127.0.0.1."""

    def __init__(self, port: int, workers: int, threads: int, log: Path):
        self.port, self.log_path = port, log
        self.log = log.open("wb")
        command = [sys.executable, "-m", "groundgame.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
        command += ["--workers", str(workers), "--threads", str(threads)]
        self.process = subprocess.Popen(  # noqa: S603
            command, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True, env=os.environ.copy()
        )

    def wait_ready(self, timeout: float = 60.0) -> None:
        import http.client

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/api/ping")
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        fail(f"the server did not answer /api/ping within {timeout:.0f} s; its log:\n{self.log_path.read_text()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self.log.close()


@dataclass
class Load:
    requests: int
    seconds: float
    errors: int  # non-200 responses and socket errors
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


class Wrk:
    name = "wrk"

    def __init__(self, port: int, connections: int, threads: int, workdir: Path):
        self.port, self.connections, self.threads, self.workdir = port, connections, threads, workdir

    def version(self) -> str:
        out = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False).stdout  # noqa: S603
        return out.split("[")[0].strip() or "wrk"

    def run(self, paths: list[str], seconds: float) -> Load:
        script = self.workdir / f"paths-{len(paths)}-{abs(hash(paths[0]))}.lua"
        if not script.exists():
            quoted = ",\n".join(f'"{p}"' for p in paths)
            script.write_text(
                f"local paths = {{\n{quoted}\n}}\n"
                "local i = math.random(#paths)\n"
                "request = function()\n  i = i % #paths + 1\n  return wrk.format('GET', paths[i])\nend\n"
            )
        return run_wrk(self.port, script, threads=self.threads, connections=self.connections, seconds=seconds,
                       url_path=paths[0])  # fmt: skip


def _wrk_latency(out: str, label: str) -> float:
    m = re.search(rf"^\s*{re.escape(label)}\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
    if not m:
        return float("nan")
    return float(m.group(1)) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[m.group(2)]


def run_wrk(
    port: int, script: Path, *, threads: int, connections: int, seconds: float, url_path: str = "/", env=None
) -> Load:
    """Run wrk with a Lua script against 127.0.0.1:port; requests, time, errors (non-2xx/3xx answers and socket
    errors) and p50/p99 latency from its output. Shared by the benchmarks that drive the server with wrk."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--latency", "-s", str(script)]
    command.append(f"http://127.0.0.1:{port}{url_path}")
    result = subprocess.run(  # noqa: S603
        command, capture_output=True, text=True, timeout=seconds + 60, check=False, env=env
    )
    out = result.stdout
    if result.returncode != 0:
        fail(f"wrk failed ({result.returncode}): {result.stderr or out}")
    match = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)\b", out)
    if not match:
        fail(f"could not read wrk's output:\n{out}")
    scale = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[match.group(3)]
    errors = 0
    if m := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        errors += int(m.group(1))
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        errors += sum(int(g) for g in m.groups())
    return Load(
        requests=int(match.group(1)),
        seconds=float(match.group(2)) * scale,
        errors=errors,
        p50_ms=_wrk_latency(out, "50%"),
        p99_ms=_wrk_latency(out, "99%"),
    )


class AsyncioClient:
    """Keep-alive HTTP/1.1 GETs over raw asyncio streams, one coroutine per connection."""

    name = "asyncio (Python)"

    def __init__(self, port: int, connections: int, max_requests: int = 2_000_000):
        self.port, self.connections, self.max_requests = port, connections, max_requests

    def version(self) -> str:
        return f"asyncio client, Python {platform.python_version()}"

    def run(self, paths: list[str], seconds: float) -> Load:
        return asyncio.run(self._run(paths, seconds))

    async def _run(self, paths: list[str], seconds: float) -> Load:
        latencies: list[float] = []
        errors = 0
        budget = [self.max_requests]
        host = f"127.0.0.1:{self.port}"
        requests = [f"GET {p} HTTP/1.1\r\nHost: {host}\r\nConnection: keep-alive\r\n\r\n".encode() for p in paths]
        start = time.perf_counter()
        deadline = start + seconds

        async def connection(offset: int) -> None:
            nonlocal errors
            reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
            i = offset
            try:
                while time.perf_counter() < deadline and budget[0] > 0:
                    budget[0] -= 1
                    sent = time.perf_counter()
                    writer.write(requests[i % len(requests)])
                    i += 1
                    head = await reader.readuntil(b"\r\n\r\n")
                    status = int(head.split(b" ", 2)[1])
                    length = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
                    if length:
                        await reader.readexactly(int(length.group(1)))
                    elif re.search(rb"(?i)\r\ntransfer-encoding:\s*chunked", head):
                        while True:
                            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                            await reader.readexactly(size + 2)
                            if size == 0:
                                break
                    else:
                        raise ConnectionError("response without a length")
                    latencies.append((time.perf_counter() - sent) * 1e3)
                    if status != 200:
                        errors += 1
            except (OSError, asyncio.IncompleteReadError, ConnectionError, ValueError):
                errors += 1
            finally:
                writer.close()
                with contextlib.suppress(OSError):
                    await writer.wait_closed()

        await asyncio.gather(*(connection(n * 997) for n in range(self.connections)))
        elapsed = time.perf_counter() - start
        ordered = sorted(latencies)
        return Load(len(latencies), elapsed, errors, percentile(ordered, 50), percentile(ordered, 99))


def throughput(
    generator, ping_paths: list[str], lookup_paths: list[str], rounds: int, seconds: float, warmup: float
) -> dict[str, list[Load]]:
    generator.run(ping_paths, warmup)
    generator.run(lookup_paths, warmup)
    results: dict[str, list[Load]] = {"ping": [], "nearest-marginal": []}
    for n in range(rounds):
        # Alternate the order so that neither endpoint always runs first in a round.
        order = [("ping", ping_paths), ("nearest-marginal", lookup_paths)]
        for name, paths in order if n % 2 == 0 else order[::-1]:
            load = generator.run(paths, seconds)
            results[name].append(load)
            print(
                f"round {n + 1} {name:<17} {load.rps:8.0f} req/s  p50 {load.p50_ms:6.2f} ms"
                f"  p99 {load.p99_ms:6.2f} ms  ({load.requests} requests, {load.errors} errors)",
                flush=True,
            )
    return results


def total_rps(loads: list[Load]) -> float:
    return sum(x.requests for x in loads) / sum(x.seconds for x in loads)


# --- Main ----------------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--database",
        choices=["sqlite", "postgres"],
        default="postgres" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite",
        help="default: postgres when DATABASE_URL names a PostgreSQL server (a new database is created beside "
        f"it and dropped afterwards; without DATABASE_URL: {DEFAULT_POSTGRES_URL.replace('%', '%%')}), else sqlite",
    )
    parser.add_argument("--lookups", type=int, default=6000, help="timed in-process lookups (default 6000)")
    parser.add_argument("--full-share", type=float, default=0.5, help="share of full postcodes in the mix (0.5)")
    parser.add_argument("--client-requests", type=int, default=2000, help="in-process requests per endpoint")
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds per load round per endpoint (5)")
    parser.add_argument("--rounds", type=int, default=3, help="load rounds; each runs both endpoints (3)")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of load per endpoint before timing (2)")
    parser.add_argument("--connections", type=int, default=8, help="keep-alive connections (8)")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes (2, as `groundgame serve`)")
    parser.add_argument("--threads", type=int, default=4, help="server threads per worker (4, as `groundgame serve`)")
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto", help="load generator")
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP throughput part")
    parser.add_argument("--profile", action="store_true", help="print cProfile listings of the hot paths")
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    data_value = os.environ.get("GROUNDGAME_DATA_DIR")
    if not data_value:
        fail("GROUNDGAME_DATA_DIR is not set: point it at the reference data (e.g. ../shared/data).")
    data_dir = Path(data_value).resolve()
    for rel in (SAMPLE_FILE, DISTRICT_FILE):
        if not (data_dir / rel).is_file():
            fail(f"{data_dir / rel} is missing: GROUNDGAME_DATA_DIR must hold the shared reference data.")
    if args.seconds * args.rounds > 600 or args.warmup > 60:
        fail("keep the load bounded: --seconds x --rounds <= 600 and --warmup <= 60")

    home = Path(tempfile.mkdtemp(prefix="groundgame-bench-"))
    scratch = None
    server = None
    try:
        scratch = configure_environment(args, home)
        import django

        django.setup()
        from django.conf import settings

        import groundgame.places.selectors  # noqa: F401  (fail early if the app cannot load)

        heading("Machine")
        import granian
        import numpy
        import shapely

        print(f"{os.cpu_count()} CPUs ({cpu_model()}), {memory_gib()} RAM, {platform.platform()}")
        print(
            f"Python {platform.python_version()}, Django {django.get_version()}, {database_version()}, "
            f"granian {granian.__version__}, numpy {numpy.__version__}, shapely {shapely.__version__}"
        )
        print(f"date {time.strftime('%Y-%m-%d %H:%M:%S %Z')}")

        heading(f"Fresh {args.database} database ({settings.DATABASES['default']['NAME']})")
        prepare_database(data_dir)
        from groundgame.places import selectors

        latest = selectors.election_years()
        print(f"elections imported: {', '.join(map(str, latest))}; lookups use the default (latest) election")

        heading("Postcode mix")
        mix = postcode_mix(data_dir)
        print(
            f"{len(mix.full)} full postcodes (sample file) + {len(mix.districts)} districts (district file) answered; "
            f"skipped: {mix.skipped or 'none'}; mix {args.full_share:.0%} full postcodes"
        )
        lookups = sequence(mix, args.lookups, args.full_share, args.seed)

        heading(f"(a) In-process lookup latency: selectors.nearest_targets, {len(lookups)} lookups, warm caches")
        timings = lookup_latency(lookups, args.profile)
        everything = timings["full"] + timings["district"]
        print(latency_line("all", everything))
        print(latency_line("full", timings["full"]))
        print(latency_line("district", timings["district"]))
        p50 = percentile(sorted(everything), 50)

        paths = [f"/api/nearest-marginal?postcode={urllib.parse.quote(pc)}" for _, pc in lookups]
        heading(f"(b) In-process request cost through the WSGI application ({args.client_requests} requests each)")
        costs = request_cost(paths, args.client_requests, args.profile)
        for name, micros in costs.items():
            print(f"{name:<17} {micros:8.0f} us/request  (~{1e6 / micros:6.0f} req/s on one core)")
        print(f"ratio nearest-marginal/ping (CPU bound): {costs['ping'] / costs['nearest-marginal']:.2f}")

        figures = {"p50": p50, "ratio": None}
        if not args.no_http:
            client_kind = args.client
            if client_kind == "auto":
                client_kind = "wrk" if shutil.which("wrk") else "python"
            if client_kind == "wrk" and not shutil.which("wrk"):
                fail("wrk is not installed: apt-get install -y wrk, or use --client python")
            port = free_port()
            heading(
                f"(c) HTTP throughput: groundgame serve (granian WSGI, production settings, {args.workers} workers x "
                f"{args.threads} threads) on 127.0.0.1:{port}"
            )
            server = Server(port, args.workers, args.threads, home / "server.log")
            server.wait_ready()
            if client_kind == "wrk":
                generator = Wrk(port, args.connections, 1, home)
            else:
                if args.client == "auto":
                    print("wrk not found: using the Python client (apt-get install -y wrk costs the server less CPU)")
                generator = AsyncioClient(port, args.connections)
            print(
                f"load: {generator.version()}, {args.connections} keep-alive connections, {args.rounds} rounds x "
                f"{args.seconds:g} s per endpoint after {args.warmup:g} s warm-up each"
            )
            loads = throughput(generator, ["/api/ping"], paths, args.rounds, args.seconds, args.warmup)
            server.stop()
            server = None
            errors = sum(x.errors for v in loads.values() for x in v)
            ping_rps, lookup_rps = total_rps(loads["ping"]), total_rps(loads["nearest-marginal"])
            figures["ratio"] = lookup_rps / ping_rps
            print(f"ping              {ping_rps:8.0f} req/s (mean over rounds)")
            print(f"nearest-marginal  {lookup_rps:8.0f} req/s (mean over rounds)")
            print(f"ratio nearest-marginal/ping: {figures['ratio']:.2f}")
            if errors:
                fail(f"{errors} requests failed or answered non-200: the figures above are not valid")

        heading(f"Summary ({args.database})")
        missed = []
        verdict = "met" if p50 < P50_TARGET_MS else "MISSED"
        if p50 >= P50_TARGET_MS:
            missed.append("p50")
        print(f"in-process p50 {p50:.3f} ms (target < {P50_TARGET_MS:g} ms): {verdict}")
        if figures["ratio"] is not None:
            ok = figures["ratio"] >= RATIO_TARGET
            if not ok:
                missed.append("ratio")
            verdict = "met" if ok else "MISSED"
            print(f"throughput ratio {figures['ratio']:.2f} (target >= {RATIO_TARGET:.2f}): {verdict}")
        return 1 if (missed and args.strict) else 0
    finally:
        if server is not None:
            server.stop()
        cleanup(scratch, home)


if __name__ == "__main__":
    sys.exit(main())
