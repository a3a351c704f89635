"""The audit log: every write to personal data leaves a row saying who, what, when and why.

Rows hold ids and field NAMES only (never values), so the log needs no erasure. It is append-only: see
`AuditEvent` for the application and database guards.

    audit_record(actor=request.user, action="person.update", target=person, fields=["email"], reason="rectification")
"""

import re
from collections.abc import Iterable

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.db.models import QuerySet

from .models import AuditEvent

Target = models.Model | tuple[str, object]

_LABEL = re.compile(r"^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$")
_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,99}$")
_ACTION = re.compile(r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)+$")


def actor_id_of(actor) -> int | None:
    """The user id to record for `actor`: a user, anything linked to an account by `user_id` (a person), or None.

    Anonymous users and objects without an account give None (the log then says "the system")."""
    if actor is None or getattr(actor, "is_anonymous", False):
        return None
    if isinstance(actor, get_user_model()):
        return actor.pk
    if hasattr(actor, "user_id"):
        return actor.user_id
    raise TypeError(f"audit actor must be a user, an object with a user_id, or None; got {type(actor).__name__}")


def target_key(target: Target) -> tuple[str, str]:
    """("app_label.model", "pk as text") for a model instance or an explicit (label, id) pair."""
    if isinstance(target, models.Model):
        if target.pk is None:
            raise ValueError("audit target must be saved (it has no primary key)")
        return target._meta.label_lower, str(target.pk)
    label, target_id = target
    label = label.lower()
    if not _LABEL.match(label):
        raise ValueError(f"audit target type must look like 'app_label.model', got {label!r}")
    return label, "" if target_id is None else str(target_id)


def _model_for(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _checked_field_names(label: str, fields: Iterable[str]) -> list[str]:
    """Field names only: each must look like an identifier and, when the model is installed, be one of its fields.

    This is what keeps values out of the log: `fields=[person.email]` is refused, not recorded."""
    if isinstance(fields, str):
        raise TypeError("fields must be an iterable of field names, not a single string")
    model = _model_for(label)
    names = []
    for name in fields:
        if not isinstance(name, str) or not _FIELD_NAME.match(name):
            raise ValueError("audit fields must be field names (identifiers), never values")
        if model is not None:
            try:
                model._meta.get_field(name)
            except FieldDoesNotExist:
                if name not in {f.attname for f in model._meta.concrete_fields}:
                    raise ValueError(f"{label} has no field named {name!r}") from None
        if name not in names:
            names.append(name)
    return names


def _event(*, actor, action: str, target: Target, fields: Iterable[str], reason: str) -> AuditEvent:
    if not _ACTION.match(action):
        raise ValueError(f"audit action must look like 'noun.verb', got {action!r}")
    if len(reason) > AuditEvent._meta.get_field("reason").max_length:
        raise ValueError("audit reason must be short (at most 255 characters)")
    target_type, target_id = target_key(target)
    return AuditEvent(
        actor_id=actor_id_of(actor),
        action=action,
        target_type=target_type,
        target_id=target_id,
        fields=_checked_field_names(target_type, fields),
        reason=reason,
    )


@transaction.atomic
def audit_record(*, actor, action: str, target: Target, fields: Iterable[str] = (), reason: str = "") -> AuditEvent:
    """Append one audit event: `actor` (a user, a person with an account, or None for the system) did `action`
    ("noun.verb", e.g. "person.update") to `target` (a saved model instance or ("app_label.model", id)),
    touching `fields` (names only; checked against the model when it is installed), because of `reason`
    (short; never put personal data in it)."""
    event = _event(actor=actor, action=action, target=target, fields=fields, reason=reason)
    event.save()
    return event


@transaction.atomic
def audit_record_many(
    *, actor, action: str, targets: Iterable[Target], fields: Iterable[str] = (), reason: str = ""
) -> int:
    """Append one event per target in a few bulk inserts (erasure and retention touch many rows)."""
    fields = list(fields)
    events = [_event(actor=actor, action=action, target=t, fields=fields, reason=reason) for t in targets]
    AuditEvent.objects.bulk_create(events, batch_size=500)
    return len(events)


def audit_events_for(*, target: Target) -> QuerySet[AuditEvent]:
    """Every event about one record, newest first."""
    target_type, target_id = target_key(target)
    return AuditEvent.objects.filter(target_type=target_type, target_id=target_id)


def audit_events_by_actor(*, actor_id: int) -> QuerySet[AuditEvent]:
    """Every event done by one user, newest first."""
    return AuditEvent.objects.filter(actor_id=actor_id)
