"""Server-drawn SVG: the target-seat hex cartogram, a seat's results history chart and its outline map.

Most tests build a tiny synthetic country of their own (a boundary set "t-old" fought in 2001, 2005 and 2010, and a
redrawn "t-new" fought in 2011), so they can run beside the real reference data, which other tests may have imported
into the same database. The last tests read the real data (GROUNDGAME_DATA_DIR) and skip without it.
"""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from groundgame.places import charts, selectors
from groundgame.places.models import (
    BoundarySet,
    CandidateResult,
    Constituency,
    ConstituencyOverlap,
    ConstituencyResult,
    Election,
)
from groundgame.places.parties import party_colour


class Elements(HTMLParser):
    """Every start tag of a page with its attributes, and the text inside each element kind we check."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.stack: list[str] = []
        self.text: dict[str, list[str]] = {}
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {k: v or "" for k, v in attrs}))
        self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack.pop() != tag:
                pass

    def handle_data(self, data):
        if self.stack:
            self.text.setdefault(self.stack[-1], []).append(data)

    def find(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        return [
            a for t, a in self.elements if t == tag and all(a.get(k.replace("_", "-")) == v for k, v in attrs.items())
        ]

    def with_class(self, tag: str, css_class: str) -> list[dict[str, str]]:
        return [a for t, a in self.elements if t == tag and css_class in a.get("class", "").split()]


def square(lon: float, lat: float, size: float = 0.1) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [[[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]],
    }


def result(election, seat, votes: dict[str, int], *, electorate: int = 70_000) -> ConstituencyResult:
    ranked = sorted(votes.items(), key=lambda kv: -kv[1])
    (first, first_votes), (second, second_votes) = ranked[0], ranked[1]
    return ConstituencyResult.objects.create(
        election=election,
        constituency=seat,
        electorate=electorate,
        valid_votes=sum(votes.values()),
        majority=first_votes - second_votes,
        result=f"{first} win",
        first_party=first,
        second_party=second,
        party_votes=votes,
    )


@pytest.fixture
def country(db, settings):
    """Three old seats in a row (Alphaton, a Con-held marginal; Betaford, safe Lab; Gammaby, safe Con) and one
    new seat, New Alphaton, 62% of whose people lived in Alphaton."""
    settings.GROUNDGAME_OUR_PARTY = "Lab"
    settings.GROUNDGAME_TARGET_SWING_WINDOW = 5.0
    old = BoundarySet.objects.create(slug="t-old", name="Test old boundaries", first_used=datetime.date(2000, 1, 1))
    new = BoundarySet.objects.create(slug="t-new", name="Test new boundaries", first_used=datetime.date(2011, 1, 1))
    elections = {
        year: Election.objects.create(year=year, polling_date=datetime.date(year, 5, 5), boundary_set=old)
        for year in (2001, 2005, 2010)
    }
    elections[2011] = Election.objects.create(year=2011, polling_date=datetime.date(2011, 5, 5), boundary_set=new)

    def seat(boundary_set, code, name, q, r, lon):
        return Constituency.objects.create(
            boundary_set=boundary_set,
            code=code,
            name=name,
            nation="E",
            region="Test Midlands",
            centroid_lat=52.95,
            centroid_lon=lon + 0.05,
            boundary=square(lon, 52.9),
            hex_q=q,
            hex_r=r,
            deprivation_decile=4,
            deprivation_score=27.5,
        )

    alphaton = seat(old, "X01000001", "Alphaton", 0, 0, -1.5)
    betaford = seat(old, "X01000002", "Betaford", 1, 0, -1.4)
    gammaby = seat(old, "X01000003", "Gammaby", 0, 1, -1.3)
    new_alphaton = seat(new, "X02000001", "New Alphaton", 5, 5, -1.5)

    shares = {
        2001: {"Con": 20_000, "Lab": 19_000, "LD": 5_000, "Green": 1_000, "Other": 500},
        2005: {"Con": 21_000, "Lab": 20_000, "LD": 4_000, "UKIP": 3_000},
        2010: {"Con": 22_000, "Lab": 21_000, "LD": 3_000, "UKIP": 1_000},  # majority 1,000 of 47,000: 2.1%
    }
    for year, votes in shares.items():
        result(elections[year], alphaton, votes)
        result(elections[year], betaford, {"Lab": 30_000, "Con": 10_000, "LD": 2_000})
        result(elections[year], gammaby, {"Con": 35_000, "Lab": 8_000, "LD": 4_000})
    new_result = result(elections[2011], new_alphaton, {"Lab": 25_000, "Con": 15_000, "Green": 4_000, "LD": 2_000})
    for first, last, party, votes in [
        ("Ada", "Lovelace", "Labour", 25_000),
        ("Charles", "Babbage", "Conservative", 15_000),
        ("Grace", "Hopper", "Green Party", 4_000),
        ("Alan", "Turing", "Liberal Democrats", 2_000),
    ]:
        CandidateResult.objects.create(
            result=new_result,
            party_name=party,
            party_abbreviation=party[:3],
            first_name=first,
            surname=last,
            votes=votes,
        )
    ConstituencyOverlap.objects.create(
        successor=new_alphaton, predecessor=alphaton, population=60_000, population_share=0.62
    )
    ConstituencyOverlap.objects.create(
        successor=new_alphaton, predecessor=betaford, population=36_000, population_share=0.38
    )
    selectors.clear_caches()
    return {"alphaton": alphaton, "betaford": betaford, "gammaby": gammaby, "new_alphaton": new_alphaton}


def page(client, url: str) -> Elements:
    response = client.get(url)
    assert response.status_code == 200
    return Elements(response.content.decode())


# --- the hex cartogram --------------------------------------------------------------------------------------------


def test_hex_map_draws_one_linked_hex_per_seat_with_its_gss_code(client, country):
    html = page(client, "/map/?election=2010")
    svg = html.find("svg", data_testid="hexmap")
    assert len(svg) == 1
    assert svg[0]["aria-label"], "the map has a text name"
    assert svg[0]["viewbox"].startswith("0 0 ")
    hexes = html.with_class("polygon", "hex")
    assert sorted(h["data-code"] for h in hexes) == ["X01000001", "X01000002", "X01000003"]
    links = [a["href"] for t, a in html.elements if t == "a" and "/constituencies/t-old/" in a.get("href", "")]
    assert sorted(links) == [f"/constituencies/t-old/X0100000{n}/" for n in (1, 2, 3)]


def test_hex_colour_is_the_winners_and_targets_are_full_strength_and_outlined(client, country):
    hexes = {h["data-code"]: h for h in page(client, "/map/?election=2010").with_class("polygon", "hex")}
    marginal, safe_lab, safe_con = hexes["X01000001"], hexes["X01000002"], hexes["X01000003"]

    assert marginal["fill"] == party_colour("Con"), "a target is drawn in the winner's full colour"
    assert "hex--target" in marginal["class"] and marginal["data-target"] == "1"
    assert marginal["stroke"] == "#1d1d1f", "and outlined"
    assert marginal["data-position"] == "gain"
    assert marginal["data-swing"] == "1.06"  # (22,000 - 21,000) / 47,000 / 2

    for safe, winner in ((safe_lab, "Lab"), (safe_con, "Con")):
        assert "hex--target" not in safe["class"] and safe["data-target"] == ""
        assert safe["fill"] != party_colour(winner), "a safe seat is paler"
        assert safe["fill"] == charts.mix_with_white(party_colour(winner), charts.MARGINALITY_BANDS[-1][1])
    assert safe_lab["data-winner"] == "Labour" and safe_con["data-winner"] == "Conservative"


def test_each_hex_has_a_title_naming_the_seat_winner_majority_and_swing(client, country):
    response = client.get("/map/?election=2010")
    titles = re.findall(r"<title>([^<]*)</title>", response.content.decode())
    alphaton = next(t for t in titles if t.startswith("Alphaton"))
    assert "Conservative" in alphaton and "1,000" in alphaton and "1.06" in alphaton and "target" in alphaton


def test_hex_map_has_a_legend_a_details_panel_a_list_fallback_and_its_script(client, country):
    response = client.get("/map/?election=2010")
    body = response.content.decode()
    html = Elements(body)
    assert html.find("div", data_hexmap_panel="", aria_live="polite")
    assert "Conservative" in "".join(html.text.get("li", []))
    assert f'href="{reverse("places:targets")}?election=2010"' in body
    assert html.find("script", src="/static/places/hexmap.js", defer="")
    options = [a["value"] for a in html.find("option")]
    assert {"2001", "2005", "2010", "2011"} <= set(options), "the election selector offers every imported year"


def test_hex_map_of_another_election_draws_that_elections_boundaries(client, country):
    hexes = page(client, "/map/?election=2011").with_class("polygon", "hex")
    assert [h["data-code"] for h in hexes] == ["X02000001"]


def test_hex_rows_are_laid_out_odd_r_with_rows_counting_upwards():
    assert charts.hex_centre(0, 0) == (0.0, 0.0)
    assert charts.hex_centre(0, 1)[0] == pytest.approx(charts.HEX_WIDTH / 2), "odd rows shift right by half a hex"
    assert charts.hex_centre(0, -1)[0] == pytest.approx(charts.HEX_WIDTH / 2)
    assert charts.hex_centre(0, 2)[0] == 0.0
    assert charts.hex_centre(0, 1)[1] < charts.hex_centre(0, 0)[1], "a higher row is drawn higher up"


def test_a_selected_seat_is_marked_for_the_details_panel(client, country):
    html = page(client, "/map/?election=2010&seat=X01000003")
    selected = html.with_class("polygon", "is-selected")
    assert [h["data-code"] for h in selected] == ["X01000003"]
    assert "Gammaby" in "".join(html.text.get("span", []))


def test_hex_map_costs_a_fixed_number_of_queries(client, country, django_assert_max_num_queries):
    client.get("/map/?election=2010")  # builds the election index once per process
    with django_assert_max_num_queries(3):
        client.get("/map/?election=2010")


# --- the constituency page -------------------------------------------------------------------------------------------


def bars(html: Elements) -> list[dict[str, str]]:
    return html.with_class("rect", "bar")


def test_old_seat_chart_has_its_own_results_and_its_successors_marked_as_such(client, country):
    response = client.get("/constituencies/t-old/X01000001/")
    body = response.content.decode()
    html = Elements(body)
    assert html.find("svg", data_testid="results-chart", role="img")
    drawn = bars(html)
    assert {b["data-year"] for b in drawn} == {"2001", "2005", "2010", "2011"}
    assert not any(b.get("data-notional") for b in drawn if b["data-year"] != "2011")
    assert all(b.get("data-notional") == "true" for b in drawn if b["data-year"] == "2011")
    assert "2011 (new seat: New Alphaton)" in body
    assert "Hatched bars are not this seat's own results" in body
    con_2010 = next(b for b in drawn if b["data-year"] == "2010" and b["data-party"] == "Con")
    assert con_2010["data-share"] == "46.8"  # 22,000 of 47,000
    assert con_2010["fill"] == party_colour("Con")


def test_new_seat_chart_borrows_its_main_predecessors_results_with_their_share(client, country):
    response = client.get("/constituencies/t-new/X02000001/")
    body = response.content.decode()
    html = Elements(body)
    drawn = bars(html)
    assert {b["data-year"] for b in drawn} == {"2001", "2005", "2010", "2011"}
    notional = {b["data-year"] for b in drawn if b.get("data-notional")}
    assert notional == {"2001", "2005", "2010"}, "the earlier years are the old seat's, not this seat's"
    assert "2010 (old seat: Alphaton, 62% of this seat)" in body
    assert "62% of this seat's people lived in" in body
    assert html.find("pattern", id="hatch-con"), "notional bars are hatched"


def test_chart_numbers_are_also_given_in_a_data_table(client, country):
    body = client.get("/constituencies/t-old/X01000001/").content.decode()
    table = body[body.index('<table class="data results-table">') : body.index("</table>")]
    for share in (">46.8<", ">44.7<", ">44.0<", ">43.8<"):  # Con 2010, Lab 2010, Con 2001, Con 2005
        assert share in table
    assert "1,000" in table, "the majority row"
    assert "2001" in table and "2011" in table


def test_small_parties_are_grouped_as_others(client, country):
    html = page(client, "/constituencies/t-old/X01000001/")
    parties = {b["data-party"] for b in bars(html)}
    assert {"Con", "Lab", "LD", "UKIP", "Others"} <= parties
    assert "Other" not in parties


def test_constituency_page_shows_facts_and_our_standing(client, country):
    body = client.get("/constituencies/t-old/X01000001/").content.decode()
    for fact in ("Alphaton", "Test Midlands", "1,000", "2.1%", "Decile 4", "Gain #1", "Target", "1.06 pts"):
        assert fact in body, fact


def test_candidates_of_the_latest_election_are_listed(client, country):
    body = client.get("/constituencies/t-new/X02000001/").content.decode()
    assert "Candidates in 2011" in body
    assert body.index("Ada Lovelace") < body.index("Charles Babbage") < body.index("Alan Turing")
    assert "54.3%" in body  # 25,000 of 46,000


def test_outline_map_draws_the_seat_and_its_neighbours_faintly(client, country):
    body = client.get("/constituencies/t-old/X01000002/").content.decode()
    html = Elements(body)
    svg = html.find("svg", data_testid="seat-map")
    assert len(svg) == 1 and svg[0]["role"] == "img"
    seat = html.with_class("path", "seat-map__seat")
    assert len(seat) == 1 and seat[0]["d"].startswith("M") and seat[0]["d"].endswith("Z")
    neighbour_block = body[body.index('class="seat-map__neighbours"') : body.index('class="seat-map__seat"')]
    assert neighbour_block.count("</path>") == 2, "Alphaton and Gammaby on either side"
    assert 'href="/constituencies/t-old/X01000001/">Alphaton' in body
    assert 'href="/constituencies/t-old/X01000003/">Gammaby' in body


def test_outline_projection_keeps_the_shape_and_fits_the_view(country):
    outline = charts.boundary_outline(country["betaford"])
    width, height = (float(v) for v in outline.view_box.split()[2:])
    assert max(width, height) == pytest.approx(charts.OUTLINE_SIZE, abs=0.2)
    numbers = [float(n) for n in re.findall(r"-?\d+\.?\d*", outline.seat.path)]
    xs, ys = numbers[0::2], numbers[1::2]
    assert min(xs) >= 0 and max(xs) <= width
    assert min(ys) >= 0 and max(ys) <= height
    # a 0.1 x 0.1 degree square at 52.9N is cos(52.95) times as wide as it is tall
    assert (max(xs) - min(xs)) / (max(ys) - min(ys)) == pytest.approx(0.603, abs=0.01)


def test_constituency_page_links_to_the_map_and_the_finder(client, country):
    body = client.get("/constituencies/t-old/X01000001/").content.decode()
    assert f"{reverse('places:hexmap')}?election=2010&amp;seat=X01000001" in body
    assert f'href="{reverse("places:find")}"' in body


def test_constituency_page_costs_a_fixed_number_of_queries(client, country, django_assert_max_num_queries):
    for url in ("/constituencies/t-old/X01000001/", "/constituencies/t-new/X02000001/"):
        client.get(url)  # builds the election index once per process
        with django_assert_max_num_queries(8):
            client.get(url)


@pytest.mark.parametrize(
    "url",
    [
        "/constituencies/t-old/X09999999/",  # no such code
        "/constituencies/t-new/X01000001/",  # an old seat's code on the new boundaries
        "/constituencies/nowhere/X01000001/",  # no such boundary set
    ],
)
def test_an_unknown_seat_is_not_found(client, country, url):
    assert client.get(url).status_code == 404


def test_a_seat_without_results_or_boundary_still_renders(client, country):
    lonely = Constituency.objects.create(
        boundary_set=country["alphaton"].boundary_set, code="X01000009", name="Lonely", nation="E"
    )
    response = client.get(lonely.get_absolute_url())
    assert response.status_code == 200
    assert b"No results have been imported for this seat yet." in response.content
    assert b'data-testid="seat-map"' not in response.content


# --- on the real reference data ---------------------------------------------------------------------------------------


@pytest.mark.realdata
@pytest.mark.django_db
@pytest.mark.usefixtures("reference_db")
@pytest.mark.parametrize("year", [2015, 2024])
def test_real_map_draws_exactly_650_hexes(client, year):
    html = page(client, f"/map/?election={year}")
    codes = [h["data-code"] for h in html.with_class("polygon", "hex")]
    assert len(codes) == 650
    assert len(set(codes)) == 650


@pytest.mark.realdata
@pytest.mark.django_db
@pytest.mark.usefixtures("reference_db")
def test_real_derby_north_page_shows_its_chart_and_2024_successor(client):
    body = client.get("/constituencies/2010/E14000662/").content.decode()
    html = Elements(body)
    assert "<h1>Derby North</h1>" in body
    drawn = bars(html)
    assert {b["data-year"] for b in drawn} == {"2015", "2017", "2019", "2024"}
    assert {b["data-year"] for b in drawn if b.get("data-notional")} == {"2024"}
    assert "2024 (new seat: Derby North)" in body
    assert "2,015" in body, "Derby North 2017: Labour majority of 2,015"
    assert html.find("svg", data_testid="seat-map")


@pytest.mark.realdata
@pytest.mark.django_db
@pytest.mark.usefixtures("reference_db")
def test_real_new_seat_page_borrows_its_predecessors_history(client):
    body = client.get("/constituencies/2024/E14001132/").content.decode()  # Bristol East
    drawn = bars(Elements(body))
    assert {b["data-year"] for b in drawn if b.get("data-notional")} == {"2015", "2017", "2019"}
    assert "2019 (old seat: Bristol East, 56% of this seat)" in body
