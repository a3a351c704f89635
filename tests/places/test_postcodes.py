"""Postcode normalisation and validation, per shared/data/postcodes/POSTCODE_FORMAT.md: normalise (strip,
upper-case, collapse whitespace, one space before the inward code), then full-match the corrected GOV.UK pattern."""

import csv

import pytest

from groundgame.places.postcodes import InvalidPostcode, normalise, parse

SAMPLE = "postcodes/gb-postcodes-sample-DE22-M19-LS2-LS6-codepoint-2014.csv"
DISTRICTS = "postcodes/gb-postcode-district-centroids-codepoint-2014.csv"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("DE22 1AA", "DE22 1AA"),
        ("de22 1aa", "DE22 1AA"),
        ("DE221AA", "DE22 1AA"),
        ("  de22    1aa  ", "DE22 1AA"),
        ("\tDE22\n1AA ", "DE22 1AA"),
        ("m191aa", "M19 1AA"),
        ("M1 1AE", "M1 1AE"),
        ("B33 8TH", "B33 8TH"),
        ("CR2 6XH", "CR2 6XH"),
        ("W1A 0AX", "W1A 0AX"),
        ("ec1a1bb", "EC1A 1BB"),
        ("SW1A 1AA", "SW1A 1AA"),
        ("gir0aa", "GIR 0AA"),
    ],
)
def test_full_postcodes_are_normalised_to_outward_space_inward(text, expected):
    parsed = parse(text)
    assert parsed.is_full
    assert parsed.text == expected
    assert normalise(text) == expected
    assert parsed.outcode == expected[:-3].strip()


@pytest.mark.parametrize(
    ("text", "expected"),
    [("DE22", "DE22"), ("de22", "DE22"), (" M19 ", "M19"), ("W1A", "W1A"), ("ec1a", "EC1A"), ("LS2", "LS2")],
)
def test_postcode_districts_are_accepted_and_normalised(text, expected):
    parsed = parse(text)
    assert not parsed.is_full
    assert parsed.text == parsed.outcode == expected


@pytest.mark.parametrize(
    "text",
    [
        "junk DE22 1AA",  # the published pattern's ^ binds only to GIR: a search accepts this
        "GIR 0AAjunk",  # ... and its $ binds only to the second alternative
        "DE22 1AA junk",
        "DE22 1AA DE22 1AA",
        "DE22 1A",
        "DE22 1AAA",
        "DE22-1AA",
        "DE22 AAA",
        "1E22 1AA",
        "DI1 1AA",  # second letter never I
        "DZ1 1AA",  # ... nor Z
        "DE222 1AA",
        "D",
        "DE",
        "12",
        "DE22A",
        "?",
    ],
)
def test_malformed_postcodes_are_rejected(text):
    with pytest.raises(InvalidPostcode):
        parse(text)


@pytest.mark.parametrize("text", ["", "   ", "\t\n"])
def test_empty_input_is_rejected_with_a_prompt(text):
    with pytest.raises(InvalidPostcode, match="Enter a postcode"):
        parse(text)


def test_every_postcode_in_the_full_postcode_sample_parses_to_itself(data_dir):
    with open(data_dir / SAMPLE, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 3013
    for row in rows:
        parsed = parse(row["postcode"])
        assert parsed.is_full, row["postcode"]
        assert parsed.text == row["postcode"]
        assert parsed.outcode == row["outcode"]
        # The same postcode typed carelessly normalises back to the canonical form.
        assert parse(row["postcode"].replace(" ", "").lower()).text == row["postcode"]


def test_every_district_in_the_district_file_parses_as_a_district(data_dir):
    with open(data_dir / DISTRICTS, encoding="utf-8-sig", newline="") as handle:
        outcodes = [row["outcode"] for row in csv.DictReader(handle)]
    assert len(outcodes) == 2880
    for outcode in outcodes:
        parsed = parse(outcode)
        assert not parsed.is_full, outcode
        assert parsed.text == outcode
