"""'Find where you're needed' on the real data, with the 2015 results as base (what a 2017 campaign had):
where a postcode or district is, which constituency it falls in (point-in-polygon, nearest polygon when
outside all of them), and the nearest target seats with distance, marginality and the reason each is listed."""

import csv
from collections import Counter

import pytest
import shapely
from django.conf import settings
from shapely.geometry import Point

from groundgame.places import selectors
from groundgame.places.geometry import haversine_km
from groundgame.places.models import Constituency, ConstituencyResult, Election, Postcode, PostcodeDistrict
from groundgame.places.postcodes import InvalidPostcode, parse
from groundgame.places.selectors import (
    UnknownPostcode,
    clear_caches,
    election_index,
    locate_postcode,
    nearest_targets,
    seat_for,
    target_seats,
)
from groundgame.places.services import target_override_set
from groundgame.places.targeting import Position

pytestmark = [pytest.mark.django_db, pytest.mark.realdata, pytest.mark.usefixtures("reference_db")]

BASE = 2015
DERBY_NORTH = "E14000662"
DISTRICTS = "postcodes/gb-postcode-district-centroids-codepoint-2014.csv"
SAMPLE = "postcodes/gb-postcodes-sample-DE22-M19-LS2-LS6-codepoint-2014.csv"


def constituency(year: int, code: str) -> Constituency:
    return Constituency.objects.get(boundary_set__elections__year=year, code=code)


def seat_name(index, placement) -> str:
    return index.boundary_seats[placement.index].name


# --- where a postcode is ----------------------------------------------------------------------------------


def test_full_postcode_de22_1aa_is_in_derby_north_which_is_the_first_target():
    lookup = nearest_targets(postcode="DE22 1AA", year=BASE)
    postcode = Postcode.objects.get(postcode="DE22 1AA")
    assert (lookup.location.lat, lookup.location.lon) == (postcode.latitude, postcode.longitude)
    assert lookup.location.precision == "postcode"
    assert (lookup.constituency.code, lookup.constituency.name) == (DERBY_NORTH, "Derby North")
    assert lookup.approximate is False
    assert lookup.election.year == BASE
    assert lookup.targets[0].seat.code == DERBY_NORTH  # the person's own seat is listed like any other


def test_postcode_is_normalised_before_lookup():
    assert nearest_targets(postcode="  de221aa ", year=BASE).location.postcode == "DE22 1AA"


def test_district_alone_is_located_at_its_centroid_and_marked_approximate():
    district = PostcodeDistrict.objects.get(outcode="DE22")
    lookup = nearest_targets(postcode="DE22", year=BASE)
    assert lookup.location.precision == "district"
    assert (lookup.location.lat, lookup.location.lon) == (district.latitude, district.longitude)
    assert lookup.approximate is True
    assert lookup.constituency is not None


def test_unknown_full_postcode_in_a_known_district_falls_back_to_the_district(data_dir):
    with open(data_dir / SAMPLE, encoding="utf-8-sig", newline="") as handle:
        sample = {row["postcode"] for row in csv.DictReader(handle)}
    assert "DE22 9ZZ" not in sample
    assert parse("DE22 9ZZ").is_full
    location = locate_postcode("DE22 9ZZ")
    district = PostcodeDistrict.objects.get(outcode="DE22")
    assert location.precision == "district"
    assert location.postcode == "DE22 9ZZ"
    assert (location.lat, location.lon) == (district.latitude, district.longitude)
    assert nearest_targets(postcode="DE22 9ZZ", year=BASE).approximate is True


@pytest.mark.parametrize("text", ["BT1", "BT1 1AA"])
def test_well_formed_postcode_in_an_unknown_district_is_unknown(data_dir, text):
    # Belfast's BT districts are valid UK postcodes but the Code-Point Open file covers Great Britain only.
    with open(data_dir / DISTRICTS, encoding="utf-8-sig", newline="") as handle:
        assert "BT1" not in {row["outcode"] for row in csv.DictReader(handle)}
    assert parse(text).outcode == "BT1"
    with pytest.raises(UnknownPostcode, match="BT1"):
        locate_postcode(text)
    with pytest.raises(UnknownPostcode):
        nearest_targets(postcode=text, year=BASE)


@pytest.mark.parametrize("text", ["", "junk DE22 1AA", "GIR 0AAjunk", "DE22 1A"])
def test_malformed_postcode_is_invalid_not_unknown(text):
    with pytest.raises(InvalidPostcode):
        nearest_targets(postcode=text, year=BASE)


# --- which constituency --------------------------------------------------------------------------------------


@pytest.mark.parametrize("year", [2015, 2024])
def test_every_sample_postcode_falls_inside_a_constituency(year):
    index = selectors.election_index(year)
    postcodes = list(Postcode.objects.values_list("postcode", "latitude", "longitude"))
    assert len(postcodes) == 3_013
    for postcode, lat, lon in postcodes:
        placement = index.boundaries.locate(lat, lon)
        assert placement is not None and not placement.approximate, postcode


def test_de22_postcodes_split_four_ways_on_the_2010_boundaries():
    index = selectors.election_index(2015)
    de22 = Postcode.objects.filter(outcode="DE22").values_list("latitude", "longitude")
    split = Counter(seat_name(index, index.boundaries.locate(lat, lon)) for lat, lon in de22)
    assert split == {"Derby North": 590, "Mid Derbyshire": 320, "Derby South": 36, "Derbyshire Dales": 72}


def test_de22_postcodes_split_three_ways_on_the_2024_boundaries():
    index = selectors.election_index(2024)
    assert index.election.boundary_set.slug == "2024"
    de22 = Postcode.objects.filter(outcode="DE22").values_list("latitude", "longitude")
    split = Counter(index.boundary_seats[index.boundaries.locate(lat, lon).index].code for lat, lon in de22)
    assert len(split) == 3
    assert sum(split.values()) == 1_018
    assert set(split) <= set(Constituency.objects.in_set("2024").values_list("code", flat=True))


def test_district_centroids_outside_every_polygon_take_the_nearest_one():
    index = selectors.election_index(2015)
    districts = list(PostcodeDistrict.objects.values_list("outcode", "latitude", "longitude"))
    outside = {
        outcode: index.boundaries.locate(lat, lon)
        for outcode, lat, lon in districts
        if index.boundaries.locate(lat, lon).approximate
    }
    assert 20 <= len(outside) <= 30  # "about 25 on the 2010 set"
    assert "SW1P" in outside
    for outcode, placement in outside.items():
        lat, lon = next((la, lo) for o, la, lo in districts if o == outcode)
        point = Point(lon, lat)
        distances = shapely.distance(index.boundaries.polygons, point)
        assert distances.min() > 0, outcode  # really outside every polygon
        assert distances[placement.index] == distances.min(), outcode


def test_lookup_of_a_district_whose_centroid_is_offshore_is_approximate_but_placed():
    lookup = nearest_targets(postcode="SW1P", year=BASE)
    assert lookup.approximate is True
    assert lookup.constituency is not None
    assert lookup.constituency.code.startswith("E14")


def test_lookup_on_2024_uses_the_2024_constituencies():
    lookup = nearest_targets(postcode="DE22 1AA", year=2024)
    codes_2024 = set(Constituency.objects.in_set("2024").values_list("code", flat=True))
    assert lookup.constituency.code in codes_2024
    assert {t.seat.code for t in lookup.targets} <= codes_2024


# --- nearest targets ------------------------------------------------------------------------------------------


def test_targets_are_nearest_first_with_great_circle_distances_to_their_centroids():
    lookup = nearest_targets(postcode="DE22 1AA", year=BASE, limit=10)
    assert len(lookup.targets) == 10
    distances = [t.distance_km for t in lookup.targets]
    assert distances == sorted(distances)
    for target in lookup.targets:
        assert round(target.distance_km, 1) == target.distance_km  # 0.1 km precision
        centroid = constituency(BASE, target.seat.code)
        exact = haversine_km(lookup.location.lat, lookup.location.lon, centroid.centroid_lat, centroid.centroid_lon)
        assert target.distance_km == pytest.approx(exact, abs=0.05 + 1e-9)


def test_no_nearer_target_is_skipped():
    location = locate_postcode("DE22 1AA")
    _, all_targets = target_seats(year=BASE)
    by_distance = sorted(all_targets, key=lambda s: haversine_km(location.lat, location.lon, s.lat, s.lon))
    lookup = nearest_targets(postcode="DE22 1AA", year=BASE, limit=10)
    assert [t.seat.code for t in lookup.targets] == [s.code for s in by_distance[:10]]


@pytest.mark.parametrize("limit", [1, 3, 5, 50])
def test_limit_caps_the_number_of_targets(limit):
    lookup = nearest_targets(postcode="DE22 1AA", year=BASE, limit=limit)
    longest = nearest_targets(postcode="DE22 1AA", year=BASE, limit=50)
    assert [t.seat.code for t in lookup.targets] == [t.seat.code for t in longest.targets[:limit]]
    assert len(lookup.targets) == limit


def test_default_limit_is_five():
    assert len(nearest_targets(postcode="DE22 1AA", year=BASE).targets) == 5


@pytest.mark.parametrize("postcode", ["DE22 1AA", "M19", "LS6 1AA"])
def test_every_listed_target_is_a_gain_or_defence_within_the_swing_window_with_a_reason(postcode):
    for target in nearest_targets(postcode=postcode, year=BASE, limit=50).targets:
        seat = target.seat
        assert seat.is_target
        assert seat.position in (Position.GAIN, Position.DEFEND)
        assert seat.standing.swing_needed <= settings.GROUNDGAME_TARGET_SWING_WINDOW
        assert f"{seat.standing.majority:,}" in seat.reason


# --- overrides ----------------------------------------------------------------------------------------------


def test_a_removed_nearer_target_is_listed_as_excluded_with_its_reason_never_skipped():
    election = Election.objects.get(year=BASE)
    before = nearest_targets(postcode="DE22 1AA", year=BASE)
    assert before.targets[0].seat.code == DERBY_NORTH
    assert before.excluded == []
    reason = "The local party asked us to concentrate on Erewash."
    target_override_set(election=election, constituency=constituency(BASE, DERBY_NORTH), action="remove", reason=reason)

    after = nearest_targets(postcode="DE22 1AA", year=BASE)
    assert DERBY_NORTH not in [t.seat.code for t in after.targets]
    assert [t.seat.code for t in after.targets][:4] == [t.seat.code for t in before.targets[1:]]
    assert [e.seat.code for e in after.excluded] == [DERBY_NORTH]
    excluded = after.excluded[0]
    assert excluded.distance_km == before.targets[0].distance_km
    assert excluded.seat.reason == f"Removed by organisers: {reason}"
    assert not seat_for(year=BASE, code=DERBY_NORTH).is_target


def test_a_seat_added_by_organisers_is_listed_with_their_reason():
    election = Election.objects.get(year=BASE)
    derby_south = Constituency.objects.get(boundary_set=election.boundary_set, name="Derby South")
    assert not seat_for(year=BASE, code=derby_south.code).is_target  # a safe seat in 2015
    assert derby_south.code not in [t.seat.code for t in nearest_targets(postcode="DE22 1AA", year=BASE).targets]
    reason = "Our candidate stands down; the seat needs new volunteers."
    target_override_set(election=election, constituency=derby_south, action="add", reason=reason)

    lookup = nearest_targets(postcode="DE22 1AA", year=BASE)
    added = next(t for t in lookup.targets if t.seat.code == derby_south.code)
    assert added.seat.reason == f"Added by organisers: {reason}"
    exact = haversine_km(lookup.location.lat, lookup.location.lon, derby_south.centroid_lat, derby_south.centroid_lon)
    assert added.distance_km == pytest.approx(exact, abs=0.05 + 1e-9)
    assert derby_south.code in [s.code for s in target_seats(year=BASE)[1]]


def test_an_override_on_the_wrong_boundaries_is_refused():
    with pytest.raises(ValueError, match="not on the boundaries"):
        target_override_set(
            election=Election.objects.get(year=2024),
            constituency=constituency(BASE, DERBY_NORTH),
            action="remove",
            reason="Wrong set.",
        )


# --- marginality values -------------------------------------------------------------------------------------


def test_derby_north_2015_values_agree_with_the_definitions():
    result = ConstituencyResult.objects.get(election__year=BASE, constituency__code=DERBY_NORTH)
    assert (result.first_party, result.second_party) == ("Con", "Lab")
    target = next(t for t in nearest_targets(postcode="DE22 1AA", year=BASE).targets if t.seat.code == DERBY_NORTH)
    s = target.seat.standing
    assert target.seat.position == Position.GAIN
    assert s.majority == result.majority
    assert s.majority_pct == pytest.approx(100 * result.majority / result.valid_votes)
    con, lab = (100 * result.party_votes[p] / result.valid_votes for p in ("Con", "Lab"))
    assert s.swing_needed == pytest.approx((con - lab) / 2)
    assert target.rank == selectors.election_index(BASE).ranks[target.seat.constituency_id]


@pytest.mark.parametrize("year", [2015, 2017, 2019, 2024])
def test_swing_needed_and_majority_pct_agree_with_the_definitions_in_every_seat(year):
    ours = settings.GROUNDGAME_OUR_PARTY
    checked = Counter()
    for seat in selectors.election_index(year).seats:
        result, s = seat.result, seat.standing
        share = {party: 100 * votes / result.valid_votes for party, votes in result.party_votes.items()}
        assert s.majority_pct == pytest.approx(100 * result.majority / result.valid_votes)
        if s.position is Position.GAIN and result.first_party in share and result.first_party != "Other":
            assert s.swing_needed == pytest.approx((share[result.first_party] - share[ours]) / 2), seat.name
            checked["gain"] += 1
        elif s.position is Position.DEFEND and result.second_party in share and result.second_party != "Other":
            assert s.swing_needed == pytest.approx((share[ours] - share[result.second_party]) / 2), seat.name
            checked["defend"] += 1
        elif s.position is Position.NEITHER:
            assert s.swing_needed is None and ours not in result.party_votes
    assert checked["gain"] > 100 and checked["defend"] > 100


@pytest.mark.parametrize("position", [Position.GAIN, Position.DEFEND])
def test_ranks_order_seats_by_swing_needed_within_our_position(position):
    index = selectors.election_index(BASE)
    seats = [s for s in index.seats if s.standing and s.standing.position is position]
    ranked = sorted(seats, key=lambda s: index.ranks[s.constituency_id])
    assert [index.ranks[s.constituency_id] for s in ranked] == list(range(1, len(seats) + 1))
    swings = [s.standing.swing_needed for s in ranked]
    assert swings == sorted(swings)
    neither = [s for s in index.seats if s.standing and s.standing.position is Position.NEITHER]
    assert not [s for s in neither if s.constituency_id in index.ranks]


def test_stored_placements_agree_with_point_in_polygon_for_every_sample_postcode(reference_db, db):
    """Full postcodes are placed once at import; each stored placement equals a fresh point-in-polygon."""
    from groundgame.places.models import Postcode, PostcodePlacement

    for year in (2015, 2024):
        index = election_index(year)
        stored = {
            p.postcode_id: (p.constituency_id, p.approximate)
            for p in PostcodePlacement.objects.filter(boundary_set_id=index.election.boundary_set_id)
        }
        postcodes = list(Postcode.objects.all())
        assert len(stored) == len(postcodes) == 3013
        for postcode in postcodes:
            placement = index.boundaries.locate(postcode.latitude, postcode.longitude)
            expected = (index.boundary_seats[placement.index].constituency_id, placement.approximate)
            assert stored[postcode.pk] == expected, postcode.postcode


def test_lookup_of_a_full_postcode_reads_its_stored_placement(reference_db, db):
    """The lookup trusts the import-time placement (no geometry per request): move it and the answer follows."""
    from groundgame.places.models import Constituency, PostcodePlacement

    index = election_index(2015)
    placement = PostcodePlacement.objects.get(postcode__postcode="DE22 1AA", boundary_set=index.election.boundary_set)
    assert placement.constituency.code == "E14000662"
    placement.constituency = Constituency.objects.get(boundary_set=index.election.boundary_set, code="E14000663")
    placement.save()
    lookup = nearest_targets(postcode="DE22 1AA", year=2015)
    assert lookup.constituency.code == "E14000663"


@pytest.mark.parametrize("in_memory", [3_000_000, 0], ids=["postcodes-in-memory", "postcodes-from-database"])
def test_full_postcode_lookups_agree_whether_postcodes_are_held_in_memory_or_read(
    reference_db, db, settings, in_memory
):
    """The in-memory postcode table and the database query give the same location, seat and approximation."""
    from groundgame.places.models import Postcode

    settings.GROUNDGAME_POSTCODES_IN_MEMORY = in_memory
    clear_caches()
    index = election_index(2015)
    for postcode in Postcode.objects.order_by("postcode")[::97]:
        location = locate_postcode(postcode.postcode, boundary_set_id=index.election.boundary_set_id)
        assert location.precision == "postcode"
        assert location.lat == pytest.approx(postcode.latitude, abs=1e-5)
        assert location.lon == pytest.approx(postcode.longitude, abs=1e-5)
        placement = postcode.placements.get(boundary_set_id=index.election.boundary_set_id)
        assert location.placement == (placement.constituency_id, placement.approximate)
    assert locate_postcode("DE22 9ZZ").precision == "district"
