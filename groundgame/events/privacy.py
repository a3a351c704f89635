"""How events data is exported, erased and retained (the privacy registry). Wired up in EventsConfig.ready().

- Event names two people: its organiser contact and (for a volunteer-hosted event) its proposer. A registry entry
  follows one path to a person, so the proposer is registered through the proxy model EventProposal. Erasure
  unlinks the person (the event stays: others booked it); six years after an event the links are dropped too.
- Rsvp: erasure unlinks the person and cancels a booking for an event not yet over (freeing the place for the
  next booking or promotion); the rest (shift, status, attendance) stays as anonymous counts. Retention does the
  same two years after the booking.
"""

import datetime

from django.db.models import Q
from django.utils import timezone

from groundgame.core import privacy
from groundgame.core.privacy import Erasure

EVENT_EXPORT = ("id", "uuid", "kind", "title", "starts_at", "ends_at", "host__name", "status")


def _export_events(rows):
    return list(rows.values(*EVENT_EXPORT))


def _export_rsvps(rows):
    return list(
        rows.values(
            "id",
            "event__title",
            "event__starts_at",
            "shift__label",
            "shift__starts_at",
            "status",
            "booked_as_guest",
            "created_at",
            "cancelled_at",
            "checked_in_at",
            "attendance",
        )
    )


def _erasure_cancels(row) -> bool:
    """Whether erasing this RSVP also cancels it (a live booking for an event not yet over). Decided once per row:
    the status and cancelled_at callables below both ask."""
    decided = getattr(row, "_erasure_cancels", None)
    if decided is None:
        decided = row.status in ("confirmed", "waitlisted") and row.event.ends_at > timezone.now()
        row._erasure_cancels = decided
    return decided


def _status_after_erasure(row) -> str:
    return "cancelled" if _erasure_cancels(row) else row.status


def _cancelled_at_after_erasure(row):
    return timezone.now() if _erasure_cancels(row) else row.cancelled_at


def register_models() -> None:
    from .models import Event, EventProposal, Rsvp

    six_years = datetime.timedelta(days=6 * 365)
    privacy.register(
        Event,
        category="events organised",
        person_field="organiser_contact",
        personal_fields=["organiser_contact"],
        erasure=Erasure.ANONYMISE,
        anonymise={"organiser_contact": None},
        retention=six_years,
        retention_date_field="ends_at",
        export=_export_events,
    )
    privacy.register(
        EventProposal,
        category="events organised",
        person_field="proposed_by",
        personal_fields=["proposed_by"],
        erasure=Erasure.ANONYMISE,
        anonymise={"proposed_by": None},
        retention=six_years,
        retention_date_field="ends_at",
        export=_export_events,
    )
    privacy.register(
        Rsvp,
        category="event attendance",
        person_field="person",
        personal_fields=["person", "status", "booked_as_guest", "checked_in_at", "attendance"],
        erasure=Erasure.ANONYMISE,
        # All computed, so that one bulk update sets them together: a row without a person must be marked erased
        # in the same statement (constraint rsvp_names_a_person_until_erased).
        anonymise={
            "person": lambda row: None,
            "status": _status_after_erasure,
            "cancelled_at": _cancelled_at_after_erasure,
            "erased_at": lambda row: timezone.now(),
        },
        already_erased=Q(erased_at__isnull=False),
        retention=datetime.timedelta(days=2 * 365),
        retention_date_field="created_at",
        export=_export_rsvps,
    )


def connect() -> None:
    register_models()
