"""Distances and point-in-polygon over constituency boundaries (no Django)."""

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import Point, shape

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


class PointSet:
    """Many fixed points (seat centroids) for repeated nearest-k queries.

    Points are kept as unit vectors: the nearest points on the sphere are those with the largest dot
    product with the query's unit vector, found with one matrix-vector product; only the k kept get a
    great-circle distance (from the chord length, exact on the sphere)."""

    def __init__(self, lats, lons):
        lat = np.radians(np.asarray(lats, dtype=float))
        lon = np.radians(np.asarray(lons, dtype=float))
        self.xyz = np.column_stack((np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)))

    def __len__(self) -> int:
        return len(self.xyz)

    def nearest(self, lat: float, lon: float, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(positions, distances in km) of the k nearest points, nearest first (ties by position)."""
        if len(self) == 0 or k <= 0:
            return np.empty(0, dtype=int), np.empty(0)
        p, q = math.radians(lat), math.radians(lon)
        cos_p = math.cos(p)
        dot = self.xyz @ np.array((cos_p * math.cos(q), cos_p * math.sin(q), math.sin(p)))
        if k < len(dot):
            keep = np.argpartition(-dot, k - 1)[:k]
            order = keep[np.lexsort((keep, -dot[keep]))]
        else:
            order = np.lexsort((np.arange(len(dot)), -dot))
        # |chord|^2 = 2 - 2 cos(angle); angle = 2 asin(|chord| / 2).
        chord = np.sqrt(np.maximum(0.0, 2.0 - 2.0 * dot[order]))
        return order, 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, chord / 2))


def area_centroid(geometry: dict) -> tuple[float, float, float]:
    """(lat, lon, area_km2) of a WGS84 GeoJSON polygon: the area centroid in a local equirectangular
    projection, or a point on the surface when the centroid falls outside (islands, crescents)."""
    geom = shapely.make_valid(shape(geometry))
    lat0 = geom.centroid.y
    k = math.cos(math.radians(lat0))
    projected = shapely.transform(geom, lambda xy: xy * np.array([k, 1.0]))
    centroid = projected.centroid
    if not projected.contains(centroid):
        centroid = projected.representative_point()
    km_per_degree = math.pi * EARTH_RADIUS_KM / 180
    return centroid.y, centroid.x / k, projected.area * km_per_degree**2


@dataclass(frozen=True)
class Placement:
    index: int  # position in the sequence given to BoundaryIndex
    approximate: bool  # True when the point lay outside every polygon and the nearest was taken


class BoundaryIndex:
    """Point-in-polygon over many boundaries with an STR-tree; falls back to the nearest polygon."""

    def __init__(self, geometries: Sequence[dict]):
        self.polygons = [shapely.make_valid(shape(g)) for g in geometries]
        for polygon in self.polygons:
            shapely.prepare(polygon)
        self.tree = shapely.STRtree(self.polygons)
        self.array = np.array(self.polygons, dtype=object)

    def locate(self, lat: float, lon: float) -> Placement | None:
        if not self.polygons:
            return None
        point = Point(lon, lat)
        # The tree narrows to the few boundaries whose boxes hold the point; the prepared polygons decide.
        candidates = self.tree.query(point)
        if len(candidates):
            inside = candidates[shapely.intersects_xy(self.array[candidates], lon, lat)]
            if len(inside):
                return Placement(index=int(inside.min()), approximate=False)
        return Placement(index=int(self.tree.nearest(point)), approximate=True)
