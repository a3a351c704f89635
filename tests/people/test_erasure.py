"""Subject access and erasure across every model the privacy registry knows: a person with data in each of them
appears in every part of their export, and after erasure no personal field of theirs is left anywhere."""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from groundgame.core import privacy, webhooks
from groundgame.core.messaging import contact_is_suppressed, message_send
from groundgame.core.models import Channel, WebhookEndpoint
from groundgame.core.privacy import Erasure
from groundgame.people import services
from groundgame.people.models import Person, PersonNote, Purpose, Skill, StaffRole

from .factories import GroupFactory, MembershipFactory, PersonWithUserFactory, wording

pytestmark = pytest.mark.django_db

SECRETS = ("Rhiannon", "Pritchard", "rhiannon.pritchard@example.org", "+447700900555", "M19 2AA", "wheelchair user")


def a_person_with_data_everywhere() -> Person:
    person = PersonWithUserFactory(
        first_name="Rhiannon", last_name="Pritchard", email="rhiannon.pritchard@example.org", phone="+447700900555",
        postcode="M19 2AA", accessibility_needs="wheelchair user", languages=["cy", "en"],
    )  # fmt: skip
    person.user.email = person.email
    person.user.save()
    EmailAddress.objects.create(user=person.user, email=person.email, verified=True, primary=True)
    TOTP.activate(person.user, generate_totp_secret())
    person.skills.add(Skill.objects.create(name="Driving"))
    PersonNote.objects.create(person=person, text="Prefers evening shifts", visibility="organisers")
    MembershipFactory(person=person, group=GroupFactory())
    StaffRole.objects.create(person=person, role=StaffRole.Role.DATA_STEWARD)
    services.consent_record(
        person=person, purpose=Purpose.EMAIL, basis="consent", action="given", method="web", acting=None,
        wording=wording(Purpose.EMAIL),
    )  # fmt: skip
    message_send(recipient=person, channel="email", purpose=Purpose.EMAIL, subject="Hello", body="Canvass on Sunday")
    services.privacy_request_open(person=person, kind="erasure", acting=None)
    WebhookEndpoint.objects.create(name="CRM", url="https://crm.example.org/hook", secret="s")
    webhooks.emit("rsvp.created", {"rsvp": 1}, person_id=person.pk)
    return person


SEEDED_APPS = {"account", "core", "mfa", "people"}


def seeded_entries():
    """The entries the person above has data for. Apps above people (events...) give the same person data of their
    own and repeat these checks over every entry in their tests (tests/events/test_privacy.py)."""
    return [entry for entry in privacy.entries() if entry.model._meta.app_label in SEEDED_APPS]


def rows_of(entry, person):
    if not entry.person_field:
        return entry.model.objects.filter(pk=person.pk)
    return entry.model.objects.filter(**{entry.person_field: person.pk})


def test_every_registered_model_holds_data_for_the_test_person():
    """Guards the tests below: if a new model is registered, this person must be given data in it."""
    person = a_person_with_data_everywhere()
    empty = [entry.label for entry in seeded_entries() if not rows_of(entry, person).exists()]
    assert empty == []


def test_the_subject_access_export_has_a_part_for_every_registered_model():
    person = a_person_with_data_everywhere()
    export = privacy.export_person(person)
    for entry in seeded_entries():
        assert export.get(entry.label), f"{entry.label} is missing from the export"
    assert export.get("core.auditevent"), "the audit history belongs in the export"
    assert "password" not in str(export["core.user"])


def test_erasure_leaves_no_personal_field_anywhere_and_suppresses_the_contact_details():
    person = a_person_with_data_everywhere()
    rows_before = {
        entry.label: list(rows_of(entry, person).values_list("pk", flat=True)) for entry in privacy.entries()
    }

    services.person_erase(person=person, acting=None, reason="privacy request 1")

    for entry in privacy.entries():
        remaining = entry.model.objects.filter(pk__in=rows_before[entry.label])
        if entry.erasure is Erasure.DELETE:
            assert not remaining.exists(), entry.label
        elif entry.erasure is Erasure.ANONYMISE:
            for row in remaining.values(*entry.personal_fields):
                text = str(row)
                assert not any(secret in text for secret in SECRETS), (entry.label, row)
        else:  # KEEP: only the minimum the entry's reason names, and no contact detail in clear
            for row in remaining.values(*entry.personal_fields):
                assert not any(secret in str(row) for secret in SECRETS[2:4]), (entry.label, row)
    person.refresh_from_db()
    assert person.erased_at is not None and person.user_id is None
    assert contact_is_suppressed(channel=Channel.EMAIL, value="rhiannon.pritchard@example.org")
    assert contact_is_suppressed(channel=Channel.SMS, value="07700 900555")
