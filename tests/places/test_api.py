"""The public JSON API on the real reference data: the /api/nearest-marginal contract from issue 2,
its errors, the OpenAPI document and per-client rate limiting."""

import math
from types import SimpleNamespace

import pytest
from django.core.cache import caches
from django.test import Client, override_settings

from groundgame.core import ratelimit
from groundgame.places.models import Constituency, ConstituencyResult, Election, TargetOverride
from groundgame.places.services import target_override_set

pytestmark = [pytest.mark.django_db, pytest.mark.realdata, pytest.mark.usefixtures("reference_db")]

LOOKUP = "/api/nearest-marginal"
TARGET_KEYS = {"code", "name", "distance_km", "majority", "majority_pct", "swing_needed", "our_position", "reason"}
EXCLUDED_KEYS = {"code", "name", "distance_km", "reason"}
# DE22 1AA in the Code-Point Open sample; the DE22 district centroid (postcodes/ in the data directory).
DE22_1AA = (52.930851, -1.484258)
DE22 = (52.93427, -1.49863)


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Independent haversine (mean Earth radius) to check distance_km against."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def get(client: Client, **params):
    return client.get(LOOKUP, params)


def assert_error(response, status: int) -> str:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"}
    assert isinstance(body["error"], str) and body["error"]
    return body["error"]


def test_de22_1aa_in_2015_follows_the_contract_exactly(client):
    response = get(client, postcode="DE22 1AA", election=2015, limit=5)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"postcode", "location", "constituency", "election", "targets", "excluded"}
    assert body["postcode"] == "DE22 1AA"
    assert set(body["location"]) == {"lat", "lon", "precision"}
    assert body["location"]["precision"] == "postcode"
    assert (body["location"]["lat"], body["location"]["lon"]) == pytest.approx(DE22_1AA, abs=1e-6)
    assert body["constituency"] == {"code": "E14000662", "name": "Derby North", "approximate": False}
    assert body["election"] == 2015
    assert isinstance(body["excluded"], list)

    targets = body["targets"]
    assert len(targets) == 5
    assert targets[0]["code"] == "E14000662" and targets[0]["name"] == "Derby North"
    for target in targets:
        assert set(target) == TARGET_KEYS
        assert isinstance(target["code"], str) and isinstance(target["name"], str)
        assert isinstance(target["distance_km"], float)
        assert isinstance(target["majority"], int)
        assert isinstance(target["majority_pct"], float)
        assert isinstance(target["swing_needed"], float)
        assert target["our_position"] in {"gain", "defend"}
        assert isinstance(target["reason"], str) and target["reason"]
    distances = [t["distance_km"] for t in targets]
    assert distances == sorted(distances)


def test_the_query_is_normalised_in_the_reply(client):
    body = get(client, postcode="  de221aa ", election=2015).json()

    assert body["postcode"] == "DE22 1AA"
    assert body["targets"][0]["code"] == "E14000662"


def test_target_figures_are_the_defined_quantities(client):
    """distance_km: great-circle km to the seat centroid at 0.1 km; majority_pct: % of valid votes at 2 decimals;
    swing_needed: half the gap between winner's and our share (gain) or ours and the runner-up's (defend)."""
    body = get(client, postcode="DE22 1AA", election=2015, limit=20).json()
    election = Election.objects.get(year=2015)
    lat, lon = body["location"]["lat"], body["location"]["lon"]

    for target in body["targets"]:
        seat = Constituency.objects.get(boundary_set=election.boundary_set, code=target["code"])
        result = ConstituencyResult.objects.get(election=election, constituency=seat)
        assert target["distance_km"] == round(great_circle_km(lat, lon, seat.centroid_lat, seat.centroid_lon), 1)
        assert target["majority"] == result.majority
        assert target["majority_pct"] == round(100 * result.majority / result.valid_votes, 2)
        share = {party: 100 * votes / result.valid_votes for party, votes in result.party_votes.items()}
        if target["our_position"] == "defend":
            assert result.first_party == "Lab"
            expected = 100 * result.majority / result.valid_votes / 2
        else:
            assert result.first_party != "Lab"
            expected = (share[result.first_party] - share["Lab"]) / 2
        assert target["swing_needed"] == pytest.approx(expected, abs=0.0051)
        assert target["swing_needed"] <= 5  # the default swing window


def test_derby_north_2015_figures(client):
    """Conservative majority of 41 over Labour out of 44,745 valid votes: the closest of Labour's 2017 targets."""
    derby_north = get(client, postcode="DE22 1AA", election=2015).json()["targets"][0]

    assert derby_north["majority"] == 41
    assert derby_north["majority_pct"] == 0.09
    assert derby_north["swing_needed"] == 0.05
    assert derby_north["our_position"] == "gain"
    assert derby_north["distance_km"] < 5


def test_election_defaults_to_the_latest_imported(client):
    body = get(client, postcode="DE22 1AA").json()

    assert body["election"] == 2024
    assert body["constituency"] == {"code": "E14001193", "name": "Derby North", "approximate": False}


def test_an_election_that_was_not_imported_is_a_json_error(client):
    message = assert_error(get(client, postcode="DE22 1AA", election=2001), 404)

    assert "2015" in message and "2024" in message


def test_limit_defaults_to_5_and_allows_at_most_50(client):
    assert len(get(client, postcode="DE22 1AA", election=2015).json()["targets"]) == 5
    assert len(get(client, postcode="DE22 1AA", election=2015, limit=1).json()["targets"]) == 1
    assert len(get(client, postcode="DE22 1AA", election=2015, limit=50).json()["targets"]) == 50

    assert "limit" in assert_error(get(client, postcode="DE22 1AA", election=2015, limit=51), 400)
    assert "limit" in assert_error(get(client, postcode="DE22 1AA", election=2015, limit=0), 400)


@pytest.mark.parametrize("postcode", ["hello", "DE22 1AAA", "12345", "ZZ99 1AA", ""])
def test_an_invalid_postcode_is_400_with_a_json_error(client, postcode):
    assert_error(get(client, postcode=postcode), 400)


def test_a_missing_postcode_is_400_with_a_json_error(client):
    assert "postcode" in assert_error(client.get(LOOKUP), 400)


def test_an_unknown_full_postcode_in_a_known_district_falls_back_to_the_district(client):
    body = get(client, postcode="DE22 9ZZ", election=2015).json()

    assert body["postcode"] == "DE22 9ZZ"
    assert body["location"]["precision"] == "district"
    assert (body["location"]["lat"], body["location"]["lon"]) == pytest.approx(DE22, abs=1e-5)
    assert body["constituency"]["approximate"] is True
    assert len(body["targets"]) == 5


def test_a_district_alone_is_located_at_its_centroid(client):
    body = get(client, postcode="de22", election=2015).json()

    assert body["postcode"] == "DE22"
    assert body["location"]["precision"] == "district"
    assert body["constituency"]["approximate"] is True


@pytest.mark.parametrize("postcode", ["BT1 1AA", "BT1"])
def test_an_unknown_district_is_404_with_a_json_error(client, postcode):
    assert "BT1" in assert_error(get(client, postcode=postcode), 404)


def test_a_nearer_seat_removed_by_organisers_is_listed_as_excluded_with_its_reason(client):
    election = Election.objects.get(year=2015)
    erewash = Constituency.objects.get(boundary_set=election.boundary_set, code="E14000695")
    before = get(client, postcode="DE22 1AA", election=2015).json()
    assert "E14000695" in [t["code"] for t in before["targets"]]

    target_override_set(
        election=election, constituency=erewash, action=TargetOverride.Action.REMOVE, reason="Covered by a local group"
    )
    body = get(client, postcode="DE22 1AA", election=2015).json()

    assert "E14000695" not in [t["code"] for t in body["targets"]]
    assert len(body["targets"]) == 5
    [excluded] = body["excluded"]
    assert set(excluded) == EXCLUDED_KEYS
    assert excluded["code"] == "E14000695" and excluded["name"] == "Erewash"
    assert "Covered by a local group" in excluded["reason"]
    assert excluded["distance_km"] == next(t["distance_km"] for t in before["targets"] if t["code"] == "E14000695")


def test_openapi_schema_has_a_version_and_documents_the_lookup(client):
    response = client.get("/api/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["version"]
    operation = schema["paths"]["/api/nearest-marginal"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"postcode", "election", "limit"}
    limit = next(p for p in operation["parameters"] if p["name"] == "limit")
    assert (limit["schema"]["default"], limit["schema"]["maximum"]) == (5, 50)
    assert {"200", "400", "404", "429"} <= set(operation["responses"])
    assert "/api/ping" in schema["paths"]


def test_ping(client):
    response = client.get("/api/ping")

    assert response.status_code == 200
    assert response.json() == {"ok": True}


def test_ping_by_post_ignores_the_body_and_needs_no_csrf_token():
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/api/ping", '{"records": []}', content_type="application/json")

    assert response.status_code == 200 and response.json() == {"ok": True}


@pytest.fixture
def rate_of_3(monkeypatch):
    """Three requests per minute per client, in a fixed moment 15 s into a window (no flaky window edges)."""
    moment = (1_800_000_000 // ratelimit.WINDOW_SECONDS) * ratelimit.WINDOW_SECONDS + 15
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: moment))
    caches["ratelimit"].clear()
    with override_settings(GROUNDGAME_PUBLIC_API_RATE=3):
        yield
    caches["ratelimit"].clear()


@pytest.mark.usefixtures("rate_of_3")
def test_the_fourth_request_in_a_minute_from_one_client_gets_429_with_retry_after():
    one = Client(REMOTE_ADDR="192.0.2.1")
    for _ in range(3):
        assert get(one, postcode="DE22 1AA", election=2015).status_code == 200

    limited = get(one, postcode="DE22 1AA", election=2015)

    assert_error(limited, 429)
    assert 1 <= int(limited["Retry-After"]) <= ratelimit.WINDOW_SECONDS
    assert one.get("/api/ping").status_code == 429  # the limit covers every public endpoint


@pytest.mark.usefixtures("rate_of_3")
def test_another_client_is_not_affected_by_one_clients_limit():
    one, other = Client(REMOTE_ADDR="192.0.2.1"), Client(REMOTE_ADDR="192.0.2.2")
    for _ in range(4):
        one.get("/api/ping")
    assert one.get("/api/ping").status_code == 429

    for _ in range(3):
        response = other.get("/api/ping")
        assert response.status_code == 200
        assert "Retry-After" not in response


@pytest.mark.usefixtures("rate_of_3")
def test_the_limit_resets_in_the_next_window(monkeypatch):
    one = Client(REMOTE_ADDR="192.0.2.1")
    for _ in range(4):
        one.get("/api/ping")
    assert one.get("/api/ping").status_code == 429

    later = ratelimit.time.time() + ratelimit.WINDOW_SECONDS
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: later))

    assert one.get("/api/ping").status_code == 200
