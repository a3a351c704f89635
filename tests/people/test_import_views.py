"""Member import in the browser, page by page: upload (private, size-limited), mapping, dry run (the row/field report,
the counts and the merge review), commit (all-or-nothing, audited, the upload deleted), and who may do any of it.

Who may reach each URL at all is also in test_permission_matrix.py; these tests walk the flow with real uploads."""

import csv
import io
import os
import stat
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from groundgame.core.models import AuditEvent
from groundgame.people import import_views
from groundgame.people.models import ConsentEvent, LocalGroup, Membership, Person, Purpose, Skill, StaffRole

from .factories import GroupFactory, MembershipFactory, PersonFactory, organiser_of, staff, wording

pytestmark = pytest.mark.django_db

HEADER = ["First name", "Surname", "Email", "Mobile", "Postcode", "Email opt-in"]
ROWS = [
    ["Aisha", "Khan", "aisha.khan@example.org", "07700 900123", "DE22 1AA", "yes"],
    ["Tom", "Jones", "tom.jones@example.com", "", "", "no"],
]
MAPPING = {
    "First name": "first_name",
    "Surname": "last_name",
    "Email": "email",
    "Mobile": "phone",
    "Postcode": "postcode",
    "Email opt-in": "consent_email",
}


@pytest.fixture(autouse=True)
def imports_dir(settings, tmp_path):
    """Uploads go to a temporary GROUNDGAME_HOME."""
    settings.GROUNDGAME_HOME = tmp_path
    return tmp_path / "imports"


@pytest.fixture
def region():
    return GroupFactory(name="East Midlands", slug="east-midlands", level=LocalGroup.Level.REGIONAL)


@pytest.fixture
def derby(region):
    wording(Purpose.EMAIL)
    return GroupFactory(name="Derby", slug="derby", parent=region)


@pytest.fixture
def bolton():
    return GroupFactory(name="Bolton", slug="bolton")


def signed_in(person) -> Client:
    """A client signed in as the person's user, who has an authenticator app (organisers must)."""
    client = Client()
    if not Authenticator.objects.filter(user=person.user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(person.user, generate_totp_secret())
    client.force_login(person.user)
    return client


@pytest.fixture
def organiser(derby):
    return organiser_of(derby)


@pytest.fixture
def client_a(organiser):
    return signed_in(organiser)


def csv_upload(rows=ROWS, header=HEADER, name="members.csv") -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode("utf-8"), content_type="text/csv")


def upload(client, file=None, **extra) -> str:
    """Upload a file; the token of the upload."""
    response = client.post(reverse("people:import"), {"file": file or csv_upload(), **extra})
    assert response.status_code == 302, response.content.decode()[:2000]
    token = response["Location"].rstrip("/").split("/")[-1]
    assert response["Location"] == reverse("people:import_mapping", args=[token])
    return token


def mapping_data(group, mapping=MAPPING, header=HEADER) -> dict:
    data = {"group": group.pk}
    for index, column in enumerate(header):
        data[f"column-{index}"] = mapping.get(column, "")
    return data


def map_columns(client, token, group, mapping=MAPPING, header=HEADER):
    response = client.post(reverse("people:import_mapping", args=[token]), mapping_data(group, mapping, header))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == reverse("people:import_check", args=[token])


def check(client, token):
    return client.get(reverse("people:import_check", args=[token]))


def commit(client, token, decisions=None):
    return client.post(reverse("people:import_commit", args=[token]), decisions or {})


def snapshot() -> dict[str, int]:
    return {
        "people": Person.objects.count(),
        "memberships": Membership.objects.count(),
        "consents": ConsentEvent.objects.count(),
        "skills": Skill.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def stored_files(imports_dir) -> list:
    return sorted(p for p in imports_dir.rglob("*") if p.is_file()) if imports_dir.exists() else []


# --- who may import ------------------------------------------------------------------------------------------------


def test_a_member_may_not_import_and_only_importers_see_the_link(derby, client_a):
    member = MembershipFactory(group=derby).person
    client = Client()
    client.force_login(member.user)

    assert client.get(reverse("people:import")).status_code == 403
    assert client.post(reverse("people:import"), {"file": csv_upload()}).status_code == 403
    directory = client_a.get(reverse("people:directory"))
    assert reverse("people:import") in directory.content.decode()


def test_an_organiser_chooses_only_among_the_groups_they_organise(derby, bolton, client_a):
    token = upload(client_a)

    page = client_a.get(reverse("people:import_mapping", args=[token]))
    choices = {str(label) for _value, label in page.context["form"].fields["group"].choices}
    response = client_a.post(reverse("people:import_mapping", args=[token]), mapping_data(bolton))

    assert "Derby" in choices and "Bolton" not in choices
    assert response.status_code == 400 and "group" in response.context["form"].errors
    assert "mapping" not in Session.objects.get().get_decoded()[import_views.SESSION_KEY][token]


def test_a_regional_organiser_may_import_into_their_regions_groups(region, derby, bolton):
    client = signed_in(organiser_of(region))
    token = upload(client)

    page = client.get(reverse("people:import_mapping", args=[token]))

    choices = {str(label) for _value, label in page.context["form"].fields["group"].choices}
    assert {"East Midlands", "Derby"} <= choices and "Bolton" not in choices


def test_an_administrator_may_import_into_any_group_and_a_data_steward_not_at_all(derby, bolton):
    admin = signed_in(staff(StaffRole.Role.ADMINISTRATOR))
    steward = signed_in(staff(StaffRole.Role.DATA_STEWARD))
    token = upload(admin)

    page = admin.get(reverse("people:import_mapping", args=[token]))

    choices = {str(label) for _value, label in page.context["form"].fields["group"].choices}
    assert {"Derby", "Bolton"} <= choices
    assert steward.get(reverse("people:import")).status_code == 403


def test_a_row_naming_another_organisers_group_is_an_error_and_nothing_is_written(derby, bolton, client_a):
    header = [*HEADER, "Group"]
    token = upload(client_a, csv_upload([[*ROWS[0], "derby"], [*ROWS[1], "bolton"]], header=header))
    map_columns(client_a, token, derby, {**MAPPING, "Group": "group"}, header)
    before = snapshot()

    page = check(client_a, token)
    response = commit(client_a, token)

    assert snapshot() == before
    assert not page.context["report"].ok
    errors = [(e.line, e.column, e.message) for e in page.context["report"].errors]
    assert errors == [(3, "Group", "you may not import into group 'bolton'")]
    assert response.status_code == 400 and "you may not import into group" in response.content.decode()


# --- a good file ---------------------------------------------------------------------------------------------------


def test_a_good_file_imports_into_the_chosen_group_and_the_upload_is_deleted(derby, organiser, client_a, imports_dir):
    token = upload(client_a)
    [stored] = stored_files(imports_dir)

    mapping_page = client_a.get(reverse("people:import_mapping", args=[token]))
    map_columns(client_a, token, derby)
    check_page = check(client_a, token)
    done = commit(client_a, token)

    assert mapping_page.status_code == 200
    assert mapping_page.context["form"]["column-2"].value() == "email"  # suggested from the column name
    assert "aisha.khan@example.org" in mapping_page.content.decode()  # the sample rows
    assert check_page.status_code == 200 and check_page.context["report"].new == 2
    assert done.status_code == 200 and "was imported into Derby" in done.content.decode()
    aisha = Person.objects.get(email="aisha.khan@example.org")
    assert (aisha.first_name, aisha.last_name, aisha.phone, aisha.postcode) == (
        "Aisha",
        "Khan",
        "+447700900123",
        "DE22 1AA",
    )
    assert set(Membership.objects.filter(group=derby).values_list("person__first_name", flat=True)) >= {"Aisha", "Tom"}
    assert ConsentEvent.objects.get(person=aisha).method == ConsentEvent.Method.IMPORT
    audit = AuditEvent.objects.get(action="people.import")
    assert audit.actor_id == organiser.user_id and "members.csv" in audit.reason
    created = AuditEvent.objects.filter(action="person.create", target_id=str(aisha.pk))
    assert created.get().actor_id == organiser.user_id
    assert not stored.exists() and stored_files(imports_dir) == []
    assert token not in Session.objects.get().get_decoded().get(import_views.SESSION_KEY, {})
    assert client_a.get(reverse("people:import_check", args=[token])).status_code == 404


def test_upload_and_dry_run_write_no_personal_data_to_the_database(derby, client_a):
    before = snapshot()

    token = upload(client_a)
    client_a.get(reverse("people:import_mapping", args=[token]))
    map_columns(client_a, token, derby)
    page = check(client_a, token)

    assert page.context["report"].ok
    assert snapshot() == before
    [session] = Session.objects.all()
    stored = str(session.get_decoded())
    assert "aisha" not in stored.lower() and "07700" not in stored  # the session holds the mapping, not the file


@pytest.mark.parametrize(("name", "stored"), [("???", "members.csv"), (".hidden.csv", "members.hidden.csv")])
def test_an_unusable_file_name_is_replaced(derby, client_a, imports_dir, name, stored):
    upload(client_a, csv_upload(name=name))

    assert [p.name for p in stored_files(imports_dir)] == [stored]


def test_uploads_are_private_files_outside_any_served_folder(derby, client_a, imports_dir, settings):
    upload(client_a, csv_upload(name="../../Derby members.csv"))

    [stored] = stored_files(imports_dir)

    assert stored.parent.parent == imports_dir and stored.name == "Derby_members.csv"
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert stat.S_IMODE(stored.parent.stat().st_mode) == 0o700
    assert settings.STATIC_ROOT not in stored.parents


# --- bad files -----------------------------------------------------------------------------------------------------


def test_a_malformed_file_shows_the_row_and_field_report_and_writes_nothing(derby, client_a, imports_dir):
    rows = [
        ROWS[0],
        ["Bad", "Email", "not-an-email", "", "", ""],
        ["Dup", "Licate", "AISHA.KHAN@example.org", "", "", ""],
        ["Short", "Row"],
    ]
    token = upload(client_a, csv_upload(rows))
    map_columns(client_a, token, derby)
    before = snapshot()

    page = check(client_a, token)
    refused = commit(client_a, token)

    assert snapshot() == before
    assert page.status_code == 200 and refused.status_code == 400
    html = page.content.decode()
    assert "The file needs fixing" in html and "Check and import" not in html
    found = {(e.line, e.column): e.message for e in page.context["report"].errors}
    assert found[(3, "Email")] == "not a valid email address"
    assert found[(4, "Email")] == "the same email as line 2 (duplicate row)"
    assert found[(5, "")] == "2 values, but the header names 6 columns"
    assert "not a valid email address" in html and "the whole row" in html
    assert "not-an-email" not in html  # the report does not repeat personal values
    assert reverse("people:import_mapping", args=[token]) in html  # a way back to the mapping
    assert 'name="replaces"' in html and token in html  # and a way to upload a corrected file
    assert len(stored_files(imports_dir)) == 1  # kept, to fix


def test_a_file_without_a_first_name_or_contact_column_cannot_be_mapped(derby, client_a):
    header = ["Surname", "Postcode"]
    token = upload(client_a, csv_upload([["Khan", "DE22 1AA"]], header=header))

    response = client_a.post(
        reverse("people:import_mapping", args=[token]),
        mapping_data(derby, {"Surname": "last_name", "Postcode": "postcode"}, header),
    )

    assert response.status_code == 400
    errors = " ".join(response.context["form"].non_field_errors())
    assert "first names" in errors and "email addresses or of phone numbers" in errors
    assert Person.objects.count() == 1  # the organiser


def test_a_missing_column_is_reported_when_the_corrected_file_lacks_it(derby, client_a, imports_dir):
    """A corrected file keeps the mapping for the columns it still has; one it lacks can no longer be chosen."""
    token = upload(client_a, csv_upload([["Bad", "Email", "not-an-email", "", "", ""]]))
    map_columns(client_a, token, derby)
    assert not check(client_a, token).context["report"].ok
    header = [c for c in HEADER if c != "Email"]

    new_token = upload(
        client_a, csv_upload([["Aisha", "Khan", "07700 900123", "", "yes"]], header=header), replaces=token
    )
    page = client_a.get(reverse("people:import_mapping", args=[new_token]))

    assert new_token != token and client_a.get(reverse("people:import_mapping", args=[token])).status_code == 404
    assert len(stored_files(imports_dir)) == 1
    form = page.context["form"]
    assert form["column-0"].value() == "first_name" and form["column-2"].value() == "phone"
    assert "Email" not in form.column_fields.values()


def test_the_same_field_for_two_columns_is_an_error_on_the_mapping_page(derby, client_a):
    token = upload(client_a)

    response = client_a.post(
        reverse("people:import_mapping", args=[token]), mapping_data(derby, {**MAPPING, "Surname": "first_name"})
    )

    assert response.status_code == 400
    assert "already filled from the column “First name”" in " ".join(response.context["form"].errors["column-1"])


def test_a_file_over_the_size_limit_is_refused_with_a_clear_message(derby, client_a, imports_dir, monkeypatch):
    monkeypatch.setattr(import_views, "MAX_UPLOAD_BYTES", 50)

    response = client_a.post(reverse("people:import"), {"file": csv_upload()})

    assert response.status_code == 400
    assert "the most you can upload is 50\xa0bytes" in " ".join(response.context["form"].errors["file"])
    assert stored_files(imports_dir) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04 a workbook", "spreadsheet workbook"),
        ("First name,Email\n".encode("utf-16"), "UTF-16"),
        (b"\n\n", "empty"),
    ],
)
def test_a_file_that_is_not_csv_text_is_refused_on_upload(derby, client_a, imports_dir, content, message):
    response = client_a.post(reverse("people:import"), {"file": SimpleUploadedFile("members.csv", content)})

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["file"])
    assert stored_files(imports_dir) == []
    assert not Session.objects.get().get_decoded().get(import_views.SESSION_KEY)


# --- the merge review ----------------------------------------------------------------------------------------------


def test_merge_review_decisions_are_honoured(derby, client_a):
    aisha = MembershipFactory(
        group=derby, person=PersonFactory(first_name="Aisha", last_name="Old", email="aisha.khan@example.org")
    ).person
    tom = MembershipFactory(
        group=derby, person=PersonFactory(first_name="Tom", last_name="Old", email="tom.jones@example.com")
    ).person
    token = upload(client_a)
    map_columns(client_a, token, derby)

    page = check(client_a, token)
    done = commit(client_a, token, {f"merge-{aisha.pk}": "update", f"merge-{tom.pk}": "skip"})

    html = page.content.decode()
    assert [m.candidate.person_id for m in page.context["matches"]] == [aisha.pk, tom.pk]
    assert f'name="merge-{aisha.pk}" value="update"' in html and "Would change: last name" in html
    assert done.status_code == 200 and done.context["report"].updated == 1 and done.context["report"].skipped == 1
    aisha.refresh_from_db()
    tom.refresh_from_db()
    assert (aisha.last_name, aisha.phone) == ("Khan", "+447700900123")
    assert tom.last_name == "Old"
    assert Person.objects.count() == 3  # the two and the organiser
    assert AuditEvent.objects.filter(action="person.update", target_id=str(aisha.pk)).exists()
    assert not AuditEvent.objects.filter(action="person.update", target_id=str(tom.pk)).exists()


def test_by_default_people_already_recorded_are_left_as_they_are(derby, client_a):
    aisha = MembershipFactory(group=derby, person=PersonFactory(last_name="Old", email="aisha.khan@example.org")).person
    token = upload(client_a)
    map_columns(client_a, token, derby)

    done = commit(client_a, token)

    aisha.refresh_from_db()
    assert aisha.last_name == "Old" and done.context["report"].skipped == 1 and done.context["report"].new == 1


def test_the_merge_review_costs_the_same_queries_however_many_people_match(
    derby, client_a, django_assert_max_num_queries
):
    rows = []
    for i in range(40):
        MembershipFactory(group=derby, person=PersonFactory(email=f"p{i}@example.org", last_name="Old"))
        rows.append([f"P{i}", "New", f"p{i}@example.org", "", "", ""])
    token = upload(client_a, csv_upload(rows))
    map_columns(client_a, token, derby)

    with django_assert_max_num_queries(25):
        page = check(client_a, token)

    assert len(page.context["matches"]) == 40 and page.context["updatable"] == 40


def test_someone_outside_the_organisers_groups_is_neither_named_nor_updated(derby, bolton, client_a):
    """Matching tells the organiser only that the row is already recorded: not who, nor what differs; and an update
    asked for by editing the form is ignored."""
    stranger = MembershipFactory(
        group=bolton, person=PersonFactory(first_name="Zed", last_name="Stranger", email="aisha.khan@example.org")
    ).person
    token = upload(client_a)
    map_columns(client_a, token, derby)

    page = check(client_a, token)
    commit(client_a, token, {f"merge-{stranger.pk}": "update"})

    html = page.content.decode()
    assert "Someone outside your groups" in html
    assert "Stranger" not in html and f"merge-{stranger.pk}" not in html and "Would change" not in html
    stranger.refresh_from_db()
    assert stranger.last_name == "Stranger" and not stranger.memberships.filter(group=derby).exists()


# --- whose upload --------------------------------------------------------------------------------------------------


def test_another_users_token_is_404_even_with_the_session_entry(derby, bolton, client_a, imports_dir):
    token = upload(client_a)
    map_columns(client_a, token, derby)
    other = organiser_of(derby)
    client_b = signed_in(other)
    urls = [
        ("get", reverse("people:import_mapping", args=[token])),
        ("get", reverse("people:import_check", args=[token])),
        ("post", reverse("people:import_commit", args=[token])),
        ("post", reverse("people:import_discard", args=[token])),
    ]

    assert [getattr(client_b, method)(url).status_code for method, url in urls] == [404] * 4
    # Even with A's session entry copied into B's session, the entry names A.
    entry = client_a.session[import_views.SESSION_KEY][token]
    session = client_b.session
    session[import_views.SESSION_KEY] = {token: entry}
    session.save()
    assert [getattr(client_b, method)(url).status_code for method, url in urls] == [404] * 4
    assert len(stored_files(imports_dir)) == 1 and Person.objects.count() == 2  # the two organisers
    assert check(client_a, token).status_code == 200


@pytest.mark.parametrize("token", ["0123456789ABCDEF0123456789ABCDEF", "0123456789abcdef0123456789abcdeg", "short"])
def test_a_malformed_token_is_404(client_a, token):
    assert client_a.get(reverse("people:import_mapping", args=[token])).status_code == 404


def test_discarding_deletes_the_upload(derby, client_a, imports_dir):
    token = upload(client_a)

    response = client_a.post(reverse("people:import_discard", args=[token]))

    assert response.status_code == 302 and response["Location"] == reverse("people:import")
    assert stored_files(imports_dir) == [] and not (imports_dir / token).exists()
    assert client_a.get(reverse("people:import_mapping", args=[token])).status_code == 404


def test_uploads_older_than_a_day_are_deleted_on_the_next_upload(derby, client_a, imports_dir):
    old = upload(client_a)
    day_ago = time.time() - import_views.MAX_UPLOAD_AGE_SECONDS - 60
    os.utime(imports_dir / old, (day_ago, day_ago))

    new = upload(client_a)

    assert not (imports_dir / old).exists() and (imports_dir / new).exists()
    assert client_a.get(reverse("people:import_mapping", args=[old])).status_code == 404


def test_the_hourly_task_deletes_abandoned_uploads_and_keeps_recent_ones(derby, client_a, imports_dir):
    from groundgame.core import scheduling
    from groundgame.people.tasks import remove_stale_import_uploads

    old, recent = upload(client_a), upload(client_a)
    day_ago = time.time() - import_views.MAX_UPLOAD_AGE_SECONDS - 60
    os.utime(imports_dir / old, (day_ago, day_ago))

    assert remove_stale_import_uploads.call() == 1

    assert not (imports_dir / old).exists() and (imports_dir / recent).exists()
    declared = {p.name: p for p in scheduling.periodic_tasks()}
    assert declared["people.import_uploads"].task is remove_stale_import_uploads


def test_a_second_click_on_import_while_the_first_runs_imports_nothing_more(derby, client_a, imports_dir):
    token = upload(client_a)
    map_columns(client_a, token, derby)
    (imports_dir / token / import_views.CLAIM).touch()  # as the first request does while it imports
    before = snapshot()

    response = commit(client_a, token)

    assert response.status_code == 302 and response["Location"] == reverse("people:directory")
    assert snapshot() == before


def test_a_refused_import_can_be_tried_again(derby, client_a, imports_dir):
    token = upload(client_a, csv_upload([["Bad", "Email", "not-an-email", "", "", ""]]))
    map_columns(client_a, token, derby)

    responses = [commit(client_a, token).status_code for _ in range(2)]

    assert responses == [400, 400]  # the claim is released each time: not "already being imported"
    assert not (imports_dir / token / import_views.CLAIM).exists()


def test_the_check_page_needs_the_mapping_first(derby, client_a):
    token = upload(client_a)

    response = check(client_a, token)

    assert response.status_code == 302 and response["Location"] == reverse("people:import_mapping", args=[token])
