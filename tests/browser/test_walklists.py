"""Walk lists in a real browser, at laptop size: an organiser cuts a polling district into lists, opens one list's
preview (the map's markers numbered in walking order, the doors beside it) and downloads its PDF walk sheet.

Like test_groups.py this writes, so it uses its committed-rows helpers; the campaign, its register copy and what
derives from it are deleted afterwards. Map tiles are answered by the test (a blank tile): nothing leaves the machine.

Screenshots of the lists page and the map preview (1280x800) go to /tmp/walklists-shots/ and to the screenshot
folder: refresh the docs' copies with
    GROUNDGAME_SCREENSHOTS=1 GROUNDGAME_DATA_DIR=../shared/data pytest tests/browser/test_walklists.py
"""

import math
import re
import struct
import zlib
from pathlib import Path

import pytest

from groundgame.canvassing.models import Address, Campaign, Elector, PollingDistrict, RegisterCopy, WalkList
from tests.canvassing.factories import CampaignFactory, current_copy

from . import test_groups
from .conftest import LAPTOP
from .test_groups import Committed, sign_in

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/walklists-shots")
TILES = "http://tiles.invalid/{z}/{x}/{y}.png"
LAT0, LON0 = 52.9290, -1.4930  # Derby, off Kedleston Road
STREETS = [  # name, doors, x, y (metres), bearing of the street (degrees from east)
    ("Kedleston Road", 96, 0, 0, 60),
    ("Belper Road", 34, 180, 40, 100),
    ("Cedar Street", 22, -150, 120, 10),
    ("Darley Grove", 14, -60, 330, -20),
    ("Empress Road", 40, 220, 320, 150),
    ("Otter Street", 12, 90, -120, 0),
]

db = test_groups.db
committed = test_groups.committed
new_page = test_groups.new_page


def png_tile() -> bytes:
    """A plain 256x256 light grey PNG: what the tile server answers here."""
    raw = b"".join(b"\x00" + b"\xe8\xe6\xe1" * 256 for _ in range(256))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 256, 256, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


@pytest.fixture
def campaign(committed, settings):
    """A committed campaign with one polling district of 218 doors on six streets; removed afterwards."""
    settings.GROUNDGAME_MAP_TILE_URL = TILES  # the live server runs in this process: it sees the override
    group = committed.group(name="Derby", slug="derby-walklists")
    campaign = CampaignFactory(host=group, name="Derby North by-election", slug="derby-north-walklists")
    district = PollingDistrict.objects.create(campaign=campaign, code="DN1", name="Kedleston")
    copy = current_copy(campaign)
    m_lat, m_lon = 1 / 111_195, 1 / (111_195 * math.cos(math.radians(LAT0)))
    rows = []
    for name, doors, x0, y0, bearing in STREETS:
        a = math.radians(bearing)
        for number in range(1, doors + 1):
            along, offset = (number // 2) * 9.0, (9.0 if number % 2 else -9.0)
            # Located by postcode: about a dozen neighbouring doors of one side share a point.
            along = (along // 54) * 54 + 27
            x = x0 + math.cos(a) * along - math.sin(a) * offset
            y = y0 + math.sin(a) * along + math.cos(a) * offset
            rows.append(
                Address(
                    campaign=campaign,
                    polling_district=district,
                    register_copy=copy,
                    key=f"{name}|{number}",
                    house_number=number,
                    street=name,
                    town="Derby",
                    postcode="DE22 1AA",
                    latitude=LAT0 + y * m_lat,
                    longitude=LON0 + x * m_lon,
                    location_quality=Address.LocationQuality.POSTCODE,
                )
            )
    addresses = Address.objects.bulk_create(rows)
    Elector.objects.bulk_create(
        Elector(
            campaign=campaign,
            polling_district=district,
            register_copy=copy,
            address=address,
            number=k + 1,
            first_names="Ann" if k % 2 else "Bilal",
            surname="Archer" if k % 2 else "Hussain",
        )
        for k, address in enumerate(addresses)
    )
    try:
        yield campaign
    finally:
        WalkList.objects.filter(campaign=campaign).delete()
        RegisterCopy.objects.filter(campaign=campaign).delete()  # its addresses and electors go with it
        Campaign.objects.filter(pk=campaign.pk).delete()


def shot(page, screenshot_dir, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=path, animations="disabled", caret="hide")
    page.screenshot(path=screenshot_dir / f"{name}.png", animations="disabled", caret="hide")
    return path


def test_organiser_cuts_previews_and_prints_walk_lists_on_a_laptop(
    committed: Committed, campaign, new_page, screenshot_dir, assert_no_sideways_scroll
):
    organiser = committed.organiser(campaign.host, first_name="Olu", last_name="Adeyemi")
    page = new_page(**LAPTOP)
    page.route("http://tiles.invalid/**", lambda route: route.fulfill(body=png_tile(), content_type="image/png"))
    district_path = f"/canvassing/{campaign.slug}/walk-lists/districts/DN1/"
    sign_in(page, organiser, district_path)
    assert "No walk lists yet" in page.locator("main").inner_text()

    page.get_by_label("Doors per list").fill("40")
    page.get_by_role("button", name="Cut walk lists").click()
    page.wait_for_url(f"**{district_path}")
    assert re.search(r"Cut 218 doors into \d+ draft lists", page.locator("main").inner_text())
    table = page.get_by_test_id("walk-lists")
    rows = table.locator("tbody tr")
    assert rows.count() >= 5
    assert "Kedleston Road" in table.inner_text() and "Otter Street" in table.inner_text()
    assert_no_sideways_scroll(page)
    assert shot(page, screenshot_dir, "walklists-district-laptop").stat().st_size > 20_000

    first = rows.first.locator("th a")
    name = first.inner_text()
    first.click()
    page.wait_for_url(re.compile(r"/walk-lists/[0-9a-f-]{36}/$"))
    assert page.get_by_role("heading", level=1).inner_text().startswith(name)
    markers = page.locator(".walklist-marker")
    markers.first.wait_for()
    assert markers.count() >= 2
    assert markers.first.inner_text().startswith("1")  # numbered in walking order, from the first door
    doors = page.locator(".walklist-stops li")
    walk_list = WalkList.objects.get(campaign=campaign, name=name)
    assert doors.count() == walk_list.stops.count()
    page.locator(".walklist-stops li").nth(3).hover()
    assert page.locator(".walklist-marker.is-active").count() == 1
    page.mouse.move(0, 0)
    assert_no_sideways_scroll(page)
    assert shot(page, screenshot_dir, "walklists-preview-laptop").stat().st_size > 20_000
    page.screenshot(path=SHOTS / "walklists-preview-full.png", full_page=True, animations="disabled", caret="hide")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the walk sheet (PDF)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("walk-sheet-dn1-") and download.suggested_filename.endswith(".pdf")
    body = Path(download.path()).read_bytes()
    assert body.startswith(b"%PDF-") and len(body) > 10_000  # DejaVu Sans is embedded (subset)
