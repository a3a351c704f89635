"""What every reference-data importer shares: errors that name the line and field, CSV reading,
typed fields, a summary of what changed, and a progress bar.

Importers validate while they stream and write inside one transaction (the caller's `atomic`), so a
bad row anywhere leaves the database as it was.
"""

import csv
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm


class DataFileError(Exception):
    """A reference-data file is unusable; the message names the file, line and field."""

    def __init__(self, path: Path | str, line: int | None, field_name: str | None, message: str):
        self.path, self.line, self.field, self.message = Path(path), line, field_name, message
        where = self.path.name
        if line is not None:
            where += f", line {line}"
        if field_name:
            where += f", field '{field_name}'"
        super().__init__(f"{where}: {message}")


@dataclass
class ImportSummary:
    """What an import changed; printed by the commands."""

    family: str
    path: Path
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)

    def __str__(self) -> str:
        text = (
            f"{self.family} from {self.path.name}: {self.rows} rows; {self.created} created, "
            f"{self.updated} updated, {self.deleted} deleted, {self.unchanged} unchanged"
        )
        return text + "".join(f"\n  warning: {w}" for w in self.warnings)


def normalise_header(name: str) -> str:
    """'ONS ID' -> 'ons_id', 'gss-code' -> 'gss_code', BOM stripped."""
    return re.sub(r"[^a-z0-9]+", "_", name.replace("\ufeff", "").strip().lower()).strip("_")


def progress(iterable, *, total: int | None = None, description: str = "", quiet: bool = False):
    return tqdm(iterable, total=total, desc=description, unit=" rows", disable=quiet or not sys.stderr.isatty())


@dataclass
class Row:
    """One CSV row with its line number and typed accessors that raise DataFileError."""

    path: Path
    line: int
    values: dict[str, str]

    def has(self, name: str) -> bool:
        return name in self.values

    def text(self, name: str, *, required: bool = True) -> str:
        value = (self.values.get(name) or "").strip()
        if required and not value:
            raise DataFileError(self.path, self.line, name, "is empty")
        return value

    def integer(self, name: str, *, required: bool = True, default: int | None = 0) -> int | None:
        raw = (self.values.get(name) or "").strip().replace(",", "")
        if not raw:
            if required:
                raise DataFileError(self.path, self.line, name, "is empty, expected a whole number")
            return default
        try:
            value = int(float(raw)) if re.fullmatch(r"-?\d+\.0*", raw) else int(raw)
        except ValueError:
            raise DataFileError(self.path, self.line, name, f"expected a whole number, found '{raw}'") from None
        if value < 0:
            raise DataFileError(self.path, self.line, name, f"expected a number >= 0, found '{raw}'")
        return value

    def number(self, name: str, *, required: bool = True, low: float | None = None, high: float | None = None):
        raw = (self.values.get(name) or "").strip()
        if not raw:
            if required:
                raise DataFileError(self.path, self.line, name, "is empty, expected a number")
            return None
        try:
            value = float(raw)
        except ValueError:
            raise DataFileError(self.path, self.line, name, f"expected a number, found '{raw}'") from None
        if (low is not None and value < low) or (high is not None and value > high):
            raise DataFileError(self.path, self.line, name, f"{value} is outside {low}..{high}")
        return value


def read_csv(
    path: Path, *, required: list[str], columns: list[str] | None = None, encoding: str = "utf-8-sig"
) -> Iterator[Row]:
    """Stream a CSV file as Rows with normalised column names.

    `columns` gives the names for a file without a header row. Raises DataFileError for missing
    columns, rows with the wrong number of fields (a truncated or shifted file) and bad encoding.
    """
    path = Path(path)
    try:
        handle = open(path, encoding=encoding, newline="")  # noqa: SIM115 (closed below)
    except OSError as exc:
        raise DataFileError(path, None, None, f"cannot be read ({exc.strerror})") from None
    with handle:
        reader = csv.reader(handle)
        try:
            if columns is None:
                header = next(reader, None)
                if not header:
                    raise DataFileError(path, 1, None, "the file is empty (expected a header row)")
                names = [normalise_header(h) for h in header]
            else:
                names = columns
            missing = [c for c in required if c not in names]
            if missing:
                raise DataFileError(path, 1, missing[0], f"missing column (the header has: {', '.join(names[:12])}...)")
            for values in reader:
                line = reader.line_num
                if not values or values == [""]:
                    continue
                if len(values) != len(names):
                    # Name the first missing field of a short (e.g. truncated) row; a long row has no such field.
                    first_missing = names[len(values)] if len(values) < len(names) else None
                    raise DataFileError(
                        path,
                        line,
                        first_missing,
                        f"expected {len(names)} fields, found {len(values)} (truncated or shifted?)",
                    )
                yield Row(path, line, dict(zip(names, values, strict=True)))
        except UnicodeDecodeError as exc:
            raise DataFileError(path, None, None, f"is not valid {encoding} text ({exc.reason})") from None
        except csv.Error as exc:
            raise DataFileError(path, reader.line_num, None, f"is not valid CSV ({exc})") from None


def sniff_headerless(path: Path, pattern: str) -> bool:
    """True when the first line starts with a value matching `pattern` (e.g. a GSS code), i.e. no header."""
    with open(path, encoding="utf-8-sig") as handle:
        first = handle.readline()
    return bool(re.match(pattern, first))


def count_lines(path: Path) -> int:
    with open(path, "rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


def update_fields(instance, values: dict) -> bool:
    """Set `values` on `instance`; True if anything differed."""
    changed = False
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    return changed


__all__ = [
    "DataFileError",
    "ImportSummary",
    "Row",
    "count_lines",
    "normalise_header",
    "progress",
    "read_csv",
    "sniff_headerless",
    "update_fields",
]
