"""Platform-wide records every domain app relies on: accounts, the audit log and the outbound messaging log.

`core` imports no domain app, so nothing here has a foreign key to a person: people are referred to by plain
integer ids, and the privacy registry (`core/privacy.py`) knows how to find and erase those rows.
"""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """An account. Sign-in is by email address (django-allauth); the person it belongs to is people.Person.user.
    Email addresses are unique whatever their case."""

    email = models.EmailField(_("email address"))

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_unique_email", condition=~Q(email="")),
        ]


class AppendOnlyError(Exception):
    """An attempt to change or remove a row of an append-only table through the application."""


class AuditEventQuerySet(models.QuerySet):
    """Reads only: every way the ORM offers to change or remove existing rows raises AppendOnlyError."""

    def update(self, **kwargs):
        raise AppendOnlyError("The audit log is append-only: update() is refused.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("The audit log is append-only: bulk_update() is refused.")

    def _update(self, values):  # Model.save() of an existing row, bulk_update() and update_or_create() land here
        raise AppendOnlyError("The audit log is append-only: rows cannot be changed.")

    def delete(self):
        raise AppendOnlyError("The audit log is append-only: delete() is refused.")

    delete.alters_data = True
    delete.queryset_only = True

    def _raw_delete(self, using):
        raise AppendOnlyError("The audit log is append-only: delete() is refused.")


class AuditEvent(models.Model):
    """Who did what to which record, when, and why: ids and field NAMES only, never values.

    Holding no personal values and no foreign keys, the log needs no erasure and never cascades: the actor is a
    plain user id (`actor_id`), the target a model label and a primary key as text.

    Append-only, guarded twice:
    - in the application: the queryset and the model refuse update(), save() of an existing row, bulk_update()
      and delete() (AppendOnlyError). Write rows only through `core.audit.audit_record`.
    - in the database (migration 0002_auditevent_append_only_guard): on PostgreSQL a trigger refuses UPDATE and
      DELETE (TRUNCATE stays allowed: Django's test flush uses it; a role that may TRUNCATE can wipe the log, so
      grant the application role no TRUNCATE in production). On SQLite a trigger refuses UPDATE only: Django's
      SQLite test flush empties tables with DELETE, so DELETE is refused in the application alone.
    SQLite rebuilds a table to alter it and drops its triggers with the old table: a future migration that alters
    this model must re-create the SQLite trigger (see the guard migration). On PostgreSQL, a migration that needs
    to UPDATE existing rows (e.g. making a column NOT NULL with a default) must disable the trigger around it.
    """

    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now, db_index=True)
    actor_id = models.BigIntegerField(_("actor (user id)"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=100)
    target_type = models.CharField(_("target type"), max_length=100)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    fields = models.JSONField(_("fields touched (names)"), default=list, blank=True)
    reason = models.CharField(_("reason"), max_length=255, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        base_manager_name = "objects"  # so Model.save() of an existing row goes through the refusing queryset
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("audit event")
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="core_audit_target_idx"),
            models.Index(fields=["actor_id", "occurred_at"], name="core_audit_actor_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(action=""), name="auditevent_action_required"),
            models.CheckConstraint(condition=~Q(target_type=""), name="auditevent_target_type_required"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action} {self.target_type}:{self.target_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("The audit log is append-only: rows cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The audit log is append-only: rows cannot be deleted.")


class Channel(models.TextChoices):
    EMAIL = "email", _("email")
    SMS = "sms", _("text message (SMS)")


class MessageDelivery(models.Model):
    """One attempt to send a message through `core.messaging.message_send`, and what became of it.

    Holds no message body, subject or address: only whom (a person id), how, why, the lawful basis relied on
    (with the id of its evidence), and the outcome. Registered with the privacy registry (erased with the person,
    kept two years).
    """

    class Status(models.TextChoices):
        SENT = "sent", _("sent")
        REFUSED = "refused", _("refused")
        FAILED = "failed", _("failed")

    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    recipient_id = models.BigIntegerField(_("recipient (person id)"), db_index=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    purpose = models.CharField(_("purpose"), max_length=50)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    basis = models.CharField(_("lawful basis"), max_length=50, blank=True)
    basis_evidence = models.CharField(_("basis evidence id"), max_length=64, blank=True)
    actor_id = models.BigIntegerField(_("sent by (user id)"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("message delivery")
        verbose_name_plural = _("message deliveries")
        constraints = [
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="messagedelivery_channel_valid"),
            models.CheckConstraint(
                condition=Q(status__in=["sent", "refused", "failed"]), name="messagedelivery_status_valid"
            ),
            models.CheckConstraint(condition=~Q(purpose=""), name="messagedelivery_purpose_required"),
            models.CheckConstraint(condition=~Q(status="sent") | ~Q(basis=""), name="messagedelivery_sent_needs_basis"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} to #{self.recipient_id} ({self.purpose}): {self.status}"


class SuppressedContact(models.Model):
    """An email address or phone number that must never be contacted (or re-imported) again.

    Only a keyed HMAC-SHA256 of the normalised contact detail is stored (`core.messaging.contact_hash`), so the
    list proves nothing about anyone to a reader without the key, yet blocks the same detail coming back.
    """

    contact_hash = models.CharField(_("contact hash"), max_length=64)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("suppressed contact")
        constraints = [
            models.UniqueConstraint(fields=["contact_hash", "channel"], name="suppressedcontact_unique"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="suppressedcontact_channel_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.contact_hash[:12]}…"


class PeriodicJob(models.Model):
    """When the scheduler last queued one periodic task (`core.scheduling`): the guard against queuing it twice."""

    name = models.CharField(_("name"), max_length=100, primary_key=True)
    last_enqueued_at = models.DateTimeField(_("last queued at"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("periodic job")

    def __str__(self) -> str:
        return self.name


class RetentionRun(models.Model):
    """One run of the scheduled retention task: the dry-run report, or the erasure that followed one.

    Counts per privacy-registry entry only (no ids, no values). An erasure run acts `as_of` the time of an earlier
    report, so it erases only rows that report listed (see `core.privacy.retention_scheduled_run`).
    """

    class Kind(models.TextChoices):
        REPORT = "report", _("dry-run report")
        ENFORCE = "enforce", _("erasure")

    ran_at = models.DateTimeField(_("ran at"), default=timezone.now, db_index=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    as_of = models.DateTimeField(_("rows past retention as of"))
    counts = models.JSONField(_("rows per category"), default=dict)
    total = models.PositiveIntegerField(_("total rows"), default=0)

    class Meta:
        ordering = ["-ran_at", "-id"]
        verbose_name = _("retention run")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["report", "enforce"]), name="retentionrun_kind_valid"),
            models.CheckConstraint(condition=Q(as_of__lte=models.F("ran_at")), name="retentionrun_as_of_not_future"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.ran_at:%Y-%m-%d %H:%M}: {self.total}"


class WebhookEndpoint(models.Model):
    """An outside system told about changes (RSVPs, attendance...) by signed HTTP POSTs (`core.webhooks`).

    Set up by administrators. Payloads carry ids and states only, never names or contact details; the receiver
    signs in to the API for more, with its own permissions."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=64, editable=False)
    event_types = models.JSONField(
        _("event types"), default=list, blank=True, help_text=_("e.g. rsvp.created; empty: every event type")
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("webhook endpoint")
        constraints = [
            models.CheckConstraint(
                condition=Q(url__startswith="https://") | Q(url__startswith="http://"), name="webhookendpoint_http_url"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def wants(self, event_type: str) -> bool:
        return self.active and (not self.event_types or event_type in self.event_types)


class WebhookDelivery(models.Model):
    """One event for one endpoint, and its delivery attempts (retried with backoff by `core.webhooks`)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("failed (gave up)")

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_type = models.CharField(_("event type"), max_length=50)
    payload = models.JSONField(_("payload"))  # ids and states only
    subject_person_id = models.BigIntegerField(_("about (person id)"), null=True, blank=True, db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhookdelivery_due")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "delivered", "failed"]), name="webhookdelivery_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="pending") | Q(next_attempt_at__isnull=False), name="webhookdelivery_pending_due"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint_id}: {self.status}"
