"""The privacy registry: every model holding personal data says how it is exported, erased and retained.

Domain apps register their models from `AppConfig.ready()`; `core` imports no domain app. The person model is
named by the setting GROUNDGAME_PERSON_MODEL ("people.Person") and resolved lazily.

    privacy.register(
        Membership, category="membership", person_field="person",
        personal_fields=["person", "role", "joined_on"], erasure=Erasure.DELETE,
        retention=timedelta(days=6 * 365), retention_date_field="ended_on",
    )

`export_person`, `erase_person`, `retention_report` and `retention_enforce` then work across every registered
model, and `unregistered_personal_models()` (asserted empty by a test) catches a model that forgot to register.
See docs/privacy.md.
"""

import datetime
import enum
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from .audit import audit_record_many
from .models import AuditEvent, RetentionRun

DEFAULT_PERSON_MODEL = "people.Person"


class Erasure(enum.StrEnum):
    DELETE = "delete"  # rows are deleted
    ANONYMISE = "anonymise"  # personal fields are overwritten with the `anonymise` values
    REDACT_EVENT = "redact_event"  # append-only rows: `redact` appends a redaction event instead of rewriting
    KEEP = "keep"  # kept on erasure for a stated reason (`keep_reason`); retention, if any, deletes them


Exporter = Callable[[QuerySet], list[dict[str, Any]]]
Redactor = Callable[..., object]  # redact(rows: QuerySet, *, actor, reason) -> ignored


@dataclass(frozen=True)
class PrivacyEntry:
    model: type[models.Model]
    category: str
    person_field: str
    personal_fields: tuple[str, ...]
    erasure: Erasure
    keep_reason: str = ""
    anonymise: dict[str, Any] = field(default_factory=dict)
    redact: Redactor | None = None
    retention: datetime.timedelta | None = None
    retention_date_field: str | None = None
    export: Exporter | None = None
    already_erased: Q | None = None

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    @property
    def is_person_model(self) -> bool:
        return self.person_field == ""

    def rows_for(self, person: models.Model) -> QuerySet:
        """Every row of this model belonging to `person` (the base manager: no default-manager filtering)."""
        manager = self.model._base_manager
        if self.is_person_model:
            return manager.filter(pk=person.pk)
        return manager.filter(**{self.person_field: person.pk})

    def rows_past_retention(self, now: datetime.datetime) -> QuerySet:
        if self.retention is None:
            return self.model._base_manager.none()
        cutoff: datetime.date | datetime.datetime = now - self.retention
        date_field = self.model._meta.get_field(self.retention_date_field)
        if not isinstance(date_field, models.DateTimeField):
            cutoff = timezone.localdate(cutoff) if timezone.is_aware(cutoff) else cutoff.date()
        rows = self.model._base_manager.filter(**{f"{self.retention_date_field}__lt": cutoff})
        return self._not_yet_erased(rows)

    def _not_yet_erased(self, rows: QuerySet) -> QuerySet:
        if self.already_erased is not None:
            return rows.exclude(self.already_erased)
        return rows

    def export_rows(self, rows: QuerySet) -> list[dict[str, Any]]:
        if self.export is not None:
            return list(self.export(rows))
        return list(rows.values(*_default_export_fields(self)))


@dataclass(frozen=True)
class ErasureOutcome:
    entry: PrivacyEntry
    erasure: Erasure
    rows: int


_registry: dict[type[models.Model], PrivacyEntry] = {}
_exempt: dict[type[models.Model], str] = {}


# --- the person model --------------------------------------------------------------------------------------------


def person_model_label() -> str:
    return getattr(settings, "GROUNDGAME_PERSON_MODEL", DEFAULT_PERSON_MODEL)


def person_model() -> type[models.Model] | None:
    """The model named by GROUNDGAME_PERSON_MODEL, or None while that app is not installed."""
    try:
        return apps.get_model(person_model_label())
    except (LookupError, ValueError):
        return None


def _people_models() -> set[type[models.Model]]:
    """Models whose rows are people: the person model and the user model."""
    found = {apps.get_model(settings.AUTH_USER_MODEL)}
    person = person_model()
    if person is not None:
        found.add(person)
    return found


# --- registration ------------------------------------------------------------------------------------------------


def _check_path(model: type[models.Model], path: str) -> None:
    """Each step but the last must be a relation; the last may be a relation or a plain id field."""
    current = model
    parts = path.split("__")
    for i, part in enumerate(parts):
        try:
            step = current._meta.get_field(part)
        except FieldDoesNotExist:
            raise ImproperlyConfigured(f"{model._meta.label}: person_field {path!r}: no field {part!r}") from None
        if step.is_relation and step.related_model is not None:
            current = step.related_model
        elif i < len(parts) - 1:
            raise ImproperlyConfigured(f"{model._meta.label}: person_field {path!r}: {part!r} is not a relation")


def _check_fields(model: type[models.Model], names: Iterable[str], what: str) -> None:
    for name in names:
        try:
            model._meta.get_field(name)
        except FieldDoesNotExist:
            raise ImproperlyConfigured(f"{model._meta.label}: {what} names unknown field {name!r}") from None


def register(
    model: type[models.Model],
    *,
    category: str,
    person_field: str,
    personal_fields: list[str],
    erasure: Erasure,
    keep_reason: str = "",
    anonymise: dict[str, Any] | None = None,
    redact: Redactor | None = None,
    retention: datetime.timedelta | None = None,
    retention_date_field: str | None = None,
    export: Exporter | None = None,
    already_erased: Q | None = None,
) -> PrivacyEntry:
    """Declare that `model` holds personal data and how the platform exports, erases and retains it.

    - category: the data category (retention periods and the privacy notice are per category).
    - person_field: the ORM path from the model to the person ("person", "membership__person"), or a plain id
      field holding the person's pk ("recipient_id"); "" for the person model itself. Rows are found with
      `filter(**{person_field: person.pk})`.
    - personal_fields: the fields holding personal data (recorded by name in the audit log on erasure).
    - erasure: DELETE the rows; ANONYMISE them with `anonymise` ({field: value, or callable(row) -> value});
      REDACT_EVENT for append-only models: `redact(rows, actor=..., reason=...)` appends redaction events;
      KEEP with a `keep_reason` (the rows stay on erasure; when a retention is set, retention deletes them).
    - retention, retention_date_field: rows whose date field is older than now - retention are erased by
      `retention_enforce` (with the entry's erasure, or DELETE for KEEP).
    - export: callable(queryset) -> list of dicts; default: the values of every concrete field except the ids of
      other people (foreign keys to the person or user model other than `person_field` itself).
    - already_erased: a Q matching rows already anonymised or redacted, left out of retention so they are not
      erased again every run. Defaults, for ANONYMISE with constant values only, to "all those values are set".
    """
    if model in _registry:
        raise ImproperlyConfigured(f"{model._meta.label} is already registered with the privacy registry")
    if model in _exempt:
        raise ImproperlyConfigured(f"{model._meta.label} is exempted from the privacy registry; it cannot register")
    erasure = Erasure(erasure)
    if not category:
        raise ImproperlyConfigured(f"{model._meta.label}: a data category is required")
    if not personal_fields:
        raise ImproperlyConfigured(f"{model._meta.label}: personal_fields must name the personal fields")
    if person_field:
        _check_path(model, person_field)
    else:
        _check_person_model(model)
    _check_fields(model, personal_fields, "personal_fields")
    anonymise = dict(anonymise or {})
    if erasure is Erasure.ANONYMISE:
        if not anonymise:
            raise ImproperlyConfigured(f"{model._meta.label}: ANONYMISE needs the `anonymise` values")
        _check_fields(model, anonymise, "anonymise")
        if already_erased is None and not any(callable(v) for v in anonymise.values()):
            already_erased = Q(**anonymise)
    elif anonymise:
        raise ImproperlyConfigured(f"{model._meta.label}: `anonymise` is only used with Erasure.ANONYMISE")
    if erasure is Erasure.REDACT_EVENT and not callable(redact):
        raise ImproperlyConfigured(f"{model._meta.label}: REDACT_EVENT needs a `redact` callable")
    if erasure is not Erasure.REDACT_EVENT and redact is not None:
        raise ImproperlyConfigured(f"{model._meta.label}: `redact` is only used with Erasure.REDACT_EVENT")
    if erasure is Erasure.KEEP and not keep_reason.strip():
        raise ImproperlyConfigured(f"{model._meta.label}: KEEP needs a `keep_reason`")
    if (retention is None) != (retention_date_field is None):
        raise ImproperlyConfigured(f"{model._meta.label}: give both retention and retention_date_field, or neither")
    if retention_date_field is not None:
        _check_fields(model, [retention_date_field], "retention_date_field")
        if not isinstance(model._meta.get_field(retention_date_field), models.DateField):
            raise ImproperlyConfigured(f"{model._meta.label}: retention_date_field must be a date or datetime field")
        if retention <= datetime.timedelta(0):
            raise ImproperlyConfigured(f"{model._meta.label}: retention must be positive")
    entry = PrivacyEntry(
        model=model,
        category=category,
        person_field=person_field,
        personal_fields=tuple(personal_fields),
        erasure=erasure,
        keep_reason=keep_reason,
        anonymise=anonymise,
        redact=redact,
        retention=retention,
        retention_date_field=retention_date_field,
        export=export,
        already_erased=already_erased,
    )
    _registry[model] = entry
    return entry


def _check_person_model(model: type[models.Model]) -> None:
    person = person_model()
    if person is not None and model is not person:
        raise ImproperlyConfigured(
            f"{model._meta.label}: person_field '' is only for the person model ({person_model_label()})"
        )


def unregister(model: type[models.Model]) -> None:
    """Remove a registration or exemption (for tests)."""
    _registry.pop(model, None)
    _exempt.pop(model, None)


def exempt(model: type[models.Model], *, reason: str) -> None:
    """Declare that `model` looks personal to `unregistered_personal_models` but is not, or is handled elsewhere."""
    if not reason.strip():
        raise ImproperlyConfigured(f"{model._meta.label}: an exemption needs a reason")
    if model in _registry:
        raise ImproperlyConfigured(f"{model._meta.label} is registered with the privacy registry; it cannot be exempt")
    _exempt[model] = reason


def entries() -> list[PrivacyEntry]:
    """Every registration, ordered by model label."""
    return sorted(_registry.values(), key=lambda e: e.label)


def entry_for(model: type[models.Model]) -> PrivacyEntry | None:
    return _registry.get(model)


def exemptions() -> dict[type[models.Model], str]:
    return dict(_exempt)


# --- export ------------------------------------------------------------------------------------------------------


def _default_export_fields(entry: PrivacyEntry) -> list[str]:
    people = _people_models()
    own = entry.person_field.split("__")[0] if entry.person_field and "__" not in entry.person_field else None
    names = []
    for f in entry.model._meta.concrete_fields:
        if f.is_relation and f.related_model in people and f.name != own:
            continue  # another person's id (who approved, who recorded...) is theirs, not this person's
        names.append(f.attname)
    return names


def export_person(person: models.Model) -> dict[str, list[dict[str, Any]]]:
    """Everything registered about `person`, keyed "app_label.model", plus "core.auditevent": the audit events
    about any of the exported rows. A read: the caller records the export in the audit log."""
    export: dict[str, list[dict[str, Any]]] = {}
    about = Q(pk__in=[])
    for entry in entries():
        rows = entry.rows_for(person)
        export[entry.label] = entry.export_rows(rows)
        ids = [str(pk) for pk in rows.values_list("pk", flat=True)]
        if ids:
            about |= Q(target_type=entry.label, target_id__in=ids)
    export[AuditEvent._meta.label_lower] = list(
        AuditEvent.objects.filter(about)
        .order_by("occurred_at", "id")
        .values("occurred_at", "actor_id", "action", "target_type", "target_id", "fields", "reason")
    )
    return export


# --- erasure -----------------------------------------------------------------------------------------------------

_CHUNK = 500


def _chunks(ids: list, size: int = _CHUNK) -> Iterable[list]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _apply(entry: PrivacyEntry, erasure: Erasure, rows: QuerySet, *, actor, reason: str) -> int:
    """Apply `erasure` to `rows` and record one audit event per row touched (field names only)."""
    if erasure is Erasure.KEEP:
        return 0
    ids = list(rows.values_list("pk", flat=True))
    if not ids:
        return 0
    model = entry.model
    manager = model._base_manager
    fields = list(entry.personal_fields)
    if erasure is Erasure.DELETE:
        action = "erase"
        for chunk in _chunks(ids):
            manager.filter(pk__in=chunk).delete()
    elif erasure is Erasure.ANONYMISE:
        action = "anonymise"
        fields = list(entry.anonymise)
        constants = {k: v for k, v in entry.anonymise.items() if not callable(v)}
        computed = {k: v for k, v in entry.anonymise.items() if callable(v)}
        for chunk in _chunks(ids):
            if constants:
                manager.filter(pk__in=chunk).update(**constants)
            if computed:
                objs = list(manager.filter(pk__in=chunk))
                for obj in objs:
                    for name, make in computed.items():
                        setattr(obj, name, make(obj))
                manager.bulk_update(objs, list(computed))
    else:  # REDACT_EVENT
        action = "redact"
        for chunk in _chunks(ids):
            entry.redact(manager.filter(pk__in=chunk), actor=actor, reason=reason)
    audit_record_many(
        actor=actor,
        action=f"{model._meta.model_name}.{action}",
        targets=[(entry.label, pk) for pk in ids],
        fields=fields,
        reason=reason,
    )
    return len(ids)


def _erasure_order(items: list[PrivacyEntry]) -> list[PrivacyEntry]:
    """Rows hanging off the person first, the person row last (its deletion would cascade past their entries)."""
    return sorted(items, key=lambda e: (e.is_person_model, e.label))


def erase_person(person: models.Model, *, actor, reason: str) -> list[ErasureOutcome]:
    """Apply every registered model's erasure to `person`'s rows, all-or-nothing, auditing each row touched.

    `actor` is the data steward (a user or a person with an account), `reason` short and free of personal data
    (e.g. "erasure request 42"). The caller's `person` instance is stale afterwards: reload it."""
    if not reason.strip():
        raise ValueError("erasure needs a reason")
    outcomes = []
    with transaction.atomic():
        for entry in _erasure_order(entries()):
            count = _apply(entry, entry.erasure, entry.rows_for(person), actor=actor, reason=reason)
            outcomes.append(ErasureOutcome(entry=entry, erasure=entry.erasure, rows=count))
    return outcomes


# --- retention ---------------------------------------------------------------------------------------------------


def _retention_erasure(entry: PrivacyEntry) -> Erasure:
    return Erasure.DELETE if entry.erasure is Erasure.KEEP else entry.erasure


def retention_report(now: datetime.datetime | None = None) -> list[tuple[PrivacyEntry, int]]:
    """Dry run: for every entry with a retention period, how many rows are past it (and would be erased)."""
    now = now or timezone.now()
    return [(e, e.rows_past_retention(now).count()) for e in entries() if e.retention is not None]


@transaction.atomic
def retention_enforce(now: datetime.datetime | None = None, *, actor=None) -> list[ErasureOutcome]:
    """Erase every row past its retention period (the entry's erasure; DELETE for KEEP entries), auditing each."""
    now = now or timezone.now()
    outcomes = []
    for entry in _erasure_order([e for e in entries() if e.retention is not None]):
        erasure = _retention_erasure(entry)
        reason = f"retention: {entry.category}, {entry.retention.days} days after {entry.retention_date_field}"
        count = _apply(entry, erasure, entry.rows_past_retention(now), actor=actor, reason=reason[:255])
        outcomes.append(ErasureOutcome(entry=entry, erasure=erasure, rows=count))
    return outcomes


def retention_scheduled_run(now: datetime.datetime | None = None) -> list:
    """The daily retention task: a dry-run report now; then, when enforcement is on, erase what an earlier report
    listed.

    Erasure acts as of the latest report at least `GROUNDGAME_RETENTION_GRACE_DAYS` old, so every row it erases was
    in a report stewards could read on the privacy dashboard for that long first. Returns the runs it recorded.
    """
    now = now or timezone.now()
    report = retention_report(now)
    runs = [
        RetentionRun.objects.create(
            ran_at=now,
            kind=RetentionRun.Kind.REPORT,
            as_of=now,
            counts={entry.label: count for entry, count in report},
            total=sum(count for _, count in report),
        )
    ]
    if not getattr(settings, "GROUNDGAME_RETENTION_ENFORCE", True):
        return runs
    grace = datetime.timedelta(days=getattr(settings, "GROUNDGAME_RETENTION_GRACE_DAYS", 7))
    reviewed = RetentionRun.objects.filter(kind=RetentionRun.Kind.REPORT, ran_at__lte=now - grace).first()
    if reviewed is None:
        return runs
    with transaction.atomic():
        outcomes = retention_enforce(reviewed.as_of)
        runs.append(
            RetentionRun.objects.create(
                ran_at=now,
                kind=RetentionRun.Kind.ENFORCE,
                as_of=reviewed.as_of,
                counts={o.entry.label: o.rows for o in outcomes},
                total=sum(o.rows for o in outcomes),
            )
        )
    return runs


@dataclass
class RetentionStatus:
    report: Any  # the latest RetentionRun report, or None
    erasure: Any  # the latest RetentionRun erasure, or None
    enforced: bool
    grace_days: int

    @property
    def report_rows(self) -> list[tuple[str, int]]:
        """(registry entry label, rows past retention) for the entries the latest report found rows in."""
        return [(label, n) for label, n in sorted((self.report.counts if self.report else {}).items()) if n]

    @property
    def erases_on(self) -> datetime.datetime | None:
        """When the latest report's rows will be erased (if enforcement is on and they are still there)."""
        if not (self.enforced and self.report):
            return None
        return self.report.ran_at + datetime.timedelta(days=self.grace_days)


def retention_status() -> RetentionStatus:
    return RetentionStatus(
        report=RetentionRun.objects.filter(kind=RetentionRun.Kind.REPORT).first(),
        erasure=RetentionRun.objects.filter(kind=RetentionRun.Kind.ENFORCE).first(),
        enforced=getattr(settings, "GROUNDGAME_RETENTION_ENFORCE", True),
        grace_days=getattr(settings, "GROUNDGAME_RETENTION_GRACE_DAYS", 7),
    )


# --- the check that nothing personal escapes the registry --------------------------------------------------------

PERSONAL_FIELD_NAME = re.compile(
    r"^("
    r"e_?mail|phone|phone_number|mobile|telephone|first_name|last_name|full_name|surname|given_name|family_name"
    r"|postcode|post_code|zip_code|date_of_birth|dob|birth_date|birthday|notes?|free_text|address\w*"
    r"|gender|ethnicity|religion|sexual_orientation|disability|health|accessibility_needs|national_insurance\w*"
    r"|\w+_(email|phone|postcode|address|notes?|free_text)"
    r")$"
)
"""Field names that signal personal data on any model ("name" only counts on the person model)."""


def _looks_personal(model: type[models.Model], people: set[type[models.Model]], person) -> bool:
    for f in model._meta.get_fields(include_hidden=False):
        if f.auto_created and not f.concrete:
            continue  # reverse relations: the other side is checked on its own model
        if f.many_to_many:
            continue  # the through table (auto-created or explicit) holds the link and is checked itself
        if f.is_relation:
            if f.related_model in people and (f.many_to_one or f.one_to_one):
                return True
            continue  # a relation is judged by what it points at, not by its name (placement.postcode -> Postcode)
        if PERSONAL_FIELD_NAME.match(f.name) or (model is person and f.name == "name"):
            return True
    return False


def unregistered_personal_models() -> list[type[models.Model]]:
    """Installed models that seem to hold personal data yet are neither registered nor exempted.

    "Seem to": a foreign key or one-to-one to the person model or the user model, or a non-relation field whose
    name is in PERSONAL_FIELD_NAME. django.contrib models are skipped, except the user model. Auto-created many-to-many
    tables count (a link to a person is personal); proxy models are covered by their concrete model."""
    people = _people_models()
    person = person_model()
    user = apps.get_model(settings.AUTH_USER_MODEL)
    found = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or model in _registry or model in _exempt:
            continue
        if model._meta.app_config.name.startswith("django.contrib.") and model is not user:
            continue
        if _looks_personal(model, people, person):
            found.append(model)
    return sorted(found, key=lambda m: m._meta.label_lower)
