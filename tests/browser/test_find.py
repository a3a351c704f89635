"""Find where you're needed, as a volunteer on a phone would use it (real 2015-2024 data)."""

import re

import pytest

pytestmark = pytest.mark.browser


def _look_up(page, postcode: str, *, election: str | None = None) -> None:
    """Fill the form as a person would: type, open "Base election" if a year is wanted, press the button."""
    page.get_by_label("Your postcode").fill(postcode)
    if election:
        details = page.locator("details", has=page.locator("summary", has_text="earlier election"))
        if details.get_attribute("open") is None:
            details.locator("summary").click()
        details.get_by_label("Base election").select_option(election)
    page.get_by_role("button", name="Find seats").click()
    page.wait_for_url(re.compile(r"/find/\?"))


def test_phone_lookup_of_de22_1aa_on_2015_lists_derby_north_first(phone_page):
    """A 2017 campaigner in Derby (base: the 2015 result) is sent to Derby North first, 41 votes short."""
    page = phone_page("/find/")
    _look_up(page, "de22 1aa", election="2015")

    assert page.get_by_role("heading", level=2).first.inner_text() == "Nearest targets to DE22 1AA (base: 2015 result)"
    assert "You are in Derby North." in page.locator("#find-results").inner_text()
    cards = page.locator("ol.target-list li.target")
    assert cards.count() >= 5
    first = cards.first
    assert first.locator(".target__name").inner_text() == "Derby North"
    assert first.locator(".target__distance").inner_text() == "1.2 km"
    assert "Gain" in first.locator(".badge").inner_text()
    assert "41 votes" in first.locator(".target__reason").inner_text()
    distances = [float(t.removesuffix(" km")) for t in cards.locator(".target__distance").all_inner_texts()]
    assert distances == sorted(distances), "targets are listed nearest first"
    first.get_by_role("link", name="Derby North").click()
    page.wait_for_url("**/constituencies/2010/E14000662/")


def test_find_results_fit_a_phone_screen_without_sideways_scrolling(phone_page, assert_no_sideways_scroll):
    page = phone_page("/find/?postcode=DE22+1AA&election=2015")
    assert page.locator("li.target").count() >= 5
    assert_no_sideways_scroll(page)
    button = page.get_by_role("button", name="Find seats").bounding_box()
    assert button["height"] >= 44, "the submit button is a comfortable touch target"


def test_invalid_postcode_shows_an_error_announced_and_linked_to_the_field(phone_page):
    page = phone_page("/find/")
    _look_up(page, "XYZ 123")

    error = page.get_by_role("alert")
    assert error.is_visible()
    assert "Enter a UK postcode like DE22 1AA" in error.inner_text()
    field = page.get_by_label("Your postcode")
    assert field.get_attribute("aria-invalid") == "true"
    assert error.get_attribute("id") in field.get_attribute("aria-describedby").split()
    assert field.input_value() == "XYZ 123", "what the person typed is kept so they can correct it"
    assert page.locator("li.target").count() == 0


@pytest.mark.parametrize("postcode", ["DE22", "DE22 9ZZ"], ids=["district", "unknown-postcode-in-known-district"])
def test_district_only_lookup_says_the_seat_is_approximate(phone_page, postcode):
    """Only the district is known (typed, or an unknown full postcode falling back): say so, still list targets."""
    page = phone_page("/find/")
    _look_up(page, postcode, election="2015")

    results = page.locator("#find-results").inner_text()
    assert "You are probably in" in results
    assert "we only know your postcode district, so this is approximate" in results
    assert page.locator("ol.target-list li.target").count() >= 5


def test_unknown_district_is_reported_on_the_field(phone_page):
    """BT1 is well formed but the GB centroid file has no Northern Irish districts."""
    page = phone_page("/find/?postcode=BT1")
    assert "BT1" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("Your postcode").get_attribute("aria-invalid") == "true"


def test_home_page_postcode_form_leads_to_find_results(phone_page, assert_no_sideways_scroll):
    page = phone_page("/")
    assert_no_sideways_scroll(page)
    page.get_by_label("Your postcode").fill("DE22 1AA")
    page.get_by_label("Your postcode").press("Enter")
    page.wait_for_url(re.compile(r"/find/\?postcode=DE22"))

    assert page.get_by_role("heading", name=re.compile("Nearest targets to DE22 1AA")).is_visible()
    assert page.locator("ol.target-list li.target").count() >= 1
    assert page.get_by_label("Your postcode").input_value() == "DE22 1AA"


def test_find_form_can_be_reached_and_submitted_with_the_keyboard_alone(laptop_page):
    page = laptop_page("/find/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('skip-link')"), "first Tab reaches the skip link"
    for _ in range(15):
        if page.evaluate("document.activeElement.id") == "id_postcode":
            break
        page.keyboard.press("Tab")
    else:
        pytest.fail("Tab never reached the postcode field")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused field shows a focus indicator"

    page.keyboard.type("DE22 1AA")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Find seats"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    page.keyboard.press("Enter")  # opens "Base election"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "election"
    page.keyboard.type("2015")  # type-ahead selects the option
    assert page.evaluate("document.activeElement.value") == "2015"
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")  # on "Find seats"
    page.wait_for_url(re.compile(r"/find/\?postcode=DE22"))

    assert page.locator("ol.target-list li.target .target__name").first.inner_text() == "Derby North"
