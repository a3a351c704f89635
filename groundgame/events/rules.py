"""Who may do what with events, declared once with `rules`, on top of the people app's predicates.

An organiser of a group organises every group below it (people.rules), so the organisers of an event's host group
and of the groups above it run the event: they see and change it, approve it, see its RSVPs and check people in.
The organiser contact (who may be a volunteer) sees the RSVPs and checks people in. The member who proposed an event
may change or withdraw it while it waits for approval.

Object checks take an event (`events.view_event`...) or, for creating one, the host group (`events.create_event`).
"""

import rules

from groundgame.people.models import Membership, Person
from groundgame.people.rules import (
    is_active_member_of,
    is_administrator,
    is_organiser_anywhere,
    organised_group_ids,
    organises_group,
    person_of,
)

from .models import Event


def is_movement_member_person(person: Person | None) -> bool:
    """A member of the movement: recorded as a member, or active in a group. Members-only events are for them."""
    if person is None or person.erased_at is not None:
        return False
    return person.status == Person.Status.MEMBER or Membership.objects.active().filter(person=person).exists()


@rules.predicate
def is_movement_member(user) -> bool:
    cached = getattr(user, "_groundgame_movement_member", None)
    if cached is not None:
        return cached
    result = is_movement_member_person(person_of(user))
    if user is not None and user.is_authenticated:
        user._groundgame_movement_member = result
    return result


@rules.predicate
def organises_host(user, event: Event) -> bool:
    return event is not None and event.host_id in organised_group_ids(user)


@rules.predicate
def proposed_it(user, event: Event) -> bool:
    me = person_of(user)
    return me is not None and event is not None and event.proposed_by_id == me.pk


@rules.predicate
def is_organiser_contact(user, event: Event) -> bool:
    me = person_of(user)
    return me is not None and event is not None and event.organiser_contact_id == me.pk


@rules.predicate
def is_approved(user, event: Event) -> bool:
    return event is not None and event.status == Event.Status.APPROVED


@rules.predicate
def is_proposed(user, event: Event) -> bool:
    return event is not None and event.status == Event.Status.PROPOSED


@rules.predicate
def is_public(user, event: Event) -> bool:
    return event is not None and event.visibility == Event.Visibility.PUBLIC


runs_event = organises_host | is_administrator
open_to_user = is_approved & (is_public | is_movement_member)

# An event
rules.add_perm("events.view_event", open_to_user | runs_event | proposed_it | is_organiser_contact)
rules.add_perm("events.rsvp_event", open_to_user)  # guests too, for public events (views add the timing checks)
rules.add_perm("events.change_event", runs_event | (proposed_it & is_proposed))
rules.add_perm("events.approve_event", runs_event)
rules.add_perm("events.cancel_event", runs_event | (proposed_it & is_proposed))  # a proposer may withdraw
rules.add_perm("events.view_rsvps", runs_event | is_organiser_contact)
rules.add_perm("events.check_in", runs_event | is_organiser_contact)
# The organiser pages (organiser_views.py): exporting the RSVPs and writing to the people booked are for those who
# run the event; the organiser contact (perhaps a volunteer) sees the list, checks people in and records attendance.
rules.add_perm("events.export_rsvps", runs_event)
rules.add_perm("events.message_attendees", runs_event)
rules.add_perm("events.record_attendance", runs_event | is_organiser_contact)
# A host group
rules.add_perm("events.create_event", organises_group | is_administrator)  # approved at once
rules.add_perm("events.propose_event", is_active_member_of | organises_group | is_administrator)
# The organiser dashboard and approval queue: for organisers of any group, and administrators.
rules.add_perm("events.organise_events", is_organiser_anywhere | is_administrator)
