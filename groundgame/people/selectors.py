"""Reads of people data, narrowed to what the asking user may see."""

from django.db.models import QuerySet

from .models import ConsentEvent, LocalGroup, Membership, Person
from .rules import is_administrator, organised_group_ids


def consent_current(*, person: Person, purpose: str) -> ConsentEvent | None:
    """The person's latest consent event for a purpose (the basis in force), or None."""
    return ConsentEvent.objects.filter(person=person, purpose=purpose).order_by("-occurred_at", "-pk").first()


def has_valid_basis(*, person: Person, purpose: str) -> bool:
    event = consent_current(person=person, purpose=purpose)
    return event is not None and event.action == ConsentEvent.Action.GIVEN and person.erased_at is None


def people_visible_to(*, user) -> QuerySet[Person]:
    """People whose records the user may open: members (or applicants) of groups they organise."""
    if is_administrator(user):
        return Person.objects.not_erased()
    groups = organised_group_ids(user)
    if not groups:
        return Person.objects.none()
    current = Membership.objects.filter(group_id__in=groups).exclude(status=Membership.Status.LEFT)
    return Person.objects.not_erased().filter(pk__in=current.values("person_id"))


def group_members(*, group: LocalGroup) -> QuerySet[Membership]:
    """Memberships of a group, people included (call only after checking people.view_group_members)."""
    return Membership.objects.filter(group=group).select_related("person").order_by("status", "person__last_name")
