"""Who may do what, declared once with `rules`. Every check is on an object: a group or a person.

Roles: member, volunteer, canvasser and organiser are memberships of a group; an organiser of a group
organises every group below it (a regional organiser their region's local groups). Data stewards and
administrators hold a StaffRole. Django superusers count as administrators.
"""

import rules

from .models import LocalGroup, Membership, Person, StaffRole


def person_of(user) -> Person | None:
    if user is None or not user.is_authenticated:
        return None
    try:
        return user.person
    except Person.DoesNotExist:
        return None


def organised_group_ids(user) -> frozenset[int]:
    """Ids of every group the user organises, directly or through an ancestor (cached on the user object)."""
    cached = getattr(user, "_groundgame_organised", None)
    if cached is not None:
        return cached
    person = person_of(user)
    ids: set[int] = set()
    if person is not None:
        roots = list(Membership.objects.organising().filter(person=person).values_list("group_id", flat=True))
        if roots:
            ids.update(roots)
            children = set(LocalGroup.objects.filter(parent_id__in=roots).values_list("id", flat=True))
            ids.update(children)
            ids.update(LocalGroup.objects.filter(parent_id__in=children).values_list("id", flat=True))
    result = frozenset(ids)
    if user is not None and user.is_authenticated:
        user._groundgame_organised = result
    return result


def _staff_roles(user) -> frozenset[str]:
    cached = getattr(user, "_groundgame_staff_roles", None)
    if cached is not None:
        return cached
    person = person_of(user)
    roles_held = set(StaffRole.objects.filter(person=person).values_list("role", flat=True)) if person else set()
    if user is not None and user.is_authenticated and user.is_superuser:
        roles_held.add(StaffRole.Role.ADMINISTRATOR)
    result = frozenset(roles_held)
    if user is not None and user.is_authenticated:
        user._groundgame_staff_roles = result
    return result


@rules.predicate
def is_administrator(user) -> bool:
    return StaffRole.Role.ADMINISTRATOR in _staff_roles(user)


@rules.predicate
def is_data_steward(user) -> bool:
    return StaffRole.Role.DATA_STEWARD in _staff_roles(user)


@rules.predicate
def organises_group(user, group: LocalGroup) -> bool:
    return group is not None and group.pk in organised_group_ids(user)


@rules.predicate
def is_active_member_of(user, group: LocalGroup) -> bool:
    person = person_of(user)
    return bool(person and group) and Membership.objects.active().filter(person=person, group=group).exists()


@rules.predicate
def is_self(user, person: Person) -> bool:
    me = person_of(user)
    return me is not None and person is not None and me.pk == person.pk


@rules.predicate
def organises_person(user, person: Person) -> bool:
    """The person has asked to join, or belongs to, a group the user organises."""
    groups = organised_group_ids(user)
    if not groups or person is None:
        return False
    return Membership.objects.filter(person=person, group_id__in=groups).exclude(status=Membership.Status.LEFT).exists()


@rules.predicate
def is_organiser_anywhere(user) -> bool:
    return bool(organised_group_ids(user))


# Groups
rules.add_perm("people.view_group", rules.always_allow)  # the public page
rules.add_perm("people.join_group", rules.is_authenticated)
rules.add_perm("people.view_group_members", organises_group | is_administrator)
rules.add_perm("people.decide_membership", organises_group | is_administrator)
rules.add_perm("people.export_group_members", organises_group | is_administrator)
rules.add_perm("people.change_group", organises_group | is_administrator)
# People
rules.add_perm("people.view_person", is_self | organises_person | is_data_steward | is_administrator)
rules.add_perm("people.change_person", is_self | organises_person | is_administrator)
rules.add_perm("people.view_steward_notes", is_data_steward)
rules.add_perm("people.add_note", organises_person | is_data_steward | is_administrator)
rules.add_perm("people.use_directory", is_organiser_anywhere | is_administrator)
# Importing members from a CSV file (people/import_views.py): into the groups the user organises (every group, for
# administrators); matched people are updated only where people.change_person allows.
rules.add_perm("people.import_members", is_organiser_anywhere | is_administrator)
# Privacy
rules.add_perm("people.handle_privacy_requests", is_data_steward)
rules.add_perm("people.view_audit_log", is_data_steward)
# Two-factor authentication is required for these roles.
needs_two_factor = is_organiser_anywhere | is_data_steward | is_administrator
