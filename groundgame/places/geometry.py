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


def haversine_km_many(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Great-circle distances in kilometres from one point to many (vectorised)."""
    p1 = math.radians(lat)
    p2 = np.radians(lats)
    dp = p2 - p1
    dl = np.radians(lons) - math.radians(lon)
    a = np.sin(dp / 2) ** 2 + math.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))


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

    def locate(self, lat: float, lon: float) -> Placement | None:
        if not self.polygons:
            return None
        point = Point(lon, lat)
        hits = self.tree.query(point, predicate="intersects")
        if len(hits):
            return Placement(index=int(min(hits)), approximate=False)
        return Placement(index=int(self.tree.nearest(point)), approximate=True)
