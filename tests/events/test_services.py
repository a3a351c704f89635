"""Events services: events located at their postcode, proposals and approval, bookings with a waiting list that
promotes on cancellation, guest bookings with consent, check-in and attendance, and the database's invariants."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from groundgame.core.models import AuditEvent, WebhookDelivery, WebhookEndpoint
from groundgame.events import services
from groundgame.events.models import Event, Rsvp
from groundgame.people.models import ConsentEvent, LocalGroup, Membership, Person, Purpose
from groundgame.people.selectors import consent_current
from groundgame.people.services import consent_record
from tests.people.factories import GroupFactory, MembershipFactory, PersonFactory, wording

from .factories import PLACES, EventFactory, RsvpFactory, ShiftFactory, in_days

pytestmark = pytest.mark.django_db


def event_values(**overrides):
    return {
        "acting": None,
        "host": GroupFactory(),
        "kind": Event.Kind.CANVASSING,
        "title": "Doors in Allenton",
        "starts_at": in_days(5, hour=10),
        "ends_at": in_days(5, hour=13),
        "venue_name": "Allenton library",
        "venue_postcode": "de221aa",
    } | overrides


def book(event, n, shift=None):
    return [services.rsvp_create(event=event, shift=shift, person=PersonFactory(), acting=None) for _ in range(n)]


# --- events ------------------------------------------------------------------------------------------------------


def test_an_organisers_event_is_approved_at_once_and_located_at_its_postcode(places):
    event = services.event_create(**event_values(capacity=20))

    assert event.status == Event.Status.APPROVED and event.approved_at is not None
    assert event.venue_postcode == "DE22 1AA"
    assert (event.latitude, event.longitude) == PLACES["DE22 1AA"]
    audit = AuditEvent.objects.get(action="event.create", target_id=str(event.pk))
    assert {"venue_postcode", "capacity", "starts_at"} <= set(audit.fields)


def test_a_postcode_missing_from_the_tables_is_placed_at_its_district(places):
    event = services.event_create(**event_values(venue_postcode="DE22 9ZZ"))

    assert (event.latitude, event.longitude) == (52.93, -1.49)


@pytest.mark.parametrize("postcode", ["not a postcode", "DE22", "BX1 1LT"])
def test_a_bad_or_unknown_venue_postcode_is_refused_naming_the_field(places, postcode):
    with pytest.raises(ValidationError) as error:
        services.event_create(**event_values(venue_postcode=postcode))

    assert "venue_postcode" in error.value.message_dict


def test_an_online_event_needs_a_link_and_no_postcode(places):
    event = services.event_create(**event_values(venue_postcode="", venue_name="", online_url="https://meet.example/x"))
    assert event.is_online and event.latitude is None

    with pytest.raises(ValidationError):
        services.event_create(**event_values(venue_postcode="", online_url=""))


def test_an_event_must_end_after_it_starts(places):
    with pytest.raises(ValidationError):
        services.event_create(**event_values(ends_at=in_days(5, hour=9)))


def test_naive_times_are_refused_rather_than_guessed(places):
    with pytest.raises(ValueError, match="aware"):
        services.event_create(**event_values(starts_at=datetime.datetime(2026, 10, 24, 18, 0)))


def test_the_database_refuses_an_event_ending_before_it_starts_and_negative_places():
    event = EventFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(ends_at=event.starts_at - datetime.timedelta(hours=1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(capacity=-1)
    shift = ShiftFactory(event=event)
    with pytest.raises(IntegrityError), transaction.atomic():
        type(shift).objects.filter(pk=shift.pk).update(ends_at=shift.starts_at)


def test_a_members_proposal_waits_for_approval_and_takes_no_bookings_until_then(places):
    proposer = PersonFactory()
    event = services.event_propose(**event_values(proposed_by=proposer, kind=Event.Kind.SOCIAL, title="Quiz night"))

    assert event.status == Event.Status.PROPOSED and event.approved_at is None
    assert event.proposed_by == proposer and event.organiser_contact == proposer
    with pytest.raises(ValidationError, match="not open"):
        services.rsvp_create(event=event, person=PersonFactory(), acting=None)

    services.event_approve(event=event, acting=None)

    assert event.status == Event.Status.APPROVED
    assert services.rsvp_create(event=event, person=PersonFactory(), acting=None).status == Rsvp.Status.CONFIRMED
    with pytest.raises(ValidationError):
        services.event_approve(event=event, acting=None)
    assert list(
        AuditEvent.objects.filter(target_id=str(event.pk), target_type="events.event").values_list("action", flat=True)
    ) == ["event.approve", "event.propose"]  # newest first


def test_a_cancelled_event_keeps_its_rsvps_and_takes_no_more(places):
    event = EventFactory(capacity=5)
    (rsvp,) = book(event, 1)

    services.event_cancel(event=event, acting=None)

    assert event.status == Event.Status.CANCELLED and event.cancelled_at is not None
    assert Rsvp.objects.get(pk=rsvp.pk).status == Rsvp.Status.CONFIRMED
    with pytest.raises(ValidationError):
        book(event, 1)


# --- bookings and the waiting list ---------------------------------------------------------------------------------


def test_bookings_are_confirmed_while_places_remain_then_waitlisted_in_order():
    event = EventFactory(capacity=2)

    rsvps = book(event, 4)

    assert [r.status for r in rsvps] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert list(Rsvp.objects.waitlisted()) == rsvps[2:]


def test_an_event_without_a_limit_confirms_everyone():
    event = EventFactory(capacity=None)
    assert {r.status for r in book(event, 5)} == {"confirmed"}


def test_booking_again_while_booked_returns_the_same_rsvp():
    event = EventFactory(capacity=1)
    person = PersonFactory()

    first = services.rsvp_create(event=event, person=person, acting=None)
    again = services.rsvp_create(event=event, person=person, acting=None)

    assert again.pk == first.pk and Rsvp.objects.count() == 1


def test_cancelling_a_confirmed_place_promotes_the_first_on_the_waiting_list():
    event = EventFactory(capacity=2)
    confirmed_a, _confirmed_b, first_waiting, second_waiting = book(event, 4)

    cancellation = services.rsvp_cancel(rsvp=confirmed_a, acting=None)

    assert cancellation.rsvp.status == Rsvp.Status.CANCELLED and cancellation.rsvp.cancelled_at is not None
    assert [r.pk for r in cancellation.promoted] == [first_waiting.pk]
    first_waiting.refresh_from_db()
    second_waiting.refresh_from_db()
    assert (first_waiting.status, second_waiting.status) == ("confirmed", "waitlisted")
    assert Rsvp.objects.confirmed().count() == 2
    assert AuditEvent.objects.filter(action="rsvp.promote", target_id=str(first_waiting.pk)).exists()


def test_bookings_cancellations_promotions_and_check_ins_are_told_to_webhooks(django_capture_on_commit_callbacks):
    WebhookEndpoint.objects.create(name="CRM", url="http://127.0.0.1:9/", secret="s")
    event = EventFactory(capacity=1, starts_at=timezone.now() + datetime.timedelta(hours=1))
    with django_capture_on_commit_callbacks():
        first, waiting = book(event, 2)
        services.rsvp_cancel(rsvp=first, acting=None)
        services.rsvp_check_in(rsvp=waiting, acting=None)

    told = [
        (d.event_type, d.payload["data"]["rsvp"], d.subject_person_id) for d in WebhookDelivery.objects.order_by("pk")
    ]
    assert told == [
        ("rsvp.created", first.pk, first.person_id),
        ("rsvp.created", waiting.pk, waiting.person_id),
        ("rsvp.cancelled", first.pk, first.person_id),
        ("rsvp.promoted", waiting.pk, waiting.person_id),
        ("attendance.changed", waiting.pk, waiting.person_id),
    ]
    assert set(WebhookDelivery.objects.order_by("pk").last().payload["data"]) == {
        "rsvp", "event", "shift", "status", "attendance", "checked_in_at"
    }  # fmt: skip


def test_cancelling_a_waitlisted_rsvp_promotes_nobody_and_cancelling_twice_changes_nothing():
    event = EventFactory(capacity=1)
    _confirmed, waiting, last = book(event, 3)

    assert services.rsvp_cancel(rsvp=waiting, acting=None).promoted == []
    assert services.rsvp_cancel(rsvp=waiting, acting=None).promoted == []
    last.refresh_from_db()
    assert last.status == Rsvp.Status.WAITLISTED


def test_someone_who_cancelled_can_book_again_at_the_back_of_the_queue():
    event = EventFactory(capacity=1)
    person = PersonFactory()
    first = services.rsvp_create(event=event, person=person, acting=None)
    book(event, 1)  # waitlisted, promoted when `first` cancels
    services.rsvp_cancel(rsvp=first, acting=None)

    again = services.rsvp_create(event=event, person=person, acting=None)

    assert again.pk != first.pk and again.status == Rsvp.Status.WAITLISTED


def test_an_event_with_shifts_needs_a_shift_and_counts_places_per_shift():
    event = EventFactory(capacity=None)
    morning = ShiftFactory(event=event, capacity=1, label="Morning")
    afternoon = ShiftFactory(event=event, capacity=2, label="Afternoon")

    with pytest.raises(ValidationError) as error:
        book(event, 1)
    assert "shift" in error.value.message_dict
    assert [r.status for r in book(event, 2, shift=morning)] == ["confirmed", "waitlisted"]
    assert [r.status for r in book(event, 2, shift=afternoon)] == ["confirmed", "confirmed"]


def test_one_person_may_book_several_shifts_of_an_event_but_each_once():
    event = EventFactory()
    morning, afternoon = ShiftFactory(event=event), ShiftFactory(event=event)
    person = PersonFactory()

    a = services.rsvp_create(event=event, shift=morning, person=person, acting=None)
    b = services.rsvp_create(event=event, shift=afternoon, person=person, acting=None)

    assert a.pk != b.pk
    assert services.rsvp_create(event=event, shift=morning, person=person, acting=None).pk == a.pk


def test_a_shift_from_another_event_or_outside_the_events_times_is_refused():
    event = EventFactory()
    other_shift = ShiftFactory()

    with pytest.raises(ValidationError) as error:
        services.rsvp_create(event=event, shift=other_shift, person=PersonFactory(), acting=None)
    assert "shift" in error.value.message_dict
    with pytest.raises(ValidationError, match="within"):
        services.shift_create(
            event=event, acting=None, starts_at=event.starts_at - datetime.timedelta(hours=1), ends_at=event.ends_at
        )


def test_an_event_booked_as_a_whole_cannot_then_be_split_into_shifts():
    event = EventFactory()
    book(event, 1)

    with pytest.raises(ValidationError, match="whole event"):
        services.shift_create(event=event, acting=None, starts_at=event.starts_at, ends_at=event.ends_at, capacity=3)


def test_an_event_that_is_over_takes_no_bookings():
    event = EventFactory(starts_at=in_days(-2), ends_at=in_days(-2) + datetime.timedelta(hours=2))
    with pytest.raises(ValidationError, match="over"):
        book(event, 1)


def test_members_only_events_are_for_members_signed_in():
    event = EventFactory(visibility=Event.Visibility.MEMBERS)
    member = MembershipFactory().person
    supporter = PersonFactory(status=Person.Status.SUPPORTER)

    assert services.rsvp_create(event=event, person=member, acting=None).status == Rsvp.Status.CONFIRMED
    with pytest.raises(ValidationError, match="members only"):
        services.rsvp_create(event=event, person=supporter, acting=None)
    with pytest.raises(ValidationError, match="sign in"):
        services.rsvp_create(event=event, guest_name="Sam Guest", guest_email="sam@example.org", acting=None)


# --- guests ------------------------------------------------------------------------------------------------------


def test_a_guest_booking_records_a_person_without_an_account_and_their_email_consent():
    event = EventFactory()

    rsvp = services.rsvp_create(
        event=event,
        guest_name="  Mary Ann   Evans ",
        guest_email="Mary.Evans@Example.org",
        email_consent=wording(Purpose.EMAIL),
        acting=None,
    )

    person = rsvp.person
    assert rsvp.booked_as_guest and rsvp.status == Rsvp.Status.CONFIRMED
    assert (person.first_name, person.last_name, person.email, person.user_id) == (
        "Mary Ann",
        "Evans",
        "mary.evans@example.org",
        None,
    )
    consent = consent_current(person=person, purpose=Purpose.EMAIL)
    assert consent.action == ConsentEvent.Action.GIVEN and consent.method == ConsentEvent.Method.WEB_FORM
    assert "mary" not in str(list(AuditEvent.objects.values("fields", "reason"))).lower()


def test_a_booking_records_the_basis_for_its_own_messages_once_and_an_objection_stands():
    person = PersonFactory()
    services.rsvp_create(event=EventFactory(), person=person, acting=None)
    services.rsvp_create(event=EventFactory(), person=person, acting=None)

    events_basis = ConsentEvent.objects.filter(person=person, purpose=Purpose.EVENTS)
    assert [(e.basis, e.action) for e in events_basis] == [("legitimate", "given")]
    consent_record(
        person=person, purpose=Purpose.EVENTS, basis="legitimate", action="withdrawn", method="unsubscribe", acting=None
    )
    services.rsvp_create(event=EventFactory(), person=person, acting=None)
    assert consent_current(person=person, purpose=Purpose.EVENTS).action == ConsentEvent.Action.WITHDRAWN


def test_a_guest_booking_without_consent_records_no_consent():
    rsvp = services.rsvp_create(event=EventFactory(), guest_name="Sam", guest_email="sam@example.org", acting=None)

    assert rsvp.person.first_name == "Sam" and consent_current(person=rsvp.person, purpose=Purpose.EMAIL) is None


def test_a_guest_using_a_known_address_books_that_person_without_changing_their_record_or_a_withdrawal():
    """Anyone can type anyone's address into a guest form: the booking joins the record, which is left alone."""
    known = PersonFactory(first_name="Rhiannon", email="rhiannon@example.org")
    consent_record(
        person=known, purpose=Purpose.EMAIL, basis="consent", action="withdrawn", method="unsubscribe", acting=None
    )

    rsvp = services.rsvp_create(
        event=EventFactory(),
        guest_name="Someone Else",
        guest_email="RHIANNON@example.org",
        email_consent=wording(Purpose.EMAIL),
        acting=None,
    )

    known.refresh_from_db()
    assert rsvp.person == known and known.first_name == "Rhiannon"
    assert consent_current(person=known, purpose=Purpose.EMAIL).action == ConsentEvent.Action.WITHDRAWN
    assert Person.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "email", "field"), [("", "sam@example.org", "guest_name"), ("Sam", "not-an-email", "guest_email")]
)
def test_guest_details_are_checked_naming_the_field(name, email, field):
    with pytest.raises(ValidationError) as error:
        services.rsvp_create(event=EventFactory(), guest_name=name, guest_email=email, acting=None)
    assert field in error.value.message_dict


def test_a_booking_names_a_person_or_a_guest_not_both():
    with pytest.raises(ValueError, match="not both"):
        services.rsvp_create(event=EventFactory(), person=PersonFactory(), guest_email="x@example.org", acting=None)


# --- database invariants -----------------------------------------------------------------------------------------


def test_the_database_allows_one_live_rsvp_per_person_per_shift_and_per_event():
    shift = ShiftFactory()
    person = PersonFactory()
    RsvpFactory(event=shift.event, shift=shift, person=person)
    with pytest.raises(IntegrityError), transaction.atomic():
        RsvpFactory(event=shift.event, shift=shift, person=person, status=Rsvp.Status.WAITLISTED)

    event = EventFactory()
    RsvpFactory(event=event, person=person)
    with pytest.raises(IntegrityError), transaction.atomic():
        RsvpFactory(event=event, person=person)
    # Cancelled RSVPs do not count.
    RsvpFactory(event=event, person=person, status=Rsvp.Status.CANCELLED, cancelled_at=timezone.now())


def test_the_database_refuses_an_rsvp_without_a_person_unless_it_was_erased():
    event = EventFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        RsvpFactory(event=event, person=None)
    RsvpFactory(event=event, person=None, erased_at=timezone.now())


def test_the_database_keeps_status_times_and_attendance_consistent():
    event = EventFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        RsvpFactory(event=event, status=Rsvp.Status.CANCELLED)  # without cancelled_at
    with pytest.raises(IntegrityError), transaction.atomic():
        RsvpFactory(event=event, checked_in_at=timezone.now())  # checked in but not marked attended
    with pytest.raises(IntegrityError), transaction.atomic():
        RsvpFactory(event=event, status=Rsvp.Status.WAITLISTED, attendance=Rsvp.Attendance.NO_SHOW)


# --- check-in and attendance ---------------------------------------------------------------------------------------


def under_way(**values):
    return EventFactory(starts_at=in_days(0) - datetime.timedelta(hours=1), **values)


def test_check_in_marks_attendance_and_a_second_scan_keeps_the_first_time():
    (rsvp,) = book(under_way(), 1)

    services.rsvp_check_in(rsvp=rsvp, acting=None)
    first = rsvp.checked_in_at
    services.rsvp_check_in(rsvp=rsvp, acting=None)

    rsvp.refresh_from_db()
    assert rsvp.checked_in_at == first and rsvp.attendance == Rsvp.Attendance.ATTENDED


def test_check_in_opens_three_hours_before_the_start():
    event = EventFactory(starts_at=in_days(1))
    (rsvp,) = book(event, 1)

    with pytest.raises(ValidationError, match="three hours"):
        services.rsvp_check_in(rsvp=rsvp, acting=None)
    services.rsvp_check_in(rsvp=rsvp, acting=None, at=event.starts_at - datetime.timedelta(hours=2))
    assert rsvp.attendance == Rsvp.Attendance.ATTENDED


def test_someone_from_the_waiting_list_let_in_at_the_door_is_confirmed_and_a_cancelled_rsvp_cannot_check_in():
    _confirmed, waiting, cancelled = book(under_way(capacity=1), 3)
    services.rsvp_cancel(rsvp=cancelled, acting=None)

    services.rsvp_check_in(rsvp=waiting, acting=None)

    assert (waiting.status, waiting.attendance) == ("confirmed", "attended")
    assert set(AuditEvent.objects.get(action="rsvp.check_in").fields) == {"checked_in_at", "attendance", "status"}
    with pytest.raises(ValidationError, match="cancelled"):
        services.rsvp_check_in(rsvp=cancelled, acting=None)


def test_marking_a_no_show_clears_a_mistaken_check_in_and_attendance_waits_for_the_start():
    came, mistaken = book(under_way(), 2)
    services.rsvp_check_in(rsvp=mistaken, acting=None)

    services.rsvp_mark_attendance(rsvp=came, attended=True, acting=None)
    services.rsvp_mark_attendance(rsvp=mistaken, attended=False, acting=None)

    assert came.attendance == Rsvp.Attendance.ATTENDED
    assert (mistaken.attendance, mistaken.checked_in_at) == (Rsvp.Attendance.NO_SHOW, None)
    (later,) = book(EventFactory(), 1)
    with pytest.raises(ValidationError, match="started"):
        services.rsvp_mark_attendance(rsvp=later, attended=True, acting=None)


def test_after_the_event_everyone_confirmed_and_unrecorded_becomes_a_no_show():
    event = under_way(capacity=2)
    came, unrecorded, waiting = book(event, 3)
    services.rsvp_check_in(rsvp=came, acting=None)
    with pytest.raises(ValidationError, match="over"):
        services.event_record_no_shows(event=event, acting=None)
    Event.objects.filter(pk=event.pk).update(ends_at=timezone.now() - datetime.timedelta(minutes=1))

    assert services.event_record_no_shows(event=event, acting=None) == 1

    assert {r.pk: r.attendance for r in Rsvp.objects.all()} == {
        came.pk: "attended",
        unrecorded.pk: "no_show",
        waiting.pk: "",
    }


def test_group_membership_is_not_needed_for_public_events():
    event = EventFactory(host=GroupFactory(join_policy=LocalGroup.JoinPolicy.APPROVAL))
    outsider = PersonFactory(status=Person.Status.SUPPORTER)
    assert not Membership.objects.filter(person=outsider).exists()
    assert services.rsvp_create(event=event, person=outsider, acting=None).status == Rsvp.Status.CONFIRMED
