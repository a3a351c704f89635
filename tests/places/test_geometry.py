"""Distances, nearest-k and centroids, checked against direct computation."""

import random

import pytest

from groundgame.places.geometry import PointSet, area_centroid, haversine_km


def test_haversine_matches_a_known_distance():
    """London (Charing Cross) to Edinburgh (Waverley) is about 534 km as the crow flies."""
    assert haversine_km(51.5074, -0.1278, 55.9521, -3.1890) == pytest.approx(534, abs=2)


@pytest.mark.parametrize("k", [1, 5, 50, 400])
def test_nearest_k_equals_sorting_every_great_circle_distance(k):
    rng = random.Random(7)
    lats = [rng.uniform(50, 58.5) for _ in range(300)]
    lons = [rng.uniform(-6, 1.7) for _ in range(300)]
    points = PointSet(lats, lons)
    for _ in range(20):
        lat, lon = rng.uniform(50, 58.5), rng.uniform(-6, 1.7)
        order, distances = points.nearest(lat, lon, k)
        expected = sorted(range(300), key=lambda i: (haversine_km(lat, lon, lats[i], lons[i]), i))[:k]
        assert order.tolist() == expected
        assert distances.tolist() == pytest.approx([haversine_km(lat, lon, lats[i], lons[i]) for i in expected])


def test_nearest_on_no_points_is_empty():
    order, distances = PointSet([], []).nearest(52.0, -1.0, 5)
    assert len(order) == 0 and len(distances) == 0


def test_area_centroid_of_a_crescent_lies_inside_it():
    """A U shape's area centroid falls in the gap; a point on the surface is used instead."""
    u_shape = {
        "type": "Polygon",
        "coordinates": [[[0, 0], [3, 0], [3, 3], [2, 3], [2, 1], [1, 1], [1, 3], [0, 3], [0, 0]]],
    }
    lat, lon, area = area_centroid(u_shape)
    assert not (1 < lon < 2 and 1 < lat < 3)
    assert area > 0
