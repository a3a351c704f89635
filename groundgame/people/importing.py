"""Member import from CSV: column mapping, dry run, row/field error report, all-or-nothing commit.

The flow a view or the `people_import_members` command drives:

1. `preview(path)`: the header, a few sample rows and `suggest_mapping(header)`, a guess from column names.
2. A mapping from file columns to fields, e.g. ``{"Forename": "first_name", "E-mail": "email",
   "Email opt-in": "consent_email:2"}``. The fields are listed in `FIELDS`; consent columns are
   ``consent_<purpose>`` (membership, canvassing, email, sms, phone) with an optional ``:<wording version>``
   (default: the latest wording for that purpose), holding yes/no.
3. `dry_run(path, mapping)`: validates every row and returns an `ImportReport`: counts of new people, of
   existing people matched by email or phone (the merge review), refused rows (suppressed or erased contact
   details) and every row/field error with its line number and column (duplicates within the file name both
   lines). Nothing is written.
4. `commit(path, mapping, acting=..., merge_decisions=...)`: the same validation again (the file before the
   transaction opens, the checks against the database inside it), then bulk inserts in that one transaction.
   Any error raises `ImportRefused` (carrying the report) and nothing is written.

Values. Emails are lower-cased, phone numbers written as E.164 (+447700900123), postcodes must be full and are
normalised ("DE22 1AA"), dates are 2024-03-31 or 31/03/2024 (UK order), status is member, supporter or
volunteer (blank: the model's default, supporter), skills and languages are lists separated by ";" (languages as
codes or common names: "Welsh" -> "cy"), group is one or more group slugs separated by ";" (`default_group` for
rows naming none). Consent to email needs an email address and to texts or calls a phone number.

Permissions are the caller's (the view's): the service checks none, but `allowed_group_ids` restricts the groups
rows may join to those the acting organiser runs (a row naming another group is an error).

Matching. People are matched on the normalised email (case-insensitive) and the E.164 phone number, the keys
the database keeps unique. A row that matches an existing person is skipped unless the caller's
`merge_decisions` (person id -> "update" or "skip"; `merge_default` for the rest) says "update": non-blank
values from the file then overwrite the person's fields (blank cells never clear anything), skills and group
memberships are added, and a consent column changes the consent history only when it differs from the basis in
force. A row whose email matches one person and whose phone matches another is an error, as are two rows in the
file sharing an email or a phone, or two rows matching the same existing person.

Refusals. A row whose email or phone is on the suppression list (`core.SuppressedContact`, keyed hashes) is
refused, as is one whose contact detail matches the keyed hash kept in the consent evidence of an erased
person: an erased person must not come back by re-import. Refused rows are reported by line only and are not
errors (the rest of the file can still be imported).

Consent. "yes" records a `ConsentEvent` (basis consent, method "imported", the mapped wording, the keyed hash
of the contact detail, at the date of a `consented_on` column or else the time of import); "no" records a
withdrawal only for an existing person whose consent is in force; blank records nothing.

Audit. One row per person the import touched, ids and field names only: "person.create" or "person.update" on
the person, whose `fields` name the person's fields written and the records added with them ("skills",
"memberships", "consent_events", names of the person model's relations), with the reason
"member import: <file name>"; plus one "people.import" row for the whole import whose reason carries the
counts. That answers, from the log alone, who put this person's data here, when and on whose authority (a
subject access export includes it: the rows target the person), while the consent events themselves keep
their own evidence (method "imported", when, the wording, the keyed hash). A row per membership and per
consent event as well (as the interactive services write) would nearly triple the log for no extra answer, and
the import time with it (docs/benchmarks.md). All are bulk inserted.

Streaming. The file is read line by line (never whole into memory) and decoded as UTF-8 line by line, so an
encoding error names its line; validated rows (not the text) are held until the single transaction writes them.
"""

import datetime
import os
import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from groundgame.core.audit import audit_record, audit_record_many
from groundgame.core.csvfiles import CsvReader
from groundgame.core.messaging import contact_hash
from groundgame.core.models import Channel, SuppressedContact

from .models import ConsentEvent, ConsentWording, LocalGroup, Membership, Person, Purpose, Skill
from .services import normalise_email, normalise_phone, normalise_postcode

PERSON_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "postcode",
    "status",
    "joined_on",
    "skills",
    "languages",
    "interests",
    "accessibility_needs",
)
"""Person fields a column can fill ("skills" and "languages" are semicolon-separated lists)."""
OTHER_FIELDS = ("group", "consented_on")
"""`group`: semicolon-separated group slugs; `consented_on`: the date the row's consents were given."""
CONSENT_PREFIX = "consent_"
FIELDS = PERSON_FIELDS + OTHER_FIELDS + tuple(CONSENT_PREFIX + p for p in Purpose.values)

SUPPRESSED = gettext_noop("the email address or phone number is on the suppression list")
ERASED = gettext_noop("the email address or phone number belonged to a person whose data was erased")
UPDATE = "update"
SKIP = "skip"
MAX_ERRORS = 1000
"""Errors kept in a report (all are counted)."""
_CHUNK = 500  # rows per bulk insert


def _lookup_chunk() -> int:
    """Values per `IN (...)` lookup: within SQLite's bound on query parameters; larger elsewhere, since PostgreSQL
    scans the table for a case-insensitive email lookup of many values, once per chunk."""
    limit = connection.features.max_query_params
    return min(limit - 10, 900) if limit else 5000


_ARTICLE = {"email": gettext_noop("an email address"), "phone": gettext_noop("a phone number")}
_MAX_LENGTH = {
    name: Person._meta.get_field(name).max_length
    for name in ("first_name", "last_name", "email", "phone", "postcode", "interests")
}
_YES = {"yes", "y", "true", "1", "x", "✓", "opted in", "opt in", "subscribed"}
_NO = {"no", "n", "false", "0", "opted out", "opt out", "unsubscribed"}
_LANGUAGE_NAMES = {
    "english": "en",
    "welsh": "cy",
    "cymraeg": "cy",
    "gaelic": "gd",
    "scottish gaelic": "gd",
    "irish": "ga",
    "cornish": "kw",
    "scots": "sco",
    "polish": "pl",
    "urdu": "ur",
    "punjabi": "pa",
    "bengali": "bn",
    "gujarati": "gu",
    "arabic": "ar",
    "somali": "so",
    "romanian": "ro",
    "portuguese": "pt",
    "spanish": "es",
    "french": "fr",
    "italian": "it",
    "lithuanian": "lt",
    "tamil": "ta",
    "turkish": "tr",
    "bsl": "bfi",
    "british sign language": "bfi",
}
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y")
_STATUS = {v: v for v in Person.Status.values} | {str(label).lower(): v for v, label in Person.Status.choices}

# Column names suggest_mapping recognises, after lower-casing and dropping everything but letters and digits.
_SYNONYMS = {
    "first_name": ("firstname", "forename", "forenames", "givenname", "first", "christianname"),
    "last_name": ("lastname", "surname", "familyname", "last"),
    "email": ("email", "emailaddress", "mail", "emailaddr"),
    "phone": ("phone", "phonenumber", "mobile", "mobilenumber", "mobilephone", "telephone", "tel", "telno"),
    "postcode": ("postcode", "postalcode", "zip", "zipcode", "pcode"),
    "status": ("status", "memberstatus", "membershipstatus", "membershiptype", "type"),
    "joined_on": ("joined", "joinedon", "joindate", "datejoined", "membersince", "startdate"),
    "skills": ("skills", "skill"),
    "languages": ("languages", "language", "languagesspoken"),
    "interests": ("interests", "interest"),
    "accessibility_needs": ("accessibility", "accessibilityneeds", "accessneeds"),
    "group": ("group", "groupslug", "localgroup", "branch", "localparty"),
    "consented_on": ("consentdate", "consentedon", "dateofconsent", "optindate"),
    "consent_email": ("emailconsent", "consentemail", "emailoptin", "emailupdates", "emailok"),
    "consent_sms": ("smsconsent", "consentsms", "smsoptin", "textconsent", "textoptin", "smsok", "textok"),
    "consent_phone": ("phoneconsent", "consentphone", "phoneoptin", "callconsent", "phoneok"),
    "consent_canvassing": ("canvassingconsent", "consentcanvassing", "canvassingoptin"),
    "consent_membership": ("membershipconsent", "consentmembership"),
}
_SYNONYM_INDEX = {alias: name for name, aliases in _SYNONYMS.items() for alias in aliases}
_FIELD_INDEX = {re.sub(r"[^a-z0-9]", "", name): name for name in FIELDS}


# --- the report -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """A problem that stops the import: `line` is the file's line number (None: the mapping), `column` the
    file's column name ("" for the whole line). Messages never repeat personal values from the file."""

    line: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = ", ".join(part for part in (f"line {self.line}" if self.line else "", self.column) if part)
        return f"{where}: {self.message}" if where else self.message


@dataclass(frozen=True)
class Duplicate:
    """Two rows of the file for the same person (same email or phone)."""

    line: int
    first_line: int
    column: str


@dataclass(frozen=True)
class MergeCandidate:
    """A row that matches an existing person: what happens to it and what "update" would change."""

    line: int
    person_id: int
    matched_on: tuple[str, ...]  # "email", "phone"
    decision: str  # UPDATE or SKIP
    changes: tuple[str, ...]  # field names, "skills", "group", "consent_<purpose>"


@dataclass(frozen=True)
class Refusal:
    line: int
    reason: str


@dataclass
class ImportReport:
    """What a dry run found, or a commit wrote."""

    filename: str
    rows: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    memberships: int = 0
    consent_events: int = 0
    skills_created: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    duplicates: list[Duplicate] = field(default_factory=list)
    merge_review: list[MergeCandidate] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    committed: bool = False

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def error(self, line: int | None, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(line, column, message))

    def counts(self) -> str:
        return (
            f"{self.rows} rows: {self.new} new, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.skipped} existing skipped, {len(self.refused)} refused, {self.error_count} errors; "
            f"{self.memberships} memberships, {self.consent_events} consent events, {self.skills_created} new skills"
        )

    def lines(self, *, max_items: int = 50) -> list[str]:
        """The report as text for a terminal or a page."""
        verb = "Imported" if self.committed else "Dry run"
        out = [f"{verb} {self.filename}: {self.counts()}"]
        if self.error_count:
            out.append(f"Errors ({self.error_count}; nothing {'was' if self.committed else 'will be'} imported):")
            out += [f"  {e}" for e in self.errors[:max_items]]
            if self.error_count > max_items:
                out.append(f"  ... and {self.error_count - max_items} more")
        if self.merge_review:
            out.append(f"Existing people matched ({len(self.merge_review)}):")
            for m in self.merge_review[:max_items]:
                changes = ", ".join(m.changes) or "nothing to change"
                out.append(
                    f"  line {m.line}: person #{m.person_id} by {' and '.join(m.matched_on)} -> {m.decision}"
                    f" ({changes})"
                )
            if len(self.merge_review) > max_items:
                out.append(f"  ... and {len(self.merge_review) - max_items} more")
        if self.refused:
            out.append(f"Refused ({len(self.refused)}):")
            out += [f"  line {r.line}: {r.reason}" for r in self.refused[:max_items]]
            if len(self.refused) > max_items:
                out.append(f"  ... and {len(self.refused) - max_items} more")
        return out


class ImportFileError(Exception):
    """The file cannot be read at all (missing, not UTF-8 in its header, empty)."""


class ImportRefused(Exception):
    """The commit found errors and wrote nothing; `report` says why."""

    def __init__(self, report: ImportReport):
        super().__init__(f"{report.filename}: {report.error_count} errors, nothing was imported")
        self.report = report


# --- reading ----------------------------------------------------------------------------------------------------


def _reader(path: Path, on_error: Callable[[int, str], None]) -> CsvReader:
    """The member file's rows (UTF-8; comma, semicolon or tab separated)."""
    return CsvReader(path, on_error, error=ImportFileError, hint=_("save the file as CSV UTF-8"))


@dataclass(frozen=True)
class Preview:
    header: list[str]
    rows: list[list[str]]
    suggested: dict[str, str]
    delimiter: str


def preview(path: Path | str, *, rows: int = 5) -> Preview:
    """The header, the first `rows` rows and a suggested mapping: the mapping step's material."""
    problems: list[str] = []
    with _reader(Path(path), lambda line, message: problems.append(f"line {line}: {message}")) as reader:
        if problems:
            raise ImportFileError(f"{reader.path.name}, {problems[0]}")
        sample = []
        for _line, row in reader.rows():
            sample.append(row)
            if len(sample) >= rows:
                break
        return Preview(reader.header, sample, suggest_mapping(reader.header), reader.delimiter)


def _key(column: str) -> str:
    return re.sub(r"[^a-z0-9]", "", column.lower())


def suggest_mapping(header: Iterable[str]) -> dict[str, str]:
    """A guess at the mapping from column names ("Surname" -> last_name, "Email opt-in" -> consent_email); each
    field at most once, columns not recognised left out."""
    mapping: dict[str, str] = {}
    for column in header:
        key = _key(column)
        name = _FIELD_INDEX.get(key) or _SYNONYM_INDEX.get(key)
        if name is not None and name not in mapping.values():
            mapping[column] = name
    return mapping


# --- the mapping ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    index: int
    name: str  # the file's column name
    field: str  # a name from FIELDS
    wording: ConsentWording | None = None


def _resolve_mapping(mapping: Mapping[str, str], header: list[str], report: ImportReport) -> list[_Column]:
    seen_headers: dict[str, int] = {}
    for i, name in enumerate(header):
        if not name:
            report.error(1, _("column %(number)d") % {"number": i + 1}, _("the column has no name"))
        elif name in seen_headers:
            report.error(
                1,
                name,
                _("two columns have this name (columns %(first)d and %(second)d)")
                % {"first": seen_headers[name] + 1, "second": i + 1},
            )
        else:
            seen_headers[name] = i
    columns, used = [], {}
    for column, spec in mapping.items():
        name, _colon, version = str(spec).strip().partition(":")
        if name not in FIELDS:
            report.error(
                None,
                column,
                _("unknown field %(field)r; choose one of %(fields)s") % {"field": name, "fields": ", ".join(FIELDS)},
            )
            continue
        if name in used:
            report.error(
                None,
                column,
                _("%(field)s is already filled from column %(column)r") % {"field": name, "column": used[name]},
            )
            continue
        used[name] = column
        if column not in seen_headers:
            report.error(
                1, column, _("the file has no such column (its columns: %(columns)s)") % {"columns": ", ".join(header)}
            )
            continue
        wording = None
        if name.startswith(CONSENT_PREFIX):
            purpose = name.removeprefix(CONSENT_PREFIX)
            wordings = ConsentWording.objects.filter(purpose=purpose).order_by("-version")
            if version and not version.isdigit():
                report.error(None, column, _("wording version %(version)r is not a number") % {"version": version})
                continue
            wording = (wordings.filter(version=int(version)) if version else wordings).first()
            if wording is None:
                what = (
                    _("version %(version)s of the %(purpose)s consent wording")
                    % {"version": version, "purpose": purpose}
                    if version
                    else _("%(purpose)s wording") % {"purpose": purpose}
                )
                report.error(
                    None, column, _("there is no %(what)s: record the wording people were shown first") % {"what": what}
                )
                continue
        elif version:
            report.error(
                None, column, _("only consent columns take a wording version (':%(version)s')") % {"version": version}
            )
            continue
        columns.append(_Column(seen_headers[column], column, name, wording))
    if "first_name" not in used:
        report.error(None, "", _("map a column to first_name (it is required)"))
    if "email" not in used and "phone" not in used:
        report.error(None, "", _("map a column to email or phone: people are matched by them"))
    return columns


# --- validating rows --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Row:
    line: int
    values: dict  # person field -> cleaned, non-blank value
    skills: list[str]
    groups: list[int]
    consents: list[tuple[str, bool, ConsentWording]]
    consented_at: datetime.datetime | None = None
    email_hash: str = ""
    phone_hash: str = ""
    person_id: int | None = None  # the existing person matched
    matched_on: tuple[str, ...] = ()


def _message(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


def _parse_date(text: str) -> datetime.date | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


class _Validator:
    """Turns the cells of one row into a `_Row`, reporting each bad cell."""

    def __init__(self, columns: list[_Column], report: ImportReport, groups: dict[str, int], today: datetime.date):
        self.columns = columns
        self.report = report
        self.groups = groups
        self.today = today

    def __call__(self, line: int, cells: list[str], header_width: int) -> _Row | None:
        report = self.report
        before = report.error_count
        if len(cells) != header_width:
            report.error(
                line,
                "",
                _("%(values)d values, but the header names %(columns)d columns")
                % {"values": len(cells), "columns": header_width},
            )
            return None
        row = _Row(line=line, values={}, skills=[], groups=[], consents=[])
        values = row.values
        for column in self.columns:
            text = cells[column.index].strip()
            name = column.field
            if not text:
                if name == "first_name":
                    report.error(line, column.name, _("a first name is required"))
                continue
            if name in ("first_name", "last_name", "interests"):
                text = " ".join(text.split())
                if len(text) > _MAX_LENGTH[name]:
                    report.error(line, column.name, _("longer than %(max)d characters") % {"max": _MAX_LENGTH[name]})
                else:
                    values[name] = text
            elif name == "email":
                email = normalise_email(text)
                try:
                    validate_email(email)
                except ValidationError:
                    report.error(line, column.name, _("not a valid email address"))
                else:
                    values["email"] = email
            elif name == "phone":
                try:
                    values["phone"] = normalise_phone(text)
                except ValidationError as exc:
                    report.error(line, column.name, _message(exc))
            elif name == "postcode":
                try:
                    values["postcode"] = normalise_postcode(text)
                except ValidationError as exc:
                    report.error(line, column.name, _message(exc))
            elif name == "status":
                status = _STATUS.get(text.lower())
                if status is None:
                    choices = ", ".join(Person.Status.values)
                    report.error(
                        line,
                        column.name,
                        _("unknown status %(status)r; use one of %(choices)s") % {"status": text, "choices": choices},
                    )
                else:
                    values["status"] = status
            elif name in ("joined_on", "consented_on"):
                day = _parse_date(text)
                if day is None:
                    report.error(line, column.name, _("not a date; write 2024-03-31 or 31/03/2024"))
                elif day > self.today or day.year < 1900:
                    report.error(line, column.name, _("the date is in the future or before 1900"))
                elif name == "joined_on":
                    values["joined_on"] = day
                else:
                    moment = datetime.datetime.combine(day, datetime.time(12))
                    row.consented_at = timezone.make_aware(moment)
            elif name == "skills":
                seen = set()
                for part in text.split(";"):
                    skill = " ".join(part.split())
                    if not skill or skill.lower() in seen:
                        continue
                    if len(skill) > 60:
                        report.error(line, column.name, _("a skill name is longer than 60 characters"))
                        continue
                    seen.add(skill.lower())
                    row.skills.append(skill)
            elif name == "languages":
                codes = []
                for part in re.split(r"[;,]", text):
                    word = " ".join(part.split()).lower()
                    if not word:
                        continue
                    code = _LANGUAGE_NAMES.get(word, word)
                    if not _LANGUAGE_CODE.match(code):
                        report.error(
                            line,
                            column.name,
                            _("unknown language %(code)r; use a code like en, cy") % {"code": part.strip()},
                        )
                    elif code not in codes:
                        codes.append(code)
                values["languages"] = codes
            elif name == "accessibility_needs":
                values[name] = text
            elif name == "group":
                for slug in text.split(";"):
                    slug = slug.strip().lower()
                    if not slug:
                        continue
                    group_id = self.groups.get(slug)
                    if group_id is None:
                        report.error(line, column.name, _("unknown group %(group)r") % {"group": slug})
                    elif group_id < 0:
                        report.error(line, column.name, _("you may not import into group %(group)r") % {"group": slug})
                    elif group_id not in row.groups:
                        row.groups.append(group_id)
            else:  # consent_<purpose>
                answer = text.lower()
                if answer in _YES or answer in _NO:
                    row.consents.append((name.removeprefix(CONSENT_PREFIX), answer in _YES, column.wording))
                else:
                    report.error(line, column.name, _("%(value)r is not yes or no") % {"value": text})
        if "email" not in values and "phone" not in values and report.error_count == before:
            report.error(line, "", _("an email address or a phone number is required"))
        return row if report.error_count == before else None


def _group_ids(allowed_group_ids: Collection[int] | None) -> dict[str, int]:
    """Group slug -> id; a group the caller may not import into maps to -1."""
    groups = {}
    for slug, pk in LocalGroup.objects.order_by().values_list("slug", "pk"):
        groups[slug.lower()] = pk if allowed_group_ids is None or pk in allowed_group_ids else -1
    return groups


# --- the import -------------------------------------------------------------------------------------------------


@dataclass
class _Plan:
    """Validated rows and what they mean against the database."""

    report: ImportReport
    columns: list[_Column] = field(default_factory=list)
    new: list[_Row] = field(default_factory=list)
    updates: list[_Row] = field(default_factory=list)
    current: dict[int, dict] = field(default_factory=dict)  # matched people's state (see _current_state)

    @property
    def person_fields(self) -> list[str]:
        return [c.field for c in self.columns if c.field in PERSON_FIELDS]


class MemberImport:
    """One file and its mapping. `dry_run()` validates and reports; `commit()` validates again and writes it all
    in one transaction. `default_group` (a slug) is joined by every row without a group of its own;
    `allowed_group_ids`, when given, are the only groups rows may join (the groups the acting organiser runs)."""

    def __init__(
        self,
        path: Path | str,
        mapping: Mapping[str, str],
        *,
        default_group: str | None = None,
        allowed_group_ids: Collection[int] | None = None,
        merge_decisions: Mapping[int, str] | None = None,
        merge_default: str = SKIP,
        progress: Callable[[int], None] | None = None,
    ):
        self.path = Path(path)
        self.mapping = dict(mapping)
        self.default_group = default_group
        self.allowed_group_ids = None if allowed_group_ids is None else frozenset(allowed_group_ids)
        self.merge_decisions = {int(k): v for k, v in (merge_decisions or {}).items()}
        self.merge_default = merge_default
        self.progress = progress
        for decision in [merge_default, *self.merge_decisions.values()]:
            if decision not in (UPDATE, SKIP):
                raise ValueError(f"a merge decision is {UPDATE!r} or {SKIP!r}, not {decision!r}")

    # -- validation --

    def _parse(self) -> tuple[_Plan, list[_Row]]:
        """Read and validate every row (no writes; the only reads are groups and consent wordings)."""
        report = ImportReport(filename=os.path.basename(self.path.name))
        plan = _Plan(report)
        try:
            rows = self._read(plan)
        except ImportFileError as exc:
            report.error(None, "", str(exc))
            return plan, []
        if self.progress is not None:
            self.progress(report.rows)
        return plan, self._without_file_duplicates(rows, plan)

    def _check(self, plan: _Plan, rows: list[_Row]) -> None:
        """Against the database: refuse suppressed and erased contact details, match existing people."""
        rows = self._without_refused(rows, plan.report)
        self._match_existing(rows, plan)

    def _read(self, plan: _Plan) -> list[_Row]:
        """Every row that passed validation (the others are in the report)."""
        report = plan.report
        rows: list[_Row] = []
        with _reader(self.path, lambda line, message: report.error(line, "", message)) as reader:
            plan.columns = _resolve_mapping(self.mapping, reader.header, report)
            groups = _group_ids(self.allowed_group_ids)
            default_group = None
            if self.default_group:
                default_group = groups.get(self.default_group.lower())
                if default_group is None or default_group < 0:
                    problem = "no such group" if default_group is None else "you may not import into it"
                    report.error(
                        None,
                        "",
                        _("default group %(group)r: %(problem)s") % {"group": self.default_group, "problem": problem},
                    )
            if not report.ok:
                return rows  # with a broken header or mapping every row would be wrong
            validate = _Validator(plan.columns, report, groups, timezone.localdate())
            width = len(reader.header)
            for count, (line, cells) in enumerate(reader.rows(), start=1):
                report.rows = count
                row = validate(line, cells, width)
                if row is not None:
                    if default_group is not None and not row.groups:
                        row.groups.append(default_group)
                    rows.append(row)
                if self.progress is not None and count % 1000 == 0:
                    self.progress(count)
        return rows

    def _without_file_duplicates(self, rows: list[_Row], plan: _Plan) -> list[_Row]:
        report = plan.report
        column_of = {c.field: c.name for c in plan.columns}
        first: dict[tuple[str, str], int] = {}
        kept = []
        for row in rows:
            duplicate = False
            for key in ("email", "phone"):
                value = row.values.get(key)
                if not value:
                    continue
                earlier = first.setdefault((key, value), row.line)
                if earlier != row.line:
                    duplicate = True
                    report.duplicates.append(Duplicate(row.line, earlier, column_of[key]))
                    report.error(
                        row.line,
                        column_of[key],
                        _("the same %(field)s as line %(line)d (duplicate row)") % {"field": key, "line": earlier},
                    )
            if not duplicate:
                kept.append(row)
        return kept

    def _without_refused(self, rows: list[_Row], report: ImportReport) -> list[_Row]:
        """Hash every contact detail (the consent evidence needs the hashes too) and refuse suppressed or erased
        ones."""
        suppressed = set(SuppressedContact.objects.order_by().values_list("contact_hash", flat=True))
        erased = set(
            ConsentEvent.objects.filter(person__erased_at__isnull=False)
            .exclude(contact_hash="")
            .order_by()
            .values_list("contact_hash", flat=True)
        )
        kept = []
        for row in rows:
            email, phone = row.values.get("email"), row.values.get("phone")
            row.email_hash = contact_hash(channel=Channel.EMAIL, value=email) if email else ""
            row.phone_hash = contact_hash(channel=Channel.SMS, value=phone) if phone else ""
            hashes = {h for h in (row.email_hash, row.phone_hash) if h}
            if hashes & suppressed:
                report.refused.append(Refusal(row.line, _(SUPPRESSED)))
            elif hashes & erased:
                report.refused.append(Refusal(row.line, _(ERASED)))
            else:
                kept.append(row)
        return kept

    def _match_existing(self, rows: list[_Row], plan: _Plan) -> None:
        report = plan.report
        by_email = _existing("email", [r.values["email"] for r in rows if r.values.get("email")])
        by_phone = _existing("phone", [r.values["phone"] for r in rows if r.values.get("phone")])
        column_of = {c.field: c.name for c in plan.columns}
        claimed: dict[int, int] = {}
        matched = []
        for row in rows:
            email_match = by_email.get(row.values.get("email"))
            phone_match = by_phone.get(row.values.get("phone"))
            if email_match and phone_match and email_match != phone_match:
                report.error(
                    row.line,
                    column_of["phone"],
                    _("the email matches person #%(email)s but the phone matches person #%(phone)s")
                    % {"email": email_match, "phone": phone_match},
                )
                continue
            person_id = email_match or phone_match
            if person_id is None:
                if self._contacts_present(row, {}, column_of, report):
                    plan.new.append(row)
                continue
            if person_id in claimed:
                report.error(
                    row.line,
                    "",
                    _("line %(line)d matches the same person #%(person)s")
                    % {"line": claimed[person_id], "person": person_id},
                )
                continue
            claimed[person_id] = row.line
            row.person_id = person_id
            row.matched_on = tuple(k for k, m in (("email", email_match), ("phone", phone_match)) if m)
            matched.append(row)
        report.new = len(plan.new)
        report.memberships = sum(len(r.groups) for r in plan.new)
        report.consent_events = sum(sum(1 for _, given, _ in r.consents if given) for r in plan.new)
        self._review(matched, plan)
        names = {s.lower() for r in plan.new + plan.updates for s in r.skills}
        existing = {n.lower() for n in Skill.objects.order_by().values_list("name", flat=True)}
        report.skills_created = len(names - existing)

    @staticmethod
    def _contacts_present(row: _Row, existing: dict, column_of: dict[str, str], report: ImportReport) -> bool:
        """Consent to email needs an email address, to texts and calls a phone number (in the row, or already
        recorded for the person matched); fills in the keyed hashes the consent evidence keeps."""
        ok = True
        for purpose, given, _wording in row.consents:
            if not given or purpose not in (Purpose.EMAIL, Purpose.SMS, Purpose.PHONE):
                continue
            name, channel = ("email", Channel.EMAIL) if purpose == Purpose.EMAIL else ("phone", Channel.SMS)
            value = row.values.get(name) or existing.get(name)
            if not value:
                report.error(
                    row.line,
                    column_of.get(CONSENT_PREFIX + purpose, ""),
                    _("consent needs %(what)s") % {"what": _(_ARTICLE[name])},
                )
                ok = False
            elif name == "email" and not row.email_hash:
                row.email_hash = contact_hash(channel=channel, value=value)
            elif name == "phone" and not row.phone_hash:
                row.phone_hash = contact_hash(channel=channel, value=value)
        return ok

    def _review(self, matched: list[_Row], plan: _Plan) -> None:
        """Work out what "update" would change for each matched person, and apply the caller's decisions."""
        report = plan.report
        ids = [r.person_id for r in matched]
        current = plan.current = _current_state(ids, plan.person_fields)
        column_of = {c.field: c.name for c in plan.columns}
        for row in matched:
            state = current[row.person_id]
            changes = _changes(row, state)
            decision = self.merge_decisions.get(row.person_id, self.merge_default)
            report.merge_review.append(
                MergeCandidate(row.line, row.person_id, row.matched_on, decision, tuple(sorted(changes)))
            )
            if decision == SKIP:
                report.skipped += 1
            elif not changes:
                report.unchanged += 1
            elif self._contacts_present(row, state["fields"], column_of, report):
                report.updated += 1
                plan.updates.append(row)
                report.memberships += len(set(row.groups) - state["groups"])
                report.consent_events += sum(
                    1 for purpose, given, _ in row.consents if given != state["consents"].get(purpose, False)
                )

    # -- the two entry points --

    def dry_run(self) -> ImportReport:
        """Validate every row and say what a commit would do. Writes nothing."""
        plan, rows = self._parse()
        self._check(plan, rows)
        return plan.report

    def commit(self, *, acting) -> ImportReport:
        """Validate again and write everything in one transaction; raise ImportRefused (nothing written) on any
        error. `acting`: the user (or person) importing, recorded in the audit log.

        The file is read and checked before the transaction opens; the checks against the database (suppression,
        matching) and the writes run inside it. On SQLite the transaction holds the database's write lock
        throughout (about 10 s for 50,000 rows; other writers wait up to the configured 20 s timeout)."""
        plan, rows = self._parse()
        if not plan.report.ok:
            raise ImportRefused(plan.report)
        try:
            with transaction.atomic():
                self._check(plan, rows)
                if not plan.report.ok:
                    raise ImportRefused(plan.report)
                _write(plan, acting=acting)
        except IntegrityError as exc:  # a concurrent write took an email or phone between validation and insert
            report = ImportReport(filename=os.path.basename(self.path.name))
            report.error(
                None,
                "",
                _("the database refused the import (%(error)s); nothing was imported") % {"error": type(exc).__name__},
            )
            raise ImportRefused(report) from exc
        plan.report.committed = True
        return plan.report


def _existing(field_name: str, values: list[str]) -> dict[str, int]:
    """Existing (not erased) people with these emails (compared lower-cased, as the unique index does) or phone
    numbers: value -> person id, queried in chunks."""
    found: dict[str, int] = {}
    people = Person.objects.filter(erased_at__isnull=True).exclude(**{field_name: ""})
    people = people.annotate(_key=Lower("email") if field_name == "email" else F("phone")).order_by()
    size = _lookup_chunk()
    for start in range(0, len(values), size):
        found.update(people.filter(_key__in=values[start : start + size]).values_list("_key", "pk"))
    return found


def _current_state(ids: list[int], fields: list[str]) -> dict[int, dict]:
    """For matched people: their mapped field values, skill names, group ids and consent in force per purpose."""
    state: dict[int, dict] = {}
    plain = sorted({f for f in fields if f != "skills"} | {"email", "phone"})
    size = _lookup_chunk()
    for start in range(0, len(ids), size):
        chunk = ids[start : start + size]
        for values in Person.objects.filter(pk__in=chunk).order_by().values("pk", *plain):
            state[values.pop("pk")] = {"fields": values, "skills": set(), "groups": set(), "consents": {}}
        through = Person.skills.through.objects.filter(person_id__in=chunk).order_by()
        for person_id, name in through.values_list("person_id", "skill__name"):
            state[person_id]["skills"].add(name.lower())
        memberships = Membership.objects.filter(person_id__in=chunk).order_by()
        for person_id, group_id in memberships.values_list("person_id", "group_id"):
            state[person_id]["groups"].add(group_id)
        events = ConsentEvent.objects.filter(person_id__in=chunk).order_by("occurred_at", "pk")
        for person_id, purpose, action in events.values_list("person_id", "purpose", "action"):
            state[person_id]["consents"][purpose] = action == ConsentEvent.Action.GIVEN  # the latest wins
    return state


def _changes(row: _Row, state: dict) -> set[str]:
    changes = set()
    for name, value in row.values.items():
        current = state["fields"].get(name)
        if name == "languages":  # languages are added to, never replaced
            if set(value) - set(current or []):
                changes.add(name)
        elif current != value:
            changes.add(name)
    if {s.lower() for s in row.skills} - state["skills"]:
        changes.add("skills")
    if set(row.groups) - state["groups"]:
        changes.add("group")
    for purpose, given, _wording in row.consents:
        if given != state["consents"].get(purpose, False):
            changes.add(CONSENT_PREFIX + purpose)
    return changes


# --- writing ----------------------------------------------------------------------------------------------------


def _person_of(acting) -> Person | None:
    if isinstance(acting, Person):
        return acting
    try:
        return getattr(acting, "person", None)
    except Person.DoesNotExist:
        return None


def _skill_ids(names: Iterable[str]) -> tuple[dict[str, int], int]:
    wanted: dict[str, str] = {}
    for name in names:
        wanted.setdefault(name.lower(), name)
    ids = {name.lower(): pk for name, pk in Skill.objects.order_by().values_list("name", "pk")}
    missing = [Skill(name=name) for key, name in wanted.items() if key not in ids]
    for skill in Skill.objects.bulk_create(missing, batch_size=_CHUNK):
        ids[skill.name.lower()] = skill.pk
    return ids, len(missing)


def _write(plan: _Plan, *, acting) -> None:
    """Bulk insert the new people, update the chosen existing ones, then skills, memberships and consent events;
    audit one row per person touched (see the module docstring)."""
    report = plan.report
    now = timezone.now()
    decided_by = _person_of(acting)
    reason = f"member import: {report.filename}"[:255]
    audit_record(
        actor=acting,
        action="people.import",
        target=("people.person", ""),
        fields=plan.person_fields,
        reason=f"{report.filename}: {report.counts()}"[:255],
    )
    skill_ids, report.skills_created = _skill_ids(s for r in plan.new + plan.updates for s in r.skills)

    people = [Person(**row.values) for row in plan.new]
    Person.objects.bulk_create(people, batch_size=_CHUNK)
    for row, person in zip(plan.new, people, strict=True):
        row.person_id = person.pk
    touched: dict[int, list[str]] = {row.person_id: sorted(row.values) for row in plan.new}
    current = plan.current
    for row in plan.updates:
        touched[row.person_id] = _update(row, current[row.person_id], now)

    through = Person.skills.through
    links, memberships, events = [], [], []
    for row in plan.new + plan.updates:
        state = current.get(row.person_id, {"skills": set(), "groups": set(), "consents": {}})
        fields = touched[row.person_id]
        new_skills = [s for s in row.skills if s.lower() not in state["skills"]]
        links += [through(person_id=row.person_id, skill_id=skill_ids[s.lower()]) for s in new_skills]
        if new_skills:
            fields.append("skills")
        groups = [g for g in row.groups if g not in state["groups"]]
        memberships += [
            Membership(
                person_id=row.person_id,
                group_id=group_id,
                role=Membership.Role.MEMBER,
                status=Membership.Status.ACTIVE,
                decided_at=now,
                decided_by=decided_by,
            )
            for group_id in groups
        ]
        if groups:
            fields.append("memberships")
        contact = {Purpose.EMAIL: row.email_hash, Purpose.SMS: row.phone_hash, Purpose.PHONE: row.phone_hash}
        recorded = False
        for purpose, given, wording in row.consents:
            if given == state["consents"].get(purpose, False):
                continue  # nothing to record: "no" for someone who never consented, or no change
            recorded = True
            events.append(
                ConsentEvent(
                    person_id=row.person_id,
                    purpose=purpose,
                    basis=ConsentEvent.Basis.CONSENT,
                    action=ConsentEvent.Action.GIVEN if given else ConsentEvent.Action.WITHDRAWN,
                    wording=wording if given else None,
                    method=ConsentEvent.Method.IMPORT,
                    occurred_at=row.consented_at or now,
                    contact_hash=contact.get(purpose, ""),
                )
            )
        if recorded:
            fields.append("consent_events")
    through.objects.bulk_create(links, batch_size=_CHUNK)
    Membership.objects.bulk_create(memberships, batch_size=_CHUNK)
    ConsentEvent.objects.bulk_create(events, batch_size=_CHUNK)
    report.memberships, report.consent_events = len(memberships), len(events)

    created = {row.person_id for row in plan.new}
    by_action_and_fields: dict[tuple[str, tuple[str, ...]], list[int]] = defaultdict(list)
    for person_id, fields in touched.items():
        action = "person.create" if person_id in created else "person.update"
        by_action_and_fields[(action, tuple(fields))].append(person_id)
    for (action, fields), ids in by_action_and_fields.items():
        audit_record_many(
            actor=acting, action=action, targets=[("people.person", pk) for pk in ids], fields=fields, reason=reason
        )


def _update(row: _Row, state: dict, now: datetime.datetime) -> list[str]:
    """Write the row's non-blank values over an existing person's (languages are added to); the fields changed."""
    changes = {}
    for name, value in row.values.items():
        old = state["fields"].get(name)
        if name == "languages":
            value = list(dict.fromkeys([*(old or []), *value]))
        if old != value:
            changes[name] = value
    if changes:
        Person.objects.filter(pk=row.person_id).update(**changes, updated_at=now)
    return sorted(changes)


# --- the functions the brief names ------------------------------------------------------------------------------


def dry_run(path: Path | str, mapping: Mapping[str, str], **options) -> ImportReport:
    """Validate `path` under `mapping` and report what a commit would do (see `MemberImport` for the options)."""
    return MemberImport(path, mapping, **options).dry_run()


def commit(
    path: Path | str,
    mapping: Mapping[str, str],
    *,
    acting,
    merge_decisions: Mapping[int, str] | None = None,
    **options,
) -> ImportReport:
    """Import `path` under `mapping` in one transaction, or raise ImportRefused having written nothing."""
    return MemberImport(path, mapping, merge_decisions=merge_decisions, **options).commit(acting=acting)


__all__ = [
    "FIELDS",
    "SKIP",
    "UPDATE",
    "Duplicate",
    "ImportFileError",
    "ImportRefused",
    "ImportReport",
    "MemberImport",
    "MergeCandidate",
    "Preview",
    "Refusal",
    "RowError",
    "commit",
    "dry_run",
    "preview",
    "suggest_mapping",
]
