"""Object-level permissions: an organiser's reach is their group and its subtree, never a sibling's."""

import pytest

from groundgame.people.models import LocalGroup, Membership, StaffRole

from .factories import GroupFactory, MembershipFactory, PersonWithUserFactory, organiser_of, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    region = GroupFactory(name="East Midlands", slug="east-midlands", level=LocalGroup.Level.REGIONAL)
    derby = GroupFactory(name="Derby", slug="derby", parent=region)
    nottingham = GroupFactory(name="Nottingham", slug="nottingham", parent=region)
    return region, derby, nottingham


def test_local_organiser_reaches_their_group_but_not_a_sibling(tree):
    _, derby, nottingham = tree
    organiser = organiser_of(derby).user
    assert organiser.has_perm("people.view_group_members", derby)
    assert not organiser.has_perm("people.view_group_members", nottingham)
    assert not organiser.has_perm("people.decide_membership", nottingham)


def test_regional_organiser_reaches_every_group_below_their_region(tree):
    region, derby, nottingham = tree
    organiser = organiser_of(region).user
    for group in (region, derby, nottingham):
        assert organiser.has_perm("people.view_group_members", group)


def test_organiser_sees_people_in_or_asking_to_join_their_group_only(tree):
    _, derby, nottingham = tree
    organiser = organiser_of(derby).user
    member = MembershipFactory(group=derby).person
    applicant = MembershipFactory(group=derby, status=Membership.Status.REQUESTED).person
    elsewhere = MembershipFactory(group=nottingham).person
    assert organiser.has_perm("people.view_person", member)
    assert organiser.has_perm("people.view_person", applicant)
    assert not organiser.has_perm("people.view_person", elsewhere)
    assert not organiser.has_perm("people.change_person", elsewhere)


def test_plain_member_sees_only_themselves(tree):
    _, derby, _ = tree
    member = MembershipFactory(group=derby).person
    other = MembershipFactory(group=derby).person
    assert member.user.has_perm("people.view_person", member)
    assert not member.user.has_perm("people.view_person", other)
    assert not member.user.has_perm("people.view_group_members", derby)


def test_data_steward_reads_people_and_handles_requests_but_does_not_organise(tree):
    _, derby, _ = tree
    steward = staff(StaffRole.Role.DATA_STEWARD).user
    member = MembershipFactory(group=derby).person
    assert steward.has_perm("people.view_person", member)
    assert steward.has_perm("people.handle_privacy_requests")
    assert not steward.has_perm("people.change_person", member)
    assert not steward.has_perm("people.view_group_members", derby)


def test_anonymous_visitor_sees_public_group_pages_only(tree):
    from django.contrib.auth.models import AnonymousUser

    _, derby, _ = tree
    visitor = AnonymousUser()
    assert visitor.has_perm("people.view_group", derby)
    assert not visitor.has_perm("people.join_group", derby)
    assert not visitor.has_perm("people.view_group_members", derby)


def test_an_organiser_who_left_loses_their_reach(tree):
    _, derby, _ = tree
    membership = MembershipFactory(group=derby, role=Membership.Role.ORGANISER)
    membership.status = Membership.Status.LEFT
    membership.save()
    user = PersonWithUserFactory._meta.model.objects.get(pk=membership.person_id).user
    assert not user.has_perm("people.view_group_members", derby)
