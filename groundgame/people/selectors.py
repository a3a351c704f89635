"""Reads of people data, narrowed to what the asking user may see."""

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from .models import ConsentEvent, LocalGroup, Membership, Person, PersonNote, PrivacyRequest, Purpose, Skill
from .rules import is_administrator, is_data_steward, is_self, organised_group_ids, organises_person, person_of


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


# --- pages: groups -------------------------------------------------------------------------------------------------


@dataclass
class GroupNode:
    """A group in the public tree, with its active member count and the groups below it."""

    group: LocalGroup
    member_count: int
    children: list["GroupNode"] = field(default_factory=list)


def group_tree() -> list[GroupNode]:
    """Every group as a national -> regional -> local tree (two queries), each level ordered by name."""
    groups = list(
        LocalGroup.objects.annotate(
            member_count=Count("memberships", filter=Q(memberships__status=Membership.Status.ACTIVE))
        ).order_by("name")
    )
    nodes = {g.pk: GroupNode(group=g, member_count=g.member_count) for g in groups}
    roots = []
    for group in groups:
        parent = nodes.get(group.parent_id)
        (parent.children if parent is not None else roots).append(nodes[group.pk])
    return roots


def group_active_member_count(*, group: LocalGroup) -> int:
    return Membership.objects.active().filter(group=group).count()


def membership_of(*, user, group: LocalGroup) -> Membership | None:
    """The signed-in user's own membership of `group` (any status), or None."""
    person = person_of(user)
    if person is None:
        return None
    return Membership.objects.filter(person=person, group=group).first()


def group_members_by_status(*, group: LocalGroup) -> tuple[list[Membership], list[Membership]]:
    """(active members, pending requests) of a group, people included, in two ordered lists.
    Call only after checking people.view_group_members on the group."""
    active, requested = [], []
    for membership in (
        group_members(group=group)
        .filter(status__in=[Membership.Status.ACTIVE, Membership.Status.REQUESTED])
        .order_by("person__last_name", "person__first_name", "pk")
    ):
        (active if membership.status == Membership.Status.ACTIVE else requested).append(membership)
    requested.sort(key=lambda m: (m.requested_at, m.pk))
    return active, requested


# --- pages: people -------------------------------------------------------------------------------------------------


def groups_visible_to(*, user) -> QuerySet[LocalGroup]:
    """Groups whose members the user may list: those they organise (all groups for administrators)."""
    if is_administrator(user):
        return LocalGroup.objects.all()
    return LocalGroup.objects.filter(pk__in=organised_group_ids(user))


def memberships_visible_to(*, user, person: Person) -> list[Membership]:
    """The person's memberships the user may see: all of them for the person themselves, data stewards and
    administrators; for organisers, only memberships of the groups they organise (membership of another group
    is political opinion the organiser has no need to know)."""
    memberships = Membership.objects.filter(person=person).select_related("group").order_by("group__name")
    if not (is_self(user, person) or is_data_steward(user) or is_administrator(user)):
        memberships = memberships.filter(group_id__in=organised_group_ids(user))
    return list(memberships)


def notes_visible_to(*, user, person: Person) -> list[PersonNote]:
    """Notes on the person the user may read: organisers' notes for their organisers (and stewards and
    administrators); stewards' notes for data stewards only. The person themselves reads their notes in a
    subject access export, not here."""
    visibilities = []
    if organises_person(user, person) or is_data_steward(user) or is_administrator(user):
        visibilities.append(PersonNote.Visibility.ORGANISERS)
    if user.has_perm("people.view_steward_notes", person):
        visibilities.append(PersonNote.Visibility.DATA_STEWARDS)
    if not visibilities:
        return []
    return list(PersonNote.objects.filter(person=person, visibility__in=visibilities).select_related("author"))


@dataclass
class ConsentLine:
    purpose: str
    label: str
    event: ConsentEvent | None


def consent_summary(*, person: Person) -> list[ConsentLine]:
    """The basis in force for every purpose (None where nothing was ever recorded)."""
    return [
        ConsentLine(purpose=value, label=label, event=consent_current(person=person, purpose=value))
        for value, label in Purpose.choices
    ]


@dataclass
class DirectoryFilters:
    """What an organiser asked the member directory for. `near` is a located postcode; `within_km` goes with it."""

    text: str = ""
    group: LocalGroup | None = None
    role: str = ""
    skill: Skill | None = None
    near: object | None = None  # groundgame.places.selectors.Location
    within_km: float | None = None


@dataclass
class DirectoryResult:
    """Ids of the matching people, in display order (nearest first when a distance filter is on), and each
    matching person's distance in km when it is."""

    ids: list[int]
    distances: dict[int, float]
    by_distance: bool = False


def directory_search(*, user, filters: DirectoryFilters) -> DirectoryResult:
    """The member directory: people visible to `user`, narrowed by the filters.

    Group and role are matched on one membership, and only on memberships of groups the user may list (an
    organiser cannot learn who organises elsewhere by filtering). The distance filter locates each person's
    postcode with `places` (full postcode, else its district); people with no postcode or one `places` does not
    know are left out while it is on."""
    people = people_visible_to(user=user)
    if filters.text:
        for term in filters.text.split()[:5]:
            people = people.filter(
                Q(first_name__icontains=term) | Q(last_name__icontains=term) | Q(email__icontains=term)
            )
    if filters.group is not None or filters.role:
        memberships = Membership.objects.active().filter(group__in=groups_visible_to(user=user))
        if filters.group is not None:
            memberships = memberships.filter(group=filters.group)
        if filters.role:
            memberships = memberships.filter(role=filters.role)
        people = people.filter(pk__in=memberships.values("person_id"))
    if filters.skill is not None:
        people = people.filter(skills=filters.skill)
    if filters.near is None or filters.within_km is None:
        return DirectoryResult(
            ids=list(people.order_by("last_name", "first_name", "pk").values_list("pk", flat=True)), distances={}
        )
    return _within(people, filters.near, filters.within_km)


def _within(people: QuerySet[Person], near, km: float) -> DirectoryResult:
    from groundgame.places.geometry import haversine_km
    from groundgame.places.postcodes import InvalidPostcode
    from groundgame.places.selectors import UnknownPostcode, locate_postcode

    located: dict[str, tuple[float, float] | None] = {}
    distances: dict[int, float] = {}
    for pk, postcode in people.exclude(postcode="").values_list("pk", "postcode"):
        if postcode not in located:
            try:
                where = locate_postcode(postcode)
                located[postcode] = (where.lat, where.lon)
            except (InvalidPostcode, UnknownPostcode):
                located[postcode] = None
        point = located[postcode]
        if point is None:
            continue
        distance = haversine_km(near.lat, near.lon, point[0], point[1])
        if distance <= km:
            distances[pk] = round(distance, 1)
    ids = sorted(distances, key=lambda pk: (distances[pk], pk))
    return DirectoryResult(ids=ids, distances=distances, by_distance=True)


def directory_page(*, user, ids: list[int]) -> list[Person]:
    """The people of one directory page, in the order of `ids`, each with `visible_memberships` (memberships of
    groups the user may list) and skills loaded: three queries whatever the page size."""
    visible = Membership.objects.active().filter(group__in=groups_visible_to(user=user)).select_related("group")
    people = Person.objects.filter(pk__in=ids).prefetch_related(
        Prefetch("memberships", queryset=visible.order_by("group__name"), to_attr="visible_memberships"),
        "skills",
    )
    by_pk = {p.pk: p for p in people}
    return [by_pk[pk] for pk in ids if pk in by_pk]


def person_find(*, user, text: str) -> Person | None:
    """A person the user may open, by id ("123" or "#123") or exact email address; None otherwise."""
    text = (text or "").strip()
    if not text:
        return None
    if text.lstrip("#").isdigit():
        person = Person.objects.filter(pk=int(text.lstrip("#"))).first()
    else:
        person = Person.objects.filter(email__iexact=text).first()
    if person is None or not user.has_perm("people.view_person", person):
        return None
    return person


# --- pages: privacy ------------------------------------------------------------------------------------------------


def privacy_requests_open() -> QuerySet[PrivacyRequest]:
    """Open privacy requests, soonest due first (call only after checking people.handle_privacy_requests)."""
    return (
        PrivacyRequest.objects.filter(status=PrivacyRequest.Status.OPEN)
        .select_related("person")
        .order_by("due_on", "pk")
    )


def privacy_requests_closed(*, limit: int = 20) -> QuerySet[PrivacyRequest]:
    return (
        PrivacyRequest.objects.exclude(status=PrivacyRequest.Status.OPEN)
        .select_related("person")
        .order_by("-completed_at", "-pk")[:limit]
    )


def open_rectification_request(*, person: Person) -> PrivacyRequest | None:
    """The oldest open rectification request about the person: the authority a data steward edits under."""
    return (
        PrivacyRequest.objects.filter(
            person=person, kind=PrivacyRequest.Kind.RECTIFICATION, status=PrivacyRequest.Status.OPEN
        )
        .order_by("due_on", "pk")
        .first()
    )


def person_for(*, user, pk: int, perm: str = "people.view_person") -> Person | None:
    """The person with id `pk` if `user` holds `perm` on them, else None (the caller answers 404 either way, so
    whether someone is recorded is not revealed)."""
    person = Person.objects.filter(pk=pk).first()
    if person is None or not user.has_perm(perm, person):
        return None
    return person


def group_membership(*, group: LocalGroup, pk: int) -> Membership | None:
    """A membership of `group` by id; None when it belongs to another group (so another group's ids are useless)."""
    return Membership.objects.filter(pk=pk, group=group).select_related("person", "group").first()


def privacy_request(*, pk: int) -> PrivacyRequest | None:
    return PrivacyRequest.objects.filter(pk=pk).select_related("person", "handled_by").first()
