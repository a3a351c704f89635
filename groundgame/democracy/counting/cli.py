"""`groundgame count FILE --method scottish-stv|meek|irv|schulze|approval [--seats N] [--json]`.

Exit status: 0 counted; 2 the ballot file or the arguments are wrong (the message names the file and line);
the same status argparse uses for a bad command line. Needs no database and no Django settings.
"""

from __future__ import annotations

import argparse
import sys

from . import METHODS, count, parse_ballots, read_ballots
from .ballots import BallotFileError, CountError

EXIT_BAD_INPUT = 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="groundgame count",
        description="Count a ballot file (BLT, or PrefLib SOI/TOI/SOC/TOC) and print the result and every stage.",
    )
    parser.add_argument("file", metavar="FILE", help="the ballot file ('-' reads standard input)")
    parser.add_argument("--method", required=True, choices=list(METHODS))
    parser.add_argument("--seats", type=int, help="seats to fill (default: the BLT header; 1 for PrefLib files)")
    parser.add_argument("--json", action="store_true", help="print the transcript as JSON instead of a table")
    parser.add_argument("--format", choices=["auto", "blt", "preflib"], default="auto", help="default: auto")
    parser.add_argument("--seed", help="seed for drawing lots (default: derived from the ballots; always logged)")
    args = parser.parse_args(argv)
    if args.seats is not None and args.seats < 1:
        parser.error("--seats must be at least 1")
    try:
        if args.file == "-":
            profile = parse_ballots(sys.stdin.buffer.read(), format=args.format, source="<stdin>")
        else:
            profile = read_ballots(args.file, format=args.format)
        result = count(profile, args.method, args.seats, seed=args.seed)
    except BallotFileError as exc:
        print(f"groundgame count: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except CountError as exc:
        print(f"groundgame count: error: {args.file}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:
        print(f"groundgame count: error: {exc.strerror or exc}: {args.file}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.json:
        print(result.to_json())
        for entry in result.log:
            print(f"note: {entry}", file=sys.stderr)
    else:
        if profile.title:
            print(profile.title)
        print(result.to_table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
