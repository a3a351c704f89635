"""People services: validation, audit rows with field names only, consent history, due dates."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from groundgame.core.models import AuditEvent
from groundgame.people import selectors, services
from groundgame.people.models import ConsentEvent, LocalGroup, Membership, Purpose

from .factories import GroupFactory, PersonFactory, PersonWithUserFactory, wording

pytestmark = pytest.mark.django_db


def test_person_create_normalises_contact_details_and_audits_field_names_not_values():
    person = services.person_create(
        acting=None,
        first_name="Aisha",
        last_name="Khan",
        email=" Aisha.Khan@Example.org ",
        phone="07700 900123",
        postcode="de221aa",
    )
    assert (person.email, person.phone, person.postcode) == ("aisha.khan@example.org", "+447700900123", "DE22 1AA")
    event = AuditEvent.objects.get(action="person.create", target_id=str(person.pk))
    assert set(event.fields) >= {"email", "phone", "postcode"}
    assert "aisha" not in str(event.fields).lower() and "07700" not in str(event.fields)


@pytest.mark.parametrize(
    ("field", "value"), [("email", "not-an-email"), ("phone", "12ab"), ("postcode", "XYZ 123"), ("postcode", "DE22")]
)
def test_person_create_rejects_bad_contact_details_naming_the_field(field, value):
    with pytest.raises(ValidationError) as error:
        services.person_create(acting=None, first_name="Sam", **{field: value})
    assert field in error.value.message_dict


def test_two_people_cannot_share_an_email_address_whatever_its_case():
    PersonFactory(email="sam@example.org")
    with pytest.raises((ValidationError, IntegrityError)):
        services.person_create(acting=None, first_name="Sam", email="SAM@example.org")


def test_person_update_audits_only_the_fields_that_changed():
    person = PersonFactory(first_name="Jo", postcode="")
    services.person_update(person=person, acting=None, first_name="Jo", postcode="M19 2AA")
    event = AuditEvent.objects.filter(action="person.update").get()
    assert event.fields == ["postcode"]


def test_joining_an_approval_group_waits_for_an_organiser_and_an_open_group_admits_at_once():
    person = PersonWithUserFactory()
    closed = GroupFactory(join_policy=LocalGroup.JoinPolicy.APPROVAL)
    open_group = GroupFactory(join_policy=LocalGroup.JoinPolicy.OPEN)
    assert services.membership_request(person=person, group=closed, acting=None).status == Membership.Status.REQUESTED
    assert services.membership_request(person=person, group=open_group, acting=None).status == Membership.Status.ACTIVE


def test_a_request_is_decided_once():
    membership = services.membership_request(person=PersonWithUserFactory(), group=GroupFactory(), acting=None)
    services.membership_decide(membership=membership, approve=True, acting=None, decided_by=None)
    assert membership.status == Membership.Status.ACTIVE
    with pytest.raises(ValidationError):
        services.membership_decide(membership=membership, approve=False, acting=None, decided_by=None)


def test_a_national_group_has_no_parent_and_every_other_group_has_one():
    with pytest.raises((ValidationError, IntegrityError)):
        services.group_create(acting=None, name="Orphan", slug="orphan", level=LocalGroup.Level.LOCAL, parent=None)


def test_consent_history_is_appended_and_the_latest_event_is_in_force():
    person = PersonFactory(email="ali@example.org")
    services.consent_record(
        person=person,
        purpose=Purpose.EMAIL,
        basis="consent",
        action="given",
        method="web",
        acting=None,
        wording=wording(Purpose.EMAIL),
        occurred_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
    )
    assert selectors.has_valid_basis(person=person, purpose=Purpose.EMAIL)
    services.consent_record(
        person=person,
        purpose=Purpose.EMAIL,
        basis="consent",
        action="withdrawn",
        method="unsubscribe",
        acting=None,
        occurred_at=datetime.datetime(2026, 2, 1, tzinfo=datetime.UTC),
    )
    assert not selectors.has_valid_basis(person=person, purpose=Purpose.EMAIL)
    events = ConsentEvent.objects.filter(person=person)
    assert [e.action for e in events] == ["given", "withdrawn"]
    assert all(e.contact_hash and "ali" not in e.contact_hash for e in events)


def test_consent_given_without_the_wording_shown_is_refused():
    with pytest.raises((ValidationError, IntegrityError)):
        services.consent_record(
            person=PersonFactory(), purpose=Purpose.SMS, basis="consent", action="given", method="web", acting=None
        )


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (datetime.date(2026, 1, 15), datetime.date(2026, 2, 15)),
        (datetime.date(2026, 1, 31), datetime.date(2026, 2, 28)),
        (datetime.date(2026, 12, 31), datetime.date(2027, 1, 31)),
    ],
)
def test_privacy_requests_are_due_one_calendar_month_after_receipt(received, due):
    request = services.privacy_request_open(person=PersonFactory(), kind="access", acting=None, received_on=received)
    assert request.due_on == due
