"""The canvasser app in a real browser, at phone size: claim a walk list from its link, go offline, record 20 doors,
reload as after a crash (the service worker serves the app, IndexedDB still holds the records), come back online:
all 20 reach the server exactly once and the "not yet synced" count goes to zero. The taps are scripted one by one
and counted: "not in" takes 2 from the door list, a full conversation 6. A list handed back is wiped from the phone.

These write (a claim, the records), so the live server works inside the test's transaction
(`server_in_test_transaction`, from test_accounts.py). Screenshots (door list, a conversation, the unsynced bar) go
(and a door) go to the screenshot folder: refresh them with
    GROUNDGAME_SCREENSHOTS=1 GROUNDGAME_DATA_DIR=../shared/data pytest tests/browser/test_canvassing_app.py
"""

import re

import pytest
from django.test import Client
from django.urls import reverse

from groundgame.canvassing import access
from groundgame.canvassing.models import ContactRecord, WalkList
from tests.canvassing.canvasser import canvasser_for, ready_walk_list
from tests.canvassing.factories import ElectorFactory, SurveyFactory

from . import test_accounts
from .conftest import PHONE

pytestmark = pytest.mark.browser

# The live server inside this test's transaction (test_accounts.py explains why).
server_in_test_transaction = test_accounts.server_in_test_transaction

DOORS = 24
STREETS = ["Kedleston Road", "Otter Street"]
NOT_IN_TAPS = 3  # the most the issue allows
CONVERSATION_TAPS = 6


class Taps:
    """Clicks that count: every tap the canvasser makes goes through `tap`."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def tap(self, locator) -> None:
        locator.click()
        self.count += 1


def pending(page) -> int:
    return int(page.locator("#cv-sync").get_attribute("data-pending"))


def wait_pending(page, n: int) -> None:
    page.wait_for_function(f"document.getElementById('cv-sync').dataset.pending === '{n}'")


@pytest.fixture
def walk_list(db):
    walk_list = ready_walk_list(doors=DOORS, electors_per_door=1)
    for i, stop in enumerate(walk_list.stops.select_related("address").order_by("position")):
        address = stop.address
        address.street, address.house_number = STREETS[i * len(STREETS) // DOORS], 2 * i + 1
        address.save()
        if i % 3 == 0:  # some households of two
            ElectorFactory(campaign=walk_list.campaign, address=address)
    SurveyFactory(campaign=walk_list.campaign)
    return walk_list


def signed_in_phone(open_page, live_url, person):
    """A phone-sized page whose browser is signed in as `person` (a session made by Django's test client)."""
    client = Client()
    client.force_login(person.user)
    page = open_page("/canvassing/app/", **PHONE)  # any page of the site first, for the cookie's origin
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_url}])
    return page


def claim(page, walk_list) -> None:
    page.goto(reverse("canvassing:app_claim", args=[walk_list.uuid]))
    page.get_by_role("button", name="Start canvassing").click()
    page.wait_for_url(re.compile(rf"/canvassing/app/#/l/{walk_list.uuid}$"))
    page.locator(".cv-door").first.wait_for()
    # The service worker controls the page (it calls clients.claim() once it has kept the app's files).
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=10_000)


def test_twenty_doors_recorded_offline_survive_a_reload_and_reach_the_server_once(
    open_page,
    live_url,
    server_in_test_transaction,
    walk_list,
    screenshot_dir,
    assert_no_sideways_scroll,
):
    canvasser = canvasser_for(walk_list.campaign)
    page = signed_in_phone(open_page, live_url, canvasser)
    claim(page, walk_list)
    assert page.locator(".cv-door").count() == DOORS
    assert [t.strip() for t in page.locator(".cv-street h2").all_inner_texts()] == [s.upper() for s in STREETS]
    assert_no_sideways_scroll(page)
    page.screenshot(path=screenshot_dir / "canvass-doors.png", animations="disabled", caret="hide")

    page.context.set_offline(True)
    page.wait_for_function("!navigator.onLine")

    # A full conversation at the first door: the door, the person, how they vote, how sure, an issue, Save.
    taps = Taps(page)
    taps.tap(page.locator('[data-door="0"]'))
    taps.tap(page.locator(".cv-person").first)
    taps.tap(page.get_by_role("radio", name="Labour"))
    taps.tap(page.get_by_role("radio", name="4", exact=True))
    taps.tap(page.get_by_role("checkbox", name="NHS and care"))
    assert_no_sideways_scroll(page)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=screenshot_dir / "canvass-conversation.png", animations="disabled", caret="hide")
    taps.tap(page.get_by_role("button", name="Save"))
    page.locator(".cv-doors").wait_for()
    assert taps.count == CONVERSATION_TAPS
    wait_pending(page, 1)

    # "Not in" at the next 19 doors: the door, "Not in".
    for door in range(1, 20):
        taps = Taps(page)
        taps.tap(page.locator(f'[data-door="{door}"]'))
        if door == 1:
            page.get_by_role("button", name="Not in", exact=True).wait_for()
            assert_no_sideways_scroll(page)
            page.screenshot(path=screenshot_dir / "canvass-door.png", animations="disabled", caret="hide")
        taps.tap(page.get_by_role("button", name="Not in", exact=True))
        page.locator(".cv-doors").wait_for()
        assert taps.count <= NOT_IN_TAPS
        wait_pending(page, door + 1)
    assert page.locator(".cv-sync__count").inner_text() == "20 not yet synced"
    assert page.locator(".cv-door--done").count() == 20
    page.screenshot(path=screenshot_dir / "canvass-unsynced.png", animations="disabled", caret="hide")
    sent = set(page.evaluate(OUTBOX_IDS))
    assert len(sent) == 20
    assert not ContactRecord.objects.filter(walk_list=walk_list).exists()

    # A reload, still offline (as after a crash): the app warns first, then comes back from the service worker.
    dialogs = []

    def answer(dialog):
        dialogs.append(dialog.type)
        dialog.accept()

    page.on("dialog", answer)
    page.reload()
    page.locator(".cv-door").first.wait_for()
    assert dialogs == ["beforeunload"]
    wait_pending(page, 20)
    assert page.locator(".cv-door--done").count() == 20

    # Back online: everything goes, once.
    page.context.set_offline(False)
    wait_pending(page, 0)
    assert page.locator("#cv-sync-text").inner_text() == "All synced"  # online, nothing refused: no detail line
    stored = ContactRecord.objects.filter(walk_list=walk_list)
    assert stored.count() == 20
    assert {str(pk) for pk in stored.values_list("id", flat=True)} == sent
    assert set(page.evaluate(OUTBOX_IDS)) == set()
    spoke = stored.get(outcome="spoke")
    assert (spoke.intention, spoke.certainty, spoke.issues, spoke.canvasser) == ("Lab", 4, ["nhs"], canvasser)
    assert stored.filter(outcome="not_in", elector__isnull=True).count() == 19


def test_a_list_handed_back_elsewhere_is_wiped_from_the_phone(
    open_page,
    live_url,
    server_in_test_transaction,
    walk_list,
):
    canvasser = canvasser_for(walk_list.campaign)
    page = signed_in_phone(open_page, live_url, canvasser)
    claim(page, walk_list)
    page.locator('[data-door="0"]').click()
    page.get_by_role("button", name="Not in", exact=True).click()
    page.locator(".cv-door--done").wait_for()
    wait_pending(page, 0)
    assert ContactRecord.objects.filter(walk_list=walk_list).count() == 1
    assert page.evaluate(COUNT_ROWS) == {"lists": 1, "outbox": 0, "visits": 1, "rejected": 0}

    # An organiser revokes the phone's access; the app hears it the next time it opens.
    access.walk_list_release(walk_list=WalkList.objects.get(pk=walk_list.pk), acting=None, reason="phone lost")
    page.reload()
    page.get_by_role("heading", name="Walk lists on this phone").wait_for()
    assert page.get_by_role("alert").inner_text().startswith("This walk list was removed from this phone")
    assert page.evaluate(COUNT_ROWS) == {"lists": 0, "outbox": 0, "visits": 0, "rejected": 0}


OUTBOX_IDS = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open("groundgame-canvass");
  open.onsuccess = () => {
    const request = open.result.transaction("outbox").objectStore("outbox").getAllKeys();
    request.onsuccess = () => { open.result.close(); resolve(request.result); };
    request.onerror = () => reject(request.error);
  };
})"""

COUNT_ROWS = """() => new Promise((resolve) => {
  const open = indexedDB.open("groundgame-canvass");
  open.onsuccess = () => {
    const names = ["lists", "outbox", "visits", "rejected"];
    const tx = open.result.transaction(names);
    const counts = {};
    for (const name of names) tx.objectStore(name).count().onsuccess = (e) => { counts[name] = e.target.result; };
    tx.oncomplete = () => { open.result.close(); resolve(counts); };
  };
})"""
