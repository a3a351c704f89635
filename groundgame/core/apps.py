from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "groundgame.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from . import privacy, tasks  # noqa: F401  (tasks declares core's periodic tasks)
        from .models import (
            AuditEvent,
            MessageDelivery,
            PeriodicJob,
            RetentionRun,
            SuppressedContact,
            User,
            WebhookDelivery,
            WebhookEndpoint,
        )

        if privacy.entry_for(MessageDelivery) is None:
            privacy.register(
                MessageDelivery,
                category="messaging",
                person_field="recipient_id",
                personal_fields=["recipient_id", "channel", "purpose", "status", "reason", "basis", "basis_evidence"],
                erasure=privacy.Erasure.DELETE,
                retention=timedelta(days=730),
                retention_date_field="created_at",
            )
        if privacy.entry_for(WebhookDelivery) is None:
            privacy.register(
                WebhookDelivery,
                category="integrations",
                person_field="subject_person_id",
                personal_fields=["subject_person_id", "payload"],
                erasure=privacy.Erasure.DELETE,
                retention=timedelta(days=30),
                retention_date_field="created_at",
            )
        for model, reason in [
            (AuditEvent, "user ids and field names only, never values; append-only and needs no erasure"),
            (SuppressedContact, "keyed hashes only, kept after erasure so an erased contact is never used again"),
            (PeriodicJob, "a periodic task's name and when it last ran"),
            (RetentionRun, "counts of rows per category, no ids or values"),
            (WebhookEndpoint, "an outside system's address and signing secret"),
            (User.groups.through, "an account's permission groups: authorisation links, no personal data"),
            (User.user_permissions.through, "an account's permissions: authorisation links, no personal data"),
        ]:
            if model not in privacy.exemptions():
                privacy.exempt(model, reason=reason)
