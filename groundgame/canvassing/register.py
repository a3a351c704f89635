"""Electoral register import from CSV: layout detection or column mapping, dry run, row/field error report,
all-or-nothing commit, in-place update of a newer copy.

The flow a view or the `canvassing_import_register` command drives:

1. `preview(path)`: the header, a few sample rows and `suggest_mapping(header)`, which recognises the columns of
   the usual register exports (below). `preview.standard` is True when the mapping covers what an import needs.
2. A mapping from file columns to FIELDS, e.g. ``{"PD": "prefix", "ENO": "number", "Surname": "surname",
   "Address 1": "address1", ...}``: suggested for standard exports, chosen on the mapping page for other files.
3. `dry_run(path, campaign=..., mapping=...)`: validates every row and compares the file with the campaign's
   register; returns a `RegisterReport`: electors, households, polling districts, how many electors a commit would
   add, change and mark removed, how households would be located, every row/field error. Writes nothing.
4. `commit(path, campaign=..., mapping=..., copy=CopyDetails(...), acting=...)`: validates again and writes, in one
   transaction, a new `RegisterCopy` (current; the previous current copy becomes superseded) and the electors and
   households, or raises `RegisterImportRefused` (with the report) having written nothing.

Layouts. UK electoral registration software (Xpress/Democracy Counts, Idox Electoral Management, Halarose) exports
the register to parties and candidates as CSV with one row per elector. The usual columns, recognised by name
(case, spaces and punctuation ignored):

    Elector Number Prefix, Elector Number, Elector Number Suffix, Elector Markers, Elector DOB,
    Elector Surname, Elector Forename [, Elector Middlename, Elector Title]
        (or one "Elector Name": "Surname, Forenames")
    PostCode, Address1, Address2, Address3, Address4, Address5, Address6

and their variants: "PD"/"Polling District" for the prefix, "ENO"/"Elector No" for the number, a combined
"ElectorNumber" holding AB1-888/1, "Property Address 1"/"Address 1", "Property Postcode", "Date of Attainment",
"Franchise Flag", "Postal Voter"/"PV"/"Absent Voter", "Proxy". Any other file is mapped by hand.

Elector numbers. AB1-888/1 is polling district AB1, number 888, suffix 1 (an elector added after publication;
the suffix is 0 when absent). The number column may hold the full form when there is no prefix column, or the
number alone; where both a prefix column and a full form are given they must agree. The key of an elector across
copies is (polling district, number, suffix): two rows with the same key are an error naming both lines.

Markers. "Elector Markers" holds letters; kept as supplied (upper-case, spaces removed) in `Elector.markers`.
Interpreted:
- franchise (also from a "Franchise" column), kept in `Elector.franchise` and read by `votes_in()`:
  F overseas elector (UK Parliament only); L peer (local and devolved, not UK Parliament); G EU citizen (local and
  devolved only); M qualifying foreign national or short-sentence prisoner (Scotland and Wales: local and devolved
  only); K and E the European Parliament franchises of EU citizens and peers (no longer used; treated as local
  only and as none respectively); Z under voting age (14/15-year-olds in Scotland and Wales; never canvassed);
- absent voting, which the register itself does not carry but party software merges in from the absent voters'
  lists: A or P a postal voter, X a proxy voter (also from "Postal Voter"/"Proxy" columns holding yes/no, P or X).
Other letters are kept and not interpreted.

Attainers. "Elector DOB"/"Date of Attainment" holds, for attainers, the date the elector comes of voting age (the
date printed beside their name); a value at least 10 years before the register date is taken for a date of birth
and turned into the 18th birthday (kept only if that is after the register date).

Households. The address lines and postcode make the household's key (`addresses.address_key`); electors with the
same key share one `Address`, parsed into flat / house name / number + suffix / street / locality / town
(`addresses.parse_address`) and located by its full postcode when the postcode table has it, else by the postcode
district's centroid, else not at all (`location_quality`). Rows without any address ("other electors": overseas,
service and anonymous electors are listed without one) are counted and not imported: there is no door to knock.
A postcode that is not a UK postcode is a warning: the household is kept, not located.

Re-import. A newer copy for the same campaign updates the register in place: electors keyed on (polling
district, number, suffix) keep their row (and its id and contact history) and are counted unchanged or changed
(with the names of the fields that changed); new keys are added; electors absent from the new copy get
`removed_at` and stay with the older copy until its delete-by date. Households likewise keep their row by key
(walk lists keep their stops). Every elector and household in the file moves to the new copy, which becomes
current; the previous current copy becomes superseded. Importing the very file of the current copy again (same
SHA-256) changes nothing.

Errors (nothing is written while there is one): a required field not mapped or a mapped column missing, a column
without a name or named twice, a row whose width differs from the header's, a line that is not in the chosen
encoding (UTF-8 unless told: a Windows-1252 file is refused line by line with a hint), a bad polling district,
elector number or suffix, a prefix disagreeing with the number's, a duplicate key, a missing surname, a bad date,
markers too long. Messages name the line and the column and never repeat the file's values.

Streaming. The file is read and decoded line by line; validated rows (not the text) are held until the
transaction writes them in bulk. Progress is reported through `progress(stage, done, total)`: "read" in bytes,
"write" in rows.
"""

import datetime
import hashlib
import os
import re
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from groundgame.core.audit import audit_record
from groundgame.core.csvfiles import CsvReader
from groundgame.places import postcodes
from groundgame.places.selectors import UnknownPostcode, locate_postcode

from .addresses import (
    BadElectorNumber,
    ParsedAddress,
    address_key,
    clean,
    parse_address,
    parse_district,
    parse_elector_number,
    parse_suffix,
)
from .models import Address, Campaign, Elector, PollingDistrict, RegisterCopy

ADDRESS_FIELDS = tuple(f"address{i}" for i in range(1, 7))
FIELDS = (
    "prefix",
    "number",
    "suffix",
    "markers",
    "attainer_date",
    "name",
    "surname",
    "first_names",
    "middle_names",
    "title",
    *ADDRESS_FIELDS,
    "postcode",
    "franchise",
    "postal_voter",
    "proxy_voter",
)
"""What a column can hold. `name` is a whole name ("Surname, Forenames"), instead of surname + first_names."""
FIELD_LABELS = {
    "prefix": gettext_lazy("Polling district (elector number prefix)"),
    "number": gettext_lazy("Elector number"),
    "suffix": gettext_lazy("Elector number suffix"),
    "markers": gettext_lazy("Elector markers"),
    "attainer_date": gettext_lazy("Attainer date (or date of birth)"),
    "name": gettext_lazy("Whole name (Surname, Forenames)"),
    "surname": gettext_lazy("Surname"),
    "first_names": gettext_lazy("Forename(s)"),
    "middle_names": gettext_lazy("Middle names or initials"),
    "title": gettext_lazy("Title"),
    **{f"address{i}": format_lazy(gettext_lazy("Address line {number}"), number=i) for i in range(1, 7)},
    "postcode": gettext_lazy("Postcode"),
    "franchise": gettext_lazy("Franchise markers"),
    "postal_voter": gettext_lazy("Postal voter (yes/no)"),
    "proxy_voter": gettext_lazy("Proxy voter (yes/no)"),
}

FRANCHISE = {
    "F": "overseas elector: UK Parliament elections only",
    "L": "peer: local and devolved elections only",
    "G": "EU citizen: local and devolved elections only",
    "M": "qualifying foreign national: local and devolved elections only (Scotland, Wales)",
    "K": "EU citizen (former European Parliament franchise): local and devolved elections only",
    "E": "peer (former European Parliament franchise): no current elections",
    "Z": "under voting age (Scotland, Wales): not yet a voter",
}
"""Franchise markers and what they mean (see the module docstring)."""
POSTAL_MARKERS = frozenset("AP")
PROXY_MARKERS = frozenset("X")
NOT_AT_UK_PARLIAMENT = frozenset("LGMKEZ")
NOT_AT_LOCAL = frozenset("FEZ")

MAX_ERRORS = 1000
MAX_WARNINGS = 200
MAX_CHANGES = 500
ENCODINGS = {"utf-8": "UTF-8", "cp1252": "Windows-1252 (older Excel)", "latin-1": "ISO-8859-1 (Latin-1)"}
_CHUNK = 500
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%Y%m%d", "%d %b %Y", "%d-%b-%Y")
_YES = {"yes", "y", "true", "1", "x", "✓", "p", "a", "postal", "pv"}
_PROXY_YES = {"yes", "y", "true", "1", "x", "✓", "px", "proxy"}
_NO = {"no", "n", "false", "0", ""}
_MARKERS_MAX = Elector._meta.get_field("markers").max_length
_FRANCHISE_MAX = Elector._meta.get_field("franchise").max_length
_NAME_MAX = {
    "title": Elector._meta.get_field("title").max_length,
    "first_names": Elector._meta.get_field("first_names").max_length,
    "surname": Elector._meta.get_field("surname").max_length,
}
ELECTOR_FIELDS = (
    "title",
    "first_names",
    "surname",
    "markers",
    "franchise",
    "postal_voter",
    "proxy_voter",
    "attainer_date",
)
"""The elector fields an import writes (and compares on re-import), besides the household."""
ADDRESS_PARTS = ("flat", "house_name", "house_number", "house_suffix", "street", "locality", "town", "postcode")

# Column names suggest_mapping recognises, after lower-casing and dropping everything but letters and digits.
_SYNONYMS = {
    "prefix": (
        "electornumberprefix",
        "electorprefix",
        "prefix",
        "pd",
        "pdcode",
        "pollingdistrict",
        "pollingdistrictcode",
        "district",
        "districtcode",
        "enoprefix",
    ),
    "number": ("electornumber", "electorno", "electornum", "eno", "number", "no", "rollno", "rollnumber"),
    "suffix": ("electornumbersuffix", "enosuffix", "numbersuffix", "suffix", "electorsuffix", "subnumber"),
    "markers": ("electormarkers", "markers", "marker", "electormarker", "flags", "electorflags"),
    "attainer_date": (
        "electordob",
        "dob",
        "dateofbirth",
        "dateofattainment",
        "attainmentdate",
        "attainerdate",
        "attaindate",
        "electorattaindate",
        "attainer",
    ),
    "name": ("electorname", "name", "fullname", "electorfullname"),
    "surname": ("electorsurname", "surname", "lastname", "familyname"),
    "first_names": ("electorforename", "electorforenames", "forename", "forenames", "firstname", "firstnames"),
    "middle_names": ("electormiddlename", "electormiddlenames", "middlename", "middlenames", "initials"),
    "title": ("electortitle", "title"),
    **{
        f"address{i}": (f"address{i}", f"addressline{i}", f"propertyaddress{i}", f"add{i}", f"electoraddress{i}")
        for i in range(1, 7)
    },
    "postcode": ("postcode", "postalcode", "propertypostcode", "electorpostcode", "pcode"),
    "franchise": ("franchise", "franchiseflag", "franchisemarker", "franchisemarkers"),
    "postal_voter": ("postalvoter", "postal", "pv", "absentvoter", "postalvote", "absentvote"),
    "proxy_voter": ("proxy", "proxyvoter", "proxyvote"),
}
_SYNONYM_INDEX = {alias: name for name, aliases in _SYNONYMS.items() for alias in aliases}
_FIELD_INDEX = {re.sub(r"[^a-z0-9]", "", name): name for name in FIELDS}


def votes_in(franchise: str, kind: str) -> bool:
    """Whether an elector with these franchise markers may vote at a campaign of this kind (Campaign.Kind)."""
    letters = set(franchise or "")
    if kind in (Campaign.Kind.GENERAL, Campaign.Kind.BY_ELECTION):
        return not letters & NOT_AT_UK_PARLIAMENT
    return not letters & NOT_AT_LOCAL


# --- the report -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """A problem that stops the import: `line` is the file's line number (None: the mapping), `column` the
    file's column name ("" for the whole line). Messages never repeat the file's values."""

    line: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = ", ".join(part for part in (f"line {self.line}" if self.line else "", self.column) if part)
        return f"{where}: {self.message}" if where else self.message


@dataclass(frozen=True)
class Change:
    """An elector a re-import changes: the elector number and the names of the fields that differ."""

    elector_number: str
    fields: tuple[str, ...]


@dataclass
class RegisterReport:
    """What a dry run found, or a commit wrote."""

    filename: str
    rows: int = 0
    electors: int = 0
    households: int = 0
    polling_districts: int = 0
    new_polling_districts: int = 0
    no_address: int = 0  # "other electors" without an address: not imported
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    new_households: int = 0
    postal_voters: int = 0
    proxy_voters: int = 0
    attainers: int = 0
    located: dict = field(default_factory=lambda: {"postcode": 0, "district": 0, "none": 0})
    changed_fields: Counter = field(default_factory=Counter)
    changes: list[Change] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    warnings: list[RowError] = field(default_factory=list)
    warning_count: int = 0
    already_imported: bool = False
    committed: bool = False
    copy_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def error(self, line: int | None, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(line, column, message))

    def warn(self, line: int | None, column: str, message: str) -> None:
        self.warning_count += 1
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(RowError(line, column, message))

    def summary(self) -> dict:
        """What RegisterCopy.summary keeps: counts only."""
        return {
            "rows": self.rows,
            "electors": self.electors,
            "addresses": self.households,
            "new_addresses": self.new_households,
            "polling_districts": self.polling_districts,
            "added": self.added,
            "changed": self.changed,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "no_address": self.no_address,
            "postal_voters": self.postal_voters,
            "proxy_voters": self.proxy_voters,
            "attainers": self.attainers,
            "located": dict(self.located),
            "changed_fields": dict(self.changed_fields),
            "warnings": self.warning_count,
        }

    def counts(self) -> str:
        return (
            f"{self.rows} rows: {self.electors} electors in {self.households} households and "
            f"{self.polling_districts} polling districts; {self.added} added, {self.changed} changed, "
            f"{self.removed} removed, {self.unchanged} unchanged; {self.no_address} without an address not "
            f"imported; {self.error_count} errors, {self.warning_count} warnings"
        )

    def lines(self, *, max_items: int = 50) -> list[str]:
        """The report as text for a terminal."""
        verb = "Imported" if self.committed else "Dry run"
        out = [f"{verb} {self.filename}: {self.counts()}"]
        if self.already_imported:
            out.append("This file is the campaign's current register copy already: nothing changed.")
        located = self.located
        out.append(
            f"Households located by full postcode: {located['postcode']}, by postcode district: "
            f"{located['district']}, not located: {located['none']}"
        )
        if self.changed_fields:
            out.append("Changed fields: " + ", ".join(f"{k} {v}" for k, v in self.changed_fields.most_common()))
        if self.error_count:
            out.append(f"Errors ({self.error_count}; nothing {'was' if self.committed else 'will be'} imported):")
            out += [f"  {e}" for e in self.errors[:max_items]]
            if self.error_count > max_items:
                out.append(f"  ... and {self.error_count - max_items} more")
        if self.warning_count:
            out.append(f"Warnings ({self.warning_count}):")
            out += [f"  {w}" for w in self.warnings[:max_items]]
            if self.warning_count > max_items:
                out.append(f"  ... and {self.warning_count - max_items} more")
        return out


class RegisterFileError(Exception):
    """The file cannot be read at all (missing, empty, UTF-16, an unreadable header)."""


class RegisterImportRefused(Exception):
    """The commit found errors and wrote nothing; `report` says why."""

    def __init__(self, report: RegisterReport):
        super().__init__(f"{report.filename}: {report.error_count} errors, nothing was imported")
        self.report = report


@dataclass(frozen=True)
class CopyDetails:
    """The record kept of a register copy: who supplied it, its date, when it arrived, what it may be used for and
    when it must be deleted."""

    supplier: str
    published_on: datetime.date
    received_on: datetime.date
    permitted_purpose: str
    delete_by: datetime.date

    def problems(self) -> list[str]:
        out = []
        if not self.supplier.strip():
            out.append(_("Say who supplied the register (e.g. the council's electoral services)."))
        if not self.permitted_purpose.strip():
            out.append(_("Record the purpose the register was supplied for."))
        if self.received_on < self.published_on:
            out.append(_("The register cannot be received before its date."))
        if self.delete_by < self.received_on:
            out.append(_("The delete-by date must be on or after the date it was received."))
        return out


# --- reading ----------------------------------------------------------------------------------------------------


def _reader(path: Path, encoding: str, on_error: Callable[[int, str], None]) -> CsvReader:
    """The register file's rows, in the encoding chosen at upload (comma, semicolon, tab or bar separated)."""
    if encoding not in ENCODINGS:
        raise RegisterFileError(_("Unknown encoding %(encoding)s") % {"encoding": encoding})
    if encoding == "utf-8":
        hint = _("choose the encoding Windows-1252 if older Excel saved the file, or save it as CSV UTF-8")
    else:
        hint = _("choose the encoding the file was saved in")
    return CsvReader(
        path,
        on_error,
        error=RegisterFileError,
        hint=hint,
        encoding=encoding,
        encoding_label=ENCODINGS[encoding],
        delimiters=(",", ";", "\t", "|"),
        clean=clean,
    )


@dataclass(frozen=True)
class Preview:
    header: list[str]
    rows: list[list[str]]
    suggested: dict[str, str]
    delimiter: str
    standard: bool  # the suggested mapping has everything an import needs


def _key(column: str) -> str:
    return re.sub(r"[^a-z0-9]", "", column.lower())


def suggest_mapping(header: Iterable[str]) -> dict[str, str]:
    """A guess at the mapping from column names (each field at most once; columns not recognised left out)."""
    mapping: dict[str, str] = {}
    for column in header:
        key = _key(column)
        name = _FIELD_INDEX.get(key) or _SYNONYM_INDEX.get(key)
        if name is not None and name not in mapping.values():
            mapping[column] = name
    return mapping


def mapping_problems(mapping: Mapping[str, str]) -> list[str]:
    """What a mapping lacks to import anything (empty when it is complete)."""
    fields = set(mapping.values())
    problems = []
    if "number" not in fields:
        problems.append(_("Choose the column of elector numbers."))
    if "surname" not in fields and "name" not in fields:
        problems.append(_("Choose the column of surnames (or of whole names)."))
    if "name" in fields and ({"surname", "first_names"} & fields):
        problems.append(_("Choose either whole names or surname and forenames, not both."))
    if "address1" not in fields:
        problems.append(_("Choose the column of the first address line."))
    if "postcode" not in fields:
        problems.append(_("Choose the column of postcodes."))
    return problems


def preview(path: Path | str, *, rows: int = 5, encoding: str = "utf-8") -> Preview:
    """The header, the first `rows` rows and a suggested mapping: the mapping step's material."""
    problems: list[str] = []
    with _reader(Path(path), encoding, lambda line, message: problems.append(f"line {line}: {message}")) as reader:
        if problems:
            raise RegisterFileError(f"{reader.path.name}, {problems[0]}")
        sample = []
        for _line, row in reader.rows():
            if len(sample) >= rows:
                break
            sample.append(row)
        suggested = suggest_mapping(reader.header)
        return Preview(reader.header, sample, suggested, reader.delimiter, not mapping_problems(suggested))


# --- validating rows --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    index: int
    name: str
    field: str


@dataclass(slots=True)
class _Row:
    line: int
    district: str
    number: int
    suffix: int
    values: dict  # ELECTOR_FIELDS -> value
    lines: tuple[str, ...]
    postcode: str
    key: str = ""


def _parse_date(text: str) -> datetime.date | None:
    value = text.strip()
    if len(value) > 10 and value[10] in " T":  # "2008-05-01 00:00:00"
        value = value[:10]
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def attainer_date(value: datetime.date, register_date: datetime.date) -> datetime.date | None:
    """The date an elector comes of voting age, from the register's date column (see the module docstring)."""
    if value > _add_years(register_date, -10):
        return value
    birthday = _add_years(value, 18)
    return birthday if birthday > register_date else None


def _letters(text: str) -> str:
    """Marker letters: upper-case, without spaces or separators."""
    if not text:
        return ""
    return "".join(text.replace(",", " ").replace(";", " ").split()).upper()


def split_name(text: str) -> tuple[str, str]:
    """(surname, forenames) from a whole name: "Smith, John A" -> ("Smith", "John A"); "John A Smith" ->
    ("Smith", "John A")."""
    text = clean(text)
    if "," in text:
        surname, _comma, rest = text.partition(",")
        return clean(surname), clean(rest)
    words = text.split(" ")
    return words[-1], " ".join(words[:-1])


class _Validator:
    """Turns the cells of one row into a `_Row`, reporting each bad cell to the report."""

    def __init__(self, columns: list[_Column], report: RegisterReport, register_date: datetime.date):
        self.columns = {c.field: c for c in columns}
        self.report = report
        self.register_date = register_date
        self.address_indexes = [self.columns[f].index for f in ADDRESS_FIELDS if f in self.columns]
        self.index = {name: column.index for name, column in self.columns.items()}
        self.postcodes: dict[str, str | None] = {}  # text -> normalised full postcode, or None
        self.districts: dict[str, str | None] = {}  # text -> code, or None

    def cell(self, cells: list[str], name: str) -> str:
        index = self.index.get(name)
        return cells[index].strip() if index is not None else ""

    def _postcode(self, text: str) -> str | None:
        if text not in self.postcodes:
            try:
                parsed = postcodes.parse(text)
            except postcodes.InvalidPostcode:
                parsed = None
            self.postcodes[text] = parsed.text if parsed is not None and parsed.is_full else None
        return self.postcodes[text]

    def __call__(self, line: int, cells: list[str], width: int) -> _Row | None:
        report = self.report
        if len(cells) != width:
            report.error(
                line,
                "",
                _("%(values)d values, but the header names %(columns)d columns")
                % {"values": len(cells), "columns": width},
            )
            return None
        before = report.error_count
        cols = self.columns
        district, number, suffix = self._number(line, cells)
        values: dict = {}
        if "name" in cols:
            surname, first = split_name(self.cell(cells, "name"))
        else:
            surname, first = clean(self.cell(cells, "surname")), clean(self.cell(cells, "first_names"))
        middle = clean(self.cell(cells, "middle_names"))
        if middle:
            first = f"{first} {middle}".strip()
        name_column = cols.get("name") or cols.get("surname")
        if not surname:
            report.error(line, name_column.name, _("a surname is required"))
        values["surname"], values["first_names"] = surname, first
        values["title"] = clean(self.cell(cells, "title"))
        for name in ("surname", "first_names", "title"):
            if len(values[name]) > _NAME_MAX[name]:
                column = cols.get(name) or cols.get("name") or cols.get("first_names")
                report.error(
                    line, column.name if column else "", _("longer than %(n)d characters") % {"n": _NAME_MAX[name]}
                )
        markers = _letters(self.cell(cells, "markers"))
        if len(markers) > _MARKERS_MAX:
            report.error(line, cols["markers"].name, _("more than %(n)d markers") % {"n": _MARKERS_MAX})
        franchise_text = _letters(self.cell(cells, "franchise"))
        franchise = (
            "".join(sorted({c for c in markers + franchise_text if c in FRANCHISE}))
            if markers or franchise_text
            else ""
        )
        if len(franchise) > _FRANCHISE_MAX:  # cannot happen with the letters known; kept for safety
            franchise = franchise[:_FRANCHISE_MAX]
        values["markers"], values["franchise"] = markers, franchise
        postal = bool(markers) and not POSTAL_MARKERS.isdisjoint(markers)
        proxy = bool(markers) and not PROXY_MARKERS.isdisjoint(markers)
        values["postal_voter"] = self._flag(line, cells, "postal_voter", _YES) or postal
        values["proxy_voter"] = self._flag(line, cells, "proxy_voter", _PROXY_YES) or proxy
        values["attainer_date"] = None
        date_text = self.cell(cells, "attainer_date")
        if date_text:
            day = _parse_date(date_text)
            if day is None:
                report.error(line, cols["attainer_date"].name, _("not a date (use 2008-05-31 or 31/05/2008)"))
            else:
                values["attainer_date"] = attainer_date(day, self.register_date)
        lines = tuple(clean(cells[i]) for i in self.address_indexes)
        postcode_text = self.cell(cells, "postcode")
        postcode = ""
        if postcode_text:
            postcode = self._postcode(postcode_text)
            if postcode is None:
                postcode = ""
                report.warn(line, cols["postcode"].name, _("not a full UK postcode: the household is not located"))
        if report.error_count != before:
            return None
        return _Row(line, district, number, suffix, values, lines, postcode)

    def _flag(self, line: int, cells: list[str], name: str, yes: set[str]) -> bool:
        if name not in self.index:
            return False
        text = self.cell(cells, name).lower()
        if text in yes:
            return True
        if text in _NO or text in _YES or text in _PROXY_YES:
            return False
        self.report.error(line, self.columns[name].name, _("not yes or no"))
        return False

    def _number(self, line: int, cells: list[str]) -> tuple[str, int, int]:
        report, cols = self.report, self.columns
        district = ""
        if "prefix" in cols:
            text = self.cell(cells, "prefix")
            if text not in self.districts:
                try:
                    self.districts[text] = parse_district(text)
                except BadElectorNumber:
                    self.districts[text] = None
            district = self.districts[text]
            if district is None:
                report.error(line, cols["prefix"].name, _("not a polling district code (letters and digits, like AB1)"))
                return "", 0, 0
        try:
            parsed = parse_elector_number(self.cell(cells, "number"))
        except BadElectorNumber:
            report.error(line, cols["number"].name, _("not an elector number (like 888, 888/1 or AB1-888/1)"))
            return "", 0, 0
        if parsed.district and district and parsed.district != district:
            report.error(line, cols["number"].name, _("the elector number's polling district differs from the prefix"))
        district = district or parsed.district
        if not district:
            report.error(line, cols["number"].name, _("no polling district: map the prefix column or give AB1-888"))
        suffix = parsed.suffix
        if "suffix" in cols:
            try:
                column_suffix = parse_suffix(self.cell(cells, "suffix"))
            except BadElectorNumber:
                report.error(line, cols["suffix"].name, _("not an elector number suffix (a whole number like 0 or 1)"))
                return "", 0, 0
            if suffix is not None and suffix != column_suffix:
                report.error(line, cols["suffix"].name, _("differs from the suffix in the elector number"))
            suffix = column_suffix
        return district, parsed.number, suffix or 0


def _resolve_mapping(mapping: Mapping[str, str], header: list[str], report: RegisterReport) -> list[_Column]:
    seen: dict[str, int] = {}
    for i, name in enumerate(header):
        if not name:
            continue  # a column without a name cannot be mapped; it is simply not read
        if name in seen:
            report.error(
                1,
                name,
                _("two columns have this name (columns %(first)d and %(second)d)")
                % {"first": seen[name] + 1, "second": i + 1},
            )
        else:
            seen[name] = i
    columns, used = [], {}
    for column, name in mapping.items():
        if name not in FIELDS:
            report.error(None, column, _("unknown field %(field)r") % {"field": name})
            continue
        if name in used:
            report.error(
                None,
                column,
                _("%(field)s is already filled from column %(column)r") % {"field": name, "column": used[name]},
            )
            continue
        used[name] = column
        if column not in seen:
            report.error(1, column, _("the file has no such column"))
            continue
        columns.append(_Column(seen[column], column, name))
    for problem in mapping_problems(mapping):
        report.error(None, "", problem)
    return columns


# --- the import -------------------------------------------------------------------------------------------------


@dataclass
class _Household:
    key: str
    district: str
    lines: tuple[str, ...]
    postcode: str
    parsed: ParsedAddress
    first_line: int
    lat: float | None = None
    lon: float | None = None
    quality: str = Address.LocationQuality.NONE
    address_id: int | None = None


@dataclass
class _Plan:
    report: RegisterReport
    rows: list[_Row] = field(default_factory=list)
    households: dict[str, _Household] = field(default_factory=dict)
    districts: dict[str, int | None] = field(default_factory=dict)  # code -> existing id
    district_constituency: dict[str, int | None] = field(default_factory=dict)
    existing: dict = field(default_factory=dict)  # (district, number, suffix) -> state
    existing_addresses: dict = field(default_factory=dict)  # key -> (id, parts tuple, location tuple)
    sha256: str = ""


def _lookup_chunk() -> int:
    limit = connection.features.max_query_params
    return min(limit - 10, 900) if limit else 5000


_ADDRESS_COLUMNS = (*ADDRESS_PARTS, "latitude", "longitude", "location_quality")


class _RawWriter:
    """Bulk INSERT and UPDATE by `executemany`, for the register's tens of thousands of rows: the ORM's bulk_create
    spends most of its time compiling each value (docs/benchmarks.md); here each column gets one converter.

    An insert names the columns it fills (field names) and the writer adds a new UUID where the model has one;
    every other column must be nullable or given (a test keeps these lists in step with the models)."""

    BATCH = 5000

    def __init__(self):
        self.vendor = connection.vendor
        self.quote = connection.ops.quote_name

    def _converter(self, model_field):
        if isinstance(model_field, models.UUIDField):
            return (lambda v: v.hex) if self.vendor != "postgresql" else (lambda v: v)
        if isinstance(model_field, models.DateTimeField):
            adapt = connection.ops.adapt_datetimefield_value
            return lambda v: adapt(v) if v is not None else None
        if isinstance(model_field, models.DateField):
            adapt = connection.ops.adapt_datefield_value
            return lambda v: adapt(v) if v is not None else None
        return None

    def _columns(self, model, names):
        fields = [model._meta.get_field(name) for name in names]
        return fields, [self._converter(f) for f in fields]

    def _run(self, sql: str, rows: list[tuple], converters) -> None:
        if not rows:
            return
        if any(converters):
            rows = [tuple(c(v) if c else v for c, v in zip(converters, row, strict=True)) for row in rows]
        with connection.cursor() as cursor:
            for start in range(0, len(rows), self.BATCH):
                cursor.executemany(sql, rows[start : start + self.BATCH])

    def insert(self, model, names: tuple[str, ...], rows: list[tuple]) -> None:
        fields, converters = self._columns(model, names)
        uuid_field = next((f for f in model._meta.concrete_fields if isinstance(f, models.UUIDField)), None)
        if uuid_field is not None and not uuid_field.primary_key:
            fields.append(uuid_field)
            converters.append(self._converter(uuid_field))
            rows = [(*row, uuid.uuid4()) for row in rows]
        columns = ", ".join(self.quote(f.column) for f in fields)
        placeholders = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {self.quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608 (names from the model)
        self._run(sql, rows, converters)

    def update(self, model, names: tuple[str, ...], rows: list[tuple]) -> None:
        """Rows of (values of `names`..., pk)."""
        fields, converters = self._columns(model, names)
        assignments = ", ".join(f"{self.quote(f.column)} = %s" for f in fields)
        pk = model._meta.pk
        table = self.quote(model._meta.db_table)
        sql = f"UPDATE {table} SET {assignments} WHERE {self.quote(pk.column)} = %s"  # noqa: S608 (names from the model)
        self._run(sql, rows, [*converters, None])


class RegisterImport:
    """One file under one mapping into one campaign. See the module docstring."""

    def __init__(
        self,
        path: Path | str,
        *,
        campaign: Campaign,
        mapping: Mapping[str, str] | None = None,
        encoding: str = "utf-8",
        register_date: datetime.date | None = None,
        progress: Callable[[str, int, int], None] | None = None,
    ):
        self.path = Path(path)
        self.campaign = campaign
        self.mapping = dict(mapping) if mapping is not None else None
        self.encoding = encoding
        self.register_date = register_date or timezone.localdate()
        self.progress = progress or (lambda stage, done, total: None)
        self._keys: dict[tuple, str] = {}

    # -- reading and validating (no database) --

    def _parse(self) -> _Plan:
        report = RegisterReport(filename=os.path.basename(self.path.name))
        plan = _Plan(report=report)
        digest = hashlib.sha256()
        with _reader(self.path, self.encoding, lambda line, message: report.error(line, "", message)) as reader:
            mapping = self.mapping if self.mapping is not None else suggest_mapping(reader.header)
            columns = _resolve_mapping(mapping, reader.header, report)
            if not report.ok:
                return plan
            validate = _Validator(columns, report, self.register_date)
            width = len(reader.header)
            seen: dict[tuple[str, int, int], int] = {}
            number_column = validate.columns["number"].name
            total = reader.size
            for count, (line, cells) in enumerate(reader.rows(), start=1):
                report.rows += 1
                if count % 2000 == 0:
                    self.progress("read", reader.position, total)
                row = validate(line, cells, width)
                if row is None:
                    continue
                key = (row.district, row.number, row.suffix)
                if key in seen:
                    report.error(
                        line,
                        number_column,
                        _("the same elector number as line %(line)d") % {"line": seen[key]},
                    )
                    continue
                seen[key] = line
                if not any(row.lines) and not row.postcode:
                    report.no_address += 1
                    continue
                self._household(plan, row)
                plan.rows.append(row)
            self.progress("read", total, total)
        with self.path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        plan.sha256 = digest.hexdigest()
        report.electors = len(plan.rows)
        report.households = len(plan.households)
        report.polling_districts = len({r.district for r in plan.rows})
        report.postal_voters = sum(1 for r in plan.rows if r.values["postal_voter"])
        report.proxy_voters = sum(1 for r in plan.rows if r.values["proxy_voter"])
        report.attainers = sum(1 for r in plan.rows if r.values["attainer_date"])
        if plan.rows == [] and report.ok:
            report.error(None, "", _("the file holds no electors"))
        return plan

    def _household(self, plan: _Plan, row: _Row) -> None:
        cache = self._keys
        key = cache.get((row.lines, row.postcode))
        if key is None:
            key = cache[(row.lines, row.postcode)] = address_key(list(row.lines), row.postcode)
        row.key = key
        if key not in plan.households:
            plan.households[key] = _Household(
                key, row.district, row.lines, row.postcode, parse_address(list(row.lines), row.postcode), row.line
            )

    # -- checking against the database (reads only) --

    def _locate(self, plan: _Plan) -> None:
        """Locate each distinct postcode once; note the constituency of full postcodes for polling districts."""
        boundary_set_ids = set(self.campaign.constituencies.values_list("boundary_set_id", flat=True))
        campaign_seats = set(self.campaign.constituencies.values_list("pk", flat=True))
        boundary_set_id = next(iter(boundary_set_ids)) if len(boundary_set_ids) == 1 else None
        found: dict[str, tuple] = {}
        seats: dict[str, Counter] = defaultdict(Counter)
        for household in plan.households.values():
            postcode = household.postcode
            if not postcode:
                continue
            if postcode not in found:
                try:
                    location = locate_postcode(postcode, boundary_set_id=boundary_set_id)
                except (UnknownPostcode, postcodes.InvalidPostcode):
                    location = None
                found[postcode] = location
            location = found[postcode]
            if location is None:
                continue
            household.lat, household.lon = location.lat, location.lon
            household.quality = (
                Address.LocationQuality.POSTCODE
                if location.precision == "postcode"
                else Address.LocationQuality.DISTRICT
            )
            if location.placement and location.placement[0] in campaign_seats:
                seats[household.district][location.placement[0]] += 1
        report = plan.report
        report.located = Counter(h.quality for h in plan.households.values())
        report.located = {q: report.located.get(q, 0) for q in Address.LocationQuality.values}
        unknown = sorted(p for p, loc in found.items() if loc is None)
        if unknown:
            report.warn(
                None,
                "",
                _("%(n)d postcodes are not in the postcode tables (their households are not located)")
                % {"n": len(unknown)},
            )
        single = next(iter(campaign_seats)) if len(campaign_seats) == 1 else None
        for code in {r.district for r in plan.rows}:
            counter = seats.get(code)
            plan.district_constituency[code] = counter.most_common(1)[0][0] if counter else single

    def _compare(self, plan: _Plan) -> None:
        """Compare the file with the campaign's register: added, changed, removed, unchanged."""
        report = plan.report
        campaign = self.campaign
        districts = dict(PollingDistrict.objects.filter(campaign=campaign).values_list("code", "pk"))
        codes_by_id = {pk: code for code, pk in districts.items()}
        plan.districts = {code: districts.get(code) for code in {r.district for r in plan.rows}}
        report.new_polling_districts = sum(1 for pk in plan.districts.values() if pk is None)
        for pk, key, *parts in (
            Address.objects.filter(campaign=campaign)
            .order_by()
            .values_list("pk", "key", *ADDRESS_PARTS, "latitude", "longitude", "location_quality")
            .iterator(chunk_size=5000)
        ):
            plan.existing_addresses[key] = (pk, tuple(parts))
        keys_by_address = {pk: key for key, (pk, _parts) in plan.existing_addresses.items()}
        for values in (
            Elector.objects.filter(campaign=campaign)
            .order_by()
            .values_list("pk", "polling_district_id", "number", "suffix", "address_id", "removed_at", *ELECTOR_FIELDS)
            .iterator(chunk_size=5000)
        ):
            pk, district_id, number, suffix, address_id, removed_at, *fields = values
            plan.existing[(codes_by_id[district_id], number, suffix)] = (
                pk,
                keys_by_address.get(address_id),
                removed_at,
                tuple(fields),
            )
        in_file = set()
        for row in plan.rows:
            key = (row.district, row.number, row.suffix)
            in_file.add(key)
            state = plan.existing.get(key)
            if state is None or state[2] is not None:  # new, or back on the register after being removed
                report.added += 1
                continue
            changed = [name for name, old in zip(ELECTOR_FIELDS, state[3], strict=True) if row.values[name] != old]
            if state[1] != row.key:
                changed.append("address")
            if changed:
                report.changed += 1
                report.changed_fields.update(changed)
                if len(report.changes) < MAX_CHANGES:
                    number = f"{row.district}-{row.number}" + (f"/{row.suffix}" if row.suffix else "")
                    report.changes.append(Change(number, tuple(changed)))
            else:
                report.unchanged += 1
        report.removed = sum(1 for key, state in plan.existing.items() if state[2] is None and key not in in_file)
        report.new_households = sum(1 for key in plan.households if key not in plan.existing_addresses)

    def _check(self, plan: _Plan) -> None:
        if not plan.report.ok:
            return
        self._locate(plan)
        self._compare(plan)

    # -- the two entry points --

    def dry_run(self) -> RegisterReport:
        """Validate every row and say what a commit would do. Writes nothing."""
        plan = self._parse()
        self._check(plan)
        current = self.campaign.register_copies.filter(status=RegisterCopy.Status.CURRENT).first()
        plan.report.already_imported = bool(current and plan.sha256 and current.file_sha256 == plan.sha256)
        return plan.report

    def commit(self, *, copy: CopyDetails, acting) -> RegisterReport:
        """Validate again and write everything in one transaction; raise RegisterImportRefused (nothing written) on
        any error. `acting`: the user (or person) importing, recorded in the audit log."""
        plan = self._parse()
        report = plan.report
        for problem in copy.problems():
            report.error(None, "", problem)
        if not report.ok:
            raise RegisterImportRefused(report)
        try:
            with transaction.atomic():
                Campaign.objects.select_for_update().filter(pk=self.campaign.pk).first()
                current = self.campaign.register_copies.filter(status=RegisterCopy.Status.CURRENT).first()
                if current is not None and current.file_sha256 == plan.sha256:
                    self._check(plan)
                    report.already_imported = True
                    report.copy_id = current.pk
                    return report
                self._check(plan)
                if not report.ok:
                    raise RegisterImportRefused(report)
                self._write(plan, copy, acting)
        except IntegrityError as exc:
            failed = RegisterReport(filename=report.filename)
            failed.error(
                None,
                "",
                _("the database refused the import (%(error)s); nothing was imported") % {"error": type(exc).__name__},
            )
            raise RegisterImportRefused(failed) from exc
        report.committed = True
        return report

    # -- writing --

    def _write(self, plan: _Plan, details: CopyDetails, acting) -> None:
        report = plan.report
        campaign = self.campaign
        now = timezone.now()
        total = len(plan.rows) + len(plan.households)
        done = 0
        self.progress("write", 0, total)
        RegisterCopy.objects.filter(campaign=campaign, status=RegisterCopy.Status.CURRENT).update(
            status=RegisterCopy.Status.SUPERSEDED
        )
        copy = RegisterCopy(
            campaign=campaign,
            supplier=details.supplier.strip(),
            published_on=details.published_on,
            received_on=details.received_on,
            permitted_purpose=details.permitted_purpose.strip(),
            delete_by=details.delete_by,
            file_name=report.filename[:255],
            file_sha256=plan.sha256,
            imported_at=now,
            status=RegisterCopy.Status.CURRENT,
        )
        copy.full_clean()
        copy.save()
        report.copy_id = copy.pk

        # Polling districts
        new_districts = [
            PollingDistrict(campaign=campaign, code=code, constituency_id=plan.district_constituency.get(code))
            for code, pk in sorted(plan.districts.items())
            if pk is None
        ]
        PollingDistrict.objects.bulk_create(new_districts, batch_size=_CHUNK)
        district_ids = dict(PollingDistrict.objects.filter(campaign=campaign).values_list("code", "pk"))
        for code, constituency_id in plan.district_constituency.items():
            if plan.districts.get(code) is not None and constituency_id is not None:
                PollingDistrict.objects.filter(pk=district_ids[code], constituency__isnull=True).update(
                    constituency_id=constituency_id
                )

        # Households: new ones inserted; existing ones moved to this copy, their parts updated where they differ.
        writer = _RawWriter()
        new_addresses, updated_addresses, kept_ids = [], [], []
        for household in plan.households.values():
            parsed = household.parsed
            parts = (
                parsed.flat,
                parsed.house_name,
                parsed.number,
                parsed.suffix,
                parsed.street,
                parsed.locality,
                parsed.town,
                household.postcode,
                household.lat,
                household.lon,
                household.quality,
            )
            district_id = district_ids[household.district]
            existing = plan.existing_addresses.get(household.key)
            if existing is None:
                new_addresses.append((campaign.pk, district_id, copy.pk, household.key, *parts))
            else:
                household.address_id = existing[0]
                kept_ids.append(existing[0])
                if existing[1] != parts:
                    updated_addresses.append((district_id, *parts, existing[0]))
        writer.insert(
            Address, ("campaign", "polling_district", "register_copy", "key", *_ADDRESS_COLUMNS), new_addresses
        )
        if new_addresses:
            ids = dict(Address.objects.filter(register_copy=copy).order_by().values_list("key", "pk"))
            for key, pk in ids.items():
                plan.households[key].address_id = pk
        size = _lookup_chunk()
        for start in range(0, len(kept_ids), size):
            Address.objects.filter(pk__in=kept_ids[start : start + size]).update(register_copy=copy)
        writer.update(Address, ("polling_district", *_ADDRESS_COLUMNS), updated_addresses)
        done += len(plan.households)
        self.progress("write", done, total)

        # Electors: new ones inserted; existing ones updated in place; absent ones marked removed.
        new_electors, updated, kept = [], [], []
        in_file = set()
        columns = ("campaign", "polling_district", "register_copy", "address", "number", "suffix", *ELECTOR_FIELDS)
        for row in plan.rows:
            key = (row.district, row.number, row.suffix)
            in_file.add(key)
            state = plan.existing.get(key)
            values = tuple(row.values[f] for f in ELECTOR_FIELDS)
            address_id = plan.households[row.key].address_id
            if state is None:
                new_electors.append(
                    (campaign.pk, district_ids[row.district], copy.pk, address_id, row.number, row.suffix, *values)
                )
                if len(new_electors) >= 10_000:
                    writer.insert(Elector, columns, new_electors)
                    done += len(new_electors)
                    self.progress("write", done, total)
                    new_electors = []
                continue
            kept.append(state[0])
            if state[2] is not None or state[1] != row.key or state[3] != values:
                updated.append((address_id, *values, None, state[0]))
        writer.insert(Elector, columns, new_electors)
        done += len(new_electors)
        for start in range(0, len(kept), size):
            Elector.objects.filter(pk__in=kept[start : start + size]).update(register_copy=copy)
        writer.update(Elector, ("address", *ELECTOR_FIELDS, "removed_at"), updated)
        done += len(kept)
        removed = [state[0] for key, state in plan.existing.items() if state[2] is None and key not in in_file]
        for start in range(0, len(removed), size):
            Elector.objects.filter(pk__in=removed[start : start + size]).update(removed_at=now)
        self.progress("write", total, total)

        copy.summary = report.summary()
        copy.save(update_fields=["summary"])
        counts = report.counts()
        audit_record(
            actor=acting,
            action="registercopy.import",
            target=copy,
            fields=["supplier", "published_on", "received_on", "permitted_purpose", "delete_by", "file_sha256"],
            reason=f"{report.filename}: {counts}"[:255],
        )
        audit_record(
            actor=acting,
            action="elector.import",
            target=("canvassing.elector", ""),
            fields=[*ELECTOR_FIELDS, "address", "removed_at"],
            reason=f"register copy #{copy.pk}: {report.added} added, {report.changed} changed, "
            f"{report.removed} removed"[:255],
        )


# --- the functions callers use ------------------------------------------------------------------------------------


def dry_run(path: Path | str, *, campaign: Campaign, **options) -> RegisterReport:
    """Validate `path` and report what a commit would do (options: mapping, encoding, register_date, progress)."""
    return RegisterImport(path, campaign=campaign, **options).dry_run()


def commit(path: Path | str, *, campaign: Campaign, copy: CopyDetails, acting, **options) -> RegisterReport:
    """Import `path` in one transaction, or raise RegisterImportRefused having written nothing."""
    options.setdefault("register_date", copy.published_on)
    return RegisterImport(path, campaign=campaign, **options).commit(copy=copy, acting=acting)


__all__ = [
    "ENCODINGS",
    "FIELDS",
    "FIELD_LABELS",
    "FRANCHISE",
    "Change",
    "CopyDetails",
    "Preview",
    "RegisterFileError",
    "RegisterImport",
    "RegisterImportRefused",
    "RegisterReport",
    "RowError",
    "attainer_date",
    "commit",
    "dry_run",
    "mapping_problems",
    "preview",
    "split_name",
    "suggest_mapping",
    "votes_in",
]
