"""Counting library for member ballots: Scottish STV, Meek STV, instant-runoff, Schulze and approval.

Plain Python and numpy, no Django: the same code counts inside the app and on anyone's machine
(`groundgame count FILE --method ...`). Read a ballot file with `read_ballots`, count it with `count`:

    profile = read_ballots("ward12.blt")
    result = count(profile, "scottish-stv")
    print(result.to_json())
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .approval import count_approval
from .ballots import BallotFileError, CountError, Profile
from .blt import parse_blt, read_blt
from .irv import count_irv
from .meek import count_meek
from .preflib import parse_preflib, read_preflib
from .result import CountResult, Stage
from .schulze import count_schulze
from .scottish_stv import count_scottish_stv

METHODS: dict[str, Callable[..., CountResult]] = {
    "scottish-stv": count_scottish_stv,
    "meek": count_meek,
    "irv": count_irv,
    "schulze": count_schulze,
    "approval": count_approval,
}

PREFLIB_SUFFIXES = {".soi", ".toi", ".soc", ".toc"}


def count(profile: Profile, method: str, seats: int | None = None, *, seed: str | None = None) -> CountResult:
    """Count `profile` by `method` (one of METHODS). Raises CountError when the method cannot count it."""
    try:
        counter = METHODS[method]
    except KeyError:
        raise CountError(f"unknown method {method!r}: choose from {', '.join(METHODS)}") from None
    return counter(profile, seats, seed=seed)


def parse_ballots(data: str | bytes, *, format: str = "auto", source: str | None = None) -> Profile:  # noqa: A002
    """Parse ballot text: BLT, or PrefLib (recognised by its '# ' header lines) when `format` is "auto"."""
    if format == "auto":
        head = data[:200].lstrip()
        format = "preflib" if head.startswith(b"#" if isinstance(head, bytes) else "#") else "blt"
    if format == "blt":
        return parse_blt(data, source=source)
    if format == "preflib":
        return parse_preflib(data, source=source)
    raise ValueError(f"unknown ballot file format {format!r}")


def read_ballots(path: str | Path, *, format: str = "auto") -> Profile:  # noqa: A002
    """Read a ballot file; with format "auto", .soi/.toi/.soc/.toc files are PrefLib, anything else is sniffed."""
    path = Path(path)
    if format == "auto" and path.suffix.lower() in PREFLIB_SUFFIXES:
        format = "preflib"
    if format == "auto" and path.suffix.lower() == ".blt":
        format = "blt"
    return parse_ballots(path.read_bytes(), format=format, source=str(path))


__all__ = [
    "METHODS",
    "BallotFileError",
    "CountError",
    "CountResult",
    "Profile",
    "Stage",
    "count",
    "count_approval",
    "count_irv",
    "count_meek",
    "count_schulze",
    "count_scottish_stv",
    "parse_ballots",
    "parse_blt",
    "parse_preflib",
    "read_ballots",
    "read_blt",
    "read_preflib",
]
