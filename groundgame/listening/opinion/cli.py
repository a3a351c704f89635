"""`groundgame opinion-map DIR [--json]`: the opinion map of a Pol.is export folder. Plain Python, no Django."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .maths import opinion_map
from .votes import read_polis_export


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="groundgame opinion-map",
        description="Opinion groups, representative statements and consensus of a Pol.is export folder "
        "(comments.csv and votes.csv; the last vote by timestamp wins; statements with moderated = -1 left out).",
    )
    parser.add_argument("directory", type=Path, help="a Pol.is export folder")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--seed", type=int, default=0, help="seed of the k-means starts (default 0)")
    args = parser.parse_args(argv)
    for name in ("comments.csv", "votes.csv"):
        if not (args.directory / name).is_file():
            print(f"Error: {args.directory / name} not found", file=sys.stderr)
            return 1
    try:
        export = read_polis_export(args.directory)
    except (KeyError, ValueError) as exc:
        print(f"Error: cannot read {args.directory}: {exc}", file=sys.stderr)
        return 1
    result = opinion_map(export.votes(), seed=args.seed)
    summary = result.summary()
    if args.json:
        print(json.dumps(summary))
        return 0
    print(f"{summary['participants']} participants, {len(summary['groups'])} placed in {result.group_count} groups")
    for group, ids in summary["repness"].items():
        size = sum(1 for g in summary["groups"].values() if str(g) == group)
        print(f"  group {group} ({size}): representative statements {', '.join(map(str, ids))}")
    print(f"  consensus: {', '.join(map(str, summary['consensus']))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
