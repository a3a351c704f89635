"""The target-seat hex cartogram: 650 equal hexes, reachable by keyboard, tappable on a phone."""

import re

import pytest

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed").expect

HEXES = "svg[data-testid='hexmap'] .hex[data-code]"


def _codes(boundary_set: str) -> set[str]:
    from groundgame.places.models import Constituency

    return set(Constituency.objects.filter(boundary_set__slug=boundary_set).values_list("code", flat=True))


def _name(boundary_set: str, code: str) -> str:
    from groundgame.places.models import Constituency

    return Constituency.objects.get(boundary_set__slug=boundary_set, code=code).name


@pytest.mark.parametrize(("year", "boundary_set"), [("2015", "2010"), ("2024", "2024")])
def test_hexmap_draws_one_hex_for_each_of_the_650_seats(laptop_page, year, boundary_set):
    page = laptop_page(f"/map/?election={year}")
    hexes = page.locator(HEXES)
    assert hexes.count() == 650
    codes = hexes.evaluate_all("els => els.map(e => e.dataset.code)")
    assert len(set(codes)) == 650, "no seat is drawn twice"
    assert set(codes) == _codes(boundary_set), f"the hexes are the {boundary_set} constituencies"


def test_hexmap_fits_a_phone_screen_without_sideways_scrolling(phone_page, assert_no_sideways_scroll):
    page = phone_page("/map/?election=2015")
    assert page.locator(HEXES).count() == 650
    assert_no_sideways_scroll(page)
    box = page.locator("svg[data-testid='hexmap']").bounding_box()
    assert box["width"] <= 390


def test_focusing_a_hex_with_the_keyboard_shows_its_details(laptop_page):
    page = laptop_page("/map/?election=2015")
    for _ in range(40):
        page.keyboard.press("Tab")
        code = page.evaluate(
            """() => {
                const map = document.querySelector("[data-testid='hexmap']");
                const el = document.activeElement;
                if (!el || el === map || !map.contains(el)) return null;
                const hex = el.closest("[data-code]") || el.querySelector("[data-code]");
                return hex ? hex.dataset.code : null;
            }"""
        )
        if code:
            break
    else:
        pytest.fail("Tab never reached a hex on the map")

    name = _name("2010", code)
    panel = page.locator("[aria-live]").filter(has_text=name)
    expect(panel, "the live details panel names the focused seat").to_have_count(1)
    expect(panel.get_by_text(name, exact=True)).to_be_visible()


def test_clicking_a_hex_opens_its_constituency_page(laptop_page):
    page = laptop_page("/map/?election=2015")
    page.locator(f"{HEXES}[data-code='E14000662']").click()
    page.wait_for_url("**/constituencies/2010/E14000662/")
    assert page.get_by_role("heading", level=1).inner_text() == "Derby North"


def test_tapping_a_hex_on_a_phone_opens_its_constituency_page(phone_page):
    """A tap may first show the details (no hover on touch screens); a second tap on the same hex must navigate."""
    page = phone_page("/map/?election=2024")
    hex_ = page.locator(f"{HEXES}[data-code='E14001193']")
    hex_.tap()
    if not re.search(r"/constituencies/2024/E14001193/$", page.url):
        hex_.tap()
    page.wait_for_url("**/constituencies/2024/E14001193/")
    assert page.get_by_role("heading", level=1).inner_text() == "Derby North"
