"""Benchmark: a 500,000-ballot Scottish STV count (15 candidates, 5 seats) against the Python STV packages on PyPI.

    .venv/bin/python bench/stv_count.py                       # ours, then every baseline found
    .venv/bin/python bench/stv_count.py --no-baselines        # ours only

Before timing ours and before each baseline it waits (up to --max-wait) for the CPUs to have been 90% idle for
--wait-idle seconds, and says whether they were.

1. Generates 500,000 synthetic ballots, deterministically (numpy, --seed): 15 candidates in 6 parties; each voter
   has a party, ranks by a Plackett-Luce draw (Gumbel trick) on candidate strength plus party loyalty and affinity,
   and stops after a number of preferences drawn from the lengths seen on the real Scottish 2017 ballots
   (14% one preference, 23% two, 31% three, 13% four, a long tail up to all 15). One BLT line per ballot paper,
   as a ballot box would be exported.
2. Times our parse (`read_blt`) and our count (`count_scottish_stv`) separately, best and median of --repeat runs.
3. Times each baseline package on the same file in a separate virtualenv (--baseline-python, default
   /tmp/stvbench-venv/bin/python, made with `python -m venv` and `pip install pyrankvote votekit pyrcv stvpoll`):
   the package is imported first (untimed), then a small shared BLT reader ("read", the same for all), the
   package's own ballot objects ("build", with identical ballots merged for every package that accepts weights,
   which helps them; votekit's profile is made from its DataFrame form, much faster than from RankBallot objects),
   then its count.
   A package that is missing or fails is reported as such.
4. Prints the figures and the ratios of each package's build + count (and read + build + count) to our
   parse + count. Target (issue 7): our count under 1 s; our parse + count faster than every package.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from groundgame.democracy.counting.blt import read_blt
from groundgame.democracy.counting.scottish_stv import count_scottish_stv

CANDIDATES = 15
SEATS = 5
PARTY_SIZES = [3, 3, 3, 2, 2, 2]
PARTY_SHARE = [0.28, 0.24, 0.18, 0.12, 0.10, 0.08]
# Share of ballots with 1, 2, ... 15 preferences: the Scottish 2017 wards (up to 10) with a thin tail after.
LENGTHS = [0.136, 0.233, 0.309, 0.129, 0.058, 0.046, 0.037, 0.030, 0.010, 0.006, 0.003, 0.002, 0.002, 0.002, 0.007]
PACKAGES = ["pyrankvote", "votekit", "pyrcv", "stvpoll"]


def generate(ballots: int, seed: int) -> tuple[np.ndarray, list[str]]:
    """(ranks, names): `ballots` rows of 0-based candidate indices padded with -1."""
    rng = np.random.default_rng(seed)
    party_of = np.repeat(np.arange(len(PARTY_SIZES)), PARTY_SIZES)
    strength = rng.normal(0.0, 0.6, CANDIDATES)
    affinity = rng.normal(0.0, 0.8, (len(PARTY_SIZES), len(PARTY_SIZES)))
    np.fill_diagonal(affinity, 2.5)  # loyalty: voters rank their own party's candidates first, mostly
    voter_party = rng.choice(len(PARTY_SIZES), size=ballots, p=PARTY_SHARE)
    utility = strength[None, :] + affinity[voter_party][:, party_of] + rng.gumbel(size=(ballots, CANDIDATES))
    order = np.argsort(-utility, axis=1).astype(np.int32)
    share = np.array(LENGTHS) / sum(LENGTHS)
    length = rng.choice(np.arange(1, CANDIDATES + 1), size=ballots, p=share)
    order[np.arange(CANDIDATES)[None, :] >= length[:, None]] = -1
    party_names = ["Red", "Blue", "Gold", "Green", "Orange", "Purple"]
    names = [f"Candidate {i + 1:02d} ({party_names[p]})" for i, p in enumerate(party_of)]
    return order, names


def write_blt(path: Path, ranks: np.ndarray, names: list[str]) -> None:
    lines = [f"{CANDIDATES} {SEATS}"]
    lines += ["1 " + " ".join(str(c + 1) for c in row if c >= 0) + " 0" for row in ranks.tolist()]
    lines.append("0")
    lines += [f'"{name}"' for name in names]
    lines.append('"Synthetic 500k Scottish STV benchmark"')
    path.write_text("\n".join(lines) + "\n")


def cpu_idle_fraction(seconds: float = 1.0) -> float | None:
    """Share of CPU time idle over the next `seconds` (Linux /proc/stat), or None where unavailable."""

    def sample() -> tuple[int, int]:
        with open("/proc/stat") as handle:
            values = [int(v) for v in handle.readline().split()[1:]]
        return values[3] + values[4], sum(values)  # idle + iowait, total

    try:
        idle0, total0 = sample()
        time.sleep(seconds)
        idle1, total1 = sample()
    except OSError:
        return None
    return (idle1 - idle0) / max(1, total1 - total0)


def wait_for_idle(needed: float, limit: float) -> str:
    """Wait until the CPUs have been at least 90% idle for `needed` seconds in a row (at most `limit` seconds)."""
    if needed <= 0:
        return "not waited for"
    start = time.monotonic()
    quiet = 0.0
    while time.monotonic() - start < limit:
        idle = cpu_idle_fraction()
        if idle is None:
            return "unknown (no /proc/stat)"
        quiet = quiet + 1 if idle >= 0.9 else 0
        if quiet >= needed:
            return f"idle for {needed:.0f} s before the run"
    return f"NOT idle: gave up waiting after {limit:.0f} s (other work was running)"


def timed(function, repeat: int) -> tuple[list[float], object]:
    times, value = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        value = function()
        times.append(time.perf_counter() - start)
    return times, value


# Runs inside the baseline virtualenv: read the BLT, build the package's ballots, count, print JSON timings.
ADAPTER = r"""
import collections, importlib.metadata, json, sys, time
path, package, seats = sys.argv[1], sys.argv[2], int(sys.argv[3])
# Imports first, outside every timing.
if package == "pyrankvote":
    import pyrankvote
elif package == "votekit":
    import pandas as pd
    from votekit import RankProfile
    from votekit.elections import FastSTV
elif package == "pyrcv":
    import pyrcv
elif package == "stvpoll":
    from stvpoll.scottish_stv import calculate_scottish_stv
else:
    raise SystemExit(f"unknown package {package}")
t0 = time.perf_counter()
with open(path) as f:
    lines = f.read().split("\n")
n = int(lines[0].split()[0])
rows = []
i = 1
while lines[i].strip() != "0":
    t = [int(x) for x in lines[i].split()]
    rows.append((t[0], tuple(t[1:-1])))
    i += 1
names = [lines[i + 1 + k].strip().strip('"') for k in range(n)]
grouped = collections.Counter()
for w, r in rows:
    grouped[r] += w
t1 = time.perf_counter()
if package == "pyrankvote":
    cands = [pyrankvote.Candidate(x) for x in names]
    ballots = [pyrankvote.Ballot(ranked_candidates=[cands[c - 1] for c in r]) for w, r in rows for _ in range(w)]
    t2 = time.perf_counter()
    result = pyrankvote.single_transferable_vote(cands, ballots, number_of_seats=seats)
    elected = [c.name for c in result.get_winners()]
elif package == "votekit":
    # The fastest documented way in: a RankProfile from its DataFrame form (RankBallot objects take far longer).
    width = max(len(r) for r in grouped)
    sets = [frozenset({x}) for x in names]
    blank = frozenset({"~"})
    columns = {f"Ranking_{j + 1}": [sets[r[j] - 1] if j < len(r) else blank for r in grouped] for j in range(width)}
    columns["Voter Set"] = [set() for _ in grouped]
    columns["Weight"] = [float(w) for w in grouped.values()]
    frame = pd.DataFrame(columns)
    frame.index.name = "Ballot Index"
    profile = RankProfile(df=frame, candidates=names, max_ranking_length=width)
    t2 = time.perf_counter()
    election = FastSTV(profile, n_seats=seats, tiebreak="random", rng_seed=1)
    elected = sorted(c for s in election.get_elected() for c in s)
elif package == "pyrcv":
    race = pyrcv.RaceData(pyrcv.RaceMetadata("bench", seats, names), [list(r) for r in grouped], list(grouped.values()))
    t2 = time.perf_counter()
    result = pyrcv.run_rcv(race)
    elected = sorted({names[c - 1] for rnd in result.rounds for c in rnd.elected})
else:
    ballots = [([names[c - 1] for c in r], w) for r, w in grouped.items()]
    t2 = time.perf_counter()
    result = calculate_scottish_stv(tuple(names), ballots, seats)
    elected = list(result)
t3 = time.perf_counter()
print(json.dumps({"package": package, "version": importlib.metadata.version(package), "read": t1 - t0,
                  "build": t2 - t1, "count": t3 - t2, "elected": sorted(elected), "unique": len(grouped)}))
"""


def run_baseline(python: str, path: Path, package: str, timeout: float) -> dict:
    try:
        run = subprocess.run(
            [python, "-c", ADAPTER, str(path), package, str(SEATS)],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return {"package": package, "error": f"did not finish within {timeout:.0f} s"}
    except OSError as exc:
        return {"package": package, "error": f"cannot run {python}: {exc}"}
    if run.returncode != 0:
        last = (run.stderr.strip().splitlines() or ["(no message)"])[-1]
        return {"package": package, "error": last}
    return json.loads(run.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ballots", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--baseline-python", default="/tmp/stvbench-venv/bin/python")
    parser.add_argument("--packages", nargs="*", default=PACKAGES)
    parser.add_argument("--no-baselines", action="store_true")
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--keep", help="write the generated BLT file here and keep it")
    parser.add_argument("--wait-idle", type=float, default=15, help="seconds of idle CPUs to wait for (0: don't)")
    parser.add_argument("--max-wait", type=float, default=600, help="give up waiting for idle CPUs after this")
    args = parser.parse_args()

    python = platform.python_version()
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {python}, numpy {np.__version__}")
    start = time.perf_counter()
    ranks, names = generate(args.ballots, args.seed)
    lengths = (ranks >= 0).sum(axis=1)
    unique = len({row.tobytes() for row in ranks})
    print(
        f"ballots: {args.ballots:,} (seed {args.seed}), {CANDIDATES} candidates, {SEATS} seats; "
        f"{unique:,} different rankings; mean {lengths.mean():.2f} preferences "
        f"(generated in {time.perf_counter() - start:.1f} s)"
    )
    with tempfile.TemporaryDirectory(prefix="stvbench-") as tmp:
        path = Path(args.keep) if args.keep else Path(tmp) / "ballots.blt"
        write_blt(path, ranks, names)
        print(f"file: {path.stat().st_size / 1e6:.1f} MB BLT, one line per ballot")

        print(f"CPUs: {wait_for_idle(args.wait_idle, args.max_wait)}; load average {os.getloadavg()[0]:.2f}")
        parse_times, profile = timed(lambda: read_blt(path), args.repeat)
        count_times, result = timed(lambda: count_scottish_stv(profile), args.repeat)
        ours = {
            "parse": statistics.median(parse_times),
            "count": statistics.median(count_times),
            "parse_best": min(parse_times),
            "count_best": min(count_times),
        }
        ours["total"] = ours["parse"] + ours["count"]
        print(f"\nGroundgame scottish-stv ({len(result.stages)} stages, quota {result.quota}):")
        print(f"  parse  median {ours['parse']:.3f} s  (best {ours['parse_best']:.3f} s of {args.repeat})")
        print(f"  count  median {ours['count']:.3f} s  (best {ours['count_best']:.3f} s of {args.repeat})")
        print(f"  parse + count  {ours['total']:.3f} s")
        print(f"  elected: {', '.join(result.elected)}")
        print(f"  count under 1 s: {'yes' if ours['count'] < 1 else 'NO'}")

        if args.no_baselines:
            return 0
        print(f"\nBaselines ({args.baseline_python}), one run each on the same file:")
        print(
            f"  {'package':<12} {'version':<9} {'read':>7} {'build':>8} {'count':>8} {'build+count':>12} "
            f"{'x ours':>7} {'all':>8} {'x ours':>7}  elected same?"
        )
        ours_elected = sorted(result.elected)
        slower_everywhere = True
        for package in args.packages:
            wait_for_idle(args.wait_idle, args.max_wait)
            figures = run_baseline(args.baseline_python, path, package, args.timeout)
            if "error" in figures:
                print(f"  {package:<12} failed: {figures['error']}")
                continue
            build_count = figures["build"] + figures["count"]
            everything = figures["read"] + build_count
            slower_everywhere &= build_count > ours["total"]
            same = "yes" if figures["elected"] == ours_elected else f"no: {', '.join(figures['elected'])}"
            print(
                f"  {package:<12} {figures['version']:<9} {figures['read']:>6.2f}s {figures['build']:>7.2f}s "
                f"{figures['count']:>7.2f}s {build_count:>11.2f}s {build_count / ours['total']:>6.1f}x "
                f"{everything:>7.2f}s {everything / ours['total']:>6.1f}x  {same}"
            )
        print(f"\nparse + count faster than every baseline's build + count: {'yes' if slower_everywhere else 'NO'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
