"""Polling day on a phone (390x844): a teller takes numbers at a station, offline included, undoes one and sees an
unknown number flagged; a knocker works a knock-up list with one tap per promise; the organiser's dashboard counts
them. Screenshots go to the screenshot folder (GROUNDGAME_SCREENSHOTS=1 to refresh docs/screenshots/)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from groundgame.canvassing.models import Elector, RegisterAccess
from groundgame.pollingday import selectors, services
from groundgame.pollingday.models import KnockUpMark, Promise, TellingEntry
from tests.pollingday.world import build

from . import test_accounts
from .conftest import LAPTOP, PHONE

pytestmark = pytest.mark.browser

server_in_test_transaction = test_accounts.server_in_test_transaction


@pytest.fixture
def world(db):
    world = build(districts=1, electors=60, volunteers=2, seed=3)
    RegisterAccess.objects.create(campaign=world.campaign, person=world.volunteers[0])
    return world


def signed_in(open_page, live_url, person, path, **options):
    client = Client()
    client.force_login(person.user)
    page = open_page("/pollingday/tell/", **options)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_url}])
    page.goto(path)
    return page


def wait_pending(page, n: int) -> None:
    page.wait_for_function(f"document.getElementById('tl-sync').dataset.pending === '{n}'")


def take(page, text: str) -> None:
    page.get_by_label("Elector number").fill(text)
    page.get_by_label("Elector number").press("Enter")


def test_a_teller_takes_numbers_offline_undoes_one_and_they_reach_the_committee_room_once(
    open_page, live_url, server_in_test_transaction, world, screenshot_dir, assert_no_sideways_scroll
):
    teller = world.volunteers[0]
    page = signed_in(open_page, live_url, teller, reverse("pollingday:tell", args=[world.campaign.slug]), **PHONE)
    page.get_by_role("button", name="Start telling on this phone").click()
    page.wait_for_url(re.compile(r"/pollingday/tell/#pass=[0-9a-f-]+$"))
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=10_000)
    station = world.plan.stations.get()
    assert page.locator("#tl-title").inner_text() == station.name
    assert page.get_by_test_id("rehearsal-banner").count() == 0 and page.locator("#tl-rehearsal").is_visible()
    code = selectors.station_districts(station)[0]
    electors = list(Elector.objects.filter(campaign=world.campaign, suffix=0).order_by("number")[:8])

    # Online: a number is sent at once; a malformed one is refused on the phone; an unknown one is flagged.
    take(page, str(electors[0].number))
    wait_pending(page, 0)
    take(page, "12a")
    assert "Not an elector number" in page.locator("#tl-message").inner_text()
    assert page.get_by_label("Elector number").input_value() == "12a"
    take(page, "9999")
    page.locator('.tl-entry[data-status="unknown"]').wait_for()
    assert "not on the register" in page.locator("#tl-message").inner_text()

    # Offline: five more in every form, kept on the phone; undo the last; reload from the service worker.
    page.context.set_offline(True)
    page.wait_for_function("!navigator.onLine")
    forms = [str(electors[1].number), f"{code}-{electors[2].number}", f"{electors[3].number}/0"[:-2],
             f"{code.lower()}-{electors[4].number}", str(electors[5].number)]  # fmt: skip
    for text in forms:
        take(page, text)
    wait_pending(page, 5)
    assert_no_sideways_scroll(page)
    page.screenshot(path=screenshot_dir / "telling-offline.png", animations="disabled", caret="hide")
    page.get_by_role("button", name=f"Undo {code}-{electors[5].number}").click()
    wait_pending(page, 6)
    assert page.get_by_role("button", name=re.compile("^Undo")).count() == 3  # the last three still standing
    page.on("dialog", lambda dialog: dialog.accept())
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    wait_pending(page, 6)
    assert TellingEntry.objects.count() == 2

    page.context.set_offline(False)
    wait_pending(page, 0)
    told = TellingEntry.objects.filter(kind="tell")
    assert told.count() == 7 and TellingEntry.objects.filter(kind="undo").count() == 1
    voted = selectors.voted_elector_ids(world.plan)
    assert voted == {e.pk for e in electors[:5]}
    assert told.filter(elector__isnull=True).get().text == "9999"
    page.screenshot(path=screenshot_dir / "telling-synced.png", animations="disabled", caret="hide")


def test_a_knocker_works_a_knock_up_list_and_the_dashboard_counts_it(
    open_page, live_url, server_in_test_transaction, world, screenshot_dir, assert_no_sideways_scroll
):
    room = world.plan.committee_rooms.order_by("pk").first()
    knock_up_list = services.knock_up_round_create(committee_room=room, acting=None).lists.order_by("position").first()
    promises = [p for d in selectors.knock_up_doors(knock_up_list) for p in d.promises]
    page = signed_in(
        open_page, live_url, world.volunteers[0],
        reverse("pollingday:knock_up", args=[world.campaign.slug, knock_up_list.uuid]), **PHONE,
    )  # fmt: skip
    assert page.get_by_test_id("promise").count() == len(promises)
    assert_no_sideways_scroll(page)
    page.screenshot(path=screenshot_dir / "knock-up-list.png", animations="disabled", caret="hide")
    first, second = (page.locator(f"#elector-{p['elector_id']}") for p in promises[:2])
    url = page.url
    first.get_by_role("button", name="Has voted").click()
    page.locator(f"#elector-{promises[0]['elector_id']}.knock-promise--voted").wait_for()
    assert first.locator(".knock-promise__state").inner_text() == "Has voted"
    assert first.get_by_role("button", name="Has voted").get_attribute("aria-pressed") == "true"  # can be corrected
    second.get_by_role("button", name="Needs a lift").click()
    page.locator(f"#elector-{promises[1]['elector_id']}").get_by_text("Lift asked for").wait_for()
    assert page.url == url  # no page load: htmx swapped the promise in place
    assert set(KnockUpMark.objects.values_list("outcome", flat=True)) == {"voted", "lift"}

    organiser = signed_in(
        open_page, live_url, world.organiser, reverse("pollingday:dashboard", args=[world.campaign.slug]), **LAPTOP
    )
    board = organiser.get_by_test_id("dashboard")
    station_promises = Promise.objects.filter(plan=world.plan, postal=False).count()
    assert organiser.get_by_test_id("total-voted").inner_text() == f"1 / {station_promises}"
    assert "1 lift waiting for a driver" in board.inner_text()
    organiser.screenshot(path=screenshot_dir / "polling-day-dashboard.png", animations="disabled", full_page=True)
