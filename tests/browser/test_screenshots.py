"""Screenshots of the main pages at phone and laptop size, for docs/screenshots/.

Refresh the pictures with:
    GROUNDGAME_SCREENSHOTS=1 GROUNDGAME_DATA_DIR=../shared/data pytest tests/browser -k screenshot
(without GROUNDGAME_SCREENSHOTS they go to a temporary folder: the pages are still rendered and checked)."""

import pytest

pytestmark = pytest.mark.browser


def _save(page, folder, name: str, **options) -> None:
    path = folder / name
    page.screenshot(path=path, animations="disabled", caret="hide", **options)
    assert path.stat().st_size > 5_000, f"{name} looks blank"


def test_screenshot_home_on_a_phone(phone_page, screenshot_dir):
    page = phone_page("/")
    _save(page, screenshot_dir, "home-phone.png")


def test_screenshot_find_on_a_phone_after_a_lookup(phone_page, screenshot_dir):
    page = phone_page("/find/")
    page.get_by_label("Your postcode").fill("DE22 1AA")
    page.locator("summary", has_text="earlier election").click()
    page.get_by_label("Base election").select_option("2015")
    page.get_by_role("button", name="Find seats").click()
    page.wait_for_url("**/find/?*")
    assert page.locator("li.target").count() >= 5
    # The form, the seat the person is in and the first targets: a tall phone screen, not the whole list.
    _save(page, screenshot_dir, "find-phone.png", clip={"x": 0, "y": 0, "width": 390, "height": 1400}, full_page=True)


def _bottom(locator) -> float:
    box = locator.bounding_box()
    return box["y"] + box["height"]


def test_screenshot_hexmap_on_a_laptop(laptop_page, screenshot_dir):
    """The whole map (taller than a laptop screen), with Derby North's details shown as on hover."""
    page = laptop_page("/map/?election=2015")
    hexes = page.locator("svg[data-testid='hexmap'] .hex")
    assert hexes.count() == 650
    hexes.and_(page.locator("[data-code='E14000662']")).hover()
    _save(page, screenshot_dir, "hexmap-laptop.png", full_page=True)


def test_screenshot_hexmap_on_a_phone(phone_page, screenshot_dir):
    """From the title to the bottom of the map."""
    page = phone_page("/map/?election=2015")
    hexmap = page.locator("svg[data-testid='hexmap']")
    assert hexmap.locator(".hex").count() == 650
    clip = {"x": 0, "y": 0, "width": 390, "height": _bottom(hexmap) + 16}
    _save(page, screenshot_dir, "hexmap-phone.png", full_page=True, clip=clip)


def test_screenshot_constituency_on_a_laptop(laptop_page, screenshot_dir):
    """Headline facts, the results history chart and the map."""
    page = laptop_page("/constituencies/2010/E14000662/")
    chart = page.locator("svg[data-testid='results-chart']")
    assert chart.is_visible()
    clip = {"x": 0, "y": 0, "width": 1280, "height": _bottom(chart) + 120}
    _save(page, screenshot_dir, "constituency-laptop.png", full_page=True, clip=clip)


def test_screenshot_constituency_on_a_phone(phone_page, screenshot_dir):
    """One phone screen from the "Results history" heading: the chart and the start of its table."""
    page = phone_page("/constituencies/2010/E14000662/")
    chart = page.locator("svg[data-testid='results-chart']")
    assert chart.is_visible()
    top = page.get_by_role("heading", name="Results history").bounding_box()["y"] - 16
    _save(
        page,
        screenshot_dir,
        "constituency-phone.png",
        full_page=True,
        clip={"x": 0, "y": top, "width": 390, "height": 844},
    )
