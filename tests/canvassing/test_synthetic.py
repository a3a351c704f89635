"""The synthetic register: deterministic by seed, in the standard export shape, plausible (households, both sides of
the street, flats, polling districts, postal voters, attainers), in the seat's real postcode districts, and never at
a real address by accident."""

import csv
import re
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from groundgame.canvassing import register, synthetic

from .factories import make_seat

pytestmark = pytest.mark.django_db


@pytest.fixture
def seat():
    return make_seat()


@pytest.fixture
def rows(seat):
    header, rows = synthetic.generate(seat, seed=11, electors=6000)
    assert header == synthetic.HEADER
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_the_register_has_the_electors_and_households_asked_for(rows):
    addressed = [r for r in rows if r["Address1"]]
    assert len(addressed) == 6000
    households = Counter((r["Address1"], r["Address2"], r["PostCode"]) for r in addressed)
    assert len(households) == 3000
    sizes = Counter(households.values())
    assert sizes[1] > 700 and sizes[2] > 900 and max(sizes) <= 8  # mostly ones and twos, a few large households
    others = [r for r in rows if not r["Address1"]]
    assert others and all(r["Elector Markers"] == "F" and not r["PostCode"] for r in others)


def test_polling_districts_are_coded_like_real_ones_and_numbered_in_order(rows):
    codes = list(dict.fromkeys(r["Elector Number Prefix"] for r in rows))
    assert codes[:2] == ["AA1", "AA2"] and all(re.fullmatch(r"[A-Z]{2}\d", c) for c in codes)
    for code in codes:
        numbers = [
            (int(r["Elector Number"]), int(r["Elector Number Suffix"]))
            for r in rows
            if r["Elector Number Prefix"] == code
        ]
        assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
        assert numbers[0] == (1, 0)
    suffixed = [r for r in rows if r["Elector Number Suffix"] != "0"]
    assert 0 < len(suffixed) < len(rows) * 0.03


def test_streets_have_odd_and_even_numbers_flats_and_named_houses(rows):
    lines = [r["Address1"] for r in rows] + [r["Address2"] for r in rows]
    numbered = [re.match(r"^(\d+)[A-Z]? ", line) for line in lines]
    numbers = [int(m.group(1)) for m in numbered if m]
    assert any(n % 2 for n in numbers) and any(n % 2 == 0 for n in numbers)
    assert any(r["Address1"].startswith("Flat ") for r in rows)
    assert any(re.match(r"^\d+A ", line) for line in lines)
    assert all(r["Address1"] for r in rows if r["PostCode"])


def test_markers_postal_voters_and_attainers_are_plausible(rows):
    total = len(rows)
    postal = sum("A" in r["Elector Markers"] for r in rows)
    assert 0.12 * total < postal < 0.28 * total
    assert 0 < sum("G" in r["Elector Markers"] for r in rows) < 0.08 * total
    attainers = [r for r in rows if r["Elector DOB"]]
    assert 0.005 * total < len(attainers) < 0.05 * total


def test_postcodes_are_real_ones_of_the_seat_or_made_up_in_its_districts(rows, seat):
    places = synthetic.seat_places(seat)
    # The seat's real postcodes: the fixture's four, or all of the real data's when a test before this one loaded it.
    real = {postcode for postcodes in places.postcodes_by_outcode.values() for postcode in postcodes}
    for postcode in {r["PostCode"] for r in rows if r["PostCode"]}:
        outcode, inward = postcode.split()
        assert outcode in places.outcodes
        if postcode not in real:
            assert set(inward[1:]) & set(synthetic.SYNTHETIC_INWARD_LETTERS)  # never a real postcode
    assert {r["PostCode"] for r in rows} & real


def test_the_same_seed_gives_the_same_register(seat):
    assert synthetic.generate(seat, seed=2, electors=300) == synthetic.generate(seat, seed=2, electors=300)


def test_the_command_writes_a_file_the_importer_reads(seat, tmp_path):
    out = tmp_path / "seat.csv"
    call_command("canvassing_generate_register", "--constituency", seat.code, "--seed", "1", "--electors", "500",
                 "--out", str(out))  # fmt: skip
    with out.open(newline="") as handle:
        assert next(csv.reader(handle)) == synthetic.HEADER
    preview = register.preview(out)
    assert preview.standard


def test_the_command_refuses_an_unknown_constituency(tmp_path):
    with pytest.raises(CommandError):
        call_command("canvassing_generate_register", "--constituency", "E14999999", "--out", str(tmp_path / "x.csv"))


def test_the_town_is_taken_from_the_seat_name():
    assert synthetic.town_of("Derby North") == "Derby"
    assert synthetic.town_of("Leeds Central and Headingley") == "Leeds"
    assert synthetic.town_of("Mid Derbyshire") == "Derbyshire"
