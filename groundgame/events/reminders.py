"""Reminders of a booking, sent by the periodic task `events.reminders` (tasks.py, every 5 minutes).

Every confirmed RSVP of an approved event gets up to three emails, timed from its start (its shift's start, or the
event's), in Europe/London local time:

- the day before (`day_before`): at the same local clock time on the previous day, so 24 hours before, or 23 or 25
  across a clock change. It asks the person to confirm they're coming or to cancel, with their booking's link.
- the morning of (`morning_of`): at 08:00 local time on the day it starts, only when it starts at 11:00 or later.
  Earlier starts get the one-hour reminder alone: a reminder at 08:00 and another before 10:00 would be noise.
- an hour before (`hour_before`): 60 minutes before the start.

Each is sent once at most. A `Reminder` row per (RSVP, kind) is written (claimed) before the message goes, under a
unique constraint: a second worker, or a second run, finds the row and sends nothing. A reminder is never sent:
- late: more than LATE_BY[kind] after it was due (the scheduler was down, or the booking was made on the day) it is
  recorded as skipped instead;
- when the place was booked after the reminder was due (the booking confirmation has just said it all): skipped;
- for a cancelled or waitlisted RSVP, a cancelled or unapproved event, or an erased person (the RSVP is not picked,
  and is checked again after the claim).
A refused send (no lawful basis for event emails, no address, a suppressed address) is recorded as refused and not
retried. A failed send (the email backend raised) is retried on later runs while still on time, up to MAX_ATTEMPTS.
A claim whose worker died mid-send stays "sending": better one reminder lost than two sent.

Everything takes `now`, so tests pass the time explicitly (tests/events/test_reminders.py).
"""

import datetime
import logging
from collections import Counter
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from groundgame.core.messaging import MessageRefused, message_send
from groundgame.people.models import Purpose

from . import tokens
from .models import Event, Reminder, Rsvp

logger = logging.getLogger(__name__)

LONDON = ZoneInfo("Europe/London")
Kind = Reminder.Kind
Outcome = Reminder.Outcome

MORNING_AT = datetime.time(8, 0)
MORNING_ONLY_FROM = datetime.time(11, 0)  # the morning reminder goes only for starts at this local time or later
LATE_BY = {
    Kind.DAY_BEFORE: datetime.timedelta(hours=6),
    Kind.MORNING_OF: datetime.timedelta(hours=2),
    Kind.HOUR_BEFORE: datetime.timedelta(minutes=30),
}
MAX_ATTEMPTS = 3
# How far ahead to look for starts: the day-before reminder is due at most 25 hours before (a clock change).
HORIZON = datetime.timedelta(hours=26)

TEMPLATES = {
    Kind.DAY_BEFORE: "events/reminders/day_before.txt",
    Kind.MORNING_OF: "events/reminders/morning_of.txt",
    Kind.HOUR_BEFORE: "events/reminders/hour_before.txt",
}


def reminder_times(starts_at: datetime.datetime) -> dict[str, datetime.datetime]:
    """When each reminder of a booking starting at `starts_at` is due (UTC), by kind."""
    local = starts_at.astimezone(LONDON)
    times = {
        Kind.DAY_BEFORE: datetime.datetime.combine(
            local.date() - datetime.timedelta(days=1), local.time(), tzinfo=LONDON
        ),
        Kind.HOUR_BEFORE: starts_at - datetime.timedelta(hours=1),
    }
    if local.time() >= MORNING_ONLY_FROM:
        times[Kind.MORNING_OF] = datetime.datetime.combine(local.date(), MORNING_AT, tzinfo=LONDON)
    return {kind: when.astimezone(datetime.UTC) for kind, when in times.items()}


def _start(rsvp: Rsvp) -> datetime.datetime:
    return rsvp.shift.starts_at if rsvp.shift_id else rsvp.event.starts_at


def _candidates(now: datetime.datetime):
    """Confirmed RSVPs, naming a person, of approved events, starting within HORIZON, with their reminder rows."""
    return (
        Rsvp.objects.confirmed()
        .filter(person__isnull=False, event__status=Event.Status.APPROVED)
        .annotate(start=Coalesce("shift__starts_at", "event__starts_at"))
        .filter(start__gt=now, start__lte=now + HORIZON)
        .select_related("event", "shift", "person")
        .prefetch_related("reminders")
        .order_by("start", "pk")
    )


def _claim(rsvp: Rsvp, kind: str, due: datetime.datetime, now: datetime.datetime, **values) -> Reminder | None:
    """Write the reminder's row; None when another worker wrote it first."""
    try:
        with transaction.atomic():
            return Reminder.objects.create(rsvp=rsvp, kind=kind, due_at=due, handled_at=now, **values)
    except IntegrityError:
        return None


def _still_wanted(rsvp: Rsvp) -> bool:
    """Checked after the claim: the booking may have been cancelled (or the event) since it was read."""
    return Rsvp.objects.filter(
        pk=rsvp.pk, status=Rsvp.Status.CONFIRMED, person__isnull=False, event__status=Event.Status.APPROVED
    ).exists()


def _message(rsvp: Rsvp, kind: str) -> tuple[str, str]:
    event = rsvp.event
    start = timezone.localtime(_start(rsvp), LONDON)
    context = {
        "rsvp": rsvp,
        "event": event,
        "person": rsvp.person,
        "start": start,
        "manage_url": tokens.manage_url(rsvp),
        "event_url": tokens.absolute_url(event.get_absolute_url()),
    }
    subject = {
        Kind.DAY_BEFORE: _("Tomorrow: %(title)s. Are you still coming?"),
        Kind.MORNING_OF: _("Today: %(title)s"),
        Kind.HOUR_BEFORE: _("In an hour: %(title)s"),
    }[kind] % {"title": event.title}
    return subject, render_to_string(TEMPLATES[kind], context)


def _send(reminder: Reminder, rsvp: Rsvp) -> str:
    """Send a claimed reminder and record what became of it."""
    subject, body = _message(rsvp, reminder.kind)
    try:
        delivery = message_send(
            recipient=rsvp.person, channel="email", purpose=Purpose.EVENTS, subject=subject, body=body
        )
    except MessageRefused as refused:
        reminder.outcome, reminder.reason = Outcome.REFUSED, refused.reason[:200]
    else:
        failed = delivery.status != delivery.Status.SENT
        reminder.outcome = Outcome.FAILED if failed else Outcome.SENT
        reminder.reason = delivery.reason[:200] if failed else ""
    reminder.save(update_fields=["outcome", "reason"])
    return reminder.outcome


def _handle(rsvp: Rsvp, kind: str, due: datetime.datetime, now: datetime.datetime, row: Reminder | None) -> str | None:
    """Send, skip or retry one due reminder; the outcome, or None when there was nothing (left) to do."""
    late = now - due > LATE_BY[kind]
    if row is None:
        if late or rsvp.created_at > due:
            reason = "too late" if late else "booked after it was due"
            claimed = _claim(rsvp, kind, due, now, outcome=Outcome.SKIPPED, reason=reason)
            return Outcome.SKIPPED if claimed else None
        row = _claim(rsvp, kind, due, now, outcome=Outcome.SENDING, attempts=1)
        if row is None:
            return None
    elif row.outcome == Outcome.FAILED and row.attempts < MAX_ATTEMPTS and not late:
        retried = Reminder.objects.filter(pk=row.pk, outcome=Outcome.FAILED, attempts=row.attempts).update(
            outcome=Outcome.SENDING, attempts=F("attempts") + 1, handled_at=now
        )
        if retried != 1:
            return None  # another worker is retrying it
        row.refresh_from_db()
    else:
        return None
    if not _still_wanted(rsvp):
        row.delete()
        return None
    return _send(row, rsvp)


def reminders_send_due(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Send every reminder due at `now` (skip those too late); the number of reminders per outcome."""
    now = now or timezone.now()
    outcomes: Counter[str] = Counter()
    for rsvp in _candidates(now):
        rows = {row.kind: row for row in rsvp.reminders.all()}
        for kind, due in reminder_times(_start(rsvp)).items():
            if due > now:
                continue
            outcome = _handle(rsvp, kind, due, now, rows.get(kind))
            if outcome is not None:
                outcomes[outcome] += 1
    if outcomes:
        logger.info("reminders: %s", dict(outcomes))
    return dict(outcomes)
