"""People pages, flow by flow: joining groups, organisers deciding requests and roles, exports (content and audit),
person pages and who sees what on them, the member directory's filters, and the data stewards' privacy dashboard.

Who may reach which URL at all is the permission matrix's job (test_permission_matrix.py); these tests are about
what the pages do."""

import csv
import datetime
import io
import json
import zipfile

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse
from django.utils import timezone

from groundgame.core import privacy as core_privacy
from groundgame.core.models import AuditEvent, RetentionRun
from groundgame.people import services
from groundgame.people.models import (
    ConsentEvent,
    LocalGroup,
    Membership,
    Person,
    PersonNote,
    PrivacyRequest,
    Purpose,
    Skill,
    StaffRole,
)
from groundgame.places.models import BoundarySet, Constituency, Postcode, PostcodeDistrict

from .factories import (
    GroupFactory,
    MembershipFactory,
    PersonFactory,
    PersonWithUserFactory,
    UserFactory,
    national_group,
    organiser_of,
    staff,
    wording,
)

pytestmark = pytest.mark.django_db


def sign_in(client, who):
    """Sign in a user or a person's user; give them an authenticator app (organisers, stewards and administrators
    are sent to set one up otherwise)."""
    user = who.user if isinstance(who, Person) else who
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, generate_totp_secret())
    client.force_login(user)
    return user


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.fixture
def region():
    return GroupFactory(name="East Midlands", slug="east-midlands", level=LocalGroup.Level.REGIONAL)


@pytest.fixture
def derby(region):
    return GroupFactory(name="Derby", slug="derby", parent=region, join_policy=LocalGroup.JoinPolicy.APPROVAL)


@pytest.fixture
def nottingham(region):
    return GroupFactory(name="Nottingham", slug="nottingham", parent=region, join_policy=LocalGroup.JoinPolicy.OPEN)


# --- public group pages ----------------------------------------------------------------------------------------------


def test_group_list_shows_national_then_regions_then_local_groups_nested(
    client, derby, nottingham, django_assert_max_num_queries
):
    MembershipFactory(group=derby)
    MembershipFactory(group=derby, status=Membership.Status.REQUESTED)
    with django_assert_max_num_queries(4):
        response = client.get(reverse("people:groups"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("National") < html.index("East Midlands") < html.index("Derby") < html.index("Nottingham")
    assert "1 member" in html  # Derby: the request does not count


def test_group_page_shows_area_constituencies_member_count_and_a_join_button(client, derby):
    bs, _ = BoundarySet.objects.get_or_create(  # get_or_create: the real data may be loaded (`reference_db`)
        slug="2010", defaults={"name": "2010 boundaries", "first_used": datetime.date(2010, 5, 6)}
    )
    seat, _ = Constituency.objects.get_or_create(
        boundary_set=bs, code="E14000662", defaults={"name": "Derby North", "nation": "E"}
    )
    derby.constituencies.add(seat)
    derby.area_description = "Derby city"
    derby.public_description = "We knock on doors every Saturday."
    derby.save()
    MembershipFactory.create_batch(2, group=derby)
    response = client.get(reverse("people:group", args=["derby"]))
    html = response.content.decode()
    assert "Derby city" in html and "every Saturday" in html
    assert reverse("places:constituency", args=["2010", "E14000662"]) in html
    assert 'data-testid="member-count">2<' in html
    assert "Sign in to join" in html  # anonymous


def test_joining_an_open_group_creates_the_persons_record_from_the_account_and_admits_at_once(client, nottingham):
    user = UserFactory(username="sam", email="Sam.Jones@example.org")
    client.force_login(user)
    response = client.post(reverse("people:group_join", args=["nottingham"]), follow=True)
    person = Person.objects.get(user=user)
    assert (person.first_name, person.email) == ("sam.jones", "sam.jones@example.org")
    assert Membership.objects.get(person=person, group=nottingham).status == Membership.Status.ACTIVE
    assert "You&#x27;re a member" in response.content.decode()
    actions = set(AuditEvent.objects.filter(target_id=str(person.pk)).values_list("action", flat=True))
    assert {"person.create", "person.link_account"} <= actions


def test_joining_an_approval_group_sends_a_request_and_says_so(client, derby):
    person = PersonWithUserFactory()
    client.force_login(person.user)
    response = client.post(reverse("people:group_join", args=["derby"]), follow=True)
    assert Membership.objects.get(person=person, group=derby).status == Membership.Status.REQUESTED
    assert "Request sent" in response.content.decode()
    again = client.get(reverse("people:group", args=["derby"])).content.decode()
    assert "Request sent" in again and "Ask to join" not in again


def test_joining_needs_an_account_and_a_post(client, derby):
    response = client.post(reverse("people:group_join", args=["derby"]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    client.force_login(UserFactory())
    assert client.get(reverse("people:group_join", args=["derby"])).status_code == 405


def test_an_existing_record_with_the_accounts_email_is_linked_only_once_the_address_is_verified(client, derby):
    imported = PersonFactory(email="kim@example.org")
    user = UserFactory(username="kim", email="kim@example.org")
    client.force_login(user)
    response = client.post(reverse("people:group_join", args=["derby"]), follow=True)
    assert "already recorded" in response.content.decode()
    assert not Membership.objects.filter(group=derby).exists()

    EmailAddress.objects.create(user=user, email="kim@example.org", verified=True, primary=True)
    client.post(reverse("people:group_join", args=["derby"]))
    imported.refresh_from_db()
    assert imported.user == user
    assert Membership.objects.get(group=derby).person == imported


# --- organisers: requests, roles, export -----------------------------------------------------------------------------


def test_organiser_sees_pending_requests_and_approves_one(client, derby):
    organiser = organiser_of(derby)
    applicant = MembershipFactory(group=derby, status=Membership.Status.REQUESTED)
    sign_in(client, organiser)
    page = client.get(reverse("people:group_members", args=["derby"])).content.decode()
    assert "1 request to join" in page and str(applicant.person) in page

    url = reverse("people:membership_decide", args=["derby", applicant.pk])
    response = client.post(url, {"approve": "1"}, follow=True)
    applicant.refresh_from_db()
    assert applicant.status == Membership.Status.ACTIVE
    assert applicant.decided_by == organiser
    assert "is now a member" in response.content.decode()
    assert AuditEvent.objects.filter(action="membership.decide", target_id=str(applicant.pk)).exists()


def test_organiser_declines_a_request_and_a_decided_request_cannot_be_decided_again(client, derby):
    applicant = MembershipFactory(group=derby, status=Membership.Status.REQUESTED)
    sign_in(client, organiser_of(derby))
    url = reverse("people:membership_decide", args=["derby", applicant.pk])
    client.post(url, {"approve": "0"})
    applicant.refresh_from_db()
    assert applicant.status == Membership.Status.DECLINED
    response = client.post(url, {"approve": "1"}, follow=True)
    applicant.refresh_from_db()
    assert applicant.status == Membership.Status.DECLINED
    assert "already been decided" in response.content.decode()


def test_a_membership_of_another_group_cannot_be_decided_through_ones_own_groups_url(client, derby, nottingham):
    elsewhere = MembershipFactory(group=nottingham, status=Membership.Status.REQUESTED)
    sign_in(client, organiser_of(derby))
    response = client.post(reverse("people:membership_decide", args=["derby", elsewhere.pk]), {"approve": "1"})
    assert response.status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.status == Membership.Status.REQUESTED


def test_organiser_changes_a_members_role_and_it_is_audited(client, derby):
    member = MembershipFactory(group=derby)
    sign_in(client, organiser_of(derby))
    client.post(reverse("people:membership_role", args=["derby", member.pk]), {"role": "canvasser"})
    member.refresh_from_db()
    assert member.role == Membership.Role.CANVASSER
    assert AuditEvent.objects.get(action="membership.role", target_id=str(member.pk)).fields == ["role"]


def test_a_pending_request_cannot_be_given_a_role(client, derby):
    applicant = MembershipFactory(group=derby, status=Membership.Status.REQUESTED)
    sign_in(client, organiser_of(derby))
    response = client.post(
        reverse("people:membership_role", args=["derby", applicant.pk]), {"role": "organiser"}, follow=True
    )
    applicant.refresh_from_db()
    assert applicant.role == Membership.Role.MEMBER
    assert "Only active members" in response.content.decode()


def test_members_csv_holds_active_members_only_and_each_export_is_audited_with_column_names(client, derby):
    organiser = organiser_of(derby)
    member = MembershipFactory(group=derby, person__phone="+447700900123", person__postcode="DE22 1AA")
    MembershipFactory(group=derby, status=Membership.Status.REQUESTED)
    sign_in(client, organiser)

    response = client.get(reverse("people:group_members_csv", args=["derby"]))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    rows = csv_rows(response)
    assert list(rows[0]) == ["first_name", "last_name", "email", "phone", "postcode", "status", "role"]
    assert {r["email"] for r in rows} == {organiser.email, member.person.email}
    row = next(r for r in rows if r["email"] == member.person.email)
    assert (row["phone"], row["postcode"], row["role"]) == ("+447700900123", "DE22 1AA", "member")

    events = AuditEvent.objects.filter(action="people.export")
    assert {e.target_id for e in events} == {str(organiser.pk), str(member.person.pk)}
    event = events.get(target_id=str(member.person.pk))
    assert event.actor_id == organiser.user_id and event.target_type == "people.person"
    assert event.fields == ["first_name", "last_name", "email", "phone", "postcode", "status", "memberships"]
    assert member.person.email not in json.dumps(list(events.values("fields", "reason")))


def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_defused(client, derby):
    MembershipFactory(group=derby, person__first_name='=HYPERLINK("http://evil")')
    sign_in(client, organiser_of(derby))
    rows = csv_rows(client.get(reverse("people:group_members_csv", args=["derby"])))
    assert any(r["first_name"] == '\'=HYPERLINK("http://evil")' for r in rows)


def test_members_page_query_count_does_not_grow_with_the_group(client, derby, django_assert_max_num_queries):
    organiser = organiser_of(derby)
    MembershipFactory.create_batch(30, group=derby)
    MembershipFactory.create_batch(10, group=derby, status=Membership.Status.REQUESTED)
    sign_in(client, organiser)
    with django_assert_max_num_queries(11):
        response = client.get(reverse("people:group_members", args=["derby"]))
    assert response.status_code == 200
    assert "31 members" in response.content.decode() and "10 requests to join" in response.content.decode()


def test_regional_organiser_manages_every_group_in_their_region(client, region, derby):
    applicant = MembershipFactory(group=derby, status=Membership.Status.REQUESTED)
    sign_in(client, organiser_of(region))
    assert client.get(reverse("people:group_members", args=["derby"])).status_code == 200
    client.post(reverse("people:membership_decide", args=["derby", applicant.pk]), {"approve": "1"})
    applicant.refresh_from_db()
    assert applicant.status == Membership.Status.ACTIVE


# --- person pages ----------------------------------------------------------------------------------------------------


def test_person_page_is_seen_by_the_person_their_organisers_and_stewards_and_is_404_to_others(
    client, derby, nottingham
):
    member = MembershipFactory(group=derby).person
    url = reverse("people:person", args=[member.pk])
    for who, status in [
        (member, 200),
        (organiser_of(derby), 200),
        (staff(StaffRole.Role.DATA_STEWARD), 200),
        (organiser_of(nottingham), 404),
        (MembershipFactory(group=derby).person, 404),
    ]:
        sign_in(client, who)
        assert client.get(url).status_code == status, who
    sign_in(client, organiser_of(derby))
    assert client.get(reverse("people:person", args=[999_999])).status_code == 404


def test_organiser_sees_only_the_memberships_of_groups_they_organise(client, derby, nottingham):
    person = MembershipFactory(group=derby).person
    MembershipFactory(person=person, group=nottingham)
    sign_in(client, organiser_of(derby))
    html = client.get(reverse("people:person", args=[person.pk])).content.decode()
    assert "Derby" in html and "Nottingham" not in html
    sign_in(client, person)
    assert "Nottingham" in client.get(reverse("people:person", args=[person.pk])).content.decode()


def test_person_page_shows_the_latest_basis_for_each_purpose(client, derby):
    person = MembershipFactory(group=derby).person
    given = timezone.now() - datetime.timedelta(days=30)
    services.consent_record(
        person=person, purpose=Purpose.EMAIL, basis="consent", action="given", method="web", acting=None,
        wording=wording(Purpose.EMAIL), occurred_at=given,
    )  # fmt: skip
    services.consent_record(
        person=person, purpose=Purpose.EMAIL, basis="consent", action="withdrawn", method="unsubscribe", acting=None
    )
    services.consent_record(
        person=person, purpose=Purpose.CANVASSING, basis="democratic", action="given", method="doorstep", acting=None
    )
    sign_in(client, organiser_of(derby))
    html = client.get(reverse("people:person", args=[person.pk])).content.decode()
    table = html[html.index('data-testid="consent"') :]
    email_row = table[table.index("Email updates") :].split("</tr>")[0]
    assert "withdrawn" in email_row and "Unsubscribe link" in email_row
    canvassing_row = table[table.index("Canvassing contact") :].split("</tr>")[0]
    assert "Democratic engagement" in canvassing_row
    sms_row = table[table.index("Text messages") :].split("</tr>")[0]
    assert "None recorded" in sms_row
    assert ConsentEvent.objects.filter(person=person).count() == 3


def test_notes_are_shown_by_visibility(client, derby):
    person = MembershipFactory(group=derby).person
    PersonNote.objects.create(person=person, text="Happy to drive.", visibility=PersonNote.Visibility.ORGANISERS)
    PersonNote.objects.create(
        person=person, text="Asked about erasure.", visibility=PersonNote.Visibility.DATA_STEWARDS
    )
    url = reverse("people:person", args=[person.pk])
    sign_in(client, organiser_of(derby))
    html = client.get(url).content.decode()
    assert "Happy to drive." in html and "Asked about erasure." not in html
    sign_in(client, staff(StaffRole.Role.DATA_STEWARD))
    html = client.get(url).content.decode()
    assert "Happy to drive." in html and "Asked about erasure." in html
    sign_in(client, person)
    html = client.get(url).content.decode()
    assert "Happy to drive." not in html and "Asked about erasure." not in html


def test_organisers_add_notes_for_organisers_and_stewards_may_also_write_stewards_only_notes(client, derby):
    person = MembershipFactory(group=derby).person
    url = reverse("people:person_note_add", args=[person.pk])
    organiser = organiser_of(derby)
    sign_in(client, organiser)
    assert 'data-testid="note-form"' in client.get(reverse("people:person", args=[person.pk])).content.decode()

    response = client.post(url, {"text": "  Can drive on Saturdays. ", "visibility": "organisers"})
    refused = client.post(url, {"text": "Secret", "visibility": "stewards"}, follow=True)

    assert response.status_code == 302
    note = PersonNote.objects.get(person=person)
    assert (note.text, note.visibility, note.author) == ("Can drive on Saturdays.", "organisers", organiser)
    assert "The note was not saved" in refused.content.decode() and PersonNote.objects.count() == 1
    event = AuditEvent.objects.get(action="note.create")
    assert event.actor_id == organiser.user_id and event.fields == ["person", "text", "visibility"]
    assert "Saturdays" not in str(event.__dict__)

    sign_in(client, staff(StaffRole.Role.DATA_STEWARD))
    client.post(url, {"text": "Asked for their data.", "visibility": "stewards"})
    assert PersonNote.objects.filter(visibility="stewards").count() == 1

    sign_in(client, person)  # people do not annotate their own record
    assert 'data-testid="note-form"' not in client.get(reverse("people:person", args=[person.pk])).content.decode()
    assert client.post(url, {"text": "Hi", "visibility": "organisers"}).status_code == 403


def test_organiser_sets_a_members_skills_and_only_a_real_change_is_audited(client, derby):
    driving, welsh, first_aid = (Skill.objects.create(name=n) for n in ("Driving", "Welsh", "First aid"))
    person = MembershipFactory(group=derby).person
    person.skills.set([first_aid])
    sign_in(client, organiser_of(derby))
    url = reverse("people:person_edit", args=[person.pk])
    form = client.get(url).content.decode()
    assert f'value="{first_aid.pk}"' in form and "checked" in form.split(f'value="{first_aid.pk}"')[1].split(">")[0]
    data = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "status": person.status,
    }

    client.post(url, {**data, "skills": [driving.pk, welsh.pk]})

    assert set(person.skills.all()) == {driving, welsh}
    assert AuditEvent.objects.get(action="person.update").fields == ["skills"]
    client.post(url, {**data, "skills": [welsh.pk, driving.pk]})
    assert AuditEvent.objects.filter(action="person.update").count() == 1


def test_organiser_edits_a_member_through_the_service_and_it_is_audited(client, derby):
    person = MembershipFactory(group=derby, person__first_name="Jo").person
    organiser = organiser_of(derby)
    sign_in(client, organiser)
    url = reverse("people:person_edit", args=[person.pk])
    form = client.get(url).content.decode()
    assert 'name="status"' in form
    data = {
        "first_name": "Joanna", "last_name": person.last_name, "email": person.email, "phone": "07700 900123",
        "postcode": "de221aa", "status": "volunteer", "joined_on": "", "interests": "", "languages": "en, CY",
        "accessibility_needs": "",
    }  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == person.get_absolute_url()
    person.refresh_from_db()
    assert (person.first_name, person.phone, person.postcode, person.status) == (
        "Joanna", "+447700900123", "DE22 1AA", "volunteer"
    )  # fmt: skip
    assert person.languages == ["en", "cy"]
    event = AuditEvent.objects.get(action="person.update", target_id=str(person.pk))
    assert event.actor_id == organiser.user_id
    assert set(event.fields) == {"first_name", "phone", "postcode", "status", "languages"}


def test_a_bad_postcode_is_shown_on_the_form_and_nothing_is_saved(client, derby):
    person = MembershipFactory(group=derby).person
    sign_in(client, person)
    url = reverse("people:person_edit", args=[person.pk])
    data = {"first_name": "Al", "email": person.email, "postcode": "XYZ 123"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Enter a UK postcode" in response.content.decode()
    person.refresh_from_db()
    assert person.first_name != "Al"


def test_members_edit_their_own_details_but_not_their_status(client, derby):
    person = MembershipFactory(group=derby).person
    sign_in(client, person)
    url = reverse("people:person_edit", args=[person.pk])
    assert 'name="status"' not in client.get(url).content.decode()
    client.post(url, {"first_name": "Me", "email": person.email, "status": "volunteer"})
    person.refresh_from_db()
    assert (person.first_name, person.status) == ("Me", Person.Status.MEMBER)


def test_steward_edits_a_record_only_under_an_open_rectification_request(client, derby):
    person = MembershipFactory(group=derby).person
    steward = staff(StaffRole.Role.DATA_STEWARD)
    sign_in(client, steward)
    url = reverse("people:person_edit", args=[person.pk])
    assert client.get(url).status_code == 403
    request = services.privacy_request_open(person=person, kind=PrivacyRequest.Kind.RECTIFICATION, acting=None)
    assert client.get(url).status_code == 200
    client.post(url, {"first_name": "Corrected", "email": person.email, "status": person.status})
    event = AuditEvent.objects.get(action="person.update", target_id=str(person.pk))
    assert event.reason == f"privacy request {request.pk}"


# --- the member directory --------------------------------------------------------------------------------------------


@pytest.fixture
def places_postcodes():
    """Three postcodes around Derby (1 and 10 km apart) and one in Manchester; DE22 1AA and the DE22 district as in
    the shared Code-Point Open data."""
    rows = {
        "DE22 1AA": (52.930851, -1.484258),
        "DE1 1AA": (52.92118, -1.47632),
        "DE56 1AA": (53.0202, -1.4832),
        "M1 1AA": (53.47966, -2.24138),
    }
    for postcode, (lat, lon) in rows.items():  # get_or_create: the real tables may be loaded (`reference_db`)
        Postcode.objects.get_or_create(
            postcode=postcode, defaults={"outcode": postcode.split()[0], "latitude": lat, "longitude": lon}
        )
    PostcodeDistrict.objects.get_or_create(outcode="DE22", defaults={"latitude": 52.93427, "longitude": -1.49863})
    return rows


@pytest.fixture
def directory_world(derby, nottingham):
    organiser = organiser_of(derby)
    # A fixed name: a random one could contain the searched-for text ("bak") and make the search tests flaky.
    organiser.first_name, organiser.last_name = "Olu", "Organiser"
    organiser.save(update_fields=["first_name", "last_name"])
    MembershipFactory(person=organiser, group=nottingham, role=Membership.Role.ORGANISER)
    driving = Skill.objects.create(name="Driving")
    people = {
        "ann": MembershipFactory(group=derby, person__first_name="Ann", person__last_name="Archer",
                                 person__postcode="DE1 1AA").person,
        "bob": MembershipFactory(group=derby, role=Membership.Role.CANVASSER, person__first_name="Bob",
                                 person__last_name="Baker", person__postcode="DE56 1AA").person,
        "cat": MembershipFactory(group=nottingham, person__first_name="Cat", person__last_name="Cole",
                                 person__postcode="M1 1AA").person,
        "dan": MembershipFactory(group=nottingham, person__first_name="Dan", person__last_name="Dale",
                                 person__postcode="").person,
    }  # fmt: skip
    people["ann"].skills.add(driving)
    outsider = MembershipFactory(group=GroupFactory(name="Leeds"), person__first_name="Eve").person
    return organiser, people, outsider, driving


def _names(response) -> list[str]:
    return [p.first_name for p in response.context["people"]]


def test_directory_lists_only_people_in_groups_the_organiser_runs(client, directory_world):
    organiser, people, outsider, _ = directory_world
    sign_in(client, organiser)
    names = _names(client.get(reverse("people:directory")))
    assert set(names) == {"Ann", "Bob", "Cat", "Dan", organiser.first_name}
    assert outsider.first_name not in names


def test_directory_searches_names_and_emails_and_filters_by_group_role_and_skill(client, directory_world, derby):
    organiser, people, _, driving = directory_world
    sign_in(client, organiser)
    url = reverse("people:directory")
    assert _names(client.get(url, {"q": "bak"})) == ["Bob"]
    assert _names(client.get(url, {"q": people["cat"].email.upper()})) == ["Cat"]
    assert _names(client.get(url, {"q": "ann archer"})) == ["Ann"]
    assert set(_names(client.get(url, {"group": derby.pk}))) == {"Ann", "Bob", organiser.first_name}
    assert _names(client.get(url, {"role": "canvasser"})) == ["Bob"]
    assert _names(client.get(url, {"group": derby.pk, "role": "canvasser"})) == ["Bob"]
    assert _names(client.get(url, {"skill": driving.pk})) == ["Ann"]


def test_directory_group_filter_refuses_a_group_the_organiser_does_not_run(client, directory_world):
    organiser, _, outsider, _ = directory_world
    sign_in(client, organiser)
    leeds = outsider.memberships.get().group
    response = client.get(reverse("people:directory"), {"group": leeds.pk})
    assert response.context["people"] == []
    assert "Select a valid choice" in response.content.decode()


def test_directory_distance_filter_keeps_people_within_range_nearest_first(client, directory_world, places_postcodes):
    organiser, people, _, _ = directory_world
    sign_in(client, organiser)
    response = client.get(reverse("people:directory"), {"postcode": "de22 1aa", "km": "5"})
    assert _names(response) == ["Ann"]  # DE1 is ~1.2 km away; DE56 ~10 km; Manchester far; Dan has no postcode
    assert response.context["people"][0].distance_km == pytest.approx(1.2, abs=0.1)
    response = client.get(reverse("people:directory"), {"postcode": "DE22", "km": "15"})
    assert _names(response) == ["Ann", "Bob"]
    assert "nearest first" in response.content.decode()


def test_directory_distance_filter_needs_a_known_postcode_and_a_distance(client, directory_world, places_postcodes):
    organiser, *_ = directory_world
    sign_in(client, organiser)
    response = client.get(reverse("people:directory"), {"postcode": "ZZ99 9ZZ", "km": "5"})
    assert response.context["people"] == [] and "ZZ99" in response.content.decode()
    response = client.get(reverse("people:directory"), {"postcode": "DE22 1AA"})
    assert "Say how far" in response.content.decode()


@pytest.mark.realdata
def test_directory_distance_filter_on_the_real_postcode_tables(client, reference_db, directory_world):
    """DE1 1AA (central Derby) is about 1 km from DE22 1AA; Manchester is about 85 km away."""
    organiser, people, *_ = directory_world
    for person, postcode in [(people["ann"], "DE22 1AA"), (people["cat"], "M1 1AE")]:
        person.postcode = postcode
        person.save()
    sign_in(client, organiser)
    near = client.get(reverse("people:directory"), {"postcode": "DE1 1AA", "km": "10"})
    assert _names(near) == ["Ann"]
    far = client.get(reverse("people:directory"), {"postcode": "DE1 1AA", "km": "120"})
    assert _names(far)[:1] == ["Ann"] and "Cat" in _names(far)


def test_directory_is_paginated_with_a_pinned_query_count(client, derby, django_assert_max_num_queries):
    organiser = organiser_of(derby)
    MembershipFactory.create_batch(60, group=derby)
    sign_in(client, organiser)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("people:directory"))
    assert len(response.context["people"]) == 50 and response.context["total"] == 61
    assert len(client.get(reverse("people:directory"), {"page": 2}).context["people"]) == 11


def test_directory_csv_exports_the_filtered_list_and_audits_it(client, directory_world, places_postcodes):
    organiser, people, *_ = directory_world
    sign_in(client, organiser)
    response = client.get(reverse("people:directory_csv"), {"postcode": "DE22 1AA", "km": "15"})
    rows = csv_rows(response)
    assert [r["first_name"] for r in rows] == ["Ann", "Bob"]
    assert list(rows[0]) == [
        "first_name", "last_name", "email", "phone", "postcode", "status", "groups", "distance_km",
    ]  # fmt: skip
    assert rows[0]["groups"] == "Derby (Member)" and rows[0]["distance_km"] == "1.2"
    events = AuditEvent.objects.filter(action="people.export")
    assert {e.target_id for e in events} == {str(people["ann"].pk), str(people["bob"].pk)}
    assert events.first().fields == ["first_name", "last_name", "email", "phone", "postcode", "status", "memberships"]


# --- the privacy dashboard -------------------------------------------------------------------------------------------


@pytest.fixture
def steward(client):
    person = staff(StaffRole.Role.DATA_STEWARD)
    sign_in(client, person)
    return person


def test_dashboard_lists_open_requests_soonest_due_first_with_overdue_ones_marked(client, steward):
    today = timezone.localdate()
    late = services.privacy_request_open(
        person=PersonFactory(), kind="access", acting=None, received_on=today - datetime.timedelta(days=40)
    )
    soon = services.privacy_request_open(person=PersonFactory(), kind="erasure", acting=None)
    done = services.privacy_request_open(
        person=PersonFactory(), kind="rectify", acting=None, received_on=today - datetime.timedelta(days=50)
    )
    PrivacyRequest.objects.filter(pk=done.pk).update(status="done", completed_at=timezone.now())
    response = client.get(reverse("people:privacy"))
    html = response.content.decode()
    table = html[html.index('data-testid="open-requests"') :].split("</table>")[0]
    assert table.index(f"/privacy/requests/{late.pk}/") < table.index(f"/privacy/requests/{soon.pk}/")
    assert f"/privacy/requests/{done.pk}/" not in table
    assert table.count("is-overdue") == 1 and "1 request is overdue" in html


def test_dashboard_shows_the_latest_retention_report_and_when_its_rows_will_be_erased(client, steward, settings):
    section = lambda: client.get(reverse("people:privacy")).content.decode().split('data-testid="retention"')[1]  # noqa: E731
    assert "No retention report yet" in section()

    settings.GROUNDGAME_RETENTION_GRACE_DAYS = 7
    ran = timezone.now().replace(year=2026, month=11, day=2, hour=3, minute=0)
    RetentionRun.objects.create(
        ran_at=ran, kind="report", as_of=ran, counts={"core.messagedelivery": 3, "x.y": 0}, total=3
    )

    html = section()
    assert "found 3 records kept past their retention period" in html
    assert "core.messagedelivery" in html and "x.y" not in html
    assert "will be erased from 9 Nov 2026" in html
    settings.GROUNDGAME_RETENTION_ENFORCE = False
    assert "switched off" in section() and "will be erased" not in section()


def test_steward_opens_a_request_for_a_person_found_by_email(client, steward):
    person = PersonFactory(email="ria@example.org")
    response = client.post(reverse("people:privacy_request_open"), {"person": "RIA@example.org", "kind": "access"})
    request = PrivacyRequest.objects.get(person=person)
    assert response["Location"] == reverse("people:privacy_request", args=[request.pk])
    assert request.due_on == services.add_one_month(timezone.localdate())
    response = client.post(reverse("people:privacy_request_open"), {"person": "nobody@example.org", "kind": "access"})
    assert response.status_code == 400 and "No one with that" in response.content.decode()


def _every_model_filled(person: Person) -> None:
    """Data about `person` in every people model that can hold it."""
    group = GroupFactory(parent=national_group())
    MembershipFactory(person=person, group=group)
    person.skills.add(Skill.objects.create(name="First aid"))
    PersonNote.objects.create(person=person, text="Prefers evenings.", visibility=PersonNote.Visibility.ORGANISERS)
    StaffRole.objects.create(person=person, role=StaffRole.Role.ADMINISTRATOR)
    services.consent_record(
        person=person, purpose=Purpose.EMAIL, basis="consent", action="given", method="web", acting=None,
        wording=wording(Purpose.EMAIL),
    )  # fmt: skip
    services.person_update(person=person, acting=None, phone="07700 900456", postcode="DE22 1AA")


def test_subject_access_export_is_a_zip_of_json_and_csv_holding_everything_and_is_audited(client, steward):
    person = PersonWithUserFactory(first_name="Rhian", email="rhian@example.org")
    _every_model_filled(person)
    request = services.privacy_request_open(person=person, kind="access", acting=None)

    response = client.get(reverse("people:privacy_request_export", args=[request.pk]))
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("export.json"))
    registered = {entry.label for entry in core_privacy.entries()}
    assert set(data) == registered | {"core.auditevent"}
    assert {f"{label}.csv" for label in data} | {"export.json"} == set(archive.namelist())
    assert data["people.person"][0]["email"] == "rhian@example.org"
    assert data["people.person"][0]["phone"] == "+447700900456"
    for label in ("people.membership", "people.person_skills", "people.personnote", "people.staffrole",
                  "people.consentevent", "people.privacyrequest", "core.user"):  # fmt: skip
        assert data[label], f"{label} is missing from the export"
    assert data["people.consentevent"][0]["basis"] == "consent"
    assert {"person.update", "consent.record"} <= {e["action"] for e in data["core.auditevent"]}
    person_csv = list(csv.DictReader(io.StringIO(archive.read("people.person.csv").decode())))
    assert person_csv[0]["first_name"] == "Rhian"

    event = AuditEvent.objects.get(action="people.subject_access_export")
    assert (event.target_id, event.actor_id, event.reason) == (
        str(person.pk),
        steward.user_id,
        f"privacy request {request.pk}",
    )


def test_export_is_only_for_access_requests(client, steward):
    request = services.privacy_request_open(person=PersonFactory(), kind="erasure", acting=None)
    assert client.get(reverse("people:privacy_request_export", args=[request.pk])).status_code == 404


def test_erasure_asks_for_confirmation_then_leaves_no_personal_field_and_closes_the_request(client, steward):
    person = PersonWithUserFactory(first_name="Rhian", email="rhian@example.org")
    _every_model_filled(person)
    request = services.privacy_request_open(person=person, kind="erasure", acting=None)
    url = reverse("people:privacy_request_erase", args=[request.pk])

    assert "cannot be undone" in client.get(url).content.decode()
    client.post(url, {})  # not confirmed
    person.refresh_from_db()
    assert person.erased_at is None and person.email == "rhian@example.org"

    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.erased_at is not None
    for entry in core_privacy.entries():
        rows = entry.rows_for(person)
        if entry.erasure == core_privacy.Erasure.DELETE:
            assert not rows.exists(), entry.label
        elif entry.erasure == core_privacy.Erasure.ANONYMISE:
            for row in rows.values(*entry.personal_fields):
                assert all(value in ("", None, [], "Erased") or str(value).startswith("erased-")
                           for value in row.values()), (entry.label, row)  # fmt: skip
    stored = json.dumps(list(Person.objects.filter(pk=person.pk).values()), default=str)
    assert "rhian" not in stored.lower() and "900456" not in stored
    request.refresh_from_db()
    assert (request.status, request.handled_by) == (PrivacyRequest.Status.DONE, steward)
    assert AuditEvent.objects.filter(reason=f"privacy request {request.pk}", action="person.anonymise").exists()


def test_rectification_request_links_to_the_edit_page_and_requests_are_closed_done_or_refused(client, steward):
    person = PersonFactory()
    request = services.privacy_request_open(person=person, kind="rectify", acting=None)
    html = client.get(reverse("people:privacy_request", args=[request.pk])).content.decode()
    assert reverse("people:person_edit", args=[person.pk]) in html
    client.post(reverse("people:privacy_request_close", args=[request.pk]), {"status": "refused"})
    request.refresh_from_db()
    assert request.status == PrivacyRequest.Status.REFUSED and request.completed_at is not None
    assert AuditEvent.objects.filter(action="privacy_request.close", target_id=str(request.pk)).exists()


def test_audit_log_lists_events_newest_first_and_filters_by_record(client, steward):
    one, two = PersonFactory(), PersonFactory()
    services.person_update(person=one, acting=None, first_name="Changed")
    services.person_update(person=two, acting=None, first_name="Other")
    response = client.get(reverse("people:audit_log"), {"target_type": "people.person", "target_id": one.pk})
    events = list(response.context["page"].object_list)
    assert [(e.action, e.target_id) for e in events] == [("person.update", str(one.pk))]
    assert reverse("people:person", args=[one.pk]) in response.content.decode()
    everything = client.get(reverse("people:audit_log")).context["page"].object_list
    assert [e.target_id for e in everything][:2] == [str(two.pk), str(one.pk)]


def test_dashboard_and_audit_log_query_counts_do_not_grow_with_rows(client, steward, django_assert_max_num_queries):
    for _ in range(15):
        person = PersonWithUserFactory()
        services.privacy_request_open(person=person, kind="access", acting=person.user)
    # A fixed number per page, whatever the rows: the page's own reads, the navigation's permission checks (one
    # query for canvassing's register access), the dashboard's latest retention report and erasure.
    with django_assert_max_num_queries(14):
        assert client.get(reverse("people:privacy")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("people:audit_log")).status_code == 200
