"""Polling-day pages for an organiser and a volunteer: set-up, the dashboard (page, fragment, JSON), choosing a
station (a pass, handed over in the URL fragment), committee rooms, knock-up marks (htmx and plain) and lifts."""

import pytest
from django.test import Client
from django.urls import reverse

from groundgame.canvassing.models import RegisterAccess
from groundgame.pollingday import selectors, services
from groundgame.pollingday.models import KnockUpMark, PollingDayPlan, PollingLift, TellerPass
from tests.canvassing.factories import CampaignFactory

from .world import build

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build(districts=2, electors=80, volunteers=2)


@pytest.fixture
def organiser(world):
    client = Client()
    client.force_login(world.organiser.user)
    return client


@pytest.fixture
def volunteer(world):
    person = world.volunteers[0]
    RegisterAccess.objects.create(campaign=world.campaign, person=person)
    client = Client()
    client.force_login(person.user)
    return client


def test_an_organiser_sets_up_polling_day_for_a_campaign(world, organiser):
    campaign = CampaignFactory(host=world.group)
    page = organiser.get(reverse("pollingday:plan", args=[campaign.slug]))
    assert page.status_code == 200 and "Set up polling day" in page.content.decode()
    done = organiser.post(
        reverse("pollingday:plan", args=[campaign.slug]), {"promise_intentions": ["Lab"], "promise_min_certainty": 5}
    )
    assert done.status_code == 302
    plan = PollingDayPlan.objects.get(campaign=campaign)
    assert (plan.promise_intentions, plan.promise_min_certainty, plan.rehearsal) == (["Lab"], 5, True)
    refused = organiser.post(
        reverse("pollingday:plan", args=[CampaignFactory(host=world.group).slug]),
        {"promise_intentions": ["Nope"], "promise_min_certainty": 5},
    )
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()


def test_the_plan_page_lists_districts_stations_rooms_and_promises(world, organiser):
    page = organiser.get(reverse("pollingday:plan", args=[world.campaign.slug])).content.decode()
    assert "Second committee room" in page and "Rehearsal." in page
    assert f"{world.promises} promises" in page


def test_the_dashboard_page_fragment_and_json_agree(world, organiser):
    url = reverse("pollingday:dashboard", args=[world.campaign.slug])
    page = organiser.get(url)
    assert 'hx-trigger="every 15s"' in page.content.decode()
    fragment = organiser.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and "Turnout among promises" in fragment
    data = organiser.get(url, {"format": "json"}).json()
    board = selectors.dashboard(world.plan)
    assert data["total"]["promises"] == board.total.promises and data["rehearsal"] is True
    assert [r["name"] for r in data["rooms"]] == sorted(r.room.name for r in board.rooms)


def test_choosing_a_station_gives_the_phone_a_pass_in_the_url_fragment(world, volunteer):
    station = world.plan.stations.order_by("name").first()
    page = volunteer.get(reverse("pollingday:tell", args=[world.campaign.slug]))
    assert station.name in page.content.decode()
    done = volunteer.post(reverse("pollingday:tell", args=[world.campaign.slug]), {"station": station.pk})
    teller_pass = TellerPass.objects.get()
    assert done["Location"].startswith(f"{reverse('pollingday:app')}#pass={teller_pass.uuid}&token=")
    token = done["Location"].split("token=")[1]
    assert services.teller_pass_for_token(token) == teller_pass and teller_pass.person == world.volunteers[0]
    app = Client().get(reverse("pollingday:app")).content.decode()
    assert "groundgame-telling" not in app and "tl-config" in app  # the shell carries no data


def test_knock_up_marks_by_htmx_and_by_plain_form_and_lifts_in_the_room(world, organiser, volunteer):
    room = world.plan.committee_rooms.order_by("pk").first()
    assert organiser.post(reverse("pollingday:round_create", args=[world.campaign.slug, room.pk])).status_code == 302
    knock_up_list = room.rounds.get().lists.first()
    url = reverse("pollingday:knock_up", args=[world.campaign.slug, knock_up_list.uuid])
    page = volunteer.get(url).content.decode()
    promises = [p for d in selectors.knock_up_doors(knock_up_list) for p in d.promises]
    assert all(p["name"] in page for p in promises)
    mark = reverse("pollingday:knock_up_mark", args=[world.campaign.slug, knock_up_list.uuid])
    first, second = promises[0]["elector_id"], promises[1]["elector_id"]
    fragment = volunteer.post(mark, {"elector": first, "outcome": "voted"}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "Has voted" in fragment.content.decode()
    plain = volunteer.post(mark, {"elector": second, "outcome": "lift"})
    assert plain.status_code == 302 and plain["Location"].endswith(f"#elector-{second}")
    assert set(KnockUpMark.objects.values_list("elector_id", "outcome")) == {(first, "voted"), (second, "lift")}
    room_page = volunteer.get(reverse("pollingday:room", args=[world.campaign.slug, room.pk])).content.decode()
    lift = PollingLift.objects.get()
    assert "I&#x27;ll drive" in room_page or "I'll drive" in room_page
    volunteer.post(reverse("pollingday:lift_update", args=[world.campaign.slug, lift.pk]), {"status": "taken"})
    lift.refresh_from_db()
    assert lift.status == "taken" and lift.driver == world.volunteers[0]


def test_going_live_from_the_page(world, organiser):
    organiser.post(reverse("pollingday:mode_set", args=[world.campaign.slug]), {"mode": "live"})
    world.plan.refresh_from_db()
    assert world.plan.rehearsal is False
