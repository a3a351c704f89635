"""Events data in the privacy registry: the people app's "person with data everywhere", given events data too, appears
in every part of the export (events included), and after erasure nothing of theirs is left: events lose the link to
them and stay; RSVPs stay as anonymous counts, cancelled when the event is still to come. Retention does the same."""

import datetime

import pytest
from django.utils import timezone

from groundgame.core import privacy
from groundgame.core.models import AuditEvent
from groundgame.core.privacy import Erasure
from groundgame.events import services
from groundgame.events.models import Event, EventProposal, Rsvp
from groundgame.people import services as people_services
from tests.people.factories import PersonFactory
from tests.people.test_erasure import SECRETS, SEEDED_APPS, a_person_with_data_everywhere, rows_of

from .factories import EventFactory, RsvpFactory, in_days

pytestmark = pytest.mark.django_db


def entries():
    return [e for e in privacy.entries() if e.model._meta.app_label in SEEDED_APPS | {"events"}]


def a_person_with_events_data():
    person = a_person_with_data_everywhere()
    proposal = EventFactory(
        status=Event.Status.PROPOSED, approved_at=None, proposed_by=person, organiser_contact=person
    )
    past = EventFactory(starts_at=in_days(-10))
    RsvpFactory(event=past, person=person, checked_in_at=past.starts_at, attendance=Rsvp.Attendance.ATTENDED)
    upcoming = EventFactory(capacity=1)
    services.rsvp_create(event=upcoming, person=person, acting=None)
    services.rsvp_create(event=upcoming, person=PersonFactory(), acting=None)  # someone else, waitlisted
    return person, proposal, past, upcoming


def test_events_models_with_personal_data_are_registered_and_the_person_has_data_in_each():
    person, *_ = a_person_with_events_data()

    assert {e.model for e in privacy.entries() if e.model._meta.app_label == "events"} == {Event, EventProposal, Rsvp}
    assert [e.label for e in entries() if not rows_of(e, person).exists()] == []
    assert not [m for m in privacy.unregistered_personal_models() if m._meta.app_label == "events"]


def test_the_export_has_a_part_for_every_registered_model_with_the_events_and_bookings():
    person, proposal, past, upcoming = a_person_with_events_data()

    export = privacy.export_person(person)

    for entry in entries():
        assert export.get(entry.label), f"{entry.label} is missing from the export"
    assert [row["title"] for row in export["events.event"]] == [proposal.title]
    assert [row["title"] for row in export["events.eventproposal"]] == [proposal.title]
    bookings = {row["event__title"]: row for row in export["events.rsvp"]}
    assert set(bookings) == {past.title, upcoming.title}
    assert bookings[past.title]["attendance"] == "attended"
    assert "person_id" not in bookings[past.title]
    assert any(row["action"] == "rsvp.create" for row in export["core.auditevent"])


def test_erasure_unlinks_the_person_from_events_and_leaves_bookings_as_anonymous_counts():
    person, proposal, past, upcoming = a_person_with_events_data()
    rows_before = {e.label: list(rows_of(e, person).values_list("pk", flat=True)) for e in entries()}

    people_services.person_erase(person=person, acting=None, reason="privacy request 1")

    for entry in entries():
        remaining = entry.model.objects.filter(pk__in=rows_before[entry.label])
        if entry.erasure is Erasure.DELETE:
            assert not remaining.exists(), entry.label
        else:
            for row in remaining.values(*entry.personal_fields):
                assert not any(secret in str(row) for secret in SECRETS), (entry.label, row)
    proposal.refresh_from_db()
    assert (proposal.organiser_contact_id, proposal.proposed_by_id) == (None, None)
    assert not Rsvp.objects.filter(person=person).exists()
    kept_past = Rsvp.objects.get(event=past)
    assert (kept_past.status, kept_past.attendance, kept_past.erased_at is not None) == ("confirmed", "attended", True)
    kept_upcoming = Rsvp.objects.filter(event=upcoming, erased_at__isnull=False).get()
    assert kept_upcoming.status == "cancelled" and kept_upcoming.cancelled_at is not None
    fields = set(AuditEvent.objects.get(action="rsvp.anonymise", target_id=str(kept_past.pk)).fields)
    assert fields == {"person", "status", "cancelled_at", "erased_at"}
    assert AuditEvent.objects.filter(action="event.anonymise", target_id=str(proposal.pk)).exists()
    assert AuditEvent.objects.filter(action="eventproposal.anonymise", target_id=str(proposal.pk)).exists()


def test_retention_anonymises_bookings_after_two_years_and_unlinks_organisers_six_years_after_an_event():
    now = timezone.now()
    contact = PersonFactory()
    old_event = EventFactory(
        starts_at=now - datetime.timedelta(days=6 * 365 + 10),
        ends_at=now - datetime.timedelta(days=6 * 365 + 9),
        organiser_contact=contact,
    )
    old = RsvpFactory(event=old_event, created_at=now - datetime.timedelta(days=2 * 365 + 1))
    recent = RsvpFactory(event=EventFactory(starts_at=in_days(-30), organiser_contact=contact))

    report = dict(
        (entry.label, count) for entry, count in privacy.retention_report(now) if entry.label.startswith("events")
    )
    assert report == {"events.event": 1, "events.eventproposal": 0, "events.rsvp": 1}

    privacy.retention_enforce(now)

    old.refresh_from_db()
    recent.refresh_from_db()
    old_event.refresh_from_db()
    assert old.person_id is None and old.erased_at is not None and old.status == "confirmed"
    assert recent.person_id is not None
    assert old_event.organiser_contact_id is None
    assert dict(
        (entry.label, count) for entry, count in privacy.retention_report(now) if entry.label.startswith("events")
    ) == {"events.event": 0, "events.eventproposal": 0, "events.rsvp": 0}
