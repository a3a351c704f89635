"""Walk lists: the services (cut, merge, split, assign, mark ready, release), the organisers' pages and the PDF walk
sheet. The geometry of the cut is tested directly in test_turf.py; the phone's side of a claim in test_access.py."""

import datetime
import math
import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from groundgame.canvassing import pdf, walklist_views, walklists
from groundgame.canvassing.models import Address, RegisterCopy, WalkList, WalkListStop
from groundgame.core.models import AuditEvent
from groundgame.events.models import Event
from groundgame.people.models import Membership, StaffRole
from tests.canvassing.canvasser import claimed_walk_list
from tests.canvassing.factories import (
    CampaignFactory,
    ElectorFactory,
    RegisterAccessFactory,
    RegisterCopyFactory,
    current_copy,
    district_of,
)
from tests.events.factories import EventFactory, make_seat
from tests.people.factories import GroupFactory, MembershipFactory, PersonWithUserFactory, national_group

pytestmark = pytest.mark.django_db

LAT0, LON0 = 52.92, -1.48
M_LAT = 1 / 111_195
M_LON = M_LAT / math.cos(math.radians(LAT0))
STREETS = [  # name, doors, x, y (metres), angle (degrees)
    ("Acacia Avenue", 40, 0, 0, 0),
    ("Beech Road", 12, 0, 60, 0),
    ("Cedar Close", 8, 250, 60, 90),
    ("Derwent Street", 90, 0, 400, 0),
    ("Elm Grove", 20, 300, 0, 90),
]


def add_streets(campaign, code: str = "AA1", streets=STREETS, copy: RegisterCopy | None = None) -> list[Address]:
    """Addresses along straight streets, odd numbers on one side and even on the other, located by postcode."""
    district = district_of(campaign, code)
    copy = copy or current_copy(campaign)
    rows = []
    for name, doors, x0, y0, angle in streets:
        a = math.radians(angle)
        for number in range(1, doors + 1):
            along, offset = (number // 2) * 10.0, (8.0 if number % 2 else -8.0)
            x = x0 + math.cos(a) * along - math.sin(a) * offset
            y = y0 + math.sin(a) * along + math.cos(a) * offset
            rows.append(
                Address(
                    campaign=campaign,
                    polling_district=district,
                    register_copy=copy,
                    key=f"{code}|{name}|{number}|{copy.pk}",
                    house_number=number,
                    street=name,
                    town="Derby",
                    postcode="DE22 1AA",
                    latitude=LAT0 + y * M_LAT,
                    longitude=LON0 + x * M_LON,
                    location_quality=Address.LocationQuality.POSTCODE,
                )
            )
    return Address.objects.bulk_create(rows)


def with_two_factor(person):
    """Organisers and administrators must use an authenticator app to get past the middleware."""
    TOTP.activate(person.user, generate_totp_secret())
    return person


def stop_ids(walk_list: WalkList) -> list[int]:
    return list(walk_list.stops.order_by("position").values_list("address_id", flat=True))


@pytest.fixture
def campaign():
    return CampaignFactory()


@pytest.fixture
def organiser(campaign):
    return with_two_factor(MembershipFactory(group=campaign.host, role=Membership.Role.ORGANISER).person)


@pytest.fixture
def cut(campaign, organiser):
    """A district of 170 doors on five streets, cut into lists of about 40."""
    add_streets(campaign)
    return walklists.walk_lists_cut(
        campaign=campaign, polling_districts=district_of(campaign), target_size=40, acting=organiser.user
    )


# --- cutting ----------------------------------------------------------------------------------------------------


def test_a_cut_puts_every_address_of_the_district_on_one_draft_list(campaign, cut):
    on_lists = list(WalkListStop.objects.filter(walk_list__campaign=campaign).values_list("address_id", flat=True))
    assert sorted(on_lists) == sorted(Address.objects.filter(campaign=campaign).values_list("pk", flat=True))
    assert len(cut) >= 4 and all(w.status == WalkList.Status.DRAFT for w in cut)
    for w in cut:
        assert list(w.stops.order_by("position").values_list("position", flat=True)) == list(range(1, w.door_count + 1))


def test_lists_are_named_by_district_number_and_first_street(cut):
    names = sorted(w.name for w in cut)
    assert all(re.fullmatch(r"AA1-\d\d [A-Z][a-z]+ [A-Z][a-z]+", n) for n in names), names
    assert sorted(int(n[4:6]) for n in names) == list(range(1, len(cut) + 1))


def test_a_cut_keeps_short_streets_whole_and_walks_sides_in_number_order(cut):
    lists_of = {}
    for w in cut:
        for street in set(w.stops.values_list("address__street", flat=True)):
            lists_of.setdefault(street, set()).add(w.pk)
    for short in ("Beech Road", "Cedar Close", "Elm Grove", "Acacia Avenue"):
        assert len(lists_of[short]) == 1, short
    assert len(lists_of["Derwent Street"]) >= 2  # 90 doors: split at a side or between numbers


def test_a_cut_is_audited_per_list_with_field_names(cut, organiser):
    events = AuditEvent.objects.filter(action="walk_list.cut")
    assert events.count() == len(cut)
    event = events.first()
    assert event.actor_id == organiser.user_id and event.target_type == "canvassing.walklist"
    assert set(event.fields) == {"name", "polling_district", "status", "stops"}


def test_cutting_again_replaces_the_drafts(campaign, cut, organiser):
    old = {w.pk for w in cut}
    again = walklists.walk_lists_cut(
        campaign=campaign, polling_districts=[district_of(campaign)], target_size=60, acting=organiser.user
    )
    assert not WalkList.objects.filter(pk__in=old).exists()
    assert {w.pk for w in WalkList.objects.filter(campaign=campaign)} == {w.pk for w in again}
    assert AuditEvent.objects.filter(action="walk_list.delete", target_id__in=[str(pk) for pk in old]).count() == len(
        old
    )
    assert WalkListStop.objects.filter(walk_list__campaign=campaign).count() == 170


def test_cutting_again_keeps_lists_that_are_ready_or_out_and_their_doors(campaign, cut, organiser):
    kept = cut[0]
    walklists.walk_list_mark_ready(walk_list=kept, acting=organiser.user)
    kept_doors = set(stop_ids(kept))
    again = walklists.walk_lists_cut(
        campaign=campaign, polling_districts=district_of(campaign), target_size=40, acting=organiser.user
    )
    assert WalkList.objects.filter(pk=kept.pk, status=WalkList.Status.READY).exists()
    new_doors = set(WalkListStop.objects.filter(walk_list__in=again).values_list("address_id", flat=True))
    assert not new_doors & kept_doors and len(new_doors) + len(kept_doors) == 170
    assert kept.name[:6] not in {w.name[:6] for w in again}  # numbering goes past the names in use


def test_addresses_of_a_superseded_register_copy_are_not_cut(campaign, organiser):
    old = RegisterCopyFactory(campaign=campaign, status=RegisterCopy.Status.SUPERSEDED)
    add_streets(campaign, streets=[("Old Street", 10, 0, 0, 0)], copy=old)
    add_streets(campaign, streets=[("New Street", 10, 0, 0, 0)])
    [only] = walklists.walk_lists_cut(campaign=campaign, polling_districts=district_of(campaign), acting=organiser.user)
    assert set(only.stops.values_list("address__street", flat=True)) == {"New Street"}


def test_doors_located_only_by_postcode_district_are_cut_as_unlocated(campaign):
    add_streets(campaign, streets=[("Acacia Avenue", 6, 0, 0, 0)])
    Address.objects.filter(campaign=campaign, house_number=3).update(location_quality="district")
    doors = walklists.district_doors(campaign=campaign, polling_districts=[district_of(campaign)])
    assert [d.located for d in sorted(doors, key=lambda d: d.number)] == [True, True, False, True, True, True]


def test_a_cut_is_refused_for_another_campaigns_district_or_a_silly_size(campaign, organiser):
    other = district_of(CampaignFactory(), "ZZ9")
    with pytest.raises(ValidationError):
        walklists.walk_lists_cut(campaign=campaign, polling_districts=other, acting=organiser.user)
    with pytest.raises(ValidationError):
        walklists.walk_lists_cut(
            campaign=campaign, polling_districts=district_of(campaign), target_size=2, acting=organiser.user
        )


# --- merge and split --------------------------------------------------------------------------------------------


def test_merge_appends_the_other_lists_doors_in_their_order(cut, organiser):
    first, second = cut[0], cut[1]
    expected = stop_ids(first) + stop_ids(second)
    merged = walklists.walk_list_merge(walk_list=first, other=second, acting=organiser.user)
    assert stop_ids(merged) == expected
    assert not WalkList.objects.filter(pk=second.pk).exists()
    assert AuditEvent.objects.filter(action="walk_list.merge", target_id=str(first.pk)).exists()
    assert AuditEvent.objects.filter(action="walk_list.delete", target_id=str(second.pk), reason="merged").exists()


def test_merge_is_refused_across_districts_with_itself_and_for_a_list_out_on_a_phone(campaign, cut, organiser):
    add_streets(campaign, code="AA2", streets=[("Fern Lane", 10, 0, 0, 0)])
    [elsewhere] = walklists.walk_lists_cut(
        campaign=campaign, polling_districts=district_of(campaign, "AA2"), acting=organiser.user
    )
    with pytest.raises(ValidationError):
        walklists.walk_list_merge(walk_list=cut[0], other=elsewhere, acting=organiser.user)
    with pytest.raises(ValidationError):
        walklists.walk_list_merge(walk_list=cut[0], other=cut[0], acting=organiser.user)
    WalkList.objects.filter(pk=cut[1].pk).update(status="claimed", claimed_at=timezone.now(), token_sha256="x" * 64)
    with pytest.raises(ValidationError):
        walklists.walk_list_merge(walk_list=cut[0], other=cut[1], acting=organiser.user)
    assert len(stop_ids(cut[1])) == cut[1].door_count


def test_split_moves_the_doors_from_a_position_to_a_new_draft_list_in_order(cut, organiser):
    original = cut[0]
    doors = stop_ids(original)
    new = walklists.walk_list_split(walk_list=original, at_position=11, acting=organiser.user)
    assert stop_ids(original) == doors[:10]
    assert stop_ids(new) == doors[10:]
    assert list(new.stops.order_by("position").values_list("position", flat=True)) == list(range(1, len(doors) - 9))
    assert new.status == WalkList.Status.DRAFT and new.polling_district_id == original.polling_district_id
    assert new.name.startswith("AA1-") and new.name[:6] not in {w.name[:6] for w in cut}
    assert AuditEvent.objects.filter(action="walk_list.split", target_id=str(original.pk)).exists()
    assert AuditEvent.objects.filter(action="walk_list.create", target_id=str(new.pk)).exists()


@pytest.mark.parametrize("position", [0, 1, 999])
def test_split_needs_a_door_after_the_first(cut, organiser, position):
    with pytest.raises(ValidationError):
        walklists.walk_list_split(walk_list=cut[0], at_position=position, acting=organiser.user)


def test_merge_then_split_gives_back_the_two_lists_doors(cut, organiser):
    first, second = cut[0], cut[1]
    a, b = stop_ids(first), stop_ids(second)
    walklists.walk_list_merge(walk_list=first, other=second, acting=organiser.user)
    new = walklists.walk_list_split(walk_list=first, at_position=len(a) + 1, acting=organiser.user)
    assert (stop_ids(first), stop_ids(new)) == (a, b)


# --- assign, ready, release ---------------------------------------------------------------------------------------


def test_assigning_a_member_makes_a_draft_ready_and_is_audited(campaign, cut, organiser):
    member = MembershipFactory(group=campaign.host).person
    walk_list = walklists.walk_list_assign(walk_list=cut[0], person=member, acting=organiser.user)
    assert walk_list.assigned_to == member and walk_list.status == WalkList.Status.READY
    event = AuditEvent.objects.get(action="walk_list.assign")
    assert event.fields == ["assigned_to", "session", "status"] and event.actor_id == organiser.user_id


def test_members_of_groups_below_the_host_may_be_assigned_but_not_outsiders(campaign, cut, organiser):
    region = GroupFactory(parent=national_group(), level="regional")
    campaign.host.parent = region
    campaign.host.save()
    regional_campaign = CampaignFactory(host=region)
    local_member = MembershipFactory(group=campaign.host).person
    assert walklists.assignable_people(campaign=regional_campaign).filter(pk=local_member.pk).exists()
    stranger = PersonWithUserFactory()
    with pytest.raises(ValidationError):
        walklists.walk_list_assign(walk_list=cut[0], person=stranger, acting=organiser.user)
    lapsed = MembershipFactory(group=campaign.host, status=Membership.Status.LEFT).person
    with pytest.raises(ValidationError):
        walklists.walk_list_assign(walk_list=cut[0], person=lapsed, acting=organiser.user)


def test_a_list_may_be_worked_in_a_canvassing_session_of_the_campaigns_seat(campaign, cut, organiser):
    seat = make_seat()
    campaign.constituencies.add(seat)
    session = EventFactory(host=campaign.host, target_seat=seat)
    elsewhere = EventFactory(host=campaign.host, target_seat=make_seat("Derby South", "E14000664"))
    phone_bank = EventFactory(host=campaign.host, target_seat=seat, kind=Event.Kind.PHONE_BANK)
    past = EventFactory(
        host=campaign.host,
        target_seat=seat,
        starts_at=timezone.now() - datetime.timedelta(days=2),
        ends_at=timezone.now() - datetime.timedelta(days=2, hours=-3),
    )
    assert list(walklists.assignable_sessions(campaign=campaign)) == [session]
    walk_list = walklists.walk_list_assign(walk_list=cut[0], session=session, acting=organiser.user)
    assert walk_list.session == session and walk_list.status == WalkList.Status.READY
    for wrong in (elsewhere, phone_bank, past):
        with pytest.raises(ValidationError):
            walklists.walk_list_assign(walk_list=cut[1], session=wrong, acting=organiser.user)


def test_clearing_the_assignment_keeps_the_status(campaign, cut, organiser):
    member = MembershipFactory(group=campaign.host).person
    walklists.walk_list_assign(walk_list=cut[0], person=member, acting=organiser.user)
    walk_list = walklists.walk_list_assign(walk_list=cut[0], acting=organiser.user)
    assert walk_list.assigned_to is None and walk_list.status == WalkList.Status.READY


def test_mark_ready_and_back_to_draft(cut, organiser):
    walk_list = walklists.walk_list_mark_ready(walk_list=cut[0], acting=organiser.user)
    assert walk_list.status == WalkList.Status.READY
    walk_list = walklists.walk_list_mark_ready(walk_list=walk_list, ready=False, acting=organiser.user)
    assert walk_list.status == WalkList.Status.DRAFT
    assert AuditEvent.objects.filter(action="walk_list.status").count() == 2


def test_release_revokes_the_phone_unassigns_and_leaves_the_list_ready():
    claimed = claimed_walk_list()
    WalkList.objects.filter(pk=claimed.walk_list.pk).update(assigned_to=claimed.canvasser)
    organiser = MembershipFactory(group=claimed.campaign.host, role=Membership.Role.ORGANISER).person
    released = walklists.walk_list_release(walk_list=claimed.walk_list, acting=organiser.user)
    assert released.status == WalkList.Status.READY and released.released_at is not None
    assert released.assigned_to is None
    assert released.token_sha256  # kept, so the phone hears "released" and wipes the list (canvassing.access)
    assert set(AuditEvent.objects.filter(target_id=str(released.pk)).values_list("action", flat=True)) >= {
        "walk_list.release",
        "walk_list.assign",
    }


def test_release_can_mark_the_list_done_and_a_draft_cannot_be_released(cut, organiser):
    claimed = claimed_walk_list()
    done = walklists.walk_list_release(walk_list=claimed.walk_list, done=True, acting=organiser.user)
    assert done.status == WalkList.Status.DONE
    with pytest.raises(ValidationError):
        walklists.walk_list_release(walk_list=cut[0], acting=organiser.user)


# --- the PDF walk sheet -----------------------------------------------------------------------------------------


def sheet_text(walk_list, show_electors: bool) -> str:
    stops = walklists.walk_list_stops(walk_list=walk_list, with_electors=show_electors)
    body = pdf.walk_sheet_pdf(
        walk_list=walk_list, stops=stops, show_electors=show_electors, unicode_font=False, compress=False
    )
    assert body.startswith(b"%PDF-")
    return body.decode("latin-1")


def test_the_walk_sheet_lists_streets_doors_and_electors_in_walking_order(campaign, cut):
    walk_list = WalkList.objects.get(pk=cut[0].pk)
    first = walk_list.stops.order_by("position").first().address
    ElectorFactory(campaign=campaign, address=first, first_names="Ann", surname="Archer", number=17)
    text = sheet_text(walk_list, show_electors=True)
    assert walk_list.name in text
    for street in walk_list.stops.values_list("address__street", flat=True).distinct():
        assert street in text
    assert "Ann Archer" in text and "AA1-17" in text
    assert "Key. Outcome" in text and "Not in" in text and "Lab = Labour" in text


def test_without_register_access_the_sheet_has_doors_but_no_names(campaign, cut):
    walk_list = WalkList.objects.get(pk=cut[0].pk)
    ElectorFactory(campaign=campaign, address=walk_list.stops.first().address, first_names="Ann", surname="Archer")
    text = sheet_text(walk_list, show_electors=False)
    assert "Archer" not in text and "Elector no." not in text
    assert walk_list.stops.first().address.street in text


def test_the_sheet_prints_every_name_and_runs_onto_more_pages(campaign):
    add_streets(campaign, streets=[("Derwent Street", 60, 0, 0, 0)])
    [walk_list] = walklists.walk_lists_cut(
        campaign=campaign, polling_districts=district_of(campaign), target_size=60, acting=None
    )
    for stop in walk_list.stops.select_related("address"):
        ElectorFactory(campaign=campaign, address=stop.address, first_names="Łucja", surname="Wiśniewska")
        ElectorFactory(campaign=campaign, address=stop.address, first_names="Zoë", surname="O'Brien")
    stops = walklists.walk_list_stops(walk_list=walk_list, with_electors=True)
    assert pdf.walk_sheet_pdf(walk_list=walk_list, stops=stops, show_electors=True).startswith(b"%PDF-")  # DejaVu
    latin = sheet_text(walk_list, show_electors=True)
    assert "Lucja Wisniewska" in latin  # the core font's fallback keeps the letters it can
    assert len(re.findall(r"/Type /Page\b(?!s)", latin)) >= 3  # 60 doors, 120 electors


# --- pages ------------------------------------------------------------------------------------------------------


@pytest.fixture
def organiser_client(client, organiser):
    client.force_login(organiser.user)
    return client


def test_the_district_page_lists_the_lists_with_doors_and_streets(
    campaign, cut, organiser_client, django_assert_max_num_queries
):
    url = reverse("canvassing:walklists_district", args=[campaign.slug, "AA1"])
    with django_assert_max_num_queries(14):  # 8 for the session, user, roles and nav; 6 for the page, any lists
        response = organiser_client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    for w in cut:
        assert w.name in html and reverse("canvassing:walklist_pdf", args=[campaign.slug, w.uuid]) in html
    assert "Cedar Close" in html and "Cut walk lists" in html


def test_the_overview_counts_addresses_and_lists_per_district(campaign, cut, organiser_client):
    response = organiser_client.get(reverse("canvassing:walklists", args=[campaign.slug]))
    assert response.status_code == 200
    row = re.search(r"AA1</a>.*?</tr>", response.content.decode(), re.S).group(0)
    assert re.findall(r'class="num">(\d+)<', row) == ["170", str(len(cut)), "170"]


def test_cutting_from_the_page(campaign, organiser_client):
    add_streets(campaign)
    response = organiser_client.post(
        reverse("canvassing:walklists_cut", args=[campaign.slug, "AA1"]), {"target_size": "30"}, follow=True
    )
    assert WalkList.objects.filter(campaign=campaign).count() >= 5
    assert "Cut 170 doors into" in response.content.decode()
    response = organiser_client.post(
        reverse("canvassing:walklists_cut", args=[campaign.slug, "AA1"]), {"target_size": "1"}
    )
    assert response.status_code == 302


def test_the_preview_shows_the_doors_in_order_and_numbered_markers(campaign, cut, organiser_client):
    walk_list = cut[0]
    response = organiser_client.get(reverse("canvassing:walklist", args=[campaign.slug, walk_list.uuid]))
    assert response.status_code == 200
    markers = response.context["markers"]
    assert [m["n"] for m in markers] == list(range(1, walk_list.door_count + 1))
    html = response.content.decode()
    assert 'id="walklist-markers"' in html and 'data-position="1"' in html
    assert "Split here" in html and "Merge" in html


def test_split_merge_assign_and_release_from_the_page(campaign, cut, organiser_client):
    walk_list, other = cut[0], cut[1]
    base = [campaign.slug, walk_list.uuid]
    organiser_client.post(reverse("canvassing:walklist_split", args=base), {"position": "3"})
    assert len(stop_ids(walk_list)) == 2
    organiser_client.post(reverse("canvassing:walklist_merge", args=base), {"other": str(other.uuid)})
    assert not WalkList.objects.filter(pk=other.pk).exists()
    member = MembershipFactory(group=campaign.host).person
    organiser_client.post(reverse("canvassing:walklist_assign", args=base), {"person": member.pk, "session": ""})
    walk_list.refresh_from_db()
    assert walk_list.assigned_to == member and walk_list.status == WalkList.Status.READY
    organiser_client.post(reverse("canvassing:walklist_release", args=base))
    walk_list.refresh_from_db()
    assert walk_list.assigned_to is None and walk_list.status == WalkList.Status.READY
    organiser_client.post(reverse("canvassing:walklist_ready", args=base), {"ready": "0"})
    walk_list.refresh_from_db()
    assert walk_list.status == WalkList.Status.DRAFT


@pytest.fixture
def readable_pdf(monkeypatch):
    """The views' PDFs with the text left readable, so that the tests can look for names."""
    render = pdf.walk_sheet_pdf
    monkeypatch.setattr(
        walklist_views.pdf, "walk_sheet_pdf", lambda **kw: render(**kw, unicode_font=False, compress=False)
    )


def test_the_pdf_download_names_electors_only_for_register_access(campaign, cut, client, readable_pdf):
    walk_list = cut[0]
    ElectorFactory(campaign=campaign, address=walk_list.stops.first().address, first_names="Ann", surname="Archer")
    url = reverse("canvassing:walklist_pdf", args=[campaign.slug, walk_list.uuid])
    organiser = with_two_factor(MembershipFactory(group=campaign.host, role=Membership.Role.ORGANISER).person)
    admin = with_two_factor(PersonWithUserFactory())
    StaffRole.objects.create(person=admin, role=StaffRole.Role.ADMINISTRATOR)
    seen = {}
    for who in (organiser, admin):
        client.force_login(who.user)
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith('attachment; filename="walk-sheet-aa1-')
        seen[who] = "Ann Archer" in response.content.decode("latin-1")
    assert seen == {organiser: True, admin: False}
    RegisterAccessFactory(campaign=campaign, person=admin)
    client.force_login(admin.user)
    assert "Ann Archer" in client.get(url).content.decode("latin-1")
    reasons = list(AuditEvent.objects.filter(action="walk_list.print").values_list("reason", flat=True))
    assert reasons == ["with electors", "doors only", "with electors"] or sorted(reasons) == sorted(
        ["with electors", "doors only", "with electors"]
    )


def test_a_list_of_another_campaign_is_not_found_through_this_one(campaign, cut, organiser_client, organiser):
    other_campaign = CampaignFactory(host=campaign.host)
    add_streets(other_campaign, code="BB1", streets=[("Fern Lane", 5, 0, 0, 0)])
    [theirs] = walklists.walk_lists_cut(
        campaign=other_campaign, polling_districts=district_of(other_campaign, "BB1"), acting=None
    )
    assert organiser_client.get(reverse("canvassing:walklist", args=[campaign.slug, theirs.uuid])).status_code == 404
    url = reverse("canvassing:walklists_district", args=[campaign.slug, "BB1"])
    assert organiser_client.get(url).status_code == 404


def test_a_register_access_holder_who_does_not_run_the_campaign_is_refused(campaign, cut, client):
    holder = RegisterAccessFactory(campaign=campaign, person=PersonWithUserFactory()).person
    client.force_login(holder.user)
    assert client.get(reverse("canvassing:walklists", args=[campaign.slug])).status_code == 403


def test_the_campaign_page_links_to_the_walk_lists_for_those_who_run_it(campaign, organiser_client, client):
    url = reverse("canvassing:campaign", args=[campaign.slug])
    walk_lists = reverse("canvassing:walklists", args=[campaign.slug])
    assert walk_lists in organiser_client.get(url).content.decode()
    holder = RegisterAccessFactory(campaign=campaign, person=PersonWithUserFactory()).person
    client.force_login(holder.user)
    response = client.get(url)
    assert response.status_code == 200 and walk_lists not in response.content.decode()
