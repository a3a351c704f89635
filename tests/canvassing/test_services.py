"""Canvassing services: campaigns and their default survey, survey versions, register access grants, register
copies and their deletion (at once, and on the delete-by date after a report)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from groundgame.canvassing import rules, services
from groundgame.canvassing.models import (
    Address,
    Campaign,
    ContactRecord,
    Elector,
    RegisterAccess,
    RegisterCopy,
    Survey,
    WalkList,
    WalkListStop,
)
from groundgame.core.models import AuditEvent
from tests.people.factories import GroupFactory, MembershipFactory, PersonWithUserFactory, organiser_of

from .factories import (
    AddressFactory,
    CampaignFactory,
    ContactRecordFactory,
    ElectorFactory,
    RegisterCopyFactory,
    WalkListFactory,
    WalkListStopFactory,
    campaign_with_electors,
    make_seat,
)

pytestmark = pytest.mark.django_db


def test_a_campaign_starts_with_the_default_survey_for_its_parties():
    group = GroupFactory()
    organiser = organiser_of(group)
    campaign = services.campaign_create(
        acting=organiser.user,
        host=group,
        name="Derby North: general election",
        kind=Campaign.Kind.GENERAL,
        polling_date=datetime.date(2029, 5, 3),
        constituencies=[make_seat()],
        parties=["Lab", {"code": "Green", "name": "Green Party"}, "RUK"],
    )
    assert campaign.slug == "derby-north-general-election"
    assert campaign.parties == [
        {"code": "Lab", "name": "Labour"},
        {"code": "Green", "name": "Green Party"},
        {"code": "RUK", "name": "Reform UK"},
    ]
    survey = Survey.objects.get(campaign=campaign)
    questions = survey.questions
    assert survey.version == 1
    assert [o["code"] for o in questions["outcomes"]] == ["not_in", "spoke", "refused", "moved", "dnc", "come_back"]
    assert [i["code"] for i in questions["intentions"]] == ["Lab", "Green", "RUK", "undecided", "wont_vote", "wont_say"]
    assert questions["certainty"] == [1, 5]
    assert [f["code"] for f in questions["follow_ups"]] == ["postal_vote", "poster", "volunteer", "new_elector"]
    assert questions["issues"]
    assert AuditEvent.objects.filter(action="campaign.create", target_id=str(campaign.pk)).exists()
    assert AuditEvent.objects.filter(action="survey.create", target_id=str(survey.pk)).exists()


def test_campaign_slugs_are_unique_and_never_a_reserved_path():
    group = GroupFactory()
    first = services.campaign_create(
        acting=None, host=group, name="New", kind="local", polling_date=datetime.date(2027, 5, 6)
    )
    second = services.campaign_create(
        acting=None, host=group, name="New", kind="local", polling_date=datetime.date(2027, 5, 6)
    )
    assert first.slug == "new-campaign" and second.slug == "new-campaign-2"


def test_party_codes_are_checked():
    with pytest.raises(ValidationError):
        services.clean_parties(["Lab", "lab"])
    with pytest.raises(ValidationError):
        services.clean_parties(["Not a code!"])
    with pytest.raises(ValidationError):
        services.clean_parties(["undecided"])


def test_changing_the_parties_starts_a_new_survey_version_keeping_the_rest():
    campaign = CampaignFactory()
    first = services.survey_create(campaign=campaign, acting=None)
    services.campaign_update(campaign=campaign, acting=None, parties=["Lab", "SNP"])
    latest = services.current_survey(campaign)
    assert latest.version == first.version + 1
    assert [i["code"] for i in latest.questions["intentions"]][:2] == ["Lab", "SNP"]
    assert latest.questions["issues"] == first.questions["issues"]
    assert Survey.objects.get(pk=first.pk).questions == first.questions  # old versions are never changed


def test_a_survey_must_keep_outcomes_the_records_accept():
    campaign = CampaignFactory()
    questions = services.default_survey_questions(parties=[])
    questions["outcomes"].append({"code": "asleep", "label": "Asleep"})
    with pytest.raises(ValidationError):
        services.survey_create(campaign=campaign, acting=None, questions=questions)
    questions = services.default_survey_questions(parties=[])
    questions["certainty"] = [1, 10]
    with pytest.raises(ValidationError):
        services.survey_create(campaign=campaign, acting=None, questions=questions)


def test_granting_register_access_twice_keeps_one_live_grant_and_revoking_keeps_the_record():
    campaign = CampaignFactory()
    person = PersonWithUserFactory()
    user = person.user
    assert not rules.may_see_electors(user, campaign)
    access = services.register_access_grant(campaign=campaign, person=person, acting=None)
    assert services.register_access_grant(campaign=campaign, person=person, acting=None) == access
    rules.forget_cached_grants(user)
    assert rules.may_see_electors(user, campaign) and rules.has_register_access(user, campaign)
    services.register_access_revoke(access=access, acting=None)
    rules.forget_cached_grants(user)
    assert not rules.may_see_electors(user, campaign)
    assert RegisterAccess.objects.get(pk=access.pk).revoked_at is not None
    again = services.register_access_grant(campaign=campaign, person=person, acting=None)
    assert again.pk != access.pk
    actions = list(AuditEvent.objects.filter(target_type="canvassing.registeraccess").values_list("action", flat=True))
    assert sorted(actions) == ["registeraccess.grant", "registeraccess.grant", "registeraccess.revoke"]


def test_an_erased_person_cannot_be_granted_access():
    person = PersonWithUserFactory(erased_at=timezone.now())
    with pytest.raises(ValidationError):
        services.register_access_grant(campaign=CampaignFactory(), person=person, acting=None)


def test_organisers_of_the_host_group_and_above_organise_the_campaign():
    group = GroupFactory()
    campaign = CampaignFactory(host=group)
    assert rules.organises_campaign(organiser_of(group).user, campaign)
    assert rules.organises_campaign(organiser_of(group.parent).user, campaign)  # the national group above
    assert not rules.organises_campaign(organiser_of(GroupFactory()).user, campaign)
    member = MembershipFactory(group=group).person.user
    assert not rules.organises_campaign(member, campaign) and not rules.may_see_electors(member, campaign)


def test_deleting_a_copy_removes_its_register_data_and_keeps_contact_records_as_counts():
    campaign = campaign_with_electors(4)
    copy = campaign.register_copies.get()
    elector = campaign.electors.first()
    stop = WalkListStopFactory(walk_list=WalkListFactory(campaign=campaign), address=elector.address)
    record = ContactRecordFactory(elector=elector, notes="Worried about the bus route")
    other = campaign_with_electors(2)  # another campaign's register is untouched

    counts = services.register_copy_delete(copy=copy, acting=None, reason="test")

    assert (counts.electors, counts.addresses, counts.walk_list_stops, counts.contact_records_unlinked) == (4, 2, 1, 1)
    assert not Elector.objects.filter(campaign=campaign).exists()
    assert not Address.objects.filter(campaign=campaign).exists()
    assert not WalkListStop.objects.filter(pk=stop.pk).exists()
    assert WalkList.objects.filter(pk=stop.walk_list_id).exists()
    record.refresh_from_db()
    assert (record.elector, record.address) == (None, None)
    assert (record.outcome, record.intention, record.polling_district_id) == (
        "spoke",
        "Lab",
        elector.polling_district_id,
    )
    copy.refresh_from_db()
    assert copy.status == RegisterCopy.Status.DELETED and copy.deleted_at is not None
    assert copy.summary["deletion"]["electors"] == 4
    assert Elector.objects.filter(campaign=other).count() == 2
    event = AuditEvent.objects.get(action="registercopy.delete")
    assert event.target_id == str(copy.pk) and "4 electors" in event.reason
    assert services.register_copy_delete(copy=copy, acting=None, reason="again").electors == 0


def test_removed_electors_of_an_older_copy_go_with_it_even_at_a_kept_household():
    campaign = CampaignFactory()
    old = RegisterCopyFactory(campaign=campaign, status=RegisterCopy.Status.SUPERSEDED)
    new = RegisterCopyFactory(campaign=campaign)
    household = AddressFactory(campaign=campaign, register_copy=new)
    ElectorFactory(campaign=campaign, address=household, register_copy=new)
    gone = ElectorFactory(campaign=campaign, address=household, register_copy=old, removed_at=timezone.now())
    services.register_copy_delete(copy=old, acting=None, reason="test")
    assert not Elector.objects.filter(pk=gone.pk).exists()
    assert Elector.objects.filter(campaign=campaign).count() == 1 and Address.objects.filter(pk=household.pk).exists()


def test_the_scheduled_deletion_reports_first_and_deletes_on_a_later_run():
    campaign = campaign_with_electors(3)
    copy = campaign.register_copies.get()
    today = timezone.localdate()
    RegisterCopy.objects.filter(pk=copy.pk).update(
        delete_by=today + datetime.timedelta(days=3), received_on=today - datetime.timedelta(days=10)
    )
    later = campaign_with_electors(2)  # not due for months
    now = timezone.now()

    first = services.register_deletion_scheduled_run(now=now)
    assert set(first.reported) == {copy.pk} and first.deleted == {}
    copy.refresh_from_db()
    assert copy.summary["deletion_report"]["electors"] == 3
    assert Elector.objects.filter(campaign=campaign).count() == 3  # reported only: the date has not come

    due = now + datetime.timedelta(days=4)
    second = services.register_deletion_scheduled_run(now=due)
    assert set(second.deleted) == {copy.pk} and second.deleted[copy.pk].electors == 3
    assert not Elector.objects.filter(campaign=campaign).exists()
    assert Elector.objects.filter(campaign=later).count() == 2
    assert services.register_deletion_scheduled_run(now=due + datetime.timedelta(days=1)).deleted == {}


def test_a_copy_already_past_its_date_is_reported_before_it_is_deleted():
    campaign = campaign_with_electors(2)
    copy = campaign.register_copies.get()
    today = timezone.localdate()
    RegisterCopy.objects.filter(pk=copy.pk).update(
        received_on=today - datetime.timedelta(days=30), delete_by=today - datetime.timedelta(days=1)
    )
    now = timezone.now()
    first = services.register_deletion_scheduled_run(now=now)
    assert first.deleted == {} and set(first.reported) == {copy.pk}
    second = services.register_deletion_scheduled_run(now=now + datetime.timedelta(days=1))
    assert set(second.deleted) == {copy.pk}
    assert second.as_dict()["deleted"][str(copy.pk)]["electors"] == 2


def test_the_daily_task_is_declared_periodic():
    from groundgame.core import scheduling

    names = {p.name for p in scheduling.periodic_tasks()}
    assert {"canvassing.register_deletion", "canvassing.import_uploads"} <= names


def test_a_copy_record_can_be_corrected_but_not_after_deletion():
    copy = RegisterCopyFactory()
    services.register_copy_update(copy=copy, acting=None, supplier="Derby City Council")
    assert AuditEvent.objects.filter(action="registercopy.update", fields=["supplier"]).exists()
    with pytest.raises(ValidationError):
        services.register_copy_update(copy=copy, acting=None, delete_by=copy.received_on - datetime.timedelta(days=1))
    services.register_copy_delete(copy=copy, acting=None, reason="test")
    with pytest.raises(ValidationError):
        services.register_copy_update(copy=copy, acting=None, supplier="x")


def test_contact_records_keep_their_counts_after_the_register_goes():
    campaign = campaign_with_electors(2)
    for elector in campaign.electors.all():
        ContactRecordFactory(elector=elector, intention="Lab")
    services.register_copy_delete(copy=campaign.register_copies.get(), acting=None, reason="test")
    assert ContactRecord.objects.filter(campaign=campaign, intention="Lab", elector__isnull=True).count() == 2


@pytest.mark.realdata
def test_the_demo_seeds_one_campaign_in_a_target_seat_with_a_synthetic_register(reference_db):
    from groundgame.canvassing import demo
    from groundgame.people import demo as people_demo
    from groundgame.places.selectors import target_seats

    people_demo.seed(password="demo-password-for-tests")
    campaign, created = demo.seed(electors=600)
    assert created and campaign.constituencies.get().pk in {s.constituency_id for s in target_seats()[1]}
    from django.contrib.auth import get_user_model

    demo_organisers = get_user_model().objects.filter(email__in=demo.ORGANISER_EMAILS)
    assert any(rules.organises_campaign(user, campaign) for user in demo_organisers)  # they can open it
    assert Elector.objects.filter(campaign=campaign).count() == 600
    assert len(campaign.parties) == 5 and campaign.surveys.count() == 1
    canvassed = ContactRecord.objects.filter(campaign=campaign)
    assert 0.25 * 600 < canvassed.count() < 0.45 * 600  # about a third reached at the door before polling day
    assert canvassed.values("intention").distinct().count() > 3
    assert demo.seed(electors=600) == (campaign, False)  # idempotent
    assert ContactRecord.objects.filter(campaign=campaign).count() == canvassed.count()
    assert RegisterCopy.objects.filter(campaign=campaign).count() == 1
