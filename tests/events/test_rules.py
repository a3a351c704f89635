"""Who may do what with an event: the host group's organisers and those of the groups above it run it; the organiser
contact sees bookings and checks people in; a proposer may change or withdraw a proposal until it is decided."""

import pytest
from django.contrib.auth.models import AnonymousUser

from groundgame.events import selectors
from groundgame.events.models import Event
from groundgame.people.models import LocalGroup, Membership, Person, StaffRole
from tests.people.factories import GroupFactory, MembershipFactory, PersonWithUserFactory, organiser_of, staff

from .factories import EventFactory, RsvpFactory

pytestmark = pytest.mark.django_db

RUNNING = ("events.change_event", "events.approve_event", "events.cancel_event", "events.view_rsvps", "events.check_in")


@pytest.fixture
def tree():
    region = GroupFactory(name="East Midlands", slug="east-midlands", level=LocalGroup.Level.REGIONAL)
    derby = GroupFactory(name="Derby", slug="derby", parent=region)
    nottingham = GroupFactory(name="Nottingham", slug="nottingham", parent=region)
    return region, derby, nottingham


def test_organisers_of_the_host_group_and_of_the_groups_above_run_the_event_but_not_a_siblings(tree):
    region, derby, nottingham = tree
    event = EventFactory(host=derby, status=Event.Status.PROPOSED, approved_at=None)

    for runner in (organiser_of(derby).user, organiser_of(region).user, staff(StaffRole.Role.ADMINISTRATOR).user):
        assert all(runner.has_perm(perm, event) for perm in RUNNING), runner
    sibling = organiser_of(nottingham).user
    assert not any(sibling.has_perm(perm, event) for perm in RUNNING)
    assert not sibling.has_perm("events.view_event", event)


def test_the_organiser_contact_sees_bookings_and_checks_people_in_but_does_not_approve(tree):
    contact = PersonWithUserFactory()
    event = EventFactory(host=tree[1], organiser_contact=contact)

    assert contact.user.has_perm("events.view_rsvps", event) and contact.user.has_perm("events.check_in", event)
    assert not contact.user.has_perm("events.approve_event", event)
    assert not contact.user.has_perm("events.change_event", event)


def test_a_proposer_may_change_or_withdraw_a_proposal_until_it_is_approved(tree):
    proposer = PersonWithUserFactory()
    event = EventFactory(host=tree[1], status=Event.Status.PROPOSED, approved_at=None, proposed_by=proposer)
    user = proposer.user

    assert user.has_perm("events.view_event", event)
    assert user.has_perm("events.change_event", event) and user.has_perm("events.cancel_event", event)
    assert not user.has_perm("events.approve_event", event)

    event.status = Event.Status.APPROVED
    assert not user.has_perm("events.change_event", event) and not user.has_perm("events.cancel_event", event)


def test_members_only_events_are_seen_and_booked_by_members(tree):
    event = EventFactory(host=tree[1], visibility=Event.Visibility.MEMBERS)
    active = MembershipFactory(group=tree[2]).person.user
    recorded_member = PersonWithUserFactory(status=Person.Status.MEMBER).user
    supporter = PersonWithUserFactory(status=Person.Status.SUPPORTER).user
    applicant = MembershipFactory(status=Membership.Status.REQUESTED, person__status="supporter").person.user

    for user in (active, recorded_member):
        assert user.has_perm("events.view_event", event) and user.has_perm("events.rsvp_event", event)
    for user in (supporter, applicant, AnonymousUser()):
        assert not user.has_perm("events.view_event", event) and not user.has_perm("events.rsvp_event", event)


def test_anyone_sees_and_books_an_approved_public_event_and_nobody_books_a_proposal(tree):
    event = EventFactory(host=tree[1])
    proposal = EventFactory(host=tree[1], status=Event.Status.PROPOSED, approved_at=None)

    assert AnonymousUser().has_perm("events.view_event", event) and AnonymousUser().has_perm("events.rsvp_event", event)
    assert not AnonymousUser().has_perm("events.view_event", proposal)
    assert not organiser_of(tree[1]).user.has_perm("events.rsvp_event", proposal)


def test_organisers_create_events_for_their_groups_and_active_members_propose_them(tree):
    region, derby, nottingham = tree
    member = MembershipFactory(group=derby).person.user
    applicant = MembershipFactory(group=derby, status=Membership.Status.REQUESTED).person.user
    regional = organiser_of(region).user

    assert regional.has_perm("events.create_event", derby) and regional.has_perm("events.propose_event", nottingham)
    assert member.has_perm("events.propose_event", derby) and not member.has_perm("events.create_event", derby)
    assert not member.has_perm("events.propose_event", nottingham)
    assert not applicant.has_perm("events.propose_event", derby)


def test_bookings_are_listed_only_for_those_who_run_the_event(tree, django_assert_max_num_queries):
    event = EventFactory(host=tree[1])
    RsvpFactory.create_batch(5, event=event)
    organiser = organiser_of(tree[1]).user

    with django_assert_max_num_queries(6):
        rows = [(r.person.first_name, r.status) for r in selectors.event_rsvps(user=organiser, event=event)]

    assert len(rows) == 5
    assert not selectors.event_rsvps(user=MembershipFactory(group=tree[1]).person.user, event=event).exists()
    assert not selectors.event_rsvps(user=AnonymousUser(), event=event).exists()
