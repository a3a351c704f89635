"""How events data is exported, erased and retained (the privacy registry). Wired up in EventsConfig.ready().

- Event names two people: its organiser contact and (for a volunteer-hosted event) its proposer. A registry entry
  follows one path to a person, so the proposer is registered through the proxy model EventProposal. Erasure
  unlinks the person (the event stays: others booked it); six years after an event the links are dropped too.
- Rsvp: erasure unlinks the person and cancels a booking for an event not yet over (freeing the place for the
  next booking or promotion); the rest (shift, status, attendance) stays as anonymous counts. Retention does the
  same two years after the booking.
- LiftOffer, LiftRequest: erasure unlinks the driver or rider and blanks their postcode, its coordinates and notes;
  the rows stay as anonymous counts (lifts filled). For an event not yet over, an offer is also withdrawn (its riders
  are looking again) and a request cancelled (its seat freed): see `_withdraws` and `_cancels` below, the only
  anonymise values that write elsewhere, deciding once per row. Retention does the same a year after the lift was
  offered or asked for.
- Reminder: which reminders of a booking went out, and when. Deleted on erasure, and 90 days after being handled
  (they only stop a reminder going twice).
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


def _export_lift_offers(rows):
    return list(
        rows.values(
            "id",
            "event__title",
            "event__starts_at",
            "pickup_postcode",
            "seats",
            "seats_taken",
            "notes",
            "status",
            "created_at",
            "withdrawn_at",
        )
    )


def _export_lift_requests(rows):
    return list(
        rows.values(
            "id",
            "event__title",
            "event__starts_at",
            "postcode",
            "notes",
            "status",
            "created_at",
            "matched_at",
            "confirmed_at",
            "cancelled_at",
        )
    )


def _decided(row, name: str, decide) -> bool:
    """Decide once per row (several anonymise callables ask the same question, and the deciding one writes)."""
    decided = getattr(row, name, None)
    if decided is None:
        decided = decide(row)
        setattr(row, name, decided)
    return decided


def _withdraws(row) -> bool:
    """Erasing this offer withdraws it: it is open and its event not over. Its riders are then looking again (the
    matched requests are released here, in the same transaction as the erasure, and audited)."""

    def decide(offer) -> bool:
        from .lifts import release_riders_on_erasure

        withdraws = offer.status == "open" and offer.event.ends_at > timezone.now()
        if withdraws:
            release_riders_on_erasure(offer)
        return withdraws

    return _decided(row, "_erasure_withdraws", decide)


def _cancels(row) -> bool:
    """Erasing this request cancels it: it is live and its event not over. A seat it held is freed here."""

    def decide(wanted) -> bool:
        from .lifts import free_seat_on_erasure

        cancels = wanted.status in ("open", "requested", "accepted", "confirmed") and wanted.event.ends_at > (
            timezone.now()
        )
        if cancels:
            free_seat_on_erasure(wanted)
        return cancels

    return _decided(row, "_erasure_cancels", decide)


def register_lift_and_reminder_models() -> None:
    from .models import LiftOffer, LiftRequest, Reminder

    privacy.register(
        LiftOffer,
        category="lifts",
        person_field="driver",
        personal_fields=["driver", "pickup_postcode", "latitude", "longitude", "notes"],
        erasure=Erasure.ANONYMISE,
        anonymise={
            # The status first: deciding it releases the riders, before seats_taken is read.
            "status": lambda row: "withdrawn" if _withdraws(row) else row.status,
            "withdrawn_at": lambda row: timezone.now() if _withdraws(row) else row.withdrawn_at,
            "seats_taken": lambda row: 0 if _withdraws(row) else row.seats_taken,
            "driver": lambda row: None,
            "pickup_postcode": lambda row: "",
            "latitude": lambda row: None,
            "longitude": lambda row: None,
            "notes": lambda row: "",
            "erased_at": lambda row: timezone.now(),
        },
        already_erased=Q(erased_at__isnull=False),
        retention=datetime.timedelta(days=365),
        retention_date_field="created_at",
        export=_export_lift_offers,
    )
    privacy.register(
        LiftRequest,
        category="lifts",
        person_field="rider",
        personal_fields=["rider", "postcode", "latitude", "longitude", "notes"],
        erasure=Erasure.ANONYMISE,
        anonymise={
            "status": lambda row: "cancelled" if _cancels(row) else row.status,
            "cancelled_at": lambda row: timezone.now() if _cancels(row) else row.cancelled_at,
            "rider": lambda row: None,
            "postcode": lambda row: "",
            "latitude": lambda row: None,
            "longitude": lambda row: None,
            "notes": lambda row: "",
            "erased_at": lambda row: timezone.now(),
        },
        already_erased=Q(erased_at__isnull=False),
        retention=datetime.timedelta(days=365),
        retention_date_field="created_at",
        export=_export_lift_requests,
    )
    privacy.register(
        Reminder,
        category="event attendance",
        person_field="rsvp__person",
        personal_fields=["kind", "due_at", "outcome"],
        erasure=Erasure.DELETE,
        retention=datetime.timedelta(days=90),
        retention_date_field="handled_at",
    )


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
    register_lift_and_reminder_models()
