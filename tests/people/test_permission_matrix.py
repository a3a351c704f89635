"""The permission matrix: every URL of the project (pages and API) x every role x whose object it is.

Roles: anonymous; a member of group A; the organiser of A; the organiser of A's region; the organiser of group B
(another region); a data steward; an administrator. Objects: group A's (its page, its memberships, a person in it,
privacy requests about that person) and group B's, plus, for URLs that take a membership, B's membership reached
by editing A's URL ("B via A"). Outcomes: 200, a 302 redirect elsewhere (a form that worked), LOGIN (a 302 to the
sign-in page), 403, 404 (pages about people answer 404 to whoever may not see the person: existence is personal).

`test_every_url_has_a_row` walks the URL resolver, the API's included; a new URL without a row in MATRIX fails it,
until someone decides who may reach it. The allow-list below says what is left out and why.
"""

import datetime
import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from groundgame.core import messaging
from groundgame.people import services
from groundgame.people.models import LocalGroup, Membership, PrivacyRequest, StaffRole
from groundgame.places.models import (
    BoundarySet,
    Constituency,
    ConstituencyResult,
    Election,
    PostcodeDistrict,
)

from .factories import GroupFactory, MembershipFactory, PersonWithUserFactory, national_group

pytestmark = pytest.mark.django_db

MATRIX_PART_MODULES = [
    "tests.events.permission_rows",
    "tests.events.permission_rows_organiser",
    "tests.events.permission_rows_lifts",
    "tests.canvassing.permission_rows",
    "tests.canvassing.permission_rows_walklists",
    "tests.canvassing.permission_rows_app",
    "tests.pollingday.permission_rows",
    "tests.democracy.permission_rows",
    "tests.listening.permission_rows",
]

ROLES = ("anonymous", "member_a", "organiser_a", "regional_a", "organiser_b", "steward", "admin")

OK, REDIRECT, LOGIN, FORBIDDEN, NOT_FOUND = 200, 302, "login", 403, 404

# Left out of the matrix, on purpose:
ALLOW_LIST = (
    re.compile(r"^admin:"),  # Django's admin: staff only, its own permission system (people/admin.py is read-mostly)
    re.compile(r"^account_"),  # allauth's accounts pages: tested by tests/people/test_accounts*.py
    re.compile(r"^mfa_"),  # allauth's two-factor pages: idem
    re.compile(r"^set_language$"),  # Django's i18n language switch: no data
    re.compile(r"^api:(openapi-json|openapi-view|api-root)$"),  # the API's documentation, and ninja's root (404)
)
UNNAMED_ALLOWED_PREFIXES = ("admin/", "static/")  # the admin's catch-all patterns; static files in development


def everyone(status) -> dict:
    return dict.fromkeys(ROLES, status)


def expect(anonymous, member_a, organiser_a, regional_a, organiser_b, steward, admin) -> dict:
    """One line of the matrix, in the order of ROLES."""
    return dict(zip(ROLES, (anonymous, member_a, organiser_a, regional_a, organiser_b, steward, admin), strict=True))


@dataclass
class World:
    """Two regions; group A in the first, group B in the second, each with a member, an applicant, a person to
    look at, and privacy requests about that person."""

    users: dict = field(default_factory=dict)
    groups: dict = field(default_factory=dict)
    subjects: dict = field(default_factory=dict)  # "A"/"B" -> a person who is an active member there
    applicants: dict = field(default_factory=dict)  # "A"/"B" -> a requested membership
    memberships: dict = field(default_factory=dict)  # "A"/"B" -> the subject's active membership
    requests: dict = field(default_factory=dict)  # ("A"/"B", kind) -> PrivacyRequest
    seat: Constituency | None = None
    extra: dict = field(default_factory=dict)  # other apps' objects, by the names their row modules give them


def _with_authenticator(person):
    """Organisers, stewards and administrators must have two-factor authentication to get past the middleware."""
    if not Authenticator.objects.filter(user=person.user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(person.user, generate_totp_secret())
    return person


def _staff(role: str):
    person = PersonWithUserFactory()
    StaffRole.objects.create(person=person, role=role)
    return _with_authenticator(person)


def _reference_data() -> Constituency:
    """The smallest set of places data for every public page and API endpoint to answer 200 (or the real data, when
    another test has loaded it with `reference_db`)."""
    bs, _ = BoundarySet.objects.get_or_create(
        slug="2010", defaults={"name": "2010 boundaries", "first_used": datetime.date(2010, 5, 6)}
    )
    seat, _ = Constituency.objects.get_or_create(
        boundary_set=bs,
        code="E14000662",
        defaults={"name": "Derby North", "nation": "E", "centroid_lat": 52.94, "centroid_lon": -1.49},
    )
    election, _ = Election.objects.get_or_create(
        year=2015, defaults={"polling_date": datetime.date(2015, 5, 7), "boundary_set": bs}
    )
    ConstituencyResult.objects.get_or_create(
        election=election,
        constituency=seat,
        defaults={
            "electorate": 70000,
            "valid_votes": 45000,
            "majority": 41,
            "result": "Con gain from Lab",
            "first_party": "Con",
            "second_party": "Lab",
            "party_votes": {"Con": 16402, "Lab": 16361},
        },
    )
    PostcodeDistrict.objects.get_or_create(outcode="DE22", defaults={"latitude": 52.93427, "longitude": -1.49863})
    return seat


@pytest.fixture
def world() -> World:
    w = World()
    national = national_group()
    regions = {
        "A": GroupFactory(name="East Midlands", slug="east-midlands", level=LocalGroup.Level.REGIONAL, parent=national),
        "B": GroupFactory(name="North West", slug="north-west", level=LocalGroup.Level.REGIONAL, parent=national),
    }
    w.groups["A"] = GroupFactory(name="Derby", slug="derby", parent=regions["A"])
    w.groups["B"] = GroupFactory(name="Bolton", slug="bolton", parent=regions["B"])
    organiser = Membership.Role.ORGANISER
    w.users["member_a"] = MembershipFactory(group=w.groups["A"]).person.user
    w.users["organiser_a"] = _with_authenticator(MembershipFactory(group=w.groups["A"], role=organiser).person).user
    w.users["regional_a"] = _with_authenticator(MembershipFactory(group=regions["A"], role=organiser).person).user
    w.users["organiser_b"] = _with_authenticator(MembershipFactory(group=w.groups["B"], role=organiser).person).user
    w.users["steward"] = _staff(StaffRole.Role.DATA_STEWARD).user
    w.users["admin"] = _staff(StaffRole.Role.ADMINISTRATOR).user
    for key, group in w.groups.items():
        w.memberships[key] = MembershipFactory(group=group)
        w.subjects[key] = w.memberships[key].person
        w.applicants[key] = MembershipFactory(group=group, status=Membership.Status.REQUESTED)
        for kind in PrivacyRequest.Kind.values:
            w.requests[key, kind] = services.privacy_request_open(person=w.subjects[key], kind=kind, acting=None)
    w.seat = _reference_data()
    for part in MATRIX_PARTS:
        getattr(part, "build", lambda world: None)(w)
    return w


@dataclass(frozen=True)
class Row:
    """How to call one URL for one object, and what each role gets."""

    method: str
    path: Callable[[World, str], str]
    expect: dict[str, dict]  # object label -> {role: outcome}
    data: Callable[[World, str], dict] = lambda w, o: {}


def _group(w, o):
    return w.groups[o].slug


def _membership_url(name: str, pick: Callable[[World, str], Membership]) -> Callable[[World, str], str]:
    """A membership URL; object "B via A" is B's membership inside A's URL."""

    def path(w, o):
        group_key, member_key = ("A", "B") if o == "B via A" else (o, o)
        return reverse(name, args=[w.groups[group_key].slug, pick(w, member_key).pk])

    return path


def _request_url(name: str, kind: str):
    return lambda w, o: reverse(name, args=[w.requests[o, kind].pk])


PUBLIC = {"-": everyone(OK)}
SIGNED_IN = expect(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)
ORGANISERS_OF_A = expect(LOGIN, FORBIDDEN, OK, OK, FORBIDDEN, FORBIDDEN, OK)
ORGANISERS_OF_B = expect(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, OK)
STEWARDS = expect(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN)
STEWARDS_ACT = expect(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN)
GROUP_WRITE = {
    "A": expect(LOGIN, FORBIDDEN, REDIRECT, REDIRECT, FORBIDDEN, FORBIDDEN, REDIRECT),
    "B": expect(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT, FORBIDDEN, REDIRECT),
    # A's URL with B's membership id: those who may act on A find nothing there; the rest may not act on A at all.
    "B via A": expect(LOGIN, FORBIDDEN, NOT_FOUND, NOT_FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND),
}

MATRIX: dict[str, Row] = {
    # Public pages and API endpoints: the same for everyone.
    "home": Row("GET", lambda w, o: "/", PUBLIC),
    "places:find": Row("GET", lambda w, o: reverse("places:find"), PUBLIC),
    "places:targets": Row("GET", lambda w, o: reverse("places:targets"), PUBLIC),
    "places:hexmap": Row("GET", lambda w, o: reverse("places:hexmap"), PUBLIC),
    "places:constituency": Row(
        "GET", lambda w, o: reverse("places:constituency", args=[w.seat.boundary_set.slug, w.seat.code]), PUBLIC
    ),
    "api:nearest_marginal": Row("GET", lambda w, o: reverse("api:nearest_marginal") + "?postcode=DE22", PUBLIC),
    "api:ping": Row("GET", lambda w, o: reverse("api:ping"), PUBLIC),
    "api:ping_post": Row("POST", lambda w, o: reverse("api:ping_post"), PUBLIC),
    "api:elections": Row("GET", lambda w, o: reverse("api:elections"), PUBLIC),
    # The link in every email works without signing in: the signed token is the authority.
    "core:unsubscribe": Row(
        "GET",
        lambda w, o: reverse(
            "core:unsubscribe",
            args=[messaging.unsubscribe_token(recipient_id=w.subjects["A"].pk, channel="email", purpose="email")],
        ),
        PUBLIC,
    ),
    # The SMS provider's webhook: a secret path part, unset in this world (tests/core/test_messaging.py tests it set).
    "core:sms_inbound": Row(
        "POST",
        lambda w, o: reverse("core:sms_inbound", args=["guess"]),
        {"-": everyone(NOT_FOUND)},
        data=lambda w, o: {},
    ),
    # Groups: public pages; joining needs an account.
    "people:groups": Row("GET", lambda w, o: reverse("people:groups"), PUBLIC),
    "people:group": Row(
        "GET", lambda w, o: reverse("people:group", args=[_group(w, o)]), {"A": everyone(OK), "B": everyone(OK)}
    ),
    "people:group_join": Row(
        "POST", lambda w, o: reverse("people:group_join", args=[_group(w, o)]), {"A": SIGNED_IN, "B": SIGNED_IN}
    ),
    # Organisers' pages: the group's organisers, the region's, and administrators.
    "people:group_members": Row(
        "GET",
        lambda w, o: reverse("people:group_members", args=[_group(w, o)]),
        {"A": ORGANISERS_OF_A, "B": ORGANISERS_OF_B},
    ),
    "people:group_members_csv": Row(
        "GET",
        lambda w, o: reverse("people:group_members_csv", args=[_group(w, o)]),
        {"A": ORGANISERS_OF_A, "B": ORGANISERS_OF_B},
    ),
    "people:membership_decide": Row(
        "POST",
        _membership_url("people:membership_decide", lambda w, key: w.applicants[key]),
        GROUP_WRITE,
        data=lambda w, o: {"approve": "1"},
    ),
    "people:membership_role": Row(
        "POST",
        _membership_url("people:membership_role", lambda w, key: w.memberships[key]),
        GROUP_WRITE,
        data=lambda w, o: {"role": Membership.Role.CANVASSER},
    ),
    # People: 404 to whoever may not see the person.
    "people:person": Row(
        "GET",
        lambda w, o: reverse("people:person", args=[w.subjects[o].pk]),
        {
            "A": expect(LOGIN, NOT_FOUND, OK, OK, NOT_FOUND, OK, OK),
            "B": expect(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, OK, OK),
        },
    ),
    # Stewards edit only under an open rectification request (the world has one about each subject).
    "people:person_edit": Row(
        "GET",
        lambda w, o: reverse("people:person_edit", args=[w.subjects[o].pk]),
        {
            "A": expect(LOGIN, NOT_FOUND, OK, OK, NOT_FOUND, OK, OK),
            "B": expect(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, OK, OK),
        },
    ),
    # Notes: whoever may see the person and organises them (or stewards, administrators); a member sees no one else.
    "people:person_note_add": Row(
        "POST",
        lambda w, o: reverse("people:person_note_add", args=[w.subjects[o].pk]),
        {
            "A": expect(LOGIN, NOT_FOUND, REDIRECT, REDIRECT, NOT_FOUND, REDIRECT, REDIRECT),
            "B": expect(LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, REDIRECT, REDIRECT, REDIRECT),
        },
        data=lambda w, o: {"text": "Prefers evenings.", "visibility": "organisers"},
    ),
    # The directory lists only people the user may see (tested in test_views.py); here: who may open it at all.
    "people:directory": Row(
        "GET", lambda w, o: reverse("people:directory"), {"-": expect(LOGIN, FORBIDDEN, OK, OK, OK, FORBIDDEN, OK)}
    ),
    "people:directory_csv": Row(
        "GET", lambda w, o: reverse("people:directory_csv"), {"-": expect(LOGIN, FORBIDDEN, OK, OK, OK, FORBIDDEN, OK)}
    ),
    # Member import: organisers and administrators. An upload is reachable only from the session of the user who
    # made it, so any other token (here one that is in nobody's session) is 404 to everyone who may import; the
    # owner's own path is walked in test_import_views.py.
    "people:import": Row(
        "GET", lambda w, o: reverse("people:import"), {"-": expect(LOGIN, FORBIDDEN, OK, OK, OK, FORBIDDEN, OK)}
    ),
    **{
        name: Row(
            method,
            lambda w, o, name=name: reverse(name, args=["0123456789abcdef0123456789abcdef"]),
            {"another's upload": expect(LOGIN, FORBIDDEN, NOT_FOUND, NOT_FOUND, NOT_FOUND, FORBIDDEN, NOT_FOUND)},
        )
        for name, method in [
            ("people:import_mapping", "GET"),
            ("people:import_check", "GET"),
            ("people:import_commit", "POST"),
            ("people:import_discard", "POST"),
        ]
    },
    # Privacy: data stewards only, whoever the request is about.
    "people:privacy": Row("GET", lambda w, o: reverse("people:privacy"), {"-": STEWARDS}),
    "people:privacy_request_open": Row(
        "POST",
        lambda w, o: reverse("people:privacy_request_open"),
        {"A": STEWARDS_ACT, "B": STEWARDS_ACT},
        data=lambda w, o: {"person": w.subjects[o].email, "kind": PrivacyRequest.Kind.ACCESS},
    ),
    "people:privacy_request": Row(
        "GET", _request_url("people:privacy_request", "access"), {"A": STEWARDS, "B": STEWARDS}
    ),
    "people:privacy_request_export": Row(
        "GET", _request_url("people:privacy_request_export", "access"), {"A": STEWARDS, "B": STEWARDS}
    ),
    "people:privacy_request_erase": Row(
        "POST",
        _request_url("people:privacy_request_erase", "erasure"),
        {"A": STEWARDS_ACT, "B": STEWARDS_ACT},
        data=lambda w, o: {"confirm": "on"},
    ),
    "people:privacy_request_close": Row(
        "POST",
        _request_url("people:privacy_request_close", "rectify"),
        {"A": STEWARDS_ACT, "B": STEWARDS_ACT},
        data=lambda w, o: {"status": PrivacyRequest.Status.DONE},
    ),
    "people:audit_log": Row("GET", lambda w, o: reverse("people:audit_log"), {"-": STEWARDS}),
}


# Other apps' rows live beside their tests, one module per area, each with ROWS (name -> Row) and optionally
# build(world), which adds that app's objects for groups A and B to world.extra. Listed here, merged into MATRIX.
MATRIX_PARTS = [importlib.import_module(name) for name in MATRIX_PART_MODULES]
for _part in MATRIX_PARTS:
    _clash = set(_part.ROWS) & set(MATRIX)
    assert not _clash, f"{_part.__name__} repeats rows: {_clash}"
    MATRIX.update(_part.ROWS)


# --- the URL walk --------------------------------------------------------------------------------------------------


def all_url_patterns(patterns=None, prefix: str = "", namespace: str = ""):
    """(name with namespaces or None, route) for every URL pattern, descending into includes (the API's too)."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from all_url_patterns(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield (f"{namespace}{pattern.name}" if pattern.name else None), prefix + str(pattern.pattern)


def allowed(name: str) -> bool:
    return any(rule.search(name) for rule in ALLOW_LIST)


def test_every_url_has_a_row():
    """A URL added without deciding who may reach it fails here: add a row to MATRIX (or, with a reason, to the
    allow-list)."""
    missing, unnamed = [], []
    for name, route in all_url_patterns():
        if name is None:
            if not route.lstrip("^").startswith(UNNAMED_ALLOWED_PREFIXES):
                unnamed.append(route)
        elif name not in MATRIX and not allowed(name):
            missing.append(f"{name} ({route})")
    assert not unnamed, f"URL patterns without a name (name them and add them to MATRIX): {unnamed}"
    assert not missing, f"URLs with no row in the permission matrix: {missing}"


def test_every_row_names_a_url_and_every_role():
    names = {name for name, _ in all_url_patterns() if name}
    assert set(MATRIX) <= names, f"rows for URLs that no longer exist: {sorted(set(MATRIX) - names)}"
    for name, row in MATRIX.items():
        assert row.method in {"GET", "POST"}, name
        for label, outcomes in row.expect.items():
            assert set(outcomes) == set(ROLES), f"{name} [{label}] must give every role an outcome"


def test_the_walk_sees_the_api_and_the_allow_list_is_not_empty_handed():
    """The walk descends into the ninja API's URLs, and the allow-list matches URLs that exist."""
    names = {name for name, _ in all_url_patterns() if name}
    assert {"api:nearest_marginal", "api:ping", "api:elections"} <= names
    for rule in ALLOW_LIST:
        assert any(rule.search(n) for n in names), f"allow-list entry {rule.pattern} matches no URL"


# --- running the matrix --------------------------------------------------------------------------------------------

CASES = [(name, label) for name, row in MATRIX.items() for label in row.expect]


def outcome(response) -> int | str:
    if response.status_code == 302 and response["Location"].startswith(reverse("account_login")):
        return LOGIN
    return response.status_code


@pytest.mark.parametrize(("name", "label"), CASES, ids=[f"{n}[{o}]" for n, o in CASES])
def test_matrix(world, name, label):
    """Each role in turn, each request in a savepoint rolled back afterwards, so that no role sees another's
    writes (one approves a request, the next would find it decided)."""
    row = MATRIX[name]
    actual = {}
    for role in ROLES:
        client = Client()
        if role != "anonymous":
            client.force_login(world.users[role])
        with transaction.atomic():
            path, data = row.path(world, label), row.data(world, label)
            response = client.get(path) if row.method == "GET" else client.post(path, data)
            actual[role] = outcome(response)
            transaction.set_rollback(True)
    assert actual == row.expect[label], f"{row.method} {name} [{label}]"
