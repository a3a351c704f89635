"""BLT ballot files (the ERS/OpenSTV/Hill format used by the Scottish councils' published ballot data).

    10 4                  <candidates> <seats>  [-k ... withdrawn candidates, here or on the next line]
    -3                    optional: withdrawn candidates as negative numbers
    126 1 0               <weight> <first> <second> ... 0   (one line per ballot or group of identical ballots)
    10 1 2 3 0
    0                     end of ballots
    "Yvonne ALLAN (Lab)"  candidate names, one per line, quoted or plain (several quoted names may share a line)
    ...
    "Torry/Ferryhill"     the election title

Errors name the line: a bad header, a preference for a candidate who does not exist, a candidate ranked twice,
a ballot line that does not end in 0, a file cut off before the end of the ballots or of the names.
Canonically written files take a vectorised path (numpy) that checks the same things; anything it is unsure of
(odd spacing, CRLF, blank lines, any error) goes to the line-by-line parser, which is the reference and names the
line at fault.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from .ballots import BallotFileError, Profile

_TERMINATOR = re.compile(r"^[ \t]*0[ \t]*\r?$", re.MULTILINE)
_NUMERIC_SECTION = re.compile(r"[0-9 \t\r\n]*")
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')


def read_blt(path: str | Path) -> Profile:
    """Parse the BLT file at `path`."""
    return parse_blt(Path(path).read_bytes(), source=str(path))


def parse_blt(data: str | bytes, *, source: str | None = None) -> Profile:
    """Parse BLT text (str or UTF-8 bytes). Raises BallotFileError naming the line at fault."""
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data.removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise BallotFileError(f"not UTF-8 text ({exc.reason})", source=source) from None
    return _Parser(text, source).parse()


class _Parser:
    def __init__(self, text: str, source: str | None) -> None:
        self.text = text
        self.source = source
        self._lines: list[str] | None = None

    @property
    def lines(self) -> list[str]:
        """Every line of the file (split only when the line-by-line path needs them)."""
        if self._lines is None:
            self._lines = self.text.split("\n")
        return self._lines

    def error(self, message: str, line: int | None) -> BallotFileError:
        return BallotFileError(message, line=line, source=self.source)

    def parse(self) -> Profile:
        n, seats, withdrawn, first, first_offset = self._header()
        fast = self._fast_ballots(n, first, first_offset)
        if fast is not None:
            ranks, weights, blank, end, end_offset = fast
        else:
            end, end_offset = self._terminator(n, first)
            ranks, weights, blank = self._ballots(n, first, end)
        names, title = self._names(n, end, end_offset)
        if len(set(names)) != len(names):
            duplicate = next(name for name in names if names.count(name) > 1)
            raise self.error(f"candidate name {duplicate!r} appears twice", None)
        return Profile(
            candidates=tuple(names),
            ranks=ranks,
            weights=weights,
            seats=seats,
            title=title,
            withdrawn=frozenset(withdrawn),
            blank=blank,
        )

    def _line(self, offset: int) -> tuple[str, int]:
        """The line starting at `offset`, and the offset of the next line (-1 at the end of the text)."""
        stop = self.text.find("\n", offset)
        if stop < 0:
            return self.text[offset:], -1
        return self.text[offset:stop], stop + 1

    # -- header -----------------------------------------------------------------------------------------
    def _header(self) -> tuple[int, int, set[int], int, int]:
        """(candidates, seats, withdrawn, index and offset of the first ballot line)."""
        index, offset = 0, 0
        line, following = self._line(offset)
        while not line.strip() and following >= 0:
            index, offset = index + 1, following
            line, following = self._line(offset)
        if not line.strip():
            raise self.error("empty file: expected a header line '<candidates> <seats>'", 1)
        lineno = index + 1
        tokens = line.split()
        if len(tokens) < 2 or not all(_is_int(t) for t in tokens):
            raise self.error(f"bad header {line.strip()!r}: expected '<candidates> <seats>'", lineno)
        n, seats = int(tokens[0]), int(tokens[1])
        if n < 1:
            raise self.error(f"bad header: {n} candidates", lineno)
        if seats < 1:
            raise self.error(f"bad header: {seats} seats", lineno)
        if seats > n:
            raise self.error(f"bad header: {seats} seats but only {n} candidates", lineno)
        withdrawn: set[int] = set()
        self._withdrawn(tokens[2:], n, lineno, withdrawn)
        index, offset = index + 1, following
        while offset >= 0:
            line, following = self._line(offset)
            if not line.strip().startswith("-"):
                break
            self._withdrawn(line.split(), n, index + 1, withdrawn)
            index, offset = index + 1, following
        return n, seats, withdrawn, index, len(self.text) if offset < 0 else offset

    def _withdrawn(self, tokens: list[str], n: int, lineno: int, withdrawn: set[int]) -> None:
        for token in tokens:
            if not _is_int(token) or int(token) >= 0:
                raise self.error(f"expected withdrawn candidates as negative numbers, found {token!r}", lineno)
            candidate = -int(token)
            if candidate > n:
                raise self.error(f"withdrawn candidate {candidate} does not exist (there are {n})", lineno)
            withdrawn.add(candidate - 1)

    # -- ballots ----------------------------------------------------------------------------------------
    def _eof_line(self) -> int:
        """The line number just past the end of the file (where a truncated file's missing text would be)."""
        lines = self.text.count("\n") + 1
        return lines if self.text.endswith("\n") else lines + 1

    def _terminator(self, n: int, first: int) -> tuple[int, int]:
        """(line index, character offset) of the '0' line that ends the ballots."""
        start = sum(len(line) + 1 for line in self.lines[:first])
        match = _TERMINATOR.search(self.text, start)
        if match is None:
            self._ballots(n, first, len(self.lines))  # names a cut-off ballot line, if there is one
            raise self.error("the file ends before the '0' line that closes the ballots (truncated?)", self._eof_line())
        return self.text.count("\n", 0, match.start()), match.start()

    def _fast_ballots(self, n: int, first: int, start: int):
        """Vectorised parse of canonically written ballot lines ("<weight> <prefs> 0", single spaces, LF).

        Returns (ranks, weights, blank, terminator line index, terminator offset), or None whenever the
        line-by-line parser must look (anything unusual, or an error to report with its line)."""
        marker = self.text.find("\n0\n", max(start - 1, 0))
        if marker < 0:
            return None
        end_offset = marker + 1
        section = self.text[start:end_offset]
        lines = section.count("\n")
        # Every line must end with its own " 0" token and hold no other 0: then rows are exactly lines.
        if lines == 0 or section.count(" 0\n") != lines or not _NUMERIC_SECTION.fullmatch(section):
            return None
        tokens = np.fromstring(section, dtype=np.int64, sep=" ")
        zeros = np.flatnonzero(tokens == 0)
        if len(zeros) != lines or tokens[-1] != 0:
            return None
        starts = np.empty(lines, dtype=np.int64)
        starts[0] = 0
        starts[1:] = zeros[:-1] + 1
        lengths = zeros - starts - 1
        weights = tokens[starts]
        if np.any(lengths < 0) or np.any(weights <= 0):
            return None
        is_pref = np.ones(len(tokens), dtype=bool)
        is_pref[starts] = False
        is_pref[zeros] = False
        prefs = tokens[is_pref]
        if prefs.size and (prefs.min() < 1 or prefs.max() > n):
            return None
        # Scatter the preferences into a (lines x width) matrix padded with -1.
        width = int(lengths.max())
        first_pref = np.cumsum(lengths) - lengths
        row = np.repeat(np.arange(lines, dtype=np.int64), lengths)
        column = np.arange(len(prefs), dtype=np.int64) - np.repeat(first_pref, lengths)
        ranks = np.full((lines, width), -1, dtype=np.int16 if n < 2**15 - 1 else np.int32)
        ranks.reshape(-1)[row * width + column] = prefs - 1
        if prefs.size and _has_duplicates(prefs, first_pref[lengths > 0], ranks):
            return None
        blank = int(weights[lengths == 0].sum())
        keep = lengths > 0
        if not keep.all():
            ranks, weights = ranks[keep], weights[keep]
        return ranks, weights.astype(np.int64), blank, first + lines, end_offset

    def _ballots(self, n: int, first: int, end: int) -> tuple[np.ndarray, np.ndarray, int]:
        rows: list[list[int]] = []
        weights: list[int] = []
        blank = 0
        for index in range(first, end):
            lineno = index + 1
            tokens = self.lines[index].split()
            if not tokens:
                continue
            for token in tokens:
                if not _is_int(token):
                    if "=" in token:
                        raise self.error(f"equal rankings ({token!r}) are not supported in BLT files", lineno)
                    raise self.error(f"expected whole numbers on a ballot line, found {token!r}", lineno)
            values = [int(t) for t in tokens]
            weight, prefs = values[0], values[1:]
            if weight <= 0:
                raise self.error(f"ballot weight must be a positive whole number, found {weight}", lineno)
            if not prefs or prefs[-1] != 0:
                raise self.error("ballot line does not end with 0 (truncated?)", lineno)
            prefs = prefs[:-1]
            seen: set[int] = set()
            for candidate in prefs:
                if candidate == 0:
                    raise self.error("0 in the middle of a ballot line", lineno)
                if candidate < 0 or candidate > n:
                    raise self.error(
                        f"preference for candidate {candidate}, who does not exist (there are {n})", lineno
                    )
                if candidate in seen:
                    raise self.error(f"candidate {candidate} is ranked twice on one ballot", lineno)
                seen.add(candidate)
            if not prefs:
                blank += weight
                continue
            rows.append([c - 1 for c in prefs])
            weights.append(weight)
        width = max((len(r) for r in rows), default=0)
        ranks = np.full((len(rows), width), -1, dtype=np.int16 if n < 2**15 - 1 else np.int32)
        for i, row in enumerate(rows):
            ranks[i, : len(row)] = row
        return ranks, np.array(weights, dtype=np.int64), blank

    # -- names and title --------------------------------------------------------------------------------
    def _names(self, n: int, end: int, end_offset: int) -> tuple[list[str], str]:
        """Candidate names and title, from the lines after the '0' line (line index `end`, at `end_offset`)."""
        items: list[str] = []
        rest = self.text[end_offset:].split("\n")[1:]
        for lineno, raw in enumerate(rest, start=end + 2):
            line = raw.strip()
            if not line:
                continue
            if line.startswith('"'):
                found = _QUOTED.findall(line)
                leftover = _QUOTED.sub("", line).strip()
                if not found or leftover:
                    raise self.error(f"unbalanced quotes in {line!r}", lineno)
                values = [value.replace('\\"', '"').replace("\\\\", "\\") for value in found]
            else:
                values = [line]
            for value in values:
                if len(items) > n:
                    raise self.error(f"unexpected text after the title: {value!r}", lineno)
                items.append(value)
        if len(items) < n:
            raise self.error(
                f"expected {n} candidate names after the ballots, found {len(items)} (truncated?)", self._eof_line()
            )
        names = items[:n]
        for position, name in enumerate(names, start=1):
            if not name.strip():
                raise self.error(f"candidate {position} has an empty name", None)
        return names, items[n] if len(items) > n else ""


def _has_duplicates(prefs: np.ndarray, row_starts: np.ndarray, ranks: np.ndarray) -> bool:
    """Does any ballot rank a candidate twice? With up to 62 candidates: OR and SUM of one bit per preference
    differ exactly when a bit repeats; beyond that, sort each row."""
    if int(prefs.max()) <= 62:
        bits = np.left_shift(np.int64(1), prefs)
        return bool(np.any(np.bitwise_or.reduceat(bits, row_starts) != np.add.reduceat(bits, row_starts)))
    ordered = np.sort(ranks, axis=1)
    return bool(np.any((ordered[:, 1:] == ordered[:, :-1]) & (ordered[:, 1:] >= 0)))


_INTEGER = re.compile(r"[+-]?[0-9]+")


def _is_int(token: str) -> bool:
    return _INTEGER.fullmatch(token) is not None
