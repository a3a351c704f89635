"""Benchmark of the opinion map (issue 8): a full recompute on 10,000 participants x 1,000 statements (800,000
votes) against red-dwarf on the same votes, and agreement with Pol.is's own groups on two real conversations.

    GROUNDGAME_DATA_DIR=../shared/data .venv/bin/python bench/opinion_map.py             # ours and red-dwarf
    GROUNDGAME_DATA_DIR=../shared/data .venv/bin/python bench/opinion_map.py --no-baseline

red-dwarf is the `bench` extra (`pip install -e '.[bench]'`). Each run happens in a fresh subprocess that reports
its own peak resident memory (VmHWM in /proc/self/status, else `getrusage` ru_maxrss: the whole process, interpreter,
libraries, the votes and the computation), so the two are measured alike.

1. Synthetic votes, deterministic (numpy, --seed): 4 opinion camps of different sizes; each statement has a
   position on two hidden axes and each camp a centre on them, so a camp's probability of agreeing with a statement
   follows from how close they are, with 15% passes. Participants vote on 10 to 150 statements (800,000 in all),
   favouring older statements, with a timestamp each. The votes are written to a temporary .npz.
2. Ours: `from_arrays` (last vote wins) + `opinion_map` (PCA, base clusters, groups by silhouette, repness,
   consensus), best of --repeat runs, and the agreement (adjusted Rand index) of its groups with the planted camps.
3. red-dwarf `run_pipeline` on the same votes (a list of vote dicts, its input format, built before the clock
   starts; `random_state` fixed), once, and the agreement of its groups with the planted camps.
4. Real data: both on GROUNDGAME_DATA_DIR/opinion/polis/{brexit-consensus, 15-per-hour-seattle}: number of groups,
   adjusted Rand index against Pol.is's group ids over the participants both placed.

Before timing ours and red-dwarf it waits (up to --max-wait) for the CPUs to have been 90% idle for --wait-idle
seconds, and says whether they were (bench/stv_count.py's check).

Targets (issue 8): ours under 3 s with peak memory under 1 GB; ARI above red-dwarf's on the real conversations.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from stv_count import wait_for_idle  # bench/ is the script directory, so on sys.path

PARTICIPANTS, STATEMENTS, VOTES = 10_000, 1_000, 800_000
CAMP_SHARES = [0.4, 0.3, 0.2, 0.1]
CONVERSATIONS = ["brexit-consensus", "15-per-hour-seattle"]


def generate(seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    camp = rng.choice(len(CAMP_SHARES), size=PARTICIPANTS, p=CAMP_SHARES)
    centres = np.array([[1.5, 0.0], [-1.5, 0.3], [0.0, 1.5], [0.2, -1.5]])
    positions = centres[camp] + rng.normal(0, 0.4, (PARTICIPANTS, 2))
    statement_axes = rng.normal(0, 1, (STATEMENTS, 2))
    counts = rng.integers(10, 151, PARTICIPANTS)
    while counts.sum() != VOTES:  # nudge random participants until the total is exact
        i = rng.integers(PARTICIPANTS)
        step = 1 if counts.sum() < VOTES else -1
        if 10 <= counts[i] + step <= 150:
            counts[i] += step
    popularity = np.linspace(2.0, 1.0, STATEMENTS)  # older statements are seen by more people
    keys = rng.gumbel(size=(PARTICIPANTS, STATEMENTS)) + np.log(popularity)[None, :]
    order = np.argsort(-keys, axis=1)
    chosen = np.arange(STATEMENTS)[None, :] < counts[:, None]
    participant = np.broadcast_to(np.arange(PARTICIPANTS)[:, None], order.shape)[chosen]
    statement = order[chosen]
    affinity = (positions[participant] * statement_axes[statement]).sum(1)
    p_agree = 1 / (1 + np.exp(-3.0 * affinity))
    draw = rng.random(len(statement))
    passed = rng.random(len(statement)) < 0.15
    value = np.where(passed, 0, np.where(draw < p_agree, 1, -1)).astype(np.int8)
    timestamp = 1_700_000_000_000 + rng.integers(0, 30 * 86_400_000, len(statement))
    return {
        "participant": participant.astype(np.int64),
        "statement": statement.astype(np.int64),
        "vote": value,
        "timestamp": timestamp.astype(np.int64),
        "camp": camp,
    }


OURS = r"""
import json, resource, sys, time
def peak_kib():
    # VmHWM: this process's own peak resident set; ru_maxrss would also count the parent's size at fork
    # (Linux keeps it across exec).
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

import numpy as np
from groundgame.listening.opinion import adjusted_rand_index, from_arrays, opinion_map
data = np.load(sys.argv[1])
repeat = int(sys.argv[2])
p, s, v, t, camp = (data[k] for k in ("participant", "statement", "vote", "timestamp", "camp"))
before = peak_kib()
times = []
for _ in range(repeat):
    start = time.perf_counter()
    result = opinion_map(from_arrays(p, s, v, timestamps=t), seed=0)
    times.append(time.perf_counter() - start)
placed = result.group_of >= 0
ari = adjusted_rand_index(camp[result.participant_ids[placed]], result.group_of[placed])
print(json.dumps({"times": times, "groups": result.group_count, "placed": int(placed.sum()), "ari": ari,
                  "rss_before_kib": before, "rss_peak_kib": peak_kib()}))
"""

RED_DWARF = r"""
import json, resource, sys, time, warnings
def peak_kib():
    # VmHWM: this process's own peak resident set; ru_maxrss would also count the parent's size at fork
    # (Linux keeps it across exec).
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

warnings.filterwarnings("ignore")
import numpy as np
from reddwarf.implementations.base import run_pipeline
from groundgame.listening.opinion import adjusted_rand_index
data = np.load(sys.argv[1])
p, s, v, t, camp = (data[k] for k in ("participant", "statement", "vote", "timestamp", "camp"))
votes = [{"participant_id": int(a), "statement_id": int(b), "vote": int(c), "modified": int(d)}
         for a, b, c, d in zip(p.tolist(), s.tolist(), v.tolist(), t.tolist())]
before = peak_kib()
start = time.perf_counter()
result = run_pipeline(votes=votes, random_state=0)
elapsed = time.perf_counter() - start
labels = result.participants_df["cluster_id"].dropna()
ari = adjusted_rand_index(camp[labels.index.to_numpy(dtype=np.int64)], labels.to_numpy(dtype=np.int64))
print(json.dumps({"times": [elapsed], "groups": int(labels.nunique()), "placed": int(len(labels)), "ari": ari,
                  "rss_before_kib": before, "rss_peak_kib": peak_kib()}))
"""

RED_DWARF_REAL = r"""
import json, sys, warnings
warnings.filterwarnings("ignore")
from reddwarf.implementations.base import run_pipeline
from groundgame.listening.opinion import read_polis_export
export = read_polis_export(sys.argv[1])
table = export.votes(include_moderated_out=True)  # red-dwarf wants one vote per cell: the last one, as for ours
votes = [{"participant_id": int(table.participant_ids[r]), "statement_id": int(table.statement_ids[c]),
          "vote": int(v), "modified": 0} for r, c, v in zip(table.rows, table.cols, table.values)]
result = run_pipeline(votes=votes, mod_out_statement_ids=sorted(export.moderated_out), random_state=0)
labels = result.participants_df["cluster_id"].dropna()
print(json.dumps({str(int(k)): int(g) for k, g in labels.items()}))
"""


def run(code: str, *args: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    completed = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=False
    )
    if completed.returncode != 0:
        raise RuntimeError(completed.stderr.strip().splitlines()[-1] if completed.stderr.strip() else "failed")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def polis_groups(path: Path) -> dict[int, int]:
    with open(path / "participants-votes.csv", newline="", encoding="utf-8") as handle:
        return {int(r["participant"]): int(r["group-id"]) for r in csv.DictReader(handle) if r["group-id"] != ""}


def ari_against(polis: dict[int, int], groups: dict[int, int]) -> tuple[float, int]:
    from groundgame.listening.opinion import adjusted_rand_index

    both = sorted(set(polis) & set(groups))
    return adjusted_rand_index([polis[p] for p in both], [groups[p] for p in both]), len(both)


def mib(kib: int) -> str:
    return f"{kib / 1024:,.0f} MiB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-baseline", action="store_true", help="skip red-dwarf")
    parser.add_argument("--wait-idle", type=float, default=5.0, help="seconds of 90%% idle CPUs wanted before each run")
    parser.add_argument("--max-wait", type=float, default=120.0, help="give up waiting for idle CPUs after this")
    args = parser.parse_args()

    print(f"Opinion map benchmark, {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC")
    print(f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    start = time.perf_counter()
    data = generate(args.seed)
    print(
        f"Synthetic: {PARTICIPANTS:,} participants x {STATEMENTS:,} statements, {len(data['vote']):,} votes, "
        f"camps {np.bincount(data['camp']).tolist()} (generated in {time.perf_counter() - start:.1f} s)"
    )
    ok = True
    with tempfile.TemporaryDirectory() as scratch:
        path = str(Path(scratch) / "votes.npz")
        np.savez(path, **data)
        print(f"CPUs before ours: {wait_for_idle(args.wait_idle, args.max_wait)}")
        ours = run(OURS, path, str(args.repeat))
        best, median = min(ours["times"]), sorted(ours["times"])[len(ours["times"]) // 2]
        print(
            f"\nOurs:      full recompute best {best:.2f} s, median {median:.2f} s"
            f" of {args.repeat}; peak RSS {mib(ours['rss_peak_kib'])} (before computing {mib(ours['rss_before_kib'])});"
            f" {ours['groups']} groups, {ours['placed']:,} placed, ARI vs planted camps {ours['ari']:.3f}"
        )
        target = best < 3.0 and ours["rss_peak_kib"] < 1024 * 1024
        ok &= target
        print(f"           target under 3 s and under 1 GB: {'met' if target else 'NOT met'}")
        if not args.no_baseline:
            try:
                print(f"CPUs before red-dwarf: {wait_for_idle(args.wait_idle, args.max_wait)}")
                red = run(RED_DWARF, path)
                print(
                    f"red-dwarf: run_pipeline {red['times'][0]:.2f} s; peak RSS {mib(red['rss_peak_kib'])}"
                    f" (before computing {mib(red['rss_before_kib'])}, its list of vote dicts included);"
                    f" {red['groups']} groups, {red['placed']:,} placed, ARI vs planted camps {red['ari']:.3f}"
                )
                print(
                    f"           ratio: {red['times'][0] / best:.1f}x the time, "
                    f"{red['rss_peak_kib'] / ours['rss_peak_kib']:.1f}x the peak memory"
                )
            except (RuntimeError, ImportError) as exc:
                print(f"red-dwarf: not run ({exc}); install the bench extra: pip install -e '.[bench]'")

    data_dir = os.environ.get("GROUNDGAME_DATA_DIR")
    if not data_dir:
        print("\nGROUNDGAME_DATA_DIR is not set: skipping the real conversations")
        return 0 if ok else 1
    from groundgame.listening.opinion import opinion_map, read_polis_export

    print("\nAgreement with Pol.is's own groups (adjusted Rand index over the participants both placed):")
    for name in CONVERSATIONS:
        folder = Path(data_dir) / "opinion" / "polis" / name
        polis = polis_groups(folder)
        result = opinion_map(read_polis_export(folder).votes())
        ari, n = ari_against(polis, result.groups())
        line = f"  {name:22s} Pol.is {len(set(polis.values()))} groups"
        line += f" | ours {result.group_count} groups ARI {ari:.3f} ({n})"
        if not args.no_baseline:
            try:
                red = {int(k): g for k, g in run(RED_DWARF_REAL, str(folder)).items()}
                red_ari, red_n = ari_against(polis, red)
                line += f" | red-dwarf {len(set(red.values()))} groups ARI {red_ari:.3f} ({red_n})"
                ok &= ari > red_ari
            except RuntimeError as exc:
                line += f" | red-dwarf failed: {exc}"
        print(line)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
