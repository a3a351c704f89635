"""turf.py, the walk list cutter, tested directly (no Django, no database): what it promises on a plausible town
(every door once, sizes near the target, streets and street sides kept together, flats by number, doors without a
location last in their street, a short walk, the same answer every time) and, with hypothesis, on random streets."""

import math
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from groundgame.canvassing import turf
from groundgame.canvassing.turf import Door, cut

LAT0, LON0 = 52.92, -1.48
M_LAT = 1 / 111_195
M_LON = M_LAT / math.cos(math.radians(LAT0))


def town(seed: int = 7, streets: int = 40, district: str = "AB1", unlocated: float = 0.02) -> list[Door]:
    """Streets at random places and angles in a 1.2 km square: odd numbers on one side, even on the other, 10 m
    apart; some long roads, some short closes, a block of flats; a few doors without a location."""
    rng = random.Random(seed)
    doors: list[Door] = []
    next_id = 1
    for s in range(streets):
        name = f"Street {s:02d}" if s % 2 else f"{'ABCDEFGHIJKLMNOPQRSTUVWXYZ'[s % 26]} Road {s}"
        houses = rng.choice([8, 14, 22, 30, 45, 70, 130])
        x0, y0, angle = rng.uniform(0, 1200), rng.uniform(0, 1200), rng.uniform(0, math.pi)
        flats_at = 5 if s % 7 == 0 else None
        for number in range(1, houses + 1):
            flats = [f"Flat {k}" for k in range(1, 13)] if number == flats_at else [""]
            for flat in flats:
                along = (number // 2) * 10.0
                offset = 9.0 if number % 2 else -9.0
                x = x0 + math.cos(angle) * along - math.sin(angle) * offset
                y = y0 + math.sin(angle) * along + math.cos(angle) * offset
                located = rng.random() >= unlocated
                doors.append(
                    Door(
                        id=next_id,
                        district=district,
                        street=name,
                        number=number,
                        flat=flat,
                        lat=LAT0 + y * M_LAT if located else None,
                        lon=LON0 + x * M_LON if located else None,
                    )
                )
                next_id += 1
    return doors


@pytest.fixture(scope="module")
def doors() -> list[Door]:
    return town()


@pytest.fixture(scope="module")
def turfs(doors) -> list[turf.Turf]:
    return cut(doors, target_size=50)


def by_id(doors):
    return {d.id: d for d in doors}


def test_every_door_is_in_exactly_one_list(doors, turfs):
    ids = [i for t in turfs for i in t.ids]
    assert len(ids) == len(set(ids)) == len(doors)
    assert set(ids) == {d.id for d in doors}


def test_lists_are_near_the_target_size(turfs):
    """Never over target + 30%; nearly all within ±30% (a list can be short only where nothing else fits)."""
    low, high = turf.size_limits(50, 0.3)
    sizes = [t.doors for t in turfs]
    assert max(sizes) <= high
    assert sum(low <= s <= high for s in sizes) >= 0.85 * len(sizes)
    assert 42 <= sum(sizes) / len(sizes) <= 58


def test_a_street_that_fits_in_a_list_is_kept_whole(doors, turfs):
    _, high = turf.size_limits(50, 0.3)
    list_of = {i: n for n, t in enumerate(turfs) for i in t.ids}
    streets: dict[str, list[int]] = {}
    for d in doors:
        streets.setdefault(d.street, []).append(d.id)
    fitting = [ids for ids in streets.values() if len(ids) <= high]
    assert len(fitting) > 20  # the town has plenty of them
    for ids in fitting:
        assert len({list_of[i] for i in ids}) == 1


def test_a_long_street_is_split_at_a_side_or_between_numbers(doors, turfs):
    """A 130-door road fills more than a list: each list holds whole sides or runs of one side in number order."""
    index = by_id(doors)
    long_streets = {d.street for d in doors if sum(e.street == d.street for e in doors) > 65}
    assert long_streets
    for t in turfs:
        for street in long_streets:
            for parity in (0, 1):
                numbers = [
                    index[i].number
                    for i in t.ids
                    if index[i].street == street and index[i].number % 2 == parity and index[i].located
                ]
                if len(numbers) > 1:
                    assert numbers in (sorted(numbers), sorted(numbers, reverse=True))


def test_odd_and_even_sides_are_walked_in_one_go_each(doors, turfs):
    """Within a list, the located doors of one side of a street are consecutive and in number order (one way or
    the other): up one side, down the other."""
    index = by_id(doors)
    for t in turfs:
        located = [index[i] for i in t.ids if index[i].located]
        runs: dict[tuple[str, int], list[int]] = {}
        for pos, d in enumerate(located):
            runs.setdefault((d.street, d.number % 2), []).append(pos)
        for (street, parity), positions in runs.items():
            assert positions == list(range(positions[0], positions[0] + len(positions))), (t.streets, street, parity)
            numbers = [located[p].number for p in positions]
            assert numbers in (sorted(numbers), sorted(numbers, reverse=True))


def test_flats_of_a_building_are_together_in_flat_number_order(doors, turfs):
    index = by_id(doors)
    for t in turfs:
        flats = [index[i] for i in t.ids if index[i].flat and index[i].located]
        buildings: dict[tuple, list[str]] = {}
        for d in flats:
            buildings.setdefault((d.street, d.number), []).append(d.flat)
        for names in buildings.values():
            numbers = [int(n.split()[1]) for n in names]
            assert numbers in (sorted(numbers), sorted(numbers, reverse=True))
    assert turf.natural_key("Flat 2") < turf.natural_key("Flat 10") < turf.natural_key("Flat 10A")


def test_doors_without_a_location_come_after_their_street_in_number_order(doors, turfs):
    index = by_id(doors)
    checked = 0
    for t in turfs:
        order = [index[i] for i in t.ids]
        for pos, d in enumerate(order):
            if d.located:
                continue
            same_street = [p for p, e in enumerate(order) if e.street == d.street and e.located]
            if same_street:
                assert pos > max(same_street)
                checked += 1
        unlocated = [(d.street, d.number) for d in order if not d.located]
        for street in {s for s, _ in unlocated}:
            numbers = [n for s, n in unlocated if s == street]
            assert numbers == sorted(numbers)
    assert checked > 5


def test_the_cut_is_deterministic_whatever_the_input_order(doors, turfs):
    again = cut(list(doors), target_size=50)
    assert [t.ids for t in again] == [t.ids for t in turfs]
    shuffled = list(doors)
    random.Random(3).shuffle(shuffled)
    assert [t.ids for t in cut(shuffled, target_size=50)] == [t.ids for t in turfs]


def test_short_neighbouring_streets_are_combined(turfs):
    """Closes of 8 to 30 doors share lists with their neighbours instead of making lists of their own."""
    assert sum(len(t.streets) > 1 for t in turfs) >= len(turfs) // 3


def test_walking_order_is_shorter_than_the_streets_in_name_order(doors, turfs):
    """Against walking each list's street sides in alphabetical order, all forwards: the planned walk is shorter."""
    index = by_id(doors)
    planned = naive = 0.0
    for t in turfs:
        planned += t.distance_m
        located = sorted(
            (index[i] for i in t.ids if index[i].located), key=lambda d: (d.street, d.number % 2, d.number, d.flat)
        )
        xy = turf.project(np.array([d.lat for d in located]), np.array([d.lon for d in located]), LAT0)
        naive += float(np.hypot(*np.diff(xy, axis=0).T).sum())
    assert planned < 0.9 * naive


def test_distance_is_the_length_of_the_walk_through_the_doors(doors, turfs):
    index = by_id(doors)
    for t in turfs[:10]:
        located = [index[i] for i in t.ids if index[i].located]
        xy = turf.project(np.array([d.lat for d in located]), np.array([d.lon for d in located]), LAT0)
        assert t.distance_m == pytest.approx(float(np.hypot(*np.diff(xy, axis=0).T).sum()), rel=0.01, abs=1)


def test_lists_never_cross_polling_districts():
    doors = town(seed=1, streets=12, district="AA1") + [
        Door(id=d.id + 100_000, district="AA2", street=d.street, number=d.number, flat=d.flat, lat=d.lat, lon=d.lon)
        for d in town(seed=2, streets=12)
    ]
    turfs = cut(doors, target_size=40)
    districts = {d.id: d.district for d in doors}
    for t in turfs:
        assert {districts[i] for i in t.ids} == {t.district}
    assert [t.district for t in turfs] == sorted(t.district for t in turfs)


def test_a_small_street_is_one_list_walked_up_one_side_and_down_the_other():
    doors = [
        Door(id=n, district="X", street="Mill Lane", number=n, lat=LAT0 + (n % 2) * 2e-4, lon=LON0 + (n // 2) * 1e-4)
        for n in range(1, 11)
    ]
    [only] = cut(doors)
    odd, even = [1, 3, 5, 7, 9], [2, 4, 6, 8, 10]
    halves = [only.ids[:5], only.ids[5:]]
    assert sorted(map(sorted, halves)) == [odd, even]
    for half in halves:
        assert half in (sorted(half), sorted(half, reverse=True))
    assert {halves[0][-1], halves[1][0]} in ({9, 10}, {1, 2})  # across at one end, not back along the street
    assert cut([]) == []


def test_streets_without_any_location_are_still_cut():
    doors = [Door(id=n, district="X", street=f"Lane {n // 20}", number=n % 20 + 1) for n in range(100)]
    turfs = cut(doors, target_size=50)
    assert sorted(i for t in turfs for i in t.ids) == list(range(100))
    assert all(t.distance_m == 0 for t in turfs)


def test_named_houses_without_numbers_are_walked_too():
    doors = [
        Door(id=1, district="X", street="Back Lane", name="Rose Cottage", lat=LAT0, lon=LON0),
        Door(id=2, district="X", street="Back Lane", name="The Barn", lat=LAT0, lon=LON0 + 1e-3),
        Door(id=3, district="X", street="Back Lane", number=1, lat=LAT0, lon=LON0 + 2e-3),
    ]
    [only] = cut(doors)
    assert sorted(only.ids) == [1, 2, 3]


def test_split_points_fall_between_buildings():
    doors = [Door(id=k, district="X", street="S", number=1 + 2 * (k // 4), flat=f"Flat {k % 4 + 1}") for k in range(40)]
    for cut_at in turf.split_points(doors, 3):
        assert doors[cut_at].number != doors[cut_at - 1].number


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        cut([], target_size=0)
    with pytest.raises(ValueError):
        cut([], tolerance=1.5)


# --- with hypothesis: random segments and random streets ------------------------------------------------------------

points = st.tuples(st.floats(-2_000, 2_000), st.floats(-2_000, 2_000))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(points, points), min_size=1, max_size=25))
def test_two_opt_never_lengthens_the_nearest_neighbour_route(segments):
    starts = np.array([s for s, _ in segments], dtype=float)
    ends = np.array([e for _, e in segments], dtype=float)
    lengths = [float(np.hypot(*(e - s))) for s, e in zip(starts, ends, strict=True)]
    first = turf.nearest_neighbour(starts, ends, 0, False)
    improved = turf.two_opt(first, starts, ends)
    assert sorted(i for i, _ in improved) == list(range(len(segments)))
    assert turf.route_length(improved, starts, ends, lengths) <= turf.route_length(first, starts, ends, lengths) + 1e-6


@st.composite
def streets(draw):
    count = draw(st.integers(1, 12))
    doors, next_id = [], 1
    for s in range(count):
        houses = draw(st.integers(1, 60))
        x0, y0 = draw(points)
        angle = draw(st.floats(0, math.pi))
        missing = draw(st.sets(st.integers(1, houses), max_size=3))
        for number in range(1, houses + 1):
            along = (number // 2) * 10.0
            x, y = x0 + math.cos(angle) * along, y0 + math.sin(angle) * along + (8 if number % 2 else -8)
            located = number not in missing
            doors.append(
                Door(
                    id=next_id,
                    district="D",
                    street=f"Street {s}",
                    number=number,
                    lat=LAT0 + y * M_LAT if located else None,
                    lon=LON0 + x * M_LON if located else None,
                )
            )
            next_id += 1
    return doors


@settings(max_examples=80, deadline=None)
@given(streets(), st.integers(10, 80))
def test_random_streets_are_cut_into_a_partition_keeping_fitting_streets_whole(doors, target):
    turfs = cut(doors, target_size=target)
    ids = [i for t in turfs for i in t.ids]
    assert sorted(ids) == sorted(d.id for d in doors)
    _, high = turf.size_limits(target, 0.3)
    assert all(t.doors <= high for t in turfs)
    list_of = {i: n for n, t in enumerate(turfs) for i in t.ids}
    for street in {d.street for d in doors}:
        members = [d.id for d in doors if d.street == street]
        if len(members) <= high:
            assert len({list_of[i] for i in members}) == 1
    assert [t.ids for t in cut(doors, target_size=target)] == [t.ids for t in turfs]
