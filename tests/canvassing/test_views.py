"""The organisers' canvassing pages, walked with a real client: creating a campaign, its page, the register upload
(standard export straight to the check; generic file through the mapping; the error report; commit; discard),
register copies (correcting, deleting now), register access (grant, revoke) and the electors list.

Who may reach each URL at all is in tests/canvassing/permission_rows.py (the permission matrix)."""

import csv
import datetime
import io
import os
import stat

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from groundgame.canvassing import import_views, synthetic
from groundgame.canvassing.models import Campaign, Elector, RegisterAccess, RegisterCopy
from groundgame.core.models import AuditEvent
from groundgame.people.models import LocalGroup
from tests.people.factories import GroupFactory, MembershipFactory, organiser_of, staff

from .factories import (
    CampaignFactory,
    RegisterAccessFactory,
    campaign_with_electors,
    make_seat,
    register_row,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def home(settings, tmp_path):
    settings.GROUNDGAME_HOME = tmp_path
    return tmp_path


@pytest.fixture
def derby():
    region = GroupFactory(name="East Midlands", slug="east-midlands", level=LocalGroup.Level.REGIONAL)
    group = GroupFactory(name="Derby", slug="derby", parent=region)
    group.constituencies.set([make_seat()])
    return group


@pytest.fixture
def organiser(derby):
    return organiser_of(derby)


def signed_in(person) -> Client:
    client = Client()
    if not Authenticator.objects.filter(user=person.user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(person.user, generate_totp_secret())
    client.force_login(person.user)
    return client


@pytest.fixture
def client(organiser):
    return signed_in(organiser)


@pytest.fixture
def campaign(derby):
    campaign = CampaignFactory(host=derby, name="Derby North: general election", slug="derby-north")
    campaign.constituencies.set(derby.constituencies.all())
    return campaign


def csv_file(rows, header=synthetic.HEADER, name="register.csv", encoding="utf-8") -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode(encoding), content_type="text/csv")


def upload_data(file, **overrides) -> dict:
    data = {
        "file": file,
        "encoding": "utf-8",
        "supplier": "Derby City Council, Electoral Services",
        "published_on": "2026-12-01",
        "received_on": "2026-12-03",
        "permitted_purpose": "Electoral purposes of the campaign",
        "delete_by": "2027-08-01",
    }
    data.update(overrides)
    return data


def upload(client, campaign, file, **overrides):
    return client.post(reverse("canvassing:register_upload", args=[campaign.slug]), upload_data(file, **overrides))


def token_of(response) -> str:
    return response["Location"].rstrip("/").split("/")[-2]


ROWS = [
    register_row(number=n, surname=f"Surname{n}", lines=[f"{(n + 1) // 2} High Street", "Derby"]) for n in range(1, 7)
]


# --- campaigns --------------------------------------------------------------------------------------------------


def test_an_organiser_creates_a_campaign_for_their_group(client, derby):
    page = client.get(reverse("canvassing:campaign_create"))
    assert page.status_code == 200 and "Derby North (E14000662)" in page.content.decode()  # the group's seat
    response = client.post(
        reverse("canvassing:campaign_create"),
        {
            "host": derby.pk,
            "name": "Derby North 2029",
            "kind": "general",
            "polling_date": "2029-05-03",
            "constituencies": "E14000662",
            "parties": "Lab, Con, LD, Green, RUK",
        },
    )
    campaign = Campaign.objects.get(name="Derby North 2029")
    assert response.status_code == 302 and response["Location"] == reverse("canvassing:campaign", args=[campaign.slug])
    assert [p["code"] for p in campaign.parties] == ["Lab", "Con", "LD", "Green", "RUK"]
    assert campaign.constituencies.get().code == "E14000662" and campaign.surveys.count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "Import the register" in page and "Reform UK" in page


def test_a_campaign_cannot_be_created_for_another_group_or_an_unknown_seat(client, derby):
    other = GroupFactory(name="Bolton", slug="bolton")
    response = client.post(
        reverse("canvassing:campaign_create"),
        {
            "host": other.pk,
            "name": "Bolton",
            "kind": "local",
            "polling_date": "2027-05-06",
            "constituencies": "Nowhere",
        },
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"host", "constituencies"}
    assert not Campaign.objects.exists()


def test_the_campaign_list_shows_only_campaigns_the_user_may_see(client, campaign):
    CampaignFactory(name="Someone else's campaign")
    page = client.get(reverse("canvassing:campaigns")).content.decode()
    assert campaign.name in page and "Someone else" not in page


def test_the_campaign_page_and_nav_for_a_canvasser_with_register_access(campaign):
    canvasser = MembershipFactory(group=campaign.host).person
    RegisterAccessFactory(campaign=campaign, person=canvasser)
    client = Client()
    client.force_login(canvasser.user)
    page = client.get(reverse("canvassing:campaign", args=[campaign.slug])).content.decode()
    assert reverse("canvassing:campaigns") in page  # the nav link
    assert reverse("canvassing:register_upload", args=[campaign.slug]) not in page  # nothing to manage


def test_the_nav_link_is_not_shown_to_members_without_access(campaign):
    member = MembershipFactory(group=campaign.host).person
    client = Client()
    client.force_login(member.user)
    assert reverse("canvassing:campaigns") not in client.get("/").content.decode()


def test_the_campaign_page_needs_few_queries(client, campaign, django_assert_max_num_queries):
    campaign_with_electors(6)  # another campaign's register
    with django_assert_max_num_queries(25):
        assert client.get(reverse("canvassing:campaign", args=[campaign.slug])).status_code == 200


# --- the register upload ----------------------------------------------------------------------------------------


def test_a_standard_export_goes_straight_to_the_check_and_imports(client, campaign, home):
    response = upload(client, campaign, csv_file(ROWS))
    assert response.status_code == 302, response.content.decode()[:2000]
    token = token_of(response)
    assert response["Location"] == reverse("canvassing:register_check", args=[campaign.slug, token])
    stored = home / "imports" / "register" / token / "register.csv"
    assert stat.S_IMODE(os.stat(stored).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(stored.parent).st_mode) == 0o700

    page = client.get(response["Location"])
    assert page.status_code == 200
    report = page.context["report"]
    assert (report.electors, report.households, report.added) == (6, 3, 6)
    assert not Elector.objects.exists()  # a dry run

    done = client.post(reverse("canvassing:register_commit", args=[campaign.slug, token]))
    assert done.status_code == 200 and done.context["report"].committed
    assert Elector.objects.filter(campaign=campaign).count() == 6
    copy = RegisterCopy.objects.get(campaign=campaign)
    assert (copy.supplier, copy.delete_by) == ("Derby City Council, Electoral Services", datetime.date(2027, 8, 1))
    assert not stored.parent.exists()  # the upload is deleted
    assert AuditEvent.objects.filter(action="registercopy.import", actor_id=client.session["_auth_user_id"] and
                                     int(client.session["_auth_user_id"])).exists()  # fmt: skip
    again = client.post(reverse("canvassing:register_commit", args=[campaign.slug, token]))
    assert again.status_code == 404


def test_a_generic_file_is_mapped_first(client, campaign):
    header = ["Ref", "Family name", "Given names", "House", "Town", "Post code"]
    response = upload(
        client, campaign, csv_file([["AA1-7", "Smith", "Jo", "7 High Street", "Derby", "DE22 1AA"]], header)
    )
    token = token_of(response)
    assert response["Location"] == reverse("canvassing:register_mapping", args=[campaign.slug, token])
    page = client.get(response["Location"])
    assert page.status_code == 200 and "Smith" in page.content.decode()  # the sample values
    incomplete = client.post(response["Location"], {"column-0": "number", "column-1": "surname"})
    assert incomplete.status_code == 400
    mapped = client.post(
        response["Location"],
        {
            "column-0": "number",
            "column-1": "surname",
            "column-2": "first_names",
            "column-3": "address1",
            "column-4": "address2",
            "column-5": "postcode",
        },  # fmt: skip
    )
    assert mapped["Location"] == reverse("canvassing:register_check", args=[campaign.slug, token])
    assert client.get(mapped["Location"]).context["report"].electors == 1


def test_a_bad_file_shows_the_row_and_field_report_and_imports_nothing(client, campaign):
    rows = [[*row] for row in ROWS] + [register_row(number=1, surname="Again")]
    rows[1][1] = "two"
    token = token_of(upload(client, campaign, csv_file(rows)))
    page = client.get(reverse("canvassing:register_check", args=[campaign.slug, token]))
    html = page.content.decode()
    assert "The file needs fixing" in html
    assert [(e.line, e.column) for e in page.context["errors"]] == [(3, "Elector Number"), (8, "Elector Number")]
    refused = client.post(reverse("canvassing:register_commit", args=[campaign.slug, token]))
    assert refused.status_code == 400 and not Elector.objects.exists() and not RegisterCopy.objects.exists()


def test_a_windows_1252_file_gets_a_hint_and_imports_when_the_encoding_is_chosen(client, campaign):
    rows = [register_row(number=1, surname="Brontë")]
    token = token_of(upload(client, campaign, csv_file(rows, encoding="cp1252")))
    page = client.get(reverse("canvassing:register_check", args=[campaign.slug, token]))
    assert "Windows-1252" in page.content.decode()
    token = token_of(upload(client, campaign, csv_file(rows, encoding="cp1252"), encoding="cp1252"))
    client.post(reverse("canvassing:register_commit", args=[campaign.slug, token]))
    assert Elector.objects.get().surname == "Brontë"


def test_the_copy_record_is_required_and_checked(client, campaign):
    response = upload(client, campaign, csv_file(ROWS), supplier="")
    assert response.status_code == 400 and "supplier" in response.context["form"].errors
    response = upload(client, campaign, csv_file(ROWS), delete_by="2026-01-01")
    assert response.status_code == 400 and response.context["form"].non_field_errors()


def test_a_workbook_is_refused_on_upload(client, campaign):
    workbook = SimpleUploadedFile("register.xlsx", b"PK\x03\x04rest", content_type="application/octet-stream")
    response = upload(client, campaign, workbook)
    assert response.status_code == 400 and "CSV UTF-8" in response.content.decode()


def test_discarding_deletes_the_upload(client, campaign, home):
    token = token_of(upload(client, campaign, csv_file(ROWS)))
    response = client.post(reverse("canvassing:register_discard", args=[campaign.slug, token]))
    assert response.status_code == 302 and not (home / "imports" / "register" / token).exists()


def test_another_organisers_upload_is_not_found(client, campaign, derby):
    token = token_of(upload(client, campaign, csv_file(ROWS)))
    other = signed_in(organiser_of(derby))
    assert other.get(reverse("canvassing:register_check", args=[campaign.slug, token])).status_code == 404


def test_stale_uploads_are_removed(client, campaign, home):
    token = token_of(upload(client, campaign, csv_file(ROWS)))
    folder = home / "imports" / "register" / token
    old = folder.stat().st_mtime - import_views.MAX_UPLOAD_AGE_SECONDS - 10
    os.utime(folder, (old, old))
    assert import_views.remove_stale_uploads(folder.stat().st_mtime + import_views.MAX_UPLOAD_AGE_SECONDS + 20) == 1


def test_a_newer_copy_shows_the_diff_before_importing(client, campaign):
    token = token_of(upload(client, campaign, csv_file(ROWS)))
    first = client.post(reverse("canvassing:register_commit", args=[campaign.slug, token]))
    assert first.status_code == 200, [str(e) for e in first.context["report"].errors]
    newer = [r[:] for r in ROWS[:5]]
    newer[0][6] = "Changed"
    token = token_of(upload(client, campaign, csv_file(newer), published_on="2027-03-01", received_on="2027-03-01"))
    page = client.get(reverse("canvassing:register_check", args=[campaign.slug, token]))
    report = page.context["report"]
    assert (report.added, report.changed, report.removed, report.unchanged) == (0, 1, 1, 4)
    assert "Import this newer copy" in page.content.decode()


# --- register copies, access, electors ---------------------------------------------------------------------------


def test_an_organiser_corrects_and_deletes_a_copy(client):
    campaign = campaign_with_electors(4, host=LocalGroup.objects.get(slug="derby"))
    copy = campaign.register_copies.get()
    url = reverse("canvassing:register_copy_edit", args=[campaign.slug, copy.pk])
    data = {"supplier": "Derby City Council", "published_on": copy.published_on, "received_on": copy.received_on,
            "permitted_purpose": "Canvassing", "delete_by": copy.delete_by}  # fmt: skip
    assert client.post(url, data).status_code == 302
    copy.refresh_from_db()
    assert copy.supplier == "Derby City Council"
    delete = reverse("canvassing:register_copy_delete", args=[campaign.slug, copy.pk])
    page = client.get(delete)
    assert page.context["counts"].electors == 4
    assert client.post(delete, {}).status_code == 400  # not confirmed
    assert client.post(delete, {"confirm": "on"}).status_code == 302
    assert not Elector.objects.filter(campaign=campaign).exists()
    assert RegisterCopy.objects.get(pk=copy.pk).status == "deleted"
    listing = client.get(reverse("canvassing:register_copies", args=[campaign.slug])).content.decode()
    assert "4 electors, 2 households" in listing


def test_register_access_is_granted_to_members_of_the_host_group_and_revoked(client, campaign):
    member = MembershipFactory(group=campaign.host).person
    outsider = MembershipFactory(group=GroupFactory()).person
    url = reverse("canvassing:register_access", args=[campaign.slug])
    page = client.get(url)
    people = list(page.context["form"].fields["person"].queryset)
    assert member in people and outsider not in people
    assert client.post(url, {"person": outsider.pk}).status_code == 400
    assert client.post(url, {"person": member.pk}).status_code == 302
    access = RegisterAccess.objects.get(campaign=campaign, person=member)
    revoke = reverse("canvassing:register_access_revoke", args=[campaign.slug, access.pk])
    assert client.post(revoke).status_code == 302
    access.refresh_from_db()
    assert access.revoked_at is not None


def test_the_electors_list_searches_and_pages_with_few_queries(client, django_assert_max_num_queries):
    campaign = campaign_with_electors(60, host=LocalGroup.objects.get(slug="derby"))
    url = reverse("canvassing:electors", args=[campaign.slug])
    with django_assert_max_num_queries(20):
        page = client.get(url)
    assert page.status_code == 200 and len(page.context["page"].object_list) == 50
    elector = campaign.electors.order_by("number").last()
    found = client.get(url, {"q": elector.surname}).context["page"]
    assert elector in found.object_list
    number = client.get(url, {"q": elector.elector_number}).context["page"]
    assert list(number.object_list) == [elector]


def test_an_administrator_needs_a_grant_to_see_electors(campaign):
    admin = staff("admin")
    client = signed_in(admin)
    url = reverse("canvassing:electors", args=[campaign.slug])
    assert client.get(url).status_code == 403
    RegisterAccess.objects.create(campaign=campaign, person=admin)
    assert client.get(url).status_code == 200
