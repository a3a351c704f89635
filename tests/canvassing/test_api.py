"""The canvasser app's API (download, sync, hand back) and its pages (shell, manifest, service worker)."""

import datetime
import gzip
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from groundgame.canvassing import access
from groundgame.canvassing.models import ContactRecord, WalkList
from groundgame.core.models import AuditEvent
from tests.canvassing.canvasser import claimed_walk_list, record
from tests.canvassing.factories import ContactRecordFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def claimed():
    return claimed_walk_list(doors=3, electors_per_door=2)


def download_url(claimed) -> str:
    return reverse("api:canvass_walk_list", args=[claimed.walk_list.uuid])


def sync_url(claimed) -> str:
    return reverse("api:canvass_sync", args=[claimed.walk_list.uuid])


def post_batch(client, claimed, records, **headers):
    return client.post(
        sync_url(claimed),
        json.dumps({"records": records}),
        content_type="application/json",
        **(headers or claimed.headers()),
    )


# --- download --------------------------------------------------------------------------------------------------


def test_download_gives_the_doors_in_walking_order_with_electors_and_the_survey(client, claimed):
    response = client.get(download_url(claimed), **claimed.headers())
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    data = response.json()
    assert data["format"] == 1
    assert data["walk_list"]["id"] == str(claimed.walk_list.uuid)
    assert data["walk_list"]["expires_at"] == claimed.walk_list.token_expires_at.isoformat()
    assert [d["id"] for d in data["doors"]] == [str(a.uuid) for a in claimed.doors]
    first = data["doors"][0]
    address = claimed.doors[0]
    assert first["house"] == str(address.house_number) and first["street"] == address.street
    assert [e["id"] for e in first["electors"]] == [str(e.uuid) for e in address.electors.order_by("number")]
    assert data["survey"]["version"] == claimed.survey.version
    assert {"outcomes", "intentions", "certainty", "issues", "follow_ups"} <= set(data["survey"])


def test_download_holds_only_what_the_doorstep_needs(client, claimed):
    elector = claimed.doors[0].electors.first()
    elector.postal_voter = True
    elector.attainer_date = datetime.date(2027, 1, 2)
    elector.save()
    data = client.get(download_url(claimed), **claimed.headers()).json()
    person = data["doors"][0]["electors"][0]
    assert person == {"id": str(elector.uuid), "name": f"{elector.first_names} {elector.surname}", "postal": True}
    text = json.dumps(data)
    for absent in ("2027-01-02", elector.elector_number, "latitude", "notes", str(claimed.canvasser.email)):
        assert absent not in text


def test_download_gives_each_electors_and_doors_previous_contact(client, claimed):
    door = claimed.doors[1]
    elector = door.electors.order_by("number").first()
    when = timezone.now() - datetime.timedelta(days=3)
    ContactRecordFactory(elector=elector, intention="Green", certainty=2, recorded_at=when, notes="private")
    ContactRecordFactory(address=door, outcome="not_in", intention="", certainty=None, recorded_at=when)
    data = client.get(download_url(claimed), **claimed.headers()).json()
    day = timezone.localdate(when).isoformat()
    assert data["doors"][1]["last"] == {"outcome": "not_in", "on": day}
    assert data["doors"][1]["electors"][0]["last"] == {
        "outcome": "spoke",
        "on": day,
        "intention": "Green",
        "certainty": 2,
    }
    assert "private" not in json.dumps(data)


def test_download_takes_the_same_few_queries_for_any_list(client, django_assert_max_num_queries):
    big = claimed_walk_list(doors=30, electors_per_door=2)
    client.get(download_url(big), **big.headers())  # URL and schema caches warmed
    with django_assert_max_num_queries(7):
        assert client.get(download_url(big), **big.headers()).status_code == 200


def test_a_fifty_door_download_is_at_most_20_kb_gzipped(client):
    big = claimed_walk_list(doors=50, electors_per_door=2)
    response = client.get(download_url(big), HTTP_ACCEPT_ENCODING="gzip", **big.headers())
    assert response["Content-Encoding"] == "gzip"
    assert len(response.content) <= 20 * 1024
    assert len(json.loads(gzip.decompress(response.content))["doors"]) == 50


# --- who gets in -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer nope", "Basic abc", "bearer x y"])
def test_without_the_lists_token_the_answer_is_401(client, claimed, header):
    headers = {"HTTP_AUTHORIZATION": header} if header else {}
    assert client.get(download_url(claimed), **headers).status_code == 401
    assert post_batch(client, claimed, [record(claimed)], **(headers or {"HTTP_X": "1"})).status_code == 401
    assert not ContactRecord.objects.exists()


def test_a_session_is_not_a_token(client, claimed):
    client.force_login(claimed.canvasser.user)
    assert client.get(download_url(claimed)).status_code == 401


def test_a_token_opens_only_its_own_list(client, claimed):
    other = claimed_walk_list(doors=1)
    response = client.get(download_url(other), **claimed.headers())
    assert response.status_code == 403
    assert post_batch(client, other, [record(other)], **claimed.headers()).status_code == 403


def test_a_released_list_answers_410_and_its_records_are_refused(client, claimed):
    access.walk_list_release(walk_list=claimed.walk_list, acting=claimed.canvasser)
    assert client.get(download_url(claimed), **claimed.headers()).status_code == 410
    response = post_batch(client, claimed, [record(claimed)])
    assert response.status_code == 410 and "detail" in response.json()
    assert not ContactRecord.objects.exists()


def test_a_replaced_token_answers_401(client, claimed):
    access.walk_list_claim(walk_list=claimed.walk_list, person=claimed.canvasser, acting=claimed.canvasser)
    assert client.get(download_url(claimed), **claimed.headers()).status_code == 401


def test_an_expired_list_no_longer_downloads_but_still_takes_records_made_before(client, claimed):
    WalkList.objects.filter(pk=claimed.walk_list.pk).update(
        token_expires_at=timezone.now() - datetime.timedelta(hours=2)
    )
    assert client.get(download_url(claimed), **claimed.headers()).status_code == 410
    late = record(claimed)
    assert post_batch(client, claimed, [late]).json()["acknowledged"] == [late["id"]]


# --- sync ------------------------------------------------------------------------------------------------------


def test_sync_acknowledges_ids_and_reports_errors_per_record(client, claimed):
    good, bad = record(claimed, door=0), record(claimed, door=1, outcome="nope")
    response = post_batch(client, claimed, [good, bad])
    assert response.status_code == 200
    assert response.json() == {
        "acknowledged": [good["id"]],
        "errors": [{"index": 1, "id": bad["id"], "error": response.json()["errors"][0]["error"]}],
    }
    assert response.json()["errors"][0]["error"].startswith("outcome:")
    again = post_batch(client, claimed, [good])
    assert again.json() == {"acknowledged": [good["id"]], "errors": []}
    assert ContactRecord.objects.count() == 1


def test_sync_refuses_a_body_that_is_not_a_batch(client, claimed):
    response = client.post(sync_url(claimed), "{", content_type="application/json", **claimed.headers())
    assert response.status_code == 400 and response.json() == {"detail": "body: not JSON"}


def test_sync_audits_one_row_per_batch(client, claimed):
    post_batch(client, claimed, [record(claimed, door=d) for d in range(3)])
    assert AuditEvent.objects.filter(action="contact_record.sync").count() == 1


# --- hand back -------------------------------------------------------------------------------------------------


def test_the_canvasser_hands_the_list_back_and_the_token_stops_working(client, claimed):
    url = reverse("api:canvass_release", args=[claimed.walk_list.uuid])
    response = client.post(url, json.dumps({"done": True}), content_type="application/json", **claimed.headers())
    assert response.status_code == 200 and response.json() == {"released": True, "status": "done"}
    assert client.get(download_url(claimed), **claimed.headers()).status_code == 410
    assert client.post(url, "{}", content_type="application/json", **claimed.headers()).status_code == 410
    event = AuditEvent.objects.get(action="walk_list.release")
    assert event.actor_id == claimed.canvasser.user_id


def test_hand_back_without_a_body_keeps_the_list_ready(client, claimed):
    url = reverse("api:canvass_release", args=[claimed.walk_list.uuid])
    assert client.post(url, **claimed.headers()).json()["status"] == "ready"


def test_the_endpoints_are_in_the_openapi_document_with_bearer_auth(client):
    schema = client.get(reverse("api:openapi-json")).json()
    paths = schema["paths"]
    assert {"get"} <= set(paths["/api/canvass/walk-lists/{walk_list_id}"])
    sync_op = paths["/api/canvass/walk-lists/{walk_list_id}/sync"]["post"]
    assert sync_op["security"] == [{"WalkListKey": []}]
    items = sync_op["requestBody"]["content"]["application/json"]["schema"]["properties"]["records"]["items"]
    assert {"id", "address", "elector", "survey", "recorded_at", "outcome"} <= set(items["properties"])
    assert schema["components"]["securitySchemes"]["WalkListKey"] == {"type": "http", "scheme": "bearer"}


# --- the app's pages -------------------------------------------------------------------------------------------


def test_the_app_shell_is_the_same_for_everyone_and_holds_no_personal_data(client, claimed):
    anonymous = client.get(reverse("canvassing:app"))
    assert anonymous.status_code == 200
    client.force_login(claimed.canvasser.user)
    signed_in = client.get(reverse("canvassing:app"))
    strip = lambda r: re.sub(rb"\s+", b" ", r.content)  # noqa: E731
    assert strip(anonymous) == strip(signed_in)
    assert b"csrfmiddlewaretoken" not in signed_in.content
    assert claimed.canvasser.email.encode() not in signed_in.content
    assert b'type="importmap"' in signed_in.content and b'rel="manifest"' in signed_in.content


def test_the_manifest_makes_the_app_installable(client):
    response = client.get(reverse("canvassing:app_manifest"))
    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    app = reverse("canvassing:app")
    assert manifest["start_url"] == manifest["scope"] == app and manifest["display"] == "standalone"
    assert {"192x192", "512x512"} <= {icon["sizes"] for icon in manifest["icons"]}


def test_the_service_worker_covers_the_app_and_keeps_its_files(client):
    response = client.get(reverse("canvassing:app_service_worker"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == reverse("canvassing:app")
    assert response["Cache-Control"] == "no-cache"
    text = response.content.decode()
    precache = json.loads(re.search(r"^const PRECACHE = (.*);$", text, re.M)[1])
    assert reverse("canvassing:app") in precache
    assert any(url.endswith("canvassing/app/app.js") for url in precache)
    assert any(url.endswith("canvassing/app/db.js") for url in precache)
    assert reverse("canvassing:app_service_worker").startswith(reverse("canvassing:app"))  # scope covers the shell
    assert "/api/" not in text.split("const PRECACHE", 1)[1].split("\n", 1)[0]
