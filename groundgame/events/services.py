"""Every write to events, shifts and RSVPs: validated, atomic, audited (ids and field names only).

Capacity is exact under concurrency. Every write that books, cancels, promotes or checks in first takes the event's
lock and re-reads the event under it:
- PostgreSQL: `SELECT ... FOR UPDATE` on the event row, so writers to one event queue up (other events go on);
- SQLite: the transaction itself, since the project's SQLite settings begin every transaction IMMEDIATE (one writer
  at a time from BEGIN; readers carry on under WAL). `select_for_update()` is a no-op there.
Holding the lock, the service counts the confirmed RSVPs that share the places (a shift's, or the whole event's) and
confirms or waitlists. tests/events/test_concurrency.py runs 200 simultaneous bookings on both databases.

Services validate; permissions are checked by the caller (events.rules).
"""

import datetime
from dataclasses import dataclass
from typing import NamedTuple, TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import TextChoices
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from groundgame.core import messaging, webhooks
from groundgame.core.audit import audit_record, audit_record_many
from groundgame.core.models import Channel, MessageDelivery
from groundgame.people.models import ConsentEvent, ConsentWording, LocalGroup, Person, Purpose
from groundgame.people.selectors import consent_current
from groundgame.people.services import consent_record, normalise_email, person_create
from groundgame.places import postcodes
from groundgame.places.models import Constituency
from groundgame.places.selectors import UnknownPostcode, locate_postcode

from .models import Event, Rsvp, Shift
from .rules import is_movement_member_person

CHECK_IN_OPENS = datetime.timedelta(hours=3)  # before the start


class EventDetails(TypedDict, total=False):
    description: str
    visibility: str
    venue_name: str
    venue_address: str
    venue_postcode: str
    online_url: str
    target_seat: Constituency | None
    capacity: int | None
    accessibility: str
    organiser_contact: Person | None


class RsvpCancellation(NamedTuple):
    rsvp: Rsvp
    promoted: list[Rsvp]  # waitlisted RSVPs confirmed into the place that was freed


# --- events ------------------------------------------------------------------------------------------------------


def _lock(event: Event) -> Event:
    """Take the event's lock (see the module docstring) and reload the event under it."""
    event.refresh_from_db(from_queryset=Event.objects.select_for_update())
    return event


def _require_aware(**values: datetime.datetime) -> None:
    for name, value in values.items():
        if not isinstance(value, datetime.datetime) or timezone.is_naive(value):
            raise ValueError(f"{name} must be an aware datetime")


def _locate(event: Event) -> None:
    """Normalise the venue postcode and place the event at it (the district's centre for an unknown postcode)."""
    if not event.venue_postcode.strip():
        event.venue_postcode, event.latitude, event.longitude = "", None, None
        return
    try:
        parsed = postcodes.parse(event.venue_postcode)
    except postcodes.InvalidPostcode:
        raise ValidationError({"venue_postcode": _("Enter a UK postcode like DE22 1AA.")}) from None
    if not parsed.is_full:
        raise ValidationError({"venue_postcode": _("Enter the venue's full postcode, like DE22 1AA.")})
    try:
        where = locate_postcode(parsed.text)
    except UnknownPostcode:
        raise ValidationError(
            {"venue_postcode": _("We can't find that postcode. Check it, or give an online link instead.")}
        ) from None
    event.venue_postcode, event.latitude, event.longitude = parsed.text, where.lat, where.lon


def _new_event(
    *,
    host: LocalGroup,
    kind: str,
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    status: str,
    proposed_by: Person | None,
    details: EventDetails,
) -> Event:
    _require_aware(starts_at=starts_at, ends_at=ends_at)
    unknown = set(details) - set(EventDetails.__annotations__)
    if unknown:
        raise ValueError(f"not event details: {sorted(unknown)}")
    event = Event(
        host=host,
        kind=kind,
        title=title.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        status=status,
        proposed_by=proposed_by,
        approved_at=timezone.now() if status == Event.Status.APPROVED else None,
        **details,
    )
    _locate(event)
    event.full_clean()
    event.save()
    return event


@transaction.atomic
def event_create(
    *,
    acting,
    host: LocalGroup,
    kind: str,
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    **details: Unpack[EventDetails],
) -> Event:
    """An event set up by the host group's organisers: approved, and open for bookings, at once."""
    event = _new_event(
        host=host,
        kind=kind,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        status=Event.Status.APPROVED,
        proposed_by=None,
        details=details,
    )
    fields = ["host", "kind", "title", "starts_at", "ends_at", "status", *sorted(details)]
    audit_record(actor=acting, action="event.create", target=event, fields=fields)
    return event


@transaction.atomic
def event_propose(
    *,
    acting,
    proposed_by: Person,
    host: LocalGroup,
    kind: str,
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    **details: Unpack[EventDetails],
) -> Event:
    """A volunteer-hosted event: it waits in the host group's approval queue. The proposer is its organiser
    contact unless another person is named."""
    details.setdefault("organiser_contact", proposed_by)
    event = _new_event(
        host=host,
        kind=kind,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        status=Event.Status.PROPOSED,
        proposed_by=proposed_by,
        details=details,
    )
    fields = ["host", "kind", "title", "starts_at", "ends_at", "status", "proposed_by", *sorted(details)]
    audit_record(actor=acting, action="event.propose", target=event, fields=fields)
    return event


@transaction.atomic
def event_approve(*, event: Event, acting) -> Event:
    _lock(event)
    if event.status != Event.Status.PROPOSED:
        raise ValidationError(_("Only a proposed event can be approved."))
    if event.ends_at <= timezone.now():
        raise ValidationError(_("This event is already over."))
    event.status, event.approved_at = Event.Status.APPROVED, timezone.now()
    event.save(update_fields=["status", "approved_at"])
    audit_record(actor=acting, action="event.approve", target=event, fields=["status", "approved_at"])
    return event


@transaction.atomic
def event_cancel(*, event: Event, acting) -> Event:
    """Cancel an event (or decline or withdraw a proposal). Its RSVPs are kept, to tell the people booked."""
    _lock(event)
    if event.status == Event.Status.CANCELLED:
        return event
    if event.ends_at <= timezone.now():
        raise ValidationError(_("This event is already over."))
    event.status, event.cancelled_at = Event.Status.CANCELLED, timezone.now()
    event.save(update_fields=["status", "cancelled_at"])
    audit_record(actor=acting, action="event.cancel", target=event, fields=["status", "cancelled_at"])
    return event


@transaction.atomic
def shift_create(
    *,
    event: Event,
    acting,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    capacity: int | None = None,
    label: str = "",
) -> Shift:
    """Add a time slot with places of its own. Once an event has shifts, every booking is for one of them."""
    _require_aware(starts_at=starts_at, ends_at=ends_at)
    _lock(event)
    if event.status == Event.Status.CANCELLED:
        raise ValidationError(_("This event has been cancelled."))
    if Rsvp.objects.live().for_places(event, None).exists():
        raise ValidationError(_("People have booked the whole event already: it cannot be split into shifts now."))
    if starts_at < event.starts_at or ends_at > event.ends_at:
        raise ValidationError(_("A shift must fall within the event's times."))
    shift = Shift(event=event, starts_at=starts_at, ends_at=ends_at, capacity=capacity, label=label.strip())
    shift.full_clean()
    shift.save()
    audit_record(
        actor=acting, action="shift.create", target=shift, fields=["event", "starts_at", "ends_at", "capacity"]
    )
    return shift


# --- RSVPs -------------------------------------------------------------------------------------------------------


def _capacity(event: Event, shift_id: int | None) -> int | None:
    """The current number of places (read under the lock: a shift may have changed since the caller loaded it)."""
    if shift_id is None:
        return event.capacity
    return Shift.objects.values_list("capacity", flat=True).get(pk=shift_id)


def _has_room(event: Event, shift: Shift | None) -> bool:
    capacity = _capacity(event, shift.pk if shift else None)
    return capacity is None or Rsvp.objects.confirmed().for_places(event, shift).count() < capacity


def _check_open(event: Event, shift: Shift | None, now: datetime.datetime) -> None:
    if event.status != Event.Status.APPROVED:
        raise ValidationError(_("This event is not open for bookings."))
    if event.ends_at <= now:
        raise ValidationError(_("This event is over."))
    if shift is None:
        if event.shifts.exists():
            raise ValidationError({"shift": _("Choose a shift.")})
        return
    if shift.event_id != event.pk:
        raise ValidationError({"shift": _("That shift belongs to another event.")})
    if shift.ends_at <= now:
        raise ValidationError({"shift": _("That shift is over.")})


def _check_may_book(event: Event, person: Person, *, guest: bool) -> None:
    if person.erased_at is not None:
        raise ValidationError(_("This person's record has been erased."))
    if event.visibility == Event.Visibility.MEMBERS:
        if guest:
            raise ValidationError(_("This event is for members: sign in to book."))
        if not is_movement_member_person(person):
            raise ValidationError(_("This event is for members only."))


def _guest_person(*, name: str, email: str, email_consent: ConsentWording | None, acting) -> Person:
    """The person behind a guest RSVP: the one recorded with that email address, or a new record (no account).

    A guest form can be filled in with anyone's address, so an existing record is never changed from it: not its
    name, and not a consent decision it already holds (a withdrawal stands). Email consent is recorded for a new
    record, or for one that was never asked."""
    name = " ".join((name or "").split())
    email = normalise_email(email)
    errors = {}
    if not name:
        errors["guest_name"] = _("Enter your name.")
    try:
        validate_email(email)
    except ValidationError:
        errors["guest_email"] = _("Enter an email address like name@example.org.")
    if errors:
        raise ValidationError(errors)
    if email_consent is not None and email_consent.purpose != Purpose.EMAIL:
        raise ValueError("email_consent must be the wording shown for email consent")
    person = Person.objects.not_erased().filter(email__iexact=email).first()
    created = person is None
    if created:
        first, _space, last = name.rpartition(" ")
        first, last = (first, last) if first else (last, "")
        person = person_create(
            acting=acting, reason="guest RSVP", first_name=first[:80], last_name=last[:80], email=email
        )
    if email_consent is not None and (created or consent_current(person=person, purpose=Purpose.EMAIL) is None):
        consent_record(
            person=person,
            purpose=Purpose.EMAIL,
            basis=ConsentEvent.Basis.CONSENT,
            action=ConsentEvent.Action.GIVEN,
            method=ConsentEvent.Method.WEB_FORM,
            wording=email_consent,
            acting=acting,
        )
    return person


@transaction.atomic
def rsvp_create(
    *,
    event: Event,
    acting,
    person: Person | None = None,
    shift: Shift | None = None,
    guest_name: str = "",
    guest_email: str = "",
    email_consent: ConsentWording | None = None,
) -> Rsvp:
    """Book `person`, or a guest by name and email address, onto `event` (onto `shift` when the event has shifts):
    confirmed while places remain, waitlisted after. Booking again while booked returns the live RSVP.

    `email_consent` is the email consent wording a guest was shown and ticked; it is recorded through people's
    consent service (see `_guest_person`)."""
    guest = person is None
    if guest:
        person = _guest_person(name=guest_name, email=guest_email, email_consent=email_consent, acting=acting)
    elif guest_name or guest_email or email_consent is not None:
        raise ValueError("give either a person or a guest's name and email address, not both")
    _lock(event)
    _check_open(event, shift, timezone.now())
    _check_may_book(event, person, guest=guest)
    existing = Rsvp.objects.live().for_places(event, shift).filter(person=person).first()
    if existing is not None:
        return existing
    status = Rsvp.Status.CONFIRMED if _has_room(event, shift) else Rsvp.Status.WAITLISTED
    rsvp = Rsvp(event=event, shift=shift, person=person, status=status, booked_as_guest=guest)
    # The relations are loaded instances and uniqueness was checked above under the lock (the database's
    # constraints stand behind it): skip the queries full_clean would repeat while every other booking waits.
    rsvp.full_clean(exclude=["event", "shift", "person"], validate_unique=False, validate_constraints=False)
    rsvp.save()
    audit_record(
        actor=acting,
        action="rsvp.create",
        target=rsvp,
        fields=["event", "shift", "person", "status", "booked_as_guest"],
    )
    _record_booking_basis(person, acting=acting)
    _tell("rsvp.created", rsvp)
    return rsvp


def _tell(event_type: str, rsvp: Rsvp) -> None:
    """Outside systems' webhooks (docs/webhooks.md): ids and states only, sent once the transaction commits."""
    data = {"rsvp": rsvp.pk, "event": rsvp.event_id, "shift": rsvp.shift_id, "status": rsvp.status}
    if event_type == "attendance.changed":
        checked_in = rsvp.checked_in_at.isoformat() if rsvp.checked_in_at else None
        data.update(attendance=rsvp.attendance, checked_in_at=checked_in)
    webhooks.emit(event_type, data, person_id=rsvp.person_id)


def _record_booking_basis(person: Person, *, acting) -> None:
    """A booking is a request for its confirmation and reminders: legitimate interests for event messages
    (Purpose.EVENTS, a service purpose), recorded once; an objection (unsubscribing from them) stands."""
    if consent_current(person=person, purpose=Purpose.EVENTS) is None:
        consent_record(
            person=person,
            purpose=Purpose.EVENTS,
            basis=ConsentEvent.Basis.LEGITIMATE_INTERESTS,
            action=ConsentEvent.Action.GIVEN,
            method=ConsentEvent.Method.WEB_FORM,
            acting=acting,
        )


def _promote_waitlisted(event: Event, shift_id: int | None, *, acting) -> list[Rsvp]:
    """Confirm the earliest waitlisted RSVPs into the free places (call with the event's lock held)."""
    capacity = _capacity(event, shift_id)
    places = Rsvp.objects.filter(shift_id=shift_id) if shift_id else Rsvp.objects.for_places(event, None)
    waiting = places.waitlisted()
    if capacity is not None:
        free = capacity - places.confirmed().count()
        if free <= 0:
            return []
        waiting = waiting[:free]
    promoted = list(waiting)
    for rsvp in promoted:
        rsvp.status = Rsvp.Status.CONFIRMED
        rsvp.save(update_fields=["status"])
        audit_record(actor=acting, action="rsvp.promote", target=rsvp, fields=["status"])
        _tell("rsvp.promoted", rsvp)
    return promoted


@transaction.atomic
def rsvp_cancel(*, rsvp: Rsvp, acting) -> RsvpCancellation:
    """Cancel a booking; a confirmed place that frees up goes to the first on the waiting list at once."""
    event = _lock(rsvp.event)
    rsvp.refresh_from_db()
    if rsvp.status == Rsvp.Status.CANCELLED:
        return RsvpCancellation(rsvp, [])
    if event.ends_at <= timezone.now():
        raise ValidationError(_("This event is over."))
    freed = rsvp.status == Rsvp.Status.CONFIRMED
    rsvp.status, rsvp.cancelled_at = Rsvp.Status.CANCELLED, timezone.now()
    rsvp.save(update_fields=["status", "cancelled_at"])
    audit_record(actor=acting, action="rsvp.cancel", target=rsvp, fields=["status", "cancelled_at"])
    _tell("rsvp.cancelled", rsvp)
    promoted = _promote_waitlisted(event, rsvp.shift_id, acting=acting) if freed else []
    if rsvp.person_id is not None:
        from .lifts import lifts_end_for  # lifts builds on these services

        lifts_end_for(event=event, person=rsvp.person, acting=acting)
    return RsvpCancellation(rsvp, promoted)


@transaction.atomic
def rsvp_check_in(*, rsvp: Rsvp, acting, at: datetime.datetime | None = None) -> Rsvp:
    """Check someone in at the door (by QR code or from the list). Checking in twice keeps the first time. Someone
    on the waiting list who is let in is confirmed: the organiser at the door decides."""
    at = at or timezone.now()
    event = _lock(rsvp.event)
    rsvp.refresh_from_db()
    if rsvp.status == Rsvp.Status.CANCELLED:
        raise ValidationError(_("This RSVP was cancelled."))
    if event.status != Event.Status.APPROVED:
        raise ValidationError(_("This event is not going ahead."))
    if at < event.starts_at - CHECK_IN_OPENS:
        raise ValidationError(_("Check-in opens three hours before the start."))
    if rsvp.checked_in_at is not None:
        return rsvp
    fields = ["checked_in_at", "attendance"]
    if rsvp.status == Rsvp.Status.WAITLISTED:
        rsvp.status = Rsvp.Status.CONFIRMED
        fields.append("status")
    rsvp.checked_in_at, rsvp.attendance = at, Rsvp.Attendance.ATTENDED
    rsvp.save(update_fields=fields)
    audit_record(actor=acting, action="rsvp.check_in", target=rsvp, fields=fields)
    _tell("attendance.changed", rsvp)
    return rsvp


@transaction.atomic
def rsvp_mark_attendance(*, rsvp: Rsvp, attended: bool, acting) -> Rsvp:
    """Record from the list whether someone came: attended, or a no-show (which clears a check-in made in error)."""
    event = _lock(rsvp.event)
    rsvp.refresh_from_db()
    if rsvp.status == Rsvp.Status.CANCELLED:
        raise ValidationError(_("This RSVP was cancelled."))
    if timezone.now() < event.starts_at:
        raise ValidationError(_("Attendance can be recorded once the event has started."))
    fields = ["attendance"]
    if attended:
        if rsvp.status == Rsvp.Status.WAITLISTED:
            rsvp.status = Rsvp.Status.CONFIRMED
            fields.append("status")
        rsvp.attendance = Rsvp.Attendance.ATTENDED
    else:
        if rsvp.status != Rsvp.Status.CONFIRMED:
            raise ValidationError(_("Only someone with a confirmed place can be a no-show."))
        rsvp.attendance, rsvp.checked_in_at = Rsvp.Attendance.NO_SHOW, None
        fields.append("checked_in_at")
    rsvp.save(update_fields=fields)
    audit_record(actor=acting, action="rsvp.attendance", target=rsvp, fields=fields)
    _tell("attendance.changed", rsvp)
    return rsvp


@transaction.atomic
def event_record_no_shows(*, event: Event, acting) -> int:
    """Once an event is over, mark everyone confirmed whose attendance was not recorded as a no-show."""
    _lock(event)
    if event.ends_at > timezone.now():
        raise ValidationError(_("No-shows can be recorded once the event is over."))
    rows = list(
        Rsvp.objects.confirmed().filter(event=event, attendance=Rsvp.Attendance.UNKNOWN).values_list("pk", flat=True)
    )
    Rsvp.objects.filter(pk__in=rows).update(attendance=Rsvp.Attendance.NO_SHOW)
    targets = [("events.rsvp", pk) for pk in rows]
    audit_record_many(actor=acting, action="rsvp.attendance", targets=targets, fields=["attendance"])
    for rsvp in Rsvp.objects.filter(pk__in=rows):
        _tell("attendance.changed", rsvp)
    return len(rows)


# --- organisers: changing events and shifts, declining proposals, following up -----------------------------------


class EventChanges(EventDetails, total=False):
    host: LocalGroup
    kind: str
    title: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime


class ShiftChanges(TypedDict, total=False):
    label: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    capacity: int | None


class EventUpdate(NamedTuple):
    event: Event
    changed: list[str]  # the fields whose values changed (nothing is saved when none did)
    promoted: list[Rsvp]  # waitlisted RSVPs confirmed into places that were added


class ShiftUpdate(NamedTuple):
    shift: Shift
    changed: list[str]
    promoted: list[Rsvp]


@dataclass
class MessagesSent:
    """What a batch of messages came to. The counts are filled in once the caller's transaction commits and the
    messages go (`done`); `no_basis` counts people refused for want of a lawful basis for event messages."""

    recipients: int = 0
    sent: int = 0
    no_basis: int = 0
    refused: int = 0  # refused otherwise: no address, or the address is suppressed
    failed: int = 0  # the email backend failed
    done: bool = False


def _apply(instance, changes: dict, allowed: dict) -> list[str]:
    """Set the given fields (text trimmed); return the names of those whose value changed."""
    unknown = set(changes) - set(allowed)
    if unknown:
        raise ValueError(f"cannot change {sorted(unknown)}")
    times = {name: value for name, value in changes.items() if name in ("starts_at", "ends_at")}
    _require_aware(**times)
    changed = []
    for name, value in changes.items():
        if isinstance(value, str):
            value = value.strip()
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


@transaction.atomic
def event_update(*, event: Event, acting, **changes: Unpack[EventChanges]) -> EventUpdate:
    """Change an event's details (a proposal's too; approval and cancellation have services of their own).

    Under the event's lock, like every booking: raising the places of an event without shifts (or removing the
    limit) confirms the first on the waiting list into them at once; lowering them below the number confirmed keeps
    everyone booked (later bookings wait). The event's shifts must still fall within its times."""
    _lock(event)
    if event.status == Event.Status.CANCELLED:
        raise ValidationError(_("This event has been cancelled."))
    if event.ends_at <= timezone.now():
        raise ValidationError(_("This event is already over."))
    postcode_before = event.venue_postcode
    changed = _apply(event, dict(changes), EventChanges.__annotations__)
    if "venue_postcode" in changed:
        _locate(event)
        if event.venue_postcode == postcode_before:
            changed.remove("venue_postcode")
        else:
            changed += ["latitude", "longitude"]
    if not changed:
        return EventUpdate(event, [], [])
    event.full_clean()
    if {"starts_at", "ends_at"} & set(changed) and (
        event.shifts.filter(starts_at__lt=event.starts_at).exists()
        or event.shifts.filter(ends_at__gt=event.ends_at).exists()
    ):
        raise ValidationError(_("The event's shifts must fall within its times: change them first."))
    event.save(update_fields=changed)
    audit_record(actor=acting, action="event.update", target=event, fields=changed)
    promoted = []
    if "capacity" in changed and not event.shifts.exists():
        promoted = _promote_waitlisted(event, None, acting=acting)
    return EventUpdate(event, changed, promoted)


@transaction.atomic
def shift_update(*, shift: Shift, acting, **changes: Unpack[ShiftChanges]) -> ShiftUpdate:
    """Change a shift's label, times or places, under its event's lock: places added go to the first on the
    shift's waiting list at once (as in `event_update`)."""
    event = _lock(shift.event)
    shift.refresh_from_db()
    if event.status == Event.Status.CANCELLED:
        raise ValidationError(_("This event has been cancelled."))
    if shift.ends_at <= timezone.now():
        raise ValidationError(_("That shift is over."))
    changed = _apply(shift, dict(changes), ShiftChanges.__annotations__)
    if not changed:
        return ShiftUpdate(shift, [], [])
    if shift.starts_at < event.starts_at or shift.ends_at > event.ends_at:
        raise ValidationError(_("A shift must fall within the event's times."))
    shift.full_clean()
    shift.save(update_fields=changed)
    audit_record(actor=acting, action="shift.update", target=shift, fields=changed)
    promoted = _promote_waitlisted(event, shift.pk, acting=acting) if "capacity" in changed else []
    return ShiftUpdate(shift, changed, promoted)


@transaction.atomic
def shift_delete(*, shift: Shift, acting) -> None:
    """Remove a shift nobody is booked on (its cancelled bookings go with it)."""
    event = _lock(shift.event)
    if event.ends_at <= timezone.now():
        raise ValidationError(_("This event is already over."))
    if Rsvp.objects.live().filter(shift=shift).exists():
        raise ValidationError(_("People are booked on this shift: it cannot be removed. Change it instead."))
    audit_record(actor=acting, action="shift.delete", target=shift, fields=["event"])
    shift.delete()


def _send_after_commit(people: list[Person], *, subject: str, body: str, acting, result: MessagesSent) -> None:
    """Email each person about an event through core.messaging (Purpose.EVENTS: their basis is checked there),
    once the current transaction commits; count what happened in `result`."""

    def send() -> None:
        for person in people:
            try:
                delivery = messaging.message_send(
                    recipient=person,
                    channel=Channel.EMAIL,
                    purpose=Purpose.EVENTS,
                    subject=subject,
                    body=body,
                    acting=acting,
                )
            except messaging.MessageRefused as refusal:
                if refusal.reason.startswith("no lawful"):  # "no lawful basis" (or no checker registered)
                    result.no_basis += 1
                else:
                    result.refused += 1
            else:
                if delivery.status == MessageDelivery.Status.SENT:
                    result.sent += 1
                else:
                    result.failed += 1
        result.done = True

    transaction.on_commit(send)


@transaction.atomic
def event_decline(*, event: Event, acting, reason: str) -> MessagesSent:
    """Decline a proposed event: it is cancelled, and the member who proposed it is emailed the reason once this
    commits. The reason is not stored (audit rows hold no free text): the email carries it."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why, for the member who proposed it.")})
    _lock(event)
    if event.status != Event.Status.PROPOSED:
        raise ValidationError(_("Only a proposed event can be declined."))
    event.status, event.cancelled_at = Event.Status.CANCELLED, timezone.now()
    event.save(update_fields=["status", "cancelled_at"])
    audit_record(actor=acting, action="event.decline", target=event, fields=["status", "cancelled_at"])
    proposer = event.proposed_by
    result = MessagesSent()
    if proposer is not None and proposer.erased_at is None:
        result.recipients = 1
        subject = _("Your event was not approved: %(title)s") % {"title": event.title}
        body = _(
            "Thank you for proposing “%(title)s” (%(when)s) to %(group)s. The group's organisers have not "
            "approved it, and said why:\n\n%(reason)s"
        ) % {
            "title": event.title,
            "when": formats.date_format(event.local_starts_at, "DATETIME_FORMAT"),
            "group": event.host.name,
            "reason": reason,
        }
        _send_after_commit([proposer], subject=subject, body=body, acting=acting, result=result)
    else:
        result.done = True
    return result


class FollowUpAudience(TextChoices):
    ATTENDED = "attended", pgettext_lazy("follow-up audience", "Everyone who came")
    NO_SHOW = "no_show", pgettext_lazy("follow-up audience", "Everyone who did not come")
    CONFIRMED = "confirmed", pgettext_lazy("follow-up audience", "Everyone with a place")


def follow_up_recipients(*, event: Event, audience: str) -> list[Person]:
    """The people a follow-up to `audience` goes to: one each (someone may have booked several shifts), none
    erased. Attendance is as recorded (checked in or marked from the list)."""
    rsvps = Rsvp.objects.confirmed().filter(event=event, person__isnull=False, person__erased_at__isnull=True)
    if audience == FollowUpAudience.ATTENDED:
        rsvps = rsvps.filter(attendance=Rsvp.Attendance.ATTENDED)
    elif audience == FollowUpAudience.NO_SHOW:
        rsvps = rsvps.filter(attendance=Rsvp.Attendance.NO_SHOW)
    elif audience != FollowUpAudience.CONFIRMED:
        raise ValueError(f"unknown audience {audience!r}")
    return list(Person.objects.filter(pk__in=rsvps.values("person_id")).order_by("pk"))


@transaction.atomic
def event_follow_up(
    *,
    event: Event,
    acting,
    audience: str,
    subject: str,
    body: str,
    next_action: str = "",
    next_action_url: str = "",
) -> MessagesSent:
    """After an event, email the people who came (or the no-shows, or everyone with a place) with a next action
    ("Book the next session: <link>"). Messages go through core.messaging for Purpose.EVENTS once this commits; the
    result counts those sent and those refused (no lawful basis, no address, suppressed)."""
    subject, body = (subject or "").strip(), (body or "").strip()
    errors = {}
    if audience not in FollowUpAudience.values:
        errors["audience"] = _("Choose who to write to.")
    if not subject:
        errors["subject"] = _("Give the email a subject.")
    if not body:
        errors["body"] = _("Write the message.")
    if errors:
        raise ValidationError(errors)
    if event.status != Event.Status.APPROVED:
        raise ValidationError(_("This event did not go ahead."))
    if event.starts_at > timezone.now():
        raise ValidationError(_("A follow-up can be sent once the event has started."))
    people = follow_up_recipients(event=event, audience=audience)
    if not people:
        raise ValidationError({"audience": _("No one to write to: record attendance first.")})
    text = body
    if next_action.strip() or next_action_url.strip():
        text += "\n\n" + _("Next: %(action)s") % {"action": next_action.strip() or next_action_url.strip()}
        if next_action_url.strip() and next_action.strip():
            text += f"\n{next_action_url.strip()}"
    audit_record(actor=acting, action="event.follow_up", target=event, reason=f"{audience}: {len(people)} people")
    result = MessagesSent(recipients=len(people))
    _send_after_commit(people, subject=subject, body=text, acting=acting, result=result)
    return result
