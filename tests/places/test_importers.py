"""Reference-data importers on the real files (GROUNDGAME_DATA_DIR): the published known facts are reproduced,
a second import changes nothing, and a corrupted file is rejected with its line and field named while the
database stays exactly as it was.

Corrupted files are written under pytest's tmp_path, derived on the fly from the real ones; nothing derived
from the reference data is kept in the repository.
"""

import csv
import hashlib
import io
import json
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from groundgame.places.importers.base import DataFileError, normalise_header
from groundgame.places.importers.catalogue import CATALOGUE, DataFile
from groundgame.places.models import (
    BoundarySet,
    CandidateResult,
    Constituency,
    ConstituencyOverlap,
    ConstituencyResult,
    Election,
    Postcode,
    PostcodeDistrict,
    ReferenceDataVersion,
)
from groundgame.places.services import data_file_import, reference_data_import

pytestmark = [pytest.mark.django_db, pytest.mark.realdata, pytest.mark.usefixtures("reference_db")]

RESULTS_2015 = "elections/hocl-ge2015-results-summary.noheader.csv"
RESULTS_2017 = "elections/HoC-GE2017-constituency-results.csv"
CANDIDATES_2017 = "elections/HoC-GE2017-results-by-candidate.csv"
CANDIDATES_2019 = "elections/HoC-GE2019-results-by-candidate.csv"
BOUNDARIES_2010 = "boundaries/pcon-2010-2023-dec2022-uk-buc.geojson"
CENTROIDS_2010 = "boundaries/pcon-2010-2023-centroids.csv"
HEXJSON_2010 = "hexmaps/uk-constituencies-2010.hexjson"
DEPRIVATION_2010 = "deprivation/pcon2010_imd_uk.csv"
DISTRICTS = "postcodes/gb-postcode-district-centroids-codepoint-2014.csv"
POSTCODES = "postcodes/gb-postcodes-sample-DE22-M19-LS2-LS6-codepoint-2014.csv"

# Known facts from shared/data/README.md.
SEATS_WON = {
    2015: {"Con": 330, "Lab": 232, "SNP": 56},
    2017: {"Con": 317, "Lab": 262, "SNP": 35, "LD": 12, "DUP": 10, "SF": 7, "PC": 4, "Green": 1, "Spk": 1, "Ind": 1},
    2019: {"Con": 365, "Lab": 202},
    2024: {"Lab": 411, "Con": 121, "LD": 72},
}
RECURRING_SCOTTISH_CODES = ["S14000021", "S14000027", "S14000045", "S14000048", "S14000051"]
MEON_VALLEY = "E14000811"


def catalogue_file(relpath: str) -> DataFile:
    return next(f for f in CATALOGUE if f.relpath == relpath)


def snapshot() -> dict[str, str]:
    """A fingerprint of every row of every places table, to show that a rejected import left the database as
    it was. Raw SQL, so that JSON columns (boundaries) are compared as stored, without decoding them."""
    models = [
        BoundarySet,
        Constituency,
        Election,
        ConstituencyResult,
        CandidateResult,
        ConstituencyOverlap,
        PostcodeDistrict,
        Postcode,
        ReferenceDataVersion,
    ]
    fingerprint = {}
    with connection.cursor() as cursor:
        for model in models:
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"SELECT * FROM {table} ORDER BY id")  # noqa: S608 - table names from the models
            rows = cursor.fetchall()
            fingerprint[model.__name__] = f"{len(rows)} rows, sha256 {hashlib.sha256(repr(rows).encode()).hexdigest()}"
    return fingerprint


def write_beside(tmp_path: Path, relpath: str, content: str) -> DataFile:
    """Write `content` at `relpath` under tmp_path (same name as the real file) and return its catalogue entry."""
    target = tmp_path / relpath
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(content, encoding="utf-8", newline="")
    return catalogue_file(relpath)


def read_lines(data_dir: Path, relpath: str) -> list[str]:
    """The file's lines with their line endings, so that untouched lines are written back byte for byte."""
    return (data_dir / relpath).read_text(encoding="utf-8-sig").splitlines(keepends=True)


def replace_field(line: str, column: int, value: str) -> str:
    """The CSV line with one field replaced, keeping its line ending."""
    ending = line[len(line.rstrip("\r\n")) :]
    fields = next(csv.reader([line.rstrip("\r\n")]))
    fields[column] = value
    out = io.StringIO()
    csv.writer(out, lineterminator=ending).writerow(fields)
    return out.getvalue()


def nudged(line: str, column: int) -> str:
    """The line with a number changed by a small valid amount (a change an import would write)."""
    value = next(csv.reader([line]))[column]
    return replace_field(line, column, f"{float(value) + 0.001:.5f}" if "." in value else str(int(value) + 1))


def column_index(lines: list[str], name: str) -> int:
    return [normalise_header(h) for h in next(csv.reader([lines[0]]))].index(name)


# --- known facts -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("year", [2015, 2017, 2019, 2024])
def test_every_election_has_650_seats_on_its_own_boundaries(year):
    election = Election.objects.get(year=year)
    results = ConstituencyResult.objects.filter(election=election)
    assert results.count() == 650
    assert results.values("constituency").distinct().count() == 650
    assert not results.exclude(constituency__boundary_set=election.boundary_set).exists()
    assert election.boundary_set.slug == ("2024" if year == 2024 else "2010")


@pytest.mark.parametrize("year", sorted(SEATS_WON))
def test_seats_won_per_party_match_the_published_totals(year):
    won = Counter(ConstituencyResult.objects.filter(election__year=year).values_list("first_party", flat=True))
    for party, seats in SEATS_WON[year].items():
        assert won[party] == seats, party
    if year == 2017:  # the README lists every 2017 winner
        assert dict(won) == SEATS_WON[2017]


def test_2010_boundaries_have_533_english_59_scottish_40_welsh_and_18_northern_irish_seats():
    nations = Counter(Constituency.objects.in_set("2010").values_list("nation", flat=True))
    assert nations == {"E": 533, "S": 59, "W": 40, "N": 18}
    results_2017 = ConstituencyResult.objects.filter(election__year=2017)
    assert Counter(results_2017.values_list("constituency__nation", flat=True)) == nations


def test_derby_north_2017_was_a_labour_gain_by_2015_votes():
    result = ConstituencyResult.objects.get(election__year=2017, constituency__code="E14000662")
    assert result.constituency.name == "Derby North"
    assert result.result == "Lab gain from Con"
    assert (result.first_party, result.second_party) == ("Lab", "Con")
    assert result.majority == 2_015
    assert result.party_votes["Lab"] == 23_622
    assert result.party_votes["Con"] == 21_607


def test_smallest_2017_majorities_are_north_east_fife_kensington_perth_and_dudley_north():
    smallest = ConstituencyResult.objects.filter(election__year=2017).order_by("majority")[:4]
    assert [(r.constituency.name, r.majority) for r in smallest] == [
        ("North East Fife", 2),
        ("Kensington", 20),
        ("Perth and North Perthshire", 21),
        ("Dudley North", 22),
    ]


def test_scottish_codes_that_recur_across_boundary_sets_are_two_different_seats():
    for code in RECURRING_SCOTTISH_CODES:
        seats = list(Constituency.objects.filter(code=code).select_related("boundary_set"))
        assert sorted(s.boundary_set.slug for s in seats) == ["2010", "2024"], code
        old, new = sorted(seats, key=lambda s: s.boundary_set.slug)
        assert old.pk != new.pk
        assert old.boundary != new.boundary, code  # the boundaries were redrawn
        # Each election's result belongs to the seat of its own boundary set.
        assert ConstituencyResult.objects.get(election__year=2019, constituency__code=code).constituency_id == old.pk
        assert ConstituencyResult.objects.get(election__year=2024, constituency__code=code).constituency_id == new.pk


def test_2017_has_3304_candidates_whose_votes_sum_to_each_seats_valid_votes():
    assert CandidateResult.objects.filter(result__election__year=2017).count() == 3_304
    assert candidate_sum_mismatches(2017) == {}
    assert candidate_sum_mismatches(2024) == {}


def test_2019_candidate_totals_disagree_only_in_meon_valley():
    assert candidate_sum_mismatches(2019) == {MEON_VALLEY: (55_569, 54_829)}


def test_2019_meon_valley_mismatch_is_a_warning_not_a_rejection(reference_db):
    summary = data_file_import(data_file=catalogue_file(CANDIDATES_2019), data_dir=reference_db, quiet=True)
    assert len(summary.warnings) == 1
    assert "Meon Valley" in summary.warnings[0] and MEON_VALLEY in summary.warnings[0]
    assert summary.rows == 3_320
    assert CandidateResult.objects.filter(result__constituency__code=MEON_VALLEY, result__election__year=2019).exists()


def candidate_sum_mismatches(year: int) -> dict[str, tuple[int, int]]:
    sums = (
        CandidateResult.objects.filter(result__election__year=year)
        .values("result__constituency__code", "result__valid_votes")
        .annotate(total=Sum("votes"))
    )
    assert len(sums) == 650
    return {
        s["result__constituency__code"]: (s["total"], s["result__valid_votes"])
        for s in sums
        if s["total"] != s["result__valid_votes"]
    }


@pytest.mark.parametrize("boundary_set", ["2010", "2024"])
def test_every_constituency_has_a_boundary_centroid_hex_and_deprivation(boundary_set):
    seats = Constituency.objects.in_set(boundary_set)
    assert seats.count() == 650
    assert seats.with_hex().count() == 650
    for field in ("boundary", "centroid_lat", "centroid_lon", "deprivation_score", "deprivation_decile"):
        assert not seats.filter(**{f"{field}__isnull": True}).exists(), field
    assert seats.values("hex_q", "hex_r").distinct().count() == 650  # no two hexes on one cell


def test_full_postcode_sample_and_districts_are_imported():
    assert PostcodeDistrict.objects.count() == 2_880
    assert Postcode.objects.count() == 3_013
    assert Counter(Postcode.objects.values_list("outcode", flat=True)) == {
        "DE22": 1_018,
        "M19": 805,
        "LS2": 332,
        "LS6": 858,
    }


# --- idempotency -------------------------------------------------------------------------------------------


def test_second_import_changes_nothing(reference_db):
    before = snapshot()
    with CaptureQueriesContext(connection) as queries:
        summaries = reference_data_import(data_dir=reference_db, quiet=True)
    assert len(summaries) == len([f for f in CATALOGUE if f.importer is not None])
    for summary in summaries:
        assert (summary.created, summary.updated, summary.deleted) == (0, 0, 0), str(summary)
        assert summary.unchanged > 0, str(summary)
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []  # not even silent rewrites of the same rows
    assert snapshot() == before  # same rows, same values


# --- corrupted files ---------------------------------------------------------------------------------------


def test_results_file_missing_a_column_is_rejected_naming_line_1_and_the_column(data_dir, tmp_path):
    lines = read_lines(data_dir, RESULTS_2017)
    lines[0] = lines[0].replace("valid_votes", "valid_vote")
    data_file = write_beside(tmp_path, RESULTS_2017, "".join(lines))
    before = snapshot()
    with pytest.raises(DataFileError) as caught:
        data_file_import(data_file=data_file, data_dir=tmp_path, quiet=True)
    assert (caught.value.line, caught.value.field) == (1, "valid_votes")
    assert "line 1, field 'valid_votes'" in str(caught.value)
    assert "missing column" in str(caught.value)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("relpath", "column", "field"),
    [
        (RESULTS_2017, "valid_votes", "valid_votes"),
        (RESULTS_2015, 14, "majority"),  # no header row: the field is named from the Library's column order
        (CANDIDATES_2017, "votes", "votes"),
        (CENTROIDS_2010, "latitude", "latitude"),
        (DEPRIVATION_2010, "pcon_deprivation_score", "pcon_deprivation_score"),
        (DISTRICTS, "longitude", "longitude"),
        (POSTCODES, "latitude", "latitude"),
    ],
)
def test_a_value_of_the_wrong_type_rejects_the_whole_file(data_dir, tmp_path, relpath, column, field):
    """'abc' on the last line after a valid change on the first data line: the error names the line and the
    field, and the valid change is not kept either (all-or-nothing)."""
    lines = read_lines(data_dir, relpath)
    index = column if isinstance(column, int) else column_index(lines, column)
    first_data = 0 if isinstance(column, int) else 1
    lines[first_data] = nudged(lines[first_data], index)
    lines[-1] = replace_field(lines[-1], index, "abc")
    data_file = write_beside(tmp_path, relpath, "".join(lines))
    before = snapshot()
    with pytest.raises(DataFileError) as caught:
        data_file_import(data_file=data_file, data_dir=tmp_path, quiet=True)
    assert (caught.value.line, caught.value.field) == (len(lines), field)
    assert f"line {len(lines)}, field '{field}'" in str(caught.value)
    assert "'abc'" in str(caught.value)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("relpath", "nudge"),
    [(RESULTS_2017, "majority"), (RESULTS_2015, 14), (CANDIDATES_2017, "votes"), (POSTCODES, "latitude")],
)
def test_a_truncated_file_is_rejected_naming_the_cut_line_and_first_missing_field(data_dir, tmp_path, relpath, nudge):
    lines = read_lines(data_dir, relpath)
    if isinstance(nudge, int):  # no header row
        lines[0] = nudged(lines[0], nudge)
    else:
        lines[1] = nudged(lines[1], column_index(lines, nudge))
    last = lines[-1].rstrip("\r\n")
    lines[-1] = last[: len(last) // 2]  # the download stopped mid-line
    kept = next(csv.reader([lines[-1]]))
    data_file = write_beside(tmp_path, relpath, "".join(lines))
    before = snapshot()
    with pytest.raises(DataFileError) as caught:
        data_file_import(data_file=data_file, data_dir=tmp_path, quiet=True)
    error = caught.value
    assert error.line == len(lines)
    if relpath == RESULTS_2015:
        from groundgame.places.importers.results import HEADERLESS_2015_COLUMNS as names
    else:
        names = [normalise_header(h) for h in next(csv.reader([lines[0]]))]
    assert error.field == names[len(kept)]
    assert f"line {len(lines)}, field '{error.field}'" in str(error)
    assert "truncated" in str(error)
    assert snapshot() == before


def test_the_import_command_rejects_a_corrupted_file_with_command_error_and_imports_nothing(data_dir, tmp_path):
    lines = read_lines(data_dir, RESULTS_2017)
    derby_north = next(i for i, line in enumerate(lines) if line.startswith("E14000662,"))
    lines[derby_north] = replace_field(lines[derby_north], column_index(lines, "majority"), "2016")
    lines[-1] = replace_field(lines[-1], column_index(lines, "valid_votes"), "abc")
    write_beside(tmp_path, RESULTS_2017, "".join(lines))
    before = snapshot()
    with pytest.raises(CommandError) as caught:
        call_command("places_import_results", str(tmp_path / RESULTS_2017), "--year=2017", "--quiet")
    message = str(caught.value)
    assert f"line {len(lines)}, field 'valid_votes'" in message
    assert "Nothing was imported" in message
    assert snapshot() == before
    assert ConstituencyResult.objects.get(election__year=2017, constituency__code="E14000662").majority == 2_015


# --- corrupted GeoJSON and HexJSON ------------------------------------------------------------------------------


def test_geojson_that_is_not_json_is_rejected_naming_the_line(data_dir, tmp_path):
    text = (data_dir / BOUNDARIES_2010).read_text(encoding="utf-8")
    cut = text[: len(text) // 2]
    data_file = write_beside(tmp_path, BOUNDARIES_2010, cut)
    before = snapshot()
    with pytest.raises(DataFileError) as caught:
        data_file_import(data_file=data_file, data_dir=tmp_path, quiet=True)
    assert caught.value.line == cut.count("\n") + 1  # the line where the file stops
    assert "not valid GeoJSON" in str(caught.value)
    assert snapshot() == before


def geojson_with(data_dir: Path, change) -> str:
    data = json.loads((data_dir / BOUNDARIES_2010).read_text(encoding="utf-8"))
    # A valid change to the first feature (a boundary moved by about 100 m) that must not survive the rejection
    # of the second.
    first = data["features"][0]["geometry"]
    first["coordinates"] = shifted_north(first["coordinates"])
    change(data["features"])
    return json.dumps(data)


def shifted_north(coordinates):
    """GeoJSON coordinates (any nesting) moved 0.001 degrees north."""
    if isinstance(coordinates[0], (int, float)):
        return [coordinates[0], coordinates[1] + 0.001]
    return [shifted_north(c) for c in coordinates]


def _two_point_ring(features):
    features[1]["geometry"] = {"type": "Polygon", "coordinates": [[[0, 51], [1, 52]]]}


def _point_geometry(features):
    features[1]["geometry"] = {"type": "Point", "coordinates": [0, 51]}


def _drop_code(features):
    features[1]["properties"] = {"PCON22NM": "Nowhere"}


def _duplicate_code(features):
    features[1]["properties"] = dict(features[0]["properties"])


def _not_a_feature(features):
    features[1] = "oops"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (_two_point_ring, "features[1].geometry"),
        (_point_geometry, "features[1].geometry"),
        (_drop_code, "features[1].properties"),
        (_duplicate_code, "features[1].properties"),
        (_not_a_feature, "features[1]"),
    ],
)
def test_a_bad_geojson_feature_is_rejected_naming_the_feature_and_leaves_boundaries_unchanged(
    data_dir, tmp_path, change, field
):
    data_file = write_beside(tmp_path, BOUNDARIES_2010, geojson_with(data_dir, change))
    before = snapshot()
    with pytest.raises(DataFileError) as caught:
        data_file_import(data_file=data_file, data_dir=tmp_path, quiet=True)
    assert caught.value.field == field
    assert f"field '{field}'" in str(caught.value)
    assert snapshot() == before


def test_geojson_without_features_is_rejected(tmp_path):
    data_file = write_beside(tmp_path, BOUNDARIES_2010, '{"type": "FeatureCollection", "features": []}')
    before = snapshot()
    with pytest.raises(DataFileError, match="field 'features'"):
        data_file_import(data_file=data_file, data_dir=tmp_path, quiet=True)
    assert snapshot() == before


def hexjson_with(data_dir: Path, change) -> str:
    data = json.loads((data_dir / HEXJSON_2010).read_text(encoding="utf-8"))
    codes = list(data["hexes"])
    data["hexes"][codes[0]]["q"] += 100  # a valid change that must not survive the rejection
    change(data, codes[1])  # the next hex is bad
    return json.dumps(data, indent=1)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda data, code: data["hexes"][code].update(q="abc"), "hexes.{code}.q"),
        (lambda data, code: data["hexes"][code].pop("r"), "hexes.{code}.r"),
        (lambda data, code: data["hexes"].update({code: 7}), "hexes.{code}"),
        (lambda data, code: data["hexes"].update({"X99": {"q": 1, "r": 1, "n": "Nowhere"}}), "hexes.X99"),
        (lambda data, code: data.update(layout="odd-q"), "layout"),
        (lambda data, code: data.update(hexes=[]), "hexes"),
    ],
    ids=["text-q", "missing-r", "not-an-object", "not-a-gss-code", "wrong-layout", "no-hexes"],
)
def test_bad_hexjson_is_rejected_naming_the_field_and_leaves_hexes_unchanged(data_dir, tmp_path, change, field):
    bad_code = list(json.loads((data_dir / HEXJSON_2010).read_text(encoding="utf-8"))["hexes"])[1]
    data_file = write_beside(tmp_path, HEXJSON_2010, hexjson_with(data_dir, change))
    before = snapshot()
    with pytest.raises(DataFileError) as caught:
        data_file_import(data_file=data_file, data_dir=tmp_path, quiet=True)
    assert caught.value.field == field.format(code=bad_code)
    assert snapshot() == before


def test_hexjson_that_is_not_json_is_rejected_naming_the_line(data_dir, tmp_path):
    lines = read_lines(data_dir, HEXJSON_2010)
    lines[10] = lines[10].replace(":", "", 1)  # "E14000535"{"n": ...
    data_file = write_beside(tmp_path, HEXJSON_2010, "".join(lines))
    before = snapshot()
    with pytest.raises(DataFileError) as caught:
        data_file_import(data_file=data_file, data_dir=tmp_path, quiet=True)
    assert caught.value.line == 11
    assert "line 11" in str(caught.value)
    assert snapshot() == before


# --- command output ----------------------------------------------------------------------------------------


def test_import_command_prints_what_changed(data_dir, tmp_path):
    out = io.StringIO()
    call_command("places_import_results", str(data_dir / RESULTS_2017), "--year=2017", "--quiet", stdout=out)
    assert out.getvalue() == (
        "results 2017 from HoC-GE2017-constituency-results.csv: 650 rows; "
        "0 created, 0 updated, 0 deleted, 650 unchanged\n"
    )

    lines = read_lines(data_dir, RESULTS_2017)
    derby_north = next(i for i, line in enumerate(lines) if line.startswith("E14000662,"))
    lines[derby_north] = replace_field(lines[derby_north], column_index(lines, "majority"), "2016")
    write_beside(tmp_path, RESULTS_2017, "".join(lines))
    out = io.StringIO()
    call_command("places_import_results", str(tmp_path / RESULTS_2017), "--year=2017", "--quiet", stdout=out)
    assert "650 rows; 0 created, 1 updated, 0 deleted, 649 unchanged" in out.getvalue()
    assert ConstituencyResult.objects.get(election__year=2017, constituency__code="E14000662").majority == 2_016


def test_candidates_command_prints_the_meon_valley_warning(data_dir):
    out = io.StringIO()
    call_command("places_import_candidates", str(data_dir / CANDIDATES_2019), "--year=2019", "--quiet", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("candidates 2019 from HoC-GE2019-results-by-candidate.csv: 3320 rows; 0 created")
    assert lines[1:] == [
        "  warning: Meon Valley (E14000811): candidate votes sum to 55,569, "
        "the constituency file says 54,829 valid votes"
    ]


def test_results_file_for_another_boundary_set_is_rejected_and_nothing_changes(reference_db, db, data_dir):
    """The 2024 results (2024 boundaries) imported as 2017 would replace 2017's results: refuse, naming the row."""
    from groundgame.places.importers.catalogue import CATALOGUE
    from groundgame.places.importers.results import import_constituency_results
    from groundgame.places.models import Constituency, ConstituencyResult

    path = data_dir / next(f.relpath for f in CATALOGUE if f.options.get("year") == 2024 and f.family == "results")
    before = (Constituency.objects.count(), ConstituencyResult.objects.filter(election__year=2017).count())
    with pytest.raises(DataFileError) as error, transaction.atomic():
        import_constituency_results(path, year=2017, quiet=True)
    assert "line 2" in str(error.value) and "ons_id" in str(error.value)
    assert "is not a constituency of" in str(error.value)
    after = (Constituency.objects.count(), ConstituencyResult.objects.filter(election__year=2017).count())
    assert after == before
