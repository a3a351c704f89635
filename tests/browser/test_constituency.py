"""Constituency pages: results history chart with its data table, readable on a phone."""

import pytest

pytestmark = pytest.mark.browser

CHART = "svg[data-testid='results-chart']"


def test_derby_north_shows_a_results_chart_for_each_election_and_a_data_table(laptop_page):
    page = laptop_page("/constituencies/2010/E14000662/")
    assert page.get_by_role("heading", level=1).inner_text() == "Derby North"

    chart = page.locator(CHART)
    assert chart.is_visible()
    box = chart.bounding_box()
    assert box["width"] > 200
    assert box["height"] > 100
    chart_text = chart.text_content()
    for year in ("2015", "2017", "2019"):
        assert year in chart_text, f"the chart labels the {year} election"
    marks = chart.locator("rect, path, circle, polyline, line")
    assert marks.count() >= 3, "the chart draws marks, not only labels"
    assert chart.get_attribute("role") == "img" or chart.locator("title").count() >= 1, "the chart has a text name"

    table = page.locator("table").filter(has_text="2017")
    assert table.count() >= 1, "the chart's numbers are also given as a table"
    table_text = table.first.inner_text()
    for year in ("2015", "2017", "2019"):
        assert year in table_text
    assert "2,015" in table_text, "Derby North 2017: Labour majority of 2,015"


def test_a_2024_constituency_page_renders_its_chart(laptop_page):
    page = laptop_page("/constituencies/2024/E14001193/")
    assert page.get_by_role("heading", level=1).inner_text() == "Derby North"
    chart = page.locator(CHART)
    assert chart.is_visible()
    assert "2024" in chart.text_content()


def test_a_code_from_another_boundary_set_is_not_found(laptop_page):
    page = laptop_page("/")
    response = page.goto("/constituencies/2024/E14000662/")  # Derby North's 2010 code on the 2024 boundaries
    assert response.status == 404


@pytest.mark.parametrize("path", ["/constituencies/2010/E14000662/", "/constituencies/2024/E14001193/"])
def test_constituency_page_fits_a_phone_without_sideways_scrolling(phone_page, assert_no_sideways_scroll, path):
    page = phone_page(path)
    assert page.locator(CHART).is_visible()
    assert_no_sideways_scroll(page)
    assert page.locator(CHART).bounding_box()["width"] <= 390
