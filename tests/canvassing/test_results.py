"""Results for organisers (canvassing/results.py, results_views.py): the aggregates on a small hand-made campaign,
the quality flags, the page, the API and a bounded number of queries. Who may reach the page and the API is in the
permission matrix (tests/canvassing/permission_rows.py); the 404/403 cases are repeated here for the API's JSON."""

import datetime
import uuid

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from shapely.geometry import Point, shape

from groundgame.canvassing import results
from groundgame.canvassing.models import ContactRecord, RegisterAccess
from tests.canvassing.factories import (
    AddressFactory,
    CampaignFactory,
    ContactRecordFactory,
    ElectorFactory,
    PollingDistrictFactory,
    SurveyFactory,
    WalkListFactory,
    WalkListStopFactory,
    make_seat,
)
from tests.people.factories import PersonFactory, PersonWithUserFactory, organiser_of

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC)
SPOKE, NOT_IN, REFUSED, COME_BACK = (
    ContactRecord.Outcome.SPOKE,
    ContactRecord.Outcome.NOT_IN,
    ContactRecord.Outcome.REFUSED,
    ContactRecord.Outcome.COME_BACK,
)


def at(minutes: float) -> datetime.datetime:
    return T0 + datetime.timedelta(minutes=minutes)


def door(walk_list, position: int):
    return WalkListStopFactory(walk_list=walk_list, position=position).address


def record(walk_list, *, elector=None, address=None, minutes=0.0, outcome=SPOKE, intention="", **fields):
    return ContactRecordFactory(
        campaign=walk_list.campaign,
        elector=elector,
        address=address if address is not None else elector.address,
        polling_district=walk_list.polling_district,
        walk_list=walk_list,
        recorded_at=at(minutes),
        outcome=outcome,
        intention=intention,
        **fields,
    )


@pytest.fixture
def world():
    """Two districts (AA1 in a seat, AB1 in none), three lists: L1 and L2 in AA1, L3 in AB1; an address of each
    district on no list. Elector e1 said Con, then (later) Lab: only Lab counts."""
    campaign = CampaignFactory(slug="derby-north")
    SurveyFactory(campaign=campaign)
    seat = make_seat()
    aa1 = PollingDistrictFactory(campaign=campaign, code="AA1", name="Allestree", constituency=seat)
    ab1 = PollingDistrictFactory(campaign=campaign, code="AB1", name="", constituency=None)
    l1 = WalkListFactory(campaign=campaign, polling_district=aa1, name="L1")
    l2 = WalkListFactory(campaign=campaign, polling_district=aa1, name="L2")
    l3 = WalkListFactory(campaign=campaign, polling_district=ab1, name="L3")
    a1, a2, a3, _a4 = door(l1, 1), door(l1, 2), door(l2, 1), door(l2, 2)
    b1, b2, _b3 = door(l3, 1), door(l3, 2), door(l3, 3)
    AddressFactory(campaign=campaign, polling_district=ab1)  # on no list
    e1, e2 = ElectorFactory(campaign=campaign, address=a1), ElectorFactory(campaign=campaign, address=a1)
    e3, e4 = ElectorFactory(campaign=campaign, address=a2), ElectorFactory(campaign=campaign, address=a3)
    e5 = ElectorFactory(campaign=campaign, address=b1)
    record(l1, elector=e1, minutes=0, intention="Con")  # superseded
    record(l1, elector=e2, minutes=1, intention="undecided", issues=["housing", "nhs"], follow_ups=["poster"])
    record(l1, address=a2, minutes=3, outcome=NOT_IN)
    record(l1, elector=e1, minutes=120, intention="Lab")  # e1's latest
    record(l1, elector=e3, minutes=125, intention="Green", issues=["housing"])
    record(l2, elector=e4, minutes=5, outcome=REFUSED)
    record(l3, elector=e5, minutes=7, intention="Lab", follow_ups=["postal_vote", "poster"])
    record(l3, address=b2, minutes=9, outcome=COME_BACK)
    # Names no page text can contain by chance (a generated surname can be "Green" or "Housing"...).
    for n, elector in enumerate(campaign.electors.order_by("pk")):
        elector.surname = f"Xylander{n}"
        elector.save(update_fields=["surname"])
    return campaign


def by_key(rows):
    return {row.name: row for row in rows}


def test_progress_by_district_constituency_list_and_in_total(world):
    data = results.campaign_results(campaign=world)
    districts = {row.key: row for row in data.districts}
    aa1, ab1 = districts["AA1"], districts["AB1"]
    assert (aa1.doors, aa1.knocked, aa1.spoke, aa1.records) == (4, 3, 2, 6)
    assert aa1.contact_rate == pytest.approx(2 / 3)
    assert aa1.outcomes[SPOKE] == 4 and aa1.outcomes[NOT_IN] == 1 and aa1.outcomes[REFUSED] == 1
    assert aa1.intentions == {"Lab": 1, "undecided": 1, "Green": 1}  # e1's "Con" was superseded
    assert aa1.issues == {"housing": 2, "nhs": 1} and aa1.follow_ups == {"poster": 1}
    assert (ab1.doors, ab1.knocked, ab1.spoke, ab1.records) == (4, 2, 1, 2)
    assert ab1.intentions == {"Lab": 1}

    lists = by_key(data.walk_lists)
    assert (lists["L1"].doors, lists["L1"].knocked, lists["L1"].spoke, lists["L1"].records) == (2, 2, 2, 5)
    assert lists["L1"].intentions == {"Lab": 1, "undecided": 1, "Green": 1}
    assert (lists["L2"].doors, lists["L2"].knocked, lists["L2"].spoke) == (2, 1, 0)
    assert lists["L2"].contact_rate == 0 and lists["L2"].intentions == {}
    assert (lists["L3"].doors, lists["L3"].knocked, lists["L3"].spoke, lists["L3"].district) == (3, 2, 1, "AB1")

    seats = by_key(data.constituencies)
    assert seats["Derby North"].knocked == 3 and seats["Derby North"].key == "E14000662"
    assert seats["No constituency set"].knocked == 2

    t = data.totals
    assert (t.doors, t.knocked, t.spoke, t.records) == (8, 5, 3, 8)
    assert t.contact_rate == pytest.approx(0.6)
    assert t.intentions == {"Lab": 2, "undecided": 1, "Green": 1}
    assert [(s.code, s.count) for s in data.intentions] == [("Lab", 2), ("Green", 1), ("undecided", 1)]
    assert data.intentions[0].label == "Labour" and data.intentions[0].share == 0.5
    assert [(s.code, s.count) for s in data.issues] == [("housing", 2), ("nhs", 1)]
    assert {s.code: s.count for s in data.follow_ups} == {"poster": 2, "postal_vote": 1}
    assert data.flags == []


def test_a_campaign_without_records_has_empty_results():
    campaign = CampaignFactory()
    data = results.campaign_results(campaign=campaign)
    assert data.totals.knocked == 0 and data.totals.contact_rate is None
    assert data.districts == [] and data.walk_lists == [] and data.flags == []


def test_the_number_of_queries_does_not_grow_with_the_data(world):
    with CaptureQueriesContext(connection) as small:
        results.campaign_results(campaign=world)
    district = PollingDistrictFactory(campaign=world, code="AC1")
    canvasser = PersonFactory()
    for n in range(3):
        walk_list = WalkListFactory(campaign=world, polling_district=district, name=f"More {n}")
        for position in range(1, 6):
            elector = ElectorFactory(campaign=world, address=door(walk_list, position))
            record(walk_list, elector=elector, minutes=n * 60 + position / 20, intention="LD", canvasser=canvasser)
            record(walk_list, elector=elector, minutes=n * 60 + position, issues=["crime"], canvasser=canvasser)
    with CaptureQueriesContext(connection) as large:
        data = results.campaign_results(campaign=world)
    assert data.totals.knocked == 20 and data.flags  # the fast records were flagged (one query for the names)
    assert len(small) == 7 and len(large) == len(small) + 1  # the one more: canvassers' names for the flag


# --- quality flags -------------------------------------------------------------------------------------------------


def walk(campaign, name: str, doors: int):
    walk_list = WalkListFactory(campaign=campaign, name=name)
    return walk_list, [door(walk_list, n + 1) for n in range(doors)]


def test_doors_too_fast_are_flagged_per_canvasser_and_list():
    campaign = CampaignFactory()
    SurveyFactory(campaign=campaign)
    fast_one, slow_one = PersonFactory(first_name="Quick", last_name="Sam"), PersonFactory()
    walk_list, doors = walk(campaign, "Fast lane", 6)
    for n, address in enumerate(doors):
        record(walk_list, address=address, minutes=n * 5 / 60, outcome=NOT_IN, canvasser=fast_one)  # 5 s apart
    slow_list, slow_doors = walk(campaign, "Slow lane", 6)
    for n, address in enumerate(slow_doors):
        # Three electors at each door, recorded a second apart (the door's time is its first record): not flagged.
        for k in range(3):
            record(slow_list, address=address, minutes=n + k / 60, outcome=SPOKE, canvasser=slow_one)
    flags = results.campaign_results(campaign=campaign).flags
    assert [(f.kind, f.walk_list, f.canvasser, f.count) for f in flags] == [("too_fast", "Fast lane", "Quick Sam", 5)]
    assert "5 of 6 doors" in flags[0].detail


def test_two_fast_doors_are_not_enough_to_flag():
    campaign = CampaignFactory()
    walk_list, doors = walk(campaign, "Nearly", 3)
    canvasser = PersonFactory()
    for n, address in enumerate(doors):
        record(walk_list, address=address, minutes=n * 5 / 60, outcome=NOT_IN, canvasser=canvasser)
    assert results.FAST_DOORS_TO_FLAG == 3
    assert results.campaign_results(campaign=campaign).flags == []


def test_improbable_contact_rates_are_flagged():
    campaign = CampaignFactory()
    everyone_in, doors = walk(campaign, "Everyone in", results.HIGH_CONTACT_MIN_DOORS)
    for n, address in enumerate(doors):
        record(everyone_in, address=address, minutes=n, outcome=SPOKE)
    never_out, doors = walk(campaign, "Never out", results.NO_REFUSALS_MIN_DOORS)
    for n, address in enumerate(doors):
        record(never_out, address=address, minutes=n, outcome=SPOKE if n % 5 else COME_BACK)  # 80% contact
    flags = {(f.kind, f.walk_list, f.count) for f in results.campaign_results(campaign=campaign).flags}
    assert flags == {("high_contact_rate", "Everyone in", 30), ("no_refusals", "Never out", 50)}


def test_plausible_contact_rates_are_not_flagged():
    campaign = CampaignFactory()
    few, doors = walk(campaign, "Too few to tell", results.HIGH_CONTACT_MIN_DOORS - 1)
    for n, address in enumerate(doors):
        record(few, address=address, minutes=n, outcome=SPOKE)
    usual, doors = walk(campaign, "Usual", results.NO_REFUSALS_MIN_DOORS)
    for n, address in enumerate(doors):
        record(usual, address=address, minutes=n, outcome=NOT_IN if n == 0 else SPOKE if n % 3 else COME_BACK)
    assert results.campaign_results(campaign=campaign).flags == []


# --- the page and the API ------------------------------------------------------------------------------------------


def signed_in(person) -> Client:
    """A client signed in as `person` (with two-factor set up, as organisers must have)."""
    client = Client()
    if not Authenticator.objects.filter(user=person.user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(person.user, generate_totp_secret())
    client.force_login(person.user)
    return client


def organiser_client(campaign) -> Client:
    return signed_in(organiser_of(campaign.host))


def test_the_page_shows_aggregates_and_no_elector_names(world):
    client = organiser_client(world)
    response = client.get(reverse("canvassing:results", args=[world.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    for testid in ("results-totals", "results-intentions", "results-issues", "results-districts", "results-walk-lists"):
        assert f'data-testid="{testid}"' in html
    assert "Labour" in html and "Housing" in html and "Allestree" in html
    for elector in world.electors.all():
        assert elector.surname not in html
    campaign_page = client.get(reverse("canvassing:campaign", args=[world.slug])).content.decode()
    assert reverse("canvassing:results", args=[world.slug]) in campaign_page


def test_the_api_gives_the_same_aggregates_as_json(world):
    client = organiser_client(world)
    response = client.get(reverse("api:canvass_results", args=[world.slug]))
    assert response.status_code == 200
    data = response.json()
    assert data["campaign"] == "derby-north"
    assert data["totals"]["knocked"] == 5 and data["totals"]["contact_rate"] == 0.6
    assert data["totals"]["intentions"] == {"Lab": 2, "undecided": 1, "Green": 1}
    assert {d["key"]: d["doors"] for d in data["districts"]} == {"AA1": 4, "AB1": 4}
    assert [w["name"] for w in data["walk_lists"]] == ["L1", "L2", "L3"]
    assert data["thresholds"]["fast_door_seconds"] == results.FAST_DOOR_SECONDS
    assert data["labels"]["intentions"]["Lab"] == "Labour"


def test_the_api_answers_404_for_another_groups_campaign_and_403_to_a_canvasser(world):
    client = organiser_client(CampaignFactory())
    response = client.get(reverse("api:canvass_results", args=[world.slug]))
    assert response.status_code == 404 and response.json() == {"detail": "Not found."}
    canvasser = PersonWithUserFactory()
    RegisterAccess.objects.create(campaign=world, person=canvasser)
    client = signed_in(canvasser)
    assert client.get(reverse("api:canvass_results", args=[world.slug])).status_code == 403
    client.logout()
    assert client.get(reverse("api:canvass_results", args=[world.slug])).status_code == 401


def test_the_api_is_in_the_openapi_schema(client):
    schema = client.get(reverse("api:openapi-json")).json()
    operation = schema["paths"]["/api/canvass/campaigns/{slug}/results"]["get"]
    assert set(operation["responses"]) >= {"200", "401", "403", "404"}
    assert operation.get("security")


def test_unknown_campaign_is_404(client):
    person = PersonWithUserFactory()
    client.force_login(person.user)
    assert client.get(reverse("api:canvass_results", args=[f"nope-{uuid.uuid4().hex[:6]}"])).status_code == 404


# --- the map ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "band"), [(None, None), (0.0, 0), (0.19, 0), (0.2, 1), (0.49, 2), (0.5, 3), (0.65, 4), (1.0, 4)]
)
def test_contact_rates_fall_in_their_colour_band(rate, band):
    expected = results.NOT_STARTED_COLOUR if band is None else results.CONTACT_BANDS[band][1]
    assert results.contact_colour(rate) == expected


def locate_doors(campaign) -> None:
    """Put each district's doors on a small ring of real-looking points (the factories' doors are not located)."""
    for district_number, code in enumerate(["AA1", "AB1"]):
        for n, address in enumerate(campaign.addresses.filter(polling_district__code=code).order_by("pk")):
            address.latitude = 52.92 + district_number * 0.01 + 0.001 * (n % 2)
            address.longitude = -1.48 + 0.001 * (n // 2) + 0.0005 * (n % 2)
            address.location_quality = "postcode"
            address.save()


def test_the_map_shades_each_district_around_its_located_doors_by_contact_rate(world):
    locate_doors(world)
    data = results.campaign_results(campaign=world)

    shapes = results.district_map(campaign=world, districts=data.districts)

    features = {f["properties"]["code"]: f for f in shapes["features"]}
    assert set(features) == {"AA1", "AB1"}
    for row in data.districts:
        feature = features[row.key]
        assert feature["properties"]["fill"] == results.contact_colour(row.contact_rate)
        assert feature["properties"]["knocked"] == row.knocked and feature["geometry"]["type"] == "Polygon"
        area = shape(feature["geometry"])
        doors = world.addresses.filter(polling_district__code=row.key)
        assert all(area.contains(Point(a.longitude, a.latitude)) for a in doors)  # every located door inside
    assert features["AA1"]["properties"]["fill"] != features["AB1"]["properties"]["fill"]


def test_the_page_draws_the_map_with_a_legend_and_no_names(world):
    locate_doors(world)
    html = organiser_client(world).get(reverse("canvassing:results", args=[world.slug])).content.decode()

    assert 'id="results-districts-geojson"' in html and 'data-testid="results-map-legend"' in html
    geojson = html.split('id="results-districts-geojson"')[1].split("</script>")[0]
    for elector in world.electors.all():
        assert elector.surname not in geojson


def test_a_campaign_without_located_doors_has_no_map():
    campaign = CampaignFactory()
    assert results.district_map(campaign=campaign, districts=results.campaign_results(campaign=campaign).districts) == {
        "type": "FeatureCollection",
        "features": [],
    }
