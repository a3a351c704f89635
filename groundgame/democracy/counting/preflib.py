"""PrefLib ordinal preference files (the 2022 format): SOI, TOI, SOC, TOC.

    # DATA TYPE: soi
    # NUMBER ALTERNATIVES: 4
    # NUMBER VOTERS: 475
    # NUMBER UNIQUE ORDERS: 41
    # ALTERNATIVE NAME 1: Branden Robinson
    ...
    60: 3,1,2,4            <count>: <alternatives in order of preference>
    12: 1,{2,3},4          TOI/TOC only: alternatives in braces are ranked equal

SOI/TOI may leave alternatives out (ranked below every listed one); SOC/TOC must list them all. Errors name the
line: a bad header, an alternative that does not exist, one listed twice, braces in a strict-order file, counts
that do not add up to NUMBER VOTERS or fewer lines than NUMBER UNIQUE ORDERS (truncated).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from .ballots import BallotFileError, Profile

_HEADER = re.compile(r"#\s*([A-Z][A-Z0-9 ]*?)\s*:(.*)")
_ALTERNATIVE = re.compile(r"ALTERNATIVE NAME (\d+)")
_DATA_TYPES = {"soi", "toi", "soc", "toc"}


def read_preflib(path: str | Path) -> Profile:
    """Parse the PrefLib file at `path`."""
    return parse_preflib(Path(path).read_bytes(), source=str(path))


def parse_preflib(data: str | bytes, *, source: str | None = None) -> Profile:
    """Parse PrefLib SOI/TOI/SOC/TOC text. Raises BallotFileError naming the line at fault."""

    def error(message: str, line: int | None) -> BallotFileError:
        return BallotFileError(message, line=line, source=source)

    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data.removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise BallotFileError(f"not UTF-8 text ({exc.reason})", source=source) from None
    lines = text.split("\n")
    header: dict[str, tuple[str, int]] = {}
    names: dict[int, str] = {}
    orders: list[tuple[int, str, int]] = []  # (count, order text, line number)
    for lineno, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if orders:
                raise error("header line after the preference orders", lineno)
            match = _HEADER.fullmatch(line)
            if not match:
                raise error(f"bad header line {line!r}: expected '# KEY: value'", lineno)
            key, value = match.group(1), match.group(2).strip()
            alternative = _ALTERNATIVE.fullmatch(key)
            if alternative:
                names[int(alternative.group(1))] = value
            else:
                header[key] = (value, lineno)
            continue
        count, colon, order = line.partition(":")
        if not colon or not count.strip().isascii() or not count.strip().isdigit():
            raise error(f"expected '<count>: <order>', found {line!r}", lineno)
        orders.append((int(count), order.strip(), lineno))

    def number(key: str, *, required: bool) -> int | None:
        if key not in header:
            if required:
                raise error(f"missing header '# {key}: ...'", 1)
            return None
        value, lineno = header[key]
        if not value.isascii() or not value.isdigit():
            raise error(f"header {key} must be a whole number, found {value!r}", lineno)
        return int(value)

    data_type = header.get("DATA TYPE", ("", 1))
    if data_type[0].lower() not in _DATA_TYPES:
        raise error(f"DATA TYPE must be one of soi, toi, soc, toc (found {data_type[0]!r})", data_type[1])
    kind = data_type[0].lower()
    n = number("NUMBER ALTERNATIVES", required=True)
    assert n is not None
    if n < 1:
        raise error("NUMBER ALTERNATIVES must be at least 1", header["NUMBER ALTERNATIVES"][1])
    for key in names:
        if not 1 <= key <= n:
            raise error(f"ALTERNATIVE NAME {key} is outside 1..{n}", None)
    candidates = tuple(names.get(i, f"Alternative {i}") for i in range(1, n + 1))

    rows: list[list[int]] = []
    levels: list[list[int]] = []
    weights: list[int] = []
    for count, order, lineno in orders:
        if count <= 0:
            raise error("the count of a preference order must be positive", lineno)
        row, level = _order(order, n, kind, lineno, error)
        rows.append(row)
        levels.append(level)
        weights.append(count)

    voters = number("NUMBER VOTERS", required=False)
    unique = number("NUMBER UNIQUE ORDERS", required=False)
    last = orders[-1][2] if orders else max((ln for _, ln in header.values()), default=0)
    if unique is not None and len(orders) < unique:
        raise error(f"NUMBER UNIQUE ORDERS says {unique} but the file has {len(orders)} (truncated?)", last + 1)
    if unique is not None and len(orders) > unique:
        raise error(f"more preference orders than NUMBER UNIQUE ORDERS ({unique})", orders[unique][2])
    if voters is not None and sum(weights) != voters:
        raise error(
            f"the counts add up to {sum(weights)} but NUMBER VOTERS says {voters} (truncated?)",
            header["NUMBER VOTERS"][1],
        )

    width = max((len(r) for r in rows), default=0)
    ranks = np.full((len(rows), width), -1, dtype=np.int32)
    level_array = np.full((len(rows), width), -1, dtype=np.int32)
    for i, (row, level) in enumerate(zip(rows, levels, strict=True)):
        ranks[i, : len(row)] = row
        level_array[i, : len(level)] = level
    title = header.get("TITLE", ("", 0))[0]
    return Profile(
        candidates=candidates,
        ranks=ranks,
        weights=np.array(weights, dtype=np.int64),
        levels=level_array if kind in {"toi", "toc"} else None,
        title=title,
    )


def _order(order: str, n: int, kind: str, lineno: int, error) -> tuple[list[int], list[int]]:
    """Parse '3,{1,2},4' into candidate indices and their rank levels (equal level = tied)."""
    row: list[int] = []
    level: list[int] = []
    for position, group in enumerate(re.findall(r"\{[^{}]*\}|[^,{}]+|[{}]", order)):
        group = group.strip()
        if group in {"{", "}"}:
            raise error(f"unbalanced braces in {order!r}", lineno)
        tied = group.startswith("{")
        if tied and kind in {"soi", "soc"}:
            raise error(f"equal rankings {group} in a strict-order ({kind.upper()}) file", lineno)
        members = group.strip("{}").split(",") if tied else [group]
        for member in members:
            member = member.strip()
            if not member.isascii() or not member.isdigit():
                raise error(f"expected an alternative number, found {member!r}", lineno)
            alternative = int(member)
            if not 1 <= alternative <= n:
                raise error(f"preference for alternative {alternative}, which does not exist (there are {n})", lineno)
            if alternative - 1 in row:
                raise error(f"alternative {alternative} is listed twice in one order", lineno)
            row.append(alternative - 1)
            level.append(position)
    if not row:
        raise error("empty preference order", lineno)
    if kind in {"soc", "toc"} and len(row) != n:
        raise error(f"a complete order ({kind.upper()}) must list all {n} alternatives", lineno)
    return row, level
