"""Reading uploaded CSV files for the importers (members, electoral registers): streamed, line by line, with the
line number each row starts on, so errors can name it.

    with CsvReader(path, on_error, error=ImportFileError, hint=_("save the file as CSV UTF-8")) as reader:
        reader.header            # the first line's cells, cleaned
        for line, cells in reader.rows(): ...

A file that cannot be read at all (missing, empty, UTF-16, an unreadable header) raises `error`; an undecodable
line or a malformed row is passed to `on_error(line, message)` and reading goes on (the importers then refuse the
whole file, naming every such line).
"""

import csv
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from django.utils.translation import gettext as _

OnError = Callable[[int, str], None]


def _decoded_lines(handle, name: str, encoding: str, label: str, hint: str, on_error: OnError, error: type):
    """Decode the file line by line (a UTF-8 BOM is dropped); an undecodable line is reported and replaced."""
    for number, raw in enumerate(handle, start=1):
        if number == 1:
            if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
                raise error(_("%(file)s: the file is UTF-16; save it as CSV UTF-8") % {"file": name})
            if raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
        try:
            yield raw.decode(encoding)
        except UnicodeDecodeError as exc:
            on_error(
                number,
                _("not %(encoding)s (byte 0x%(byte)02X at position %(position)d); %(hint)s")
                % {"encoding": label, "byte": raw[exc.start], "position": exc.start + 1, "hint": hint},
            )
            yield raw.decode(encoding, errors="replace")


def sniff_delimiter(header_line: str, candidates: tuple[str, ...]) -> str:
    """The candidate the header line holds most of (a comma when it holds none)."""
    counts = {d: header_line.count(d) for d in candidates}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


class CsvReader:
    """Rows of a CSV file with the line number each starts on; `size` and `position` (bytes) give progress."""

    def __init__(
        self,
        path: Path | str,
        on_error: OnError,
        *,
        error: type[Exception],
        hint: str,
        encoding: str = "utf-8",
        encoding_label: str = "UTF-8",
        delimiters: tuple[str, ...] = (",", ";", "\t"),
        clean: Callable[[str], str] = str.strip,
    ):
        self.path = Path(path)
        self.on_error = on_error
        self.error, self.hint = error, hint
        self.encoding, self.encoding_label = encoding, encoding_label
        self.delimiters, self.clean = delimiters, clean
        self.handle = None

    def __enter__(self):
        try:
            self.handle = self.path.open("rb")
            self.size = os.fstat(self.handle.fileno()).st_size
        except OSError as exc:
            raise self.error(
                _("%(file)s: cannot open (%(error)s)") % {"file": self.path.name, "error": exc.strerror}
            ) from None
        try:
            return self._start()
        except BaseException:
            self.handle.close()
            raise

    def _start(self):
        name = self.path.name
        lines = _decoded_lines(
            self.handle, name, self.encoding, self.encoding_label, self.hint, self.on_error, self.error
        )
        first = next(lines, None)
        if first is None or not first.strip():
            raise self.error(_("%(file)s: the file is empty; the first line must name the columns") % {"file": name})
        self.delimiter = sniff_delimiter(first, self.delimiters)

        def chained():
            yield first
            yield from lines

        self.reader = csv.reader(chained(), delimiter=self.delimiter)
        try:
            self.header = [self.clean(c) for c in next(self.reader)]
        except csv.Error as exc:
            raise self.error(f"{name}, line 1: {exc}") from None
        return self

    def __exit__(self, *exc_info):
        self.handle.close()

    @property
    def position(self) -> int:
        return self.handle.tell()

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(line number, cells) of every row that is not blank; unreadable rows go to on_error."""
        reader = self.reader
        while True:
            start = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                self.on_error(start, _("unreadable CSV (%(error)s)") % {"error": exc})
                continue
            if not any(cell.strip() for cell in row):
                continue
            yield start, row
