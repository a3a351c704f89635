"""Claiming a walk list for a phone: a random token, only its hash stored, scoped to one list, expiring, revocable."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from groundgame.canvassing import access
from groundgame.canvassing.models import WalkList
from groundgame.core.models import AuditEvent
from groundgame.people.models import Membership
from tests.canvassing.canvasser import canvasser_for, claimed_walk_list, ready_walk_list
from tests.canvassing.factories import RegisterAccessFactory
from tests.people.factories import MembershipFactory, PersonWithUserFactory

pytestmark = pytest.mark.django_db


def test_claim_returns_a_token_and_stores_only_its_hash():
    claimed = claimed_walk_list()
    walk_list = claimed.walk_list
    assert len(claimed.token) >= 40
    assert walk_list.token_sha256 == access.token_hash(claimed.token) != claimed.token
    assert walk_list.status == WalkList.Status.CLAIMED
    assert walk_list.claimed_by == claimed.canvasser
    assert walk_list.token_expires_at - walk_list.claimed_at == access.TOKEN_LIFETIME
    assert not WalkList.objects.filter(token_sha256=claimed.token).exists()


def test_claim_is_audited_with_field_names_only():
    claimed = claimed_walk_list()
    event = AuditEvent.objects.get(action="walk_list.claim", target_id=str(claimed.walk_list.pk))
    assert event.actor_id == claimed.canvasser.user_id
    assert set(event.fields) == {"claimed_by", "claimed_at", "token_sha256", "token_expires_at"}
    assert claimed.token not in str(event.__dict__)


def test_a_live_token_opens_its_walk_list_and_nothing_else():
    claimed = claimed_walk_list()
    assert access.walk_list_for_token(claimed.token) == claimed.walk_list
    for wrong in ["", "x", claimed.token[:-1], claimed.token + "x", "a" * 200]:
        with pytest.raises(access.AccessRefused) as refused:
            access.walk_list_for_token(wrong)
        assert refused.value.reason == "unknown"


def test_an_expired_token_no_longer_downloads_but_syncs_for_a_grace_period():
    claimed = claimed_walk_list()
    WalkList.objects.filter(pk=claimed.walk_list.pk).update(
        token_expires_at=timezone.now() - datetime.timedelta(hours=1)
    )
    with pytest.raises(access.AccessRefused) as refused:
        access.walk_list_for_token(claimed.token)
    assert refused.value.reason == "expired"
    assert access.walk_list_for_token(claimed.token, purpose="sync") == claimed.walk_list

    past_grace = timezone.now() - access.SYNC_GRACE - datetime.timedelta(minutes=1)
    WalkList.objects.filter(pk=claimed.walk_list.pk).update(token_expires_at=past_grace)
    with pytest.raises(access.AccessRefused) as refused:
        access.walk_list_for_token(claimed.token, purpose="sync")
    assert refused.value.reason == "expired"


def test_release_revokes_the_token_and_is_audited():
    claimed = claimed_walk_list()
    organiser = MembershipFactory(group=claimed.campaign.host, role=Membership.Role.ORGANISER).person
    released = access.walk_list_release(walk_list=claimed.walk_list, acting=organiser.user, reason="phone lost")
    assert released.status == WalkList.Status.READY
    assert released.released_at is not None
    for purpose in ("read", "sync"):
        with pytest.raises(access.AccessRefused) as refused:
            access.walk_list_for_token(claimed.token, purpose=purpose)
        assert refused.value.reason == "released"
    event = AuditEvent.objects.get(action="walk_list.release")
    assert event.actor_id == organiser.user_id and event.reason == "phone lost"


def test_release_marks_done_when_asked_and_is_idempotent():
    claimed = claimed_walk_list()
    access.walk_list_release(walk_list=claimed.walk_list, acting=claimed.canvasser, done=True)
    again = access.walk_list_release(walk_list=claimed.walk_list, acting=claimed.canvasser)
    assert again.status == WalkList.Status.DONE
    assert AuditEvent.objects.filter(action="walk_list.release").count() == 1


def test_a_new_claim_replaces_the_old_token():
    claimed = claimed_walk_list()
    second = access.walk_list_claim(walk_list=claimed.walk_list, person=claimed.canvasser, acting=claimed.canvasser)
    assert access.walk_list_for_token(second) == claimed.walk_list
    with pytest.raises(access.AccessRefused) as refused:
        access.walk_list_for_token(claimed.token)
    assert refused.value.reason == "unknown"


def test_a_released_list_can_be_claimed_again():
    claimed = claimed_walk_list()
    access.walk_list_release(walk_list=claimed.walk_list, acting=claimed.canvasser)
    token = access.walk_list_claim(walk_list=claimed.walk_list, person=claimed.canvasser, acting=claimed.canvasser)
    walk_list = access.walk_list_for_token(token)
    assert walk_list.released_at is None and walk_list.status == WalkList.Status.CLAIMED


@pytest.mark.parametrize("status", [WalkList.Status.DRAFT, WalkList.Status.DONE])
def test_drafts_and_done_lists_cannot_be_claimed(status):
    walk_list = ready_walk_list(doors=1)
    WalkList.objects.filter(pk=walk_list.pk).update(status=status)
    person = canvasser_for(walk_list.campaign)
    with pytest.raises(access.ClaimRefused):
        access.walk_list_claim(walk_list=walk_list, person=person, acting=person)


def test_a_list_out_with_someone_else_can_be_taken_over_only_by_an_organiser():
    claimed = claimed_walk_list()
    other = canvasser_for(claimed.campaign)
    with pytest.raises(access.ClaimRefused):
        access.walk_list_claim(walk_list=claimed.walk_list, person=other, acting=other)
    organiser = MembershipFactory(group=claimed.campaign.host, role=Membership.Role.ORGANISER).person
    token = access.walk_list_claim(walk_list=claimed.walk_list, person=organiser, acting=organiser)
    assert access.walk_list_for_token(token).claimed_by == organiser


# --- who may claim ---------------------------------------------------------------------------------------------


def test_a_member_of_the_host_group_with_register_access_may_claim_an_unassigned_list():
    walk_list = ready_walk_list(doors=1)
    assert access.may_claim(canvasser_for(walk_list.campaign).user, walk_list)


def test_register_access_is_needed_even_for_members():
    walk_list = ready_walk_list(doors=1)
    member = MembershipFactory(group=walk_list.campaign.host).person
    assert not access.may_claim(member.user, walk_list)


def test_register_access_without_membership_is_not_enough_for_an_unassigned_list():
    walk_list = ready_walk_list(doors=1)
    outsider = PersonWithUserFactory()
    RegisterAccessFactory(campaign=walk_list.campaign, person=outsider)
    assert not access.may_claim(outsider.user, walk_list)
    walk_list.assigned_to = outsider
    assert access.may_claim(outsider.user, walk_list)


def test_a_list_assigned_to_someone_is_theirs_and_the_organisers():
    walk_list = ready_walk_list(doors=1)
    walk_list.assigned_to = canvasser_for(walk_list.campaign)
    other_member = canvasser_for(walk_list.campaign)
    organiser = MembershipFactory(group=walk_list.campaign.host, role=Membership.Role.ORGANISER).person
    assert access.may_claim(walk_list.assigned_to.user, walk_list)
    assert not access.may_claim(other_member.user, walk_list)
    assert access.may_claim(organiser.user, walk_list)


def test_anonymous_users_may_not_claim(django_user_model):
    from django.contrib.auth.models import AnonymousUser

    assert not access.may_claim(AnonymousUser(), ready_walk_list(doors=1))


# --- the claim page --------------------------------------------------------------------------------------------


def test_claim_page_asks_before_claiming_and_hands_the_token_to_the_app_in_the_fragment(client):
    walk_list = ready_walk_list(doors=3)
    person = canvasser_for(walk_list.campaign)
    client.force_login(person.user)
    url = reverse("canvassing:app_claim", args=[walk_list.uuid])
    page = client.get(url)
    assert page.status_code == 200
    assert b"Start canvassing" in page.content
    walk_list.refresh_from_db()
    assert walk_list.status == WalkList.Status.READY  # opening the link claims nothing by itself

    response = client.post(url)
    assert response.status_code == 302
    match = re.fullmatch(
        re.escape(reverse("canvassing:app")) + r"#list=([0-9a-f-]{36})&token=([A-Za-z0-9_-]+)", response["Location"]
    )
    assert match and match[1] == str(walk_list.uuid)
    assert access.walk_list_for_token(match[2]) == walk_list


def test_claim_page_needs_signing_in_and_the_right_to_canvass(client):
    walk_list = ready_walk_list(doors=1)
    url = reverse("canvassing:app_claim", args=[walk_list.uuid])
    assert client.get(url)["Location"].startswith(reverse("account_login"))
    client.force_login(MembershipFactory(group=walk_list.campaign.host).person.user)  # no register access
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert client.get(reverse("canvassing:app_claim", args=["6f1e3a44-0000-4000-8000-000000000000"])).status_code == 404


def test_claim_page_explains_a_list_that_cannot_be_claimed(client):
    claimed = claimed_walk_list()
    other = canvasser_for(claimed.campaign)
    client.force_login(other.user)
    response = client.post(reverse("canvassing:app_claim", args=[claimed.walk_list.uuid]))
    assert response.status_code == 409
    assert b"Someone else is working this walk list" in response.content
    assert access.walk_list_for_token(claimed.token) == claimed.walk_list


def test_claim_page_warns_the_canvasser_who_already_has_the_list_open(client):
    claimed = claimed_walk_list()
    client.force_login(claimed.canvasser.user)
    response = client.get(reverse("canvassing:app_claim", args=[claimed.walk_list.uuid]))
    assert b"already have this walk list open" in response.content


def test_claim_qr_code_encodes_the_claim_link(rf):
    from groundgame.canvassing.app_views import claim_qr_svg, claim_url

    walk_list = ready_walk_list(doors=1)
    request = rf.get("/")
    assert claim_url(request, walk_list).endswith(f"/canvassing/claim/{walk_list.uuid}/")
    assert claim_qr_svg(request, walk_list).startswith("<svg")


def test_the_campaign_page_lists_the_walk_lists_a_canvasser_may_open(client):
    walk_list = ready_walk_list(doors=2)
    campaign = walk_list.campaign
    theirs = ready_walk_list(doors=1, campaign=campaign)
    someone_elses = ready_walk_list(doors=1, campaign=campaign)
    person = canvasser_for(campaign)
    WalkList.objects.filter(pk=theirs.pk).update(assigned_to=person)
    WalkList.objects.filter(pk=someone_elses.pk).update(assigned_to=canvasser_for(campaign))
    assert {w.pk for w in access.walk_lists_to_claim(person.user, campaign)} == {walk_list.pk, theirs.pk}
    client.force_login(person.user)
    page = client.get(reverse("canvassing:campaign", args=[campaign.slug])).content.decode()
    assert "Canvass on your phone" in page
    assert reverse("canvassing:app_claim", args=[walk_list.uuid]) in page
    assert reverse("canvassing:app_claim", args=[theirs.uuid]) in page
    assert reverse("canvassing:app_claim", args=[someone_elses.uuid]) not in page


def test_walk_lists_to_claim_is_empty_without_register_access():
    walk_list = ready_walk_list(doors=1)
    member = MembershipFactory(group=walk_list.campaign.host).person
    assert access.walk_lists_to_claim(member.user, walk_list.campaign) == []
