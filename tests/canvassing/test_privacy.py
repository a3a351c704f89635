"""Canvassing data in the privacy registry: an elector linked to a person (by a data steward, for a subject access
request) is in their export with their contact records; erasure deletes the elector row (its household and the
rest of the register copy stay), strips the contact records about them of the link and the free text (they stay
as anonymous counts); a canvasser's records lose the link to them; register access grants go. The register
deletion leaves contact records as counts too."""

import pytest

from groundgame.canvassing import services
from groundgame.canvassing.models import Address, ContactRecord, Elector, RegisterAccess, WalkList
from groundgame.core import privacy
from groundgame.core.models import AuditEvent
from tests.people.factories import PersonWithUserFactory

from .factories import ContactRecordFactory, RegisterAccessFactory, WalkListFactory, campaign_with_electors

pytestmark = pytest.mark.django_db

SECRET = "Told us about her divorce"


@pytest.fixture
def linked():
    campaign = campaign_with_electors(4)
    person = PersonWithUserFactory()
    elector = campaign.electors.order_by("number").first()
    Elector.objects.filter(pk=elector.pk).update(person=person)
    elector.refresh_from_db()
    about = ContactRecordFactory(elector=elector, notes=SECRET, unlisted_name="")
    canvasser = PersonWithUserFactory()
    by_canvasser = ContactRecordFactory(elector=campaign.electors.order_by("number").last(), canvasser=canvasser)
    RegisterAccessFactory(campaign=campaign, person=canvasser)
    WalkListFactory(campaign=campaign, assigned_to=canvasser, name="Oak Road")
    return campaign, person, elector, about, canvasser, by_canvasser


def test_a_linked_elector_and_the_records_about_them_are_in_their_export(linked):
    campaign, person, elector, about, _canvasser, _by = linked
    export = privacy.export_person(person)
    rows = export["canvassing.elector"]
    assert len(rows) == 1
    assert (rows[0]["surname"], rows[0]["number"], rows[0]["campaign__name"]) == (
        elector.surname,
        elector.number,
        campaign.name,
    )
    assert [r["notes"] for r in export["canvassing.contactrecord"]] == [SECRET]
    households = export["canvassing.address"]
    assert len(households) == 1 and households[0]["street"] == elector.address.street


def test_erasing_a_linked_elector_deletes_the_row_and_anonymises_the_records_about_them(linked):
    campaign, person, elector, about, _canvasser, _by = linked
    household = elector.address
    privacy.erase_person(person, actor=None, reason="erasure request 1")
    assert not Elector.objects.filter(pk=elector.pk).exists()
    assert Address.objects.filter(pk=household.pk).exists()  # a household shared with other electors
    assert Elector.objects.filter(campaign=campaign).count() == 3
    about.refresh_from_db()
    assert (about.elector, about.notes, about.unlisted_name) == (None, "", "")
    assert about.redacted_at is not None
    assert (about.outcome, about.intention, about.address_id) == ("spoke", "Lab", household.pk)  # a count remains
    assert AuditEvent.objects.filter(target_type="canvassing.contactrecord", target_id=str(about.pk)).exists()
    assert SECRET not in str(list(AuditEvent.objects.values_list("reason", "fields")))


def test_erasing_a_canvasser_unlinks_their_records_lists_and_grants(linked):
    campaign, _person, _elector, _about, canvasser, by_canvasser = linked
    export = privacy.export_person(canvasser)
    assert len(export["canvassing.canvassercontact"]) == 1
    assert len(export["canvassing.registeraccess"]) == 1
    assert len(export["canvassing.walklist"]) == 1
    privacy.erase_person(canvasser, actor=None, reason="erasure request 2")
    by_canvasser.refresh_from_db()
    assert by_canvasser.canvasser is None and by_canvasser.elector is not None
    assert not RegisterAccess.objects.filter(person=canvasser).exists()
    assert WalkList.objects.get(campaign=campaign, name="Oak Road").assigned_to is None


def test_deleting_the_register_keeps_contact_records_as_anonymous_counts(linked):
    campaign, person, _elector, about, _canvasser, by_canvasser = linked
    services.register_copy_delete(copy=campaign.register_copies.get(), acting=None, reason="delete-by date reached")
    for record in (about, by_canvasser):
        record.refresh_from_db()
        assert (record.elector, record.address) == (None, None)
    assert ContactRecord.objects.filter(campaign=campaign).count() == 2
    assert privacy.export_person(person)["canvassing.elector"] == []
