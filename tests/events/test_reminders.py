"""Booking reminders with the clock passed in (`now`): the day before, the morning of (08:00 London time, for starts
at 11:00 or later) and an hour before; each goes once, at the right local time across the BST/GMT changes of 2026
(29 March, 25 October), never after a cancellation or for a cancelled event, never late; refused sends are recorded
and not retried; failed ones are retried while still on time; a second worker finds each reminder claimed."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.mail import EmailMessage

from groundgame.core import scheduling
from groundgame.core.models import MessageDelivery
from groundgame.events import reminders, tasks
from groundgame.events.models import Event, Reminder, Rsvp
from groundgame.events.reminders import reminder_times, reminders_send_due
from groundgame.people.models import ConsentEvent, Purpose
from groundgame.people.services import consent_record
from tests.people.factories import PersonFactory

from .factories import EventFactory, RsvpFactory, ShiftFactory

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
UTC = datetime.UTC
Kind, Outcome = Reminder.Kind, Reminder.Outcome
STEP = datetime.timedelta(minutes=5)  # the periodic task's interval


def local(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=LONDON)


def utc(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


def booking(starts_at, *, booked_at=None, consent=True, status=Rsvp.Status.CONFIRMED, **event_values) -> Rsvp:
    """A confirmed booking, made a week before the start unless `booked_at`, by someone whose booking recorded the
    basis for event emails (as rsvp_create does) unless `consent` is False."""
    event = EventFactory(starts_at=starts_at, ends_at=starts_at + datetime.timedelta(hours=3), **event_values)
    person = PersonFactory(first_name="Asha")
    created = booked_at or starts_at - datetime.timedelta(days=7)
    cancelled_at = created if status == Rsvp.Status.CANCELLED else None
    rsvp = RsvpFactory(event=event, person=person, status=status, created_at=created, cancelled_at=cancelled_at)
    if consent:
        consent_record(
            person=person,
            purpose=Purpose.EVENTS,
            basis=ConsentEvent.Basis.LEGITIMATE_INTERESTS,
            action=ConsentEvent.Action.GIVEN,
            method=ConsentEvent.Method.WEB_FORM,
            acting=None,
        )
    return rsvp


def run_scheduler(start: datetime.datetime, end: datetime.datetime) -> list[tuple[datetime.datetime, str]]:
    """Run the reminders every 5 minutes from `start` to `end`, as the scheduler would: (when, subject) per email."""
    sent = []
    now = start
    while now <= end:
        before = len(mail.outbox)
        reminders_send_due(now=now)
        sent += [(now, message.subject) for message in mail.outbox[before:]]
        now += STEP
    return sent


# --- when ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "day_before", "morning_of"),
    [
        # Saturday before the October change (BST, UTC+1); the day before is BST too.
        (local(2026, 10, 24, 14, 0), utc(2026, 10, 23, 13, 0), utc(2026, 10, 24, 7, 0)),
        # Saturday after it (GMT): 08:00 local is 08:00 UTC.
        (local(2026, 10, 31, 14, 0), utc(2026, 10, 30, 14, 0), utc(2026, 10, 31, 8, 0)),
        # Sunday of the change: the day before is BST, the day itself GMT; 25 hours apart.
        (local(2026, 10, 25, 14, 0), utc(2026, 10, 24, 13, 0), utc(2026, 10, 25, 8, 0)),
        # Saturday before the March change (GMT).
        (local(2026, 3, 28, 14, 0), utc(2026, 3, 27, 14, 0), utc(2026, 3, 28, 8, 0)),
        # Sunday of the change: the day before is GMT, the day itself BST; 23 hours apart.
        (local(2026, 3, 29, 14, 0), utc(2026, 3, 28, 14, 0), utc(2026, 3, 29, 7, 0)),
    ],
)
def test_reminders_are_due_at_local_times_across_the_clock_changes(start, day_before, morning_of):
    times = reminder_times(start)

    assert times == {
        Kind.DAY_BEFORE: day_before,
        Kind.MORNING_OF: morning_of,
        Kind.HOUR_BEFORE: start.astimezone(UTC) - datetime.timedelta(hours=1),
    }
    assert times[Kind.DAY_BEFORE].astimezone(LONDON).time() == datetime.time(14, 0)
    assert times[Kind.MORNING_OF].astimezone(LONDON).time() == datetime.time(8, 0)


@pytest.mark.parametrize(("hour", "morning"), [(7, False), (10, False), (10.99, False), (11, True), (19, True)])
def test_the_morning_reminder_is_only_for_starts_at_eleven_or_later(hour, morning):
    start = local(2026, 10, 24, int(hour), 59 if hour % 1 else 0)
    assert (Kind.MORNING_OF in reminder_times(start)) is morning


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (
            local(2026, 10, 24, 14, 0),
            [utc(2026, 10, 23, 13, 0), utc(2026, 10, 24, 7, 0), utc(2026, 10, 24, 12, 0)],
        ),
        (
            local(2026, 10, 31, 14, 0),
            [utc(2026, 10, 30, 14, 0), utc(2026, 10, 31, 8, 0), utc(2026, 10, 31, 13, 0)],
        ),
        (
            local(2026, 3, 28, 14, 0),
            [utc(2026, 3, 27, 14, 0), utc(2026, 3, 28, 8, 0), utc(2026, 3, 28, 13, 0)],
        ),
        (
            local(2026, 3, 29, 14, 0),
            [utc(2026, 3, 28, 14, 0), utc(2026, 3, 29, 7, 0), utc(2026, 3, 29, 12, 0)],
        ),
    ],
    ids=["sat-24-oct-bst", "sat-31-oct-gmt", "sat-28-mar-gmt", "sun-29-mar-bst"],
)
def test_running_every_five_minutes_sends_each_reminder_once_at_its_local_time(start, expected):
    rsvp = booking(start)

    sent = run_scheduler(start - datetime.timedelta(hours=30), start + datetime.timedelta(hours=1))

    assert [when for when, _subject in sent] == expected
    assert [when.astimezone(LONDON).strftime("%a %H:%M") for when, _subject in sent][1] == start.strftime("%a 08:00")
    subjects = [subject for _when, subject in sent]
    assert subjects[0].startswith("Tomorrow: ") and subjects[1].startswith("Today: ")
    assert subjects[2].startswith("In an hour: ")
    assert set(rsvp.reminders.values_list("kind", "outcome")) == {(k, Outcome.SENT) for k in Kind.values}


def test_a_shifts_reminders_follow_the_shifts_start():
    rsvp = booking(local(2026, 10, 24, 9, 0))
    shift = ShiftFactory(event=rsvp.event, starts_at=local(2026, 10, 24, 11, 0), ends_at=local(2026, 10, 24, 12, 0))
    Rsvp.objects.filter(pk=rsvp.pk).update(shift=shift)

    sent = run_scheduler(local(2026, 10, 23, 8, 0), local(2026, 10, 24, 11, 0))

    assert [when.astimezone(LONDON).strftime("%a %H:%M") for when, _ in sent] == ["Fri 11:00", "Sat 08:00", "Sat 10:00"]
    assert "Your shift:" in mail.outbox[0].body


# --- what ------------------------------------------------------------------------------------------------------


def test_the_day_before_asks_to_confirm_or_cancel_with_the_bookings_link(settings):
    settings.GROUNDGAME_SITE_URL = "https://groundgame.example"
    rsvp = booking(local(2026, 10, 31, 14, 0), title="Doors in Allenton", venue_name="Allenton library")

    reminders_send_due(now=utc(2026, 10, 30, 14, 0))

    (message,) = mail.outbox
    assert message.to == [rsvp.person.email]
    assert message.subject == "Tomorrow: Doors in Allenton. Are you still coming?"
    assert "Hello Asha," in message.body
    assert "tomorrow, Saturday 31 October, at 14:00" in message.body
    assert "Allenton library" in message.body and "DE22 1AA" in message.body
    assert "Please confirm, or cancel" in message.body
    assert "https://groundgame.example/events/rsvp/" in message.body
    assert "&amp;" not in message.body and "&#x27;" not in message.body  # plain text, not HTML-escaped
    delivery = MessageDelivery.objects.get(recipient_id=rsvp.person_id)
    assert (delivery.purpose, delivery.status) == (Purpose.EVENTS, MessageDelivery.Status.SENT)


# --- once, and only when wanted --------------------------------------------------------------------------------


def test_a_second_run_at_the_same_time_sends_nothing():
    booking(local(2026, 10, 31, 14, 0))
    now = utc(2026, 10, 30, 14, 0)

    assert reminders_send_due(now=now) == {Outcome.SENT: 1}
    assert reminders_send_due(now=now) == {}
    assert reminders_send_due(now=now + STEP) == {}
    assert len(mail.outbox) == 1


def test_a_second_worker_with_the_same_reading_finds_the_reminder_claimed():
    """Two workers read the same due reminder before either claimed it: the unique (rsvp, kind) row lets one send."""
    rsvp = booking(local(2026, 10, 31, 14, 0))
    now = utc(2026, 10, 30, 14, 0)
    (stale,) = reminders._candidates(now)  # the second worker's reading: no reminder row yet
    due = reminder_times(stale.event.starts_at)[Kind.DAY_BEFORE]

    reminders_send_due(now=now)  # the first worker
    assert reminders._handle(stale, Kind.DAY_BEFORE, due, now, None) is None  # the second

    assert len(mail.outbox) == 1
    assert Reminder.objects.get(rsvp=rsvp).outcome == Outcome.SENT


def test_no_reminder_after_a_cancellation_even_one_read_before_it():
    rsvp = booking(local(2026, 10, 31, 14, 0))
    booking(local(2026, 10, 31, 14, 0), status=Rsvp.Status.CANCELLED)
    booking(local(2026, 10, 31, 14, 0), status=Rsvp.Status.WAITLISTED)
    now = utc(2026, 10, 30, 14, 0)
    (stale,) = reminders._candidates(now)
    Rsvp.objects.filter(pk=rsvp.pk).update(status=Rsvp.Status.CANCELLED, cancelled_at=now)

    assert reminders._handle(stale, Kind.DAY_BEFORE, now, now, None) is None
    assert run_scheduler(now, utc(2026, 10, 31, 14, 0)) == []
    assert not Reminder.objects.exists()
    assert mail.outbox == []


def test_no_reminder_for_a_cancelled_or_unapproved_event():
    start = local(2026, 10, 31, 14, 0)
    cancelled = booking(start)
    Event.objects.filter(pk=cancelled.event_id).update(status=Event.Status.CANCELLED, cancelled_at=start)
    proposed = booking(start)
    Event.objects.filter(pk=proposed.event_id).update(status=Event.Status.PROPOSED)

    assert run_scheduler(start - datetime.timedelta(hours=25), start) == []
    assert not Reminder.objects.exists()


@pytest.mark.parametrize(
    ("booked_before", "skipped"),
    [
        (datetime.timedelta(hours=2), {Kind.DAY_BEFORE: "too late", Kind.MORNING_OF: "too late"}),
        (
            datetime.timedelta(hours=5, minutes=30),  # at 08:30 on the day
            {Kind.DAY_BEFORE: "too late", Kind.MORNING_OF: "booked after it was due"},
        ),
    ],
)
def test_booked_on_the_day_only_the_one_hour_reminder_goes(booked_before, skipped):
    start = local(2026, 10, 31, 14, 0)
    rsvp = booking(start, booked_at=start - booked_before)

    sent = run_scheduler(start - booked_before + STEP, start)

    assert [when for when, _ in sent] == [start - datetime.timedelta(hours=1)]
    assert dict(rsvp.reminders.filter(outcome=Outcome.SKIPPED).values_list("kind", "reason")) == skipped


@pytest.mark.parametrize(("hours_late", "outcome"), [(4, Outcome.SENT), (7, Outcome.SKIPPED)])
def test_a_reminder_late_by_more_than_its_window_is_skipped_not_sent_late(hours_late, outcome):
    """The scheduler was down: back 4 hours after the day-before reminder was due, it still sends it; back 7 hours
    after (the window is 6), it skips it."""
    rsvp = booking(local(2026, 10, 31, 14, 0))

    reminders_send_due(now=utc(2026, 10, 30, 14 + hours_late, 0))

    assert rsvp.reminders.get(kind=Kind.DAY_BEFORE).outcome == outcome
    assert len(mail.outbox) == (outcome == Outcome.SENT)


def test_the_morning_reminder_three_hours_late_is_skipped():
    rsvp = booking(local(2026, 10, 31, 14, 0))
    reminders_send_due(now=utc(2026, 10, 31, 11, 0))
    assert rsvp.reminders.get(kind=Kind.MORNING_OF).outcome == Outcome.SKIPPED
    assert rsvp.reminders.get(kind=Kind.DAY_BEFORE).outcome == Outcome.SKIPPED
    assert mail.outbox == []


def test_a_refused_send_is_recorded_and_not_retried():
    rsvp = booking(local(2026, 10, 31, 14, 0), consent=False)

    reminders_send_due(now=utc(2026, 10, 30, 14, 0))
    reminders_send_due(now=utc(2026, 10, 30, 14, 5))

    reminder = rsvp.reminders.get()
    assert (reminder.outcome, reminder.reason, reminder.attempts) == (Outcome.REFUSED, "no lawful basis", 1)
    assert MessageDelivery.objects.filter(recipient_id=rsvp.person_id).count() == 1
    assert mail.outbox == []


def test_an_objection_to_event_emails_stands():
    rsvp = booking(local(2026, 10, 31, 14, 0))
    consent_record(
        person=rsvp.person,
        purpose=Purpose.EVENTS,
        basis=ConsentEvent.Basis.LEGITIMATE_INTERESTS,
        action=ConsentEvent.Action.WITHDRAWN,
        method=ConsentEvent.Method.UNSUBSCRIBE,
        acting=None,
    )
    reminders_send_due(now=utc(2026, 10, 30, 14, 0))
    assert rsvp.reminders.get().outcome == Outcome.REFUSED and mail.outbox == []


def test_a_failed_send_is_retried_while_on_time_and_at_most_three_times(monkeypatch):
    rsvp = booking(local(2026, 10, 31, 14, 0))
    real_send = EmailMessage.send

    def broken(self, fail_silently=False):
        raise ConnectionError("SMTP down")

    monkeypatch.setattr(EmailMessage, "send", broken)
    reminders_send_due(now=utc(2026, 10, 30, 14, 0))
    reminders_send_due(now=utc(2026, 10, 30, 14, 5))
    reminder = rsvp.reminders.get()
    assert (reminder.outcome, reminder.attempts) == (Outcome.FAILED, 2)

    monkeypatch.setattr(EmailMessage, "send", real_send)
    reminders_send_due(now=utc(2026, 10, 30, 14, 10))
    reminder.refresh_from_db()
    assert (reminder.outcome, reminder.attempts) == (Outcome.SENT, 3)
    assert len(mail.outbox) == 1

    other = booking(local(2026, 11, 7, 14, 0))
    monkeypatch.setattr(EmailMessage, "send", broken)
    for minutes in range(0, 30, 5):
        reminders_send_due(now=utc(2026, 11, 6, 14, minutes))
    assert other.reminders.get().attempts == reminders.MAX_ATTEMPTS


def test_an_erased_persons_booking_gets_no_reminder():
    rsvp = booking(local(2026, 10, 31, 14, 0))
    Rsvp.objects.filter(pk=rsvp.pk).update(person=None, erased_at=utc(2026, 10, 1))
    assert reminders_send_due(now=utc(2026, 10, 30, 14, 0)) == {}


# --- the task --------------------------------------------------------------------------------------------------


def test_the_reminders_task_is_declared_every_five_minutes_and_runs():
    declared = {p.name: p for p in scheduling.periodic_tasks()}
    assert declared["events.reminders"].every == datetime.timedelta(minutes=5)
    assert declared["events.reminders"].task is tasks.send_reminders
    assert tasks.send_reminders.call() == {}
