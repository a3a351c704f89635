"""Events data in the privacy registry: the people app's "person with data everywhere", given events data too, appears
in every part of the export (events included), and after erasure nothing of theirs is left: events lose the link to
them and stay; RSVPs stay as anonymous counts, cancelled when the event is still to come; lift offers and requests
stay as anonymous counts, withdrawn or cancelled (their seats and riders freed) when the event is still to come;
reminders go. Retention does the same."""

import datetime

import pytest
from django.utils import timezone

from groundgame.core import privacy
from groundgame.core.models import AuditEvent
from groundgame.core.privacy import Erasure
from groundgame.events import lifts, services
from groundgame.events.models import Event, EventProposal, LiftOffer, LiftRequest, Reminder, Rsvp
from groundgame.people import services as people_services
from tests.people.factories import PersonFactory
from tests.people.test_erasure import SECRETS, SEEDED_APPS, a_person_with_data_everywhere, rows_of

from .factories import EventFactory, RsvpFactory, in_days, make_places

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
    Reminder.objects.create(rsvp=Rsvp.objects.get(event=past), kind="day_before", due_at=past.starts_at, outcome="sent")
    # Lifts: the person drives someone else to `upcoming`, and is driven by someone else to `rally`.
    make_places()
    driving = lifts.lift_offer(
        event=upcoming, driver=person, pickup_postcode="DE1 1AA", seats=2, notes="Red van", acting=None
    )
    passenger = services.rsvp_create(event=upcoming, person=PersonFactory(), acting=None).person
    their_ride = lifts.lift_request(event=upcoming, rider=passenger, postcode="DE22 1AA", acting=None)
    lifts.lift_invite(lift_request=their_ride, offer=driving, acting=None)
    lifts.lift_confirm(lift_request=their_ride, acting=None)
    rally = EventFactory()
    services.rsvp_create(event=rally, person=person, acting=None)
    their_car = lifts.lift_offer(
        event=rally,
        driver=services.rsvp_create(event=rally, person=PersonFactory(), acting=None).person,
        pickup_postcode="NG1 1AA",
        seats=3,
        acting=None,
    )
    my_ride = lifts.lift_request(event=rally, rider=person, postcode="NG1 1AA", notes="Wheelchair", acting=None)
    lifts.lift_invite(lift_request=my_ride, offer=their_car, acting=None)
    return person, proposal, past, upcoming


def test_events_models_with_personal_data_are_registered_and_the_person_has_data_in_each():
    person, *_ = a_person_with_events_data()

    assert {e.model for e in privacy.entries() if e.model._meta.app_label == "events"} == {
        Event,
        EventProposal,
        Rsvp,
        LiftOffer,
        LiftRequest,
        Reminder,
    }
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
    assert {past.title, upcoming.title} <= set(bookings)  # and the rally the person gets a lift to
    assert bookings[past.title]["attendance"] == "attended"
    assert "person_id" not in bookings[past.title]
    assert any(row["action"] == "rsvp.create" for row in export["core.auditevent"])
    (offer,) = export["events.liftoffer"]
    assert (offer["pickup_postcode"], offer["notes"], offer["seats_taken"]) == ("DE1 1AA", "Red van", 1)
    (wanted,) = export["events.liftrequest"]
    assert (wanted["postcode"], wanted["notes"], wanted["status"]) == ("NG1 1AA", "Wheelchair", "accepted")
    assert "offer_id" not in wanted and "driver_id" not in offer  # nobody else's ids
    assert [row["kind"] for row in export["events.reminder"]] == ["day_before"]


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
    # Lifts to events still to come: the offer is withdrawn and its rider looks again; the request is cancelled and
    # its seat freed. Both rows stay, anonymous.
    offer = LiftOffer.objects.get(pk__in=rows_before["events.liftoffer"])
    assert (offer.driver_id, offer.pickup_postcode, offer.notes, offer.latitude) == (None, "", "", None)
    assert (offer.status, offer.seats_taken, offer.erased_at is not None) == ("withdrawn", 0, True)
    assert LiftRequest.objects.get(event=upcoming).status == "open"
    wanted = LiftRequest.objects.get(pk__in=rows_before["events.liftrequest"])
    assert (wanted.rider_id, wanted.postcode, wanted.notes, wanted.status) == (None, "", "", "cancelled")
    assert wanted.offer.seats_taken == 0
    assert not Reminder.objects.exists()


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
    assert report == {
        "events.event": 1,
        "events.eventproposal": 0,
        "events.rsvp": 1,
        "events.liftoffer": 0,
        "events.liftrequest": 0,
        "events.reminder": 0,
    }

    privacy.retention_enforce(now)

    old.refresh_from_db()
    recent.refresh_from_db()
    old_event.refresh_from_db()
    assert old.person_id is None and old.erased_at is not None and old.status == "confirmed"
    assert recent.person_id is not None
    assert old_event.organiser_contact_id is None
    assert dict(
        (entry.label, count) for entry, count in privacy.retention_report(now) if entry.label.startswith("events")
    ) == dict.fromkeys(report, 0)


def test_retention_anonymises_lifts_after_a_year_and_deletes_reminders_after_ninety_days():
    now = timezone.now()
    event = EventFactory(starts_at=now - datetime.timedelta(days=400), ends_at=now - datetime.timedelta(days=399))
    driver, rider = PersonFactory(), PersonFactory()
    old_offer = LiftOffer.objects.create(
        event=event,
        driver=driver,
        pickup_postcode="DE1 1AA",
        latitude=52.9,
        longitude=-1.4,
        seats=2,
        seats_taken=1,
        created_at=now - datetime.timedelta(days=410),
    )
    old_request = LiftRequest.objects.create(
        event=event,
        rider=rider,
        offer=old_offer,
        postcode="NG1 1AA",
        latitude=52.9,
        longitude=-1.1,
        status="confirmed",
        confirmed_at=event.starts_at,
        created_at=now - datetime.timedelta(days=405),
    )
    recent = EventFactory(starts_at=in_days(-10))
    recent_offer = LiftOffer.objects.create(
        event=recent,
        driver=driver,
        pickup_postcode="DE1 1AA",
        latitude=52.9,
        longitude=-1.4,
        seats=1,
        created_at=now - datetime.timedelta(days=20),
    )
    old_reminder = Reminder.objects.create(
        rsvp=RsvpFactory(event=recent),
        kind="hour_before",
        due_at=now,
        outcome="sent",
        handled_at=now - datetime.timedelta(days=91),
    )
    Reminder.objects.create(rsvp=old_reminder.rsvp, kind="day_before", due_at=now, outcome="sent")

    privacy.retention_enforce(now)

    old_offer.refresh_from_db()
    old_request.refresh_from_db()
    recent_offer.refresh_from_db()
    # Anonymous counts of a past event: still one seat taken by one confirmed rider.
    assert (old_offer.driver_id, old_offer.pickup_postcode, old_offer.status, old_offer.seats_taken) == (
        None,
        "",
        "open",
        1,
    )
    assert (old_request.rider_id, old_request.postcode, old_request.status) == (None, "", "confirmed")
    assert recent_offer.driver_id == driver.pk
    assert list(Reminder.objects.values_list("kind", flat=True)) == ["day_before"]
