"""The people demo seed, on the real reference data: deterministic, idempotent, plausible and lawful."""

import random
import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.validators import validate_email
from django.db.models import Count

from groundgame.core.demo import seed_demo
from groundgame.core.messaging import contact_hash
from groundgame.core.models import AuditEvent, Channel
from groundgame.people import demo
from groundgame.people.models import ConsentEvent, LocalGroup, Membership, Person, Skill, StaffRole
from groundgame.places import postcodes
from groundgame.places.models import Constituency, Postcode, PostcodeDistrict

pytestmark = [pytest.mark.django_db, pytest.mark.realdata]

PASSWORD = "demo-password-for-tests"


def counts() -> dict[str, int]:
    return {
        "groups": LocalGroup.objects.count(),
        "people": Person.objects.count(),
        "memberships": Membership.objects.count(),
        "consents": ConsentEvent.objects.count(),
        "skills": Skill.objects.count(),
        "skill links": Person.skills.through.objects.count(),
        "users": get_user_model().objects.count(),
        "emails": EmailAddress.objects.count(),
        "staff": StaffRole.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


@pytest.fixture
def seeded(reference_db):
    return demo.seed(password=PASSWORD)


def test_seeding_twice_adds_nothing_the_second_time(seeded):
    first = counts()

    again = demo.seed(password=PASSWORD)

    assert counts() == first
    assert (again.groups_created, again.people_created, again.memberships_created) == (0, 0, 0)
    assert (again.consent_events_created, again.accounts_created) == (0, 0)
    assert (seeded.groups_created, seeded.accounts_created) == (1 + 12 + demo.LOCAL_GROUPS, len(demo.DEMO_ACCOUNTS))
    assert first["people"] == demo.PEOPLE + len(demo.DEMO_ACCOUNTS)


def test_the_people_are_the_same_for_the_same_seed(seeded):
    boundary_set = demo._latest_boundary_set()
    groups = demo._groups(boundary_set, demo._pick_seats(boundary_set))

    def generated():
        return [
            (s.person.email, s.person.phone, s.person.postcode, s.group.slug)
            for s in demo._people(groups, random.Random(7))
        ]

    assert generated() == generated()
    stored = set(Person.objects.values_list("email", "phone", "postcode"))
    assert {row[:3] for row in generated()} != stored  # another seed gives other people
    default = [s.person for s in demo._people(groups, random.Random(demo.DEMO_SEED))]
    assert {(p.email, p.phone, p.postcode) for p in default} <= stored


def test_groups_are_national_the_twelve_regions_and_local_groups_in_real_constituencies(seeded):
    national = LocalGroup.objects.get(level=LocalGroup.Level.NATIONAL)
    regions = LocalGroup.objects.filter(level=LocalGroup.Level.REGIONAL)
    local = LocalGroup.objects.filter(level=LocalGroup.Level.LOCAL).prefetch_related("constituencies")

    assert sorted(regions.values_list("name", flat=True)) == sorted(demo.REGIONS)
    assert set(regions.values_list("parent", flat=True)) == {national.pk}
    assert local.count() == demo.LOCAL_GROUPS
    for group in local:
        (seat,) = group.constituencies.all()
        assert seat.name == group.name and seat.boundary_set.slug == "2024"
        assert group.parent.name == seat.region
    # The seats of the shared sample postcodes come first, so their people have real postcodes.
    assert {"Derby North", "Leeds Central and Headingley", "Gorton and Denton"} <= set(
        local.values_list("name", flat=True)
    )
    assert (
        regions.get(name="Wales").constituencies.count()
        == Constituency.objects.filter(boundary_set__slug="2024", region="Wales").count()
    )


def test_every_local_group_has_organisers_and_every_region_with_groups_a_regional_organiser(seeded):
    for group in LocalGroup.objects.filter(level=LocalGroup.Level.LOCAL):
        organisers = Membership.objects.organising().filter(group=group)
        assert organisers.count() >= 2, group
    regions_with_groups = LocalGroup.objects.filter(level=LocalGroup.Level.REGIONAL, children__isnull=False).distinct()
    for region in regions_with_groups:
        assert Membership.objects.organising().filter(group=region).exists(), region
    statuses = dict(Membership.objects.values_list("status").annotate(n=Count("id")))
    assert statuses["active"] > 2500 and statuses["requested"] > 50  # join requests waiting for organisers


def test_every_person_has_a_valid_synthetic_email_and_a_plausible_postcode(seeded):
    real = set(Postcode.objects.values_list("postcode", flat=True))
    districts = set(PostcodeDistrict.objects.values_list("outcode", flat=True))
    drama = {re.sub(r"\D", "", n)[1:] for n in demo.drama_phone_numbers()}
    kinds = {"real": 0, "synthetic": 0}
    for email, phone, postcode in Person.objects.values_list("email", "phone", "postcode"):
        validate_email(email)
        assert email.rsplit("@", 1)[1] in demo.EMAIL_DOMAINS
        assert not phone or (phone.startswith("+44") and phone[3:] in drama)
        parsed = postcodes.parse(postcode) if postcode else None
        if parsed is None:
            continue
        assert parsed.is_full and parsed.text == postcode
        if postcode in real:
            kinds["real"] += 1
        else:
            assert demo.is_synthetic_postcode(postcode) and parsed.outcode in districts, postcode
            kinds["synthetic"] += 1
    assert Person.objects.exclude(postcode="").count() >= demo.PEOPLE
    assert kinds["real"] > 500 and kinds["synthetic"] > 1000


def test_consent_events_follow_the_rules(seeded):
    events = ConsentEvent.objects.select_related("person", "wording")
    assert events.filter(basis="consent", action="given", wording__isnull=True).count() == 0
    for event in events:
        if event.wording is not None:
            assert event.wording.purpose == event.purpose
        if event.purpose == "email":
            assert event.contact_hash == contact_hash(channel=Channel.EMAIL, value=event.person.email)
        elif event.purpose in ("sms", "phone"):
            assert event.person.phone and event.contact_hash == contact_hash(
                channel=Channel.SMS, value=event.person.phone
            )
        else:
            assert event.contact_hash == "" and event.basis != "consent"
    for person_id, purpose in events.filter(action="withdrawn").values_list("person_id", "purpose"):
        history = list(events.filter(person_id=person_id, purpose=purpose).order_by("occurred_at"))
        assert history[0].action == "given" and history[-1].action == "withdrawn"
    mix = dict(events.values_list("purpose").annotate(n=Count("id")))
    assert set(mix) == {"membership", "email", "sms", "phone", "canvassing"}
    assert mix["membership"] == demo.PEOPLE


def test_demo_accounts_have_verified_emails_the_password_and_their_roles(seeded):
    users = {u.email: u for u in get_user_model().objects.filter(email__in=[a.email for a in demo.DEMO_ACCOUNTS])}
    organiser, organiser2 = users["organiser@example.org"], users["organiser2@example.org"]
    first, second = (Membership.objects.organising().get(person__user=u).group for u in (organiser, organiser2))

    for user in users.values():
        assert user.check_password(PASSWORD)
        assert EmailAddress.objects.get(user=user).verified
        assert user.person.email == user.email
    assert organiser.has_perm("people.view_group_members", first)
    assert not organiser.has_perm("people.view_group_members", second)
    assert users["regional@example.org"].has_perm("people.view_group_members", first)
    assert users["steward@example.org"].has_perm("people.handle_privacy_requests")
    assert not users["member@example.org"].has_perm("people.view_group_members", first)
    assert any("organiser@example.org / " + PASSWORD in line for line in seeded.logins)


def test_core_seed_demo_seeds_people_and_prints_their_logins(reference_db, settings, tmp_path):
    settings.GROUNDGAME_HOME = tmp_path

    lines = seed_demo()

    password = (tmp_path / "demo-logins.txt").read_text().strip()
    assert lines[0] == f"Administrator (/admin/): admin@example.org / {password}"
    assert f"Organiser of Leeds Central and Headingley: organiser@example.org / {password}" in lines
    assert any(line.startswith("Data steward: steward@example.org / ") for line in lines)
    summary = f"Demo people: {demo.PEOPLE + len(demo.DEMO_ACCOUNTS):,} in 40 local groups"
    assert any(line.startswith(summary) for line in lines)  # other apps' demo lines follow
