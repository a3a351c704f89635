"""Cutting walk lists ("turf") the way UK campaigns do: road groups. Pure Python and numpy, no Django.

    doors = [Door(id=1, district="AB1", street="Acacia Avenue", number=1, lat=52.92, lon=-1.48), ...]
    turfs = cut(doors, target_size=50)        # -> [Turf(district, ids in walking order, streets, distance_m)]

How a district is cut:

1. Doors are grouped by street (case and spacing ignored) and each street into *sides*: odd numbers, even numbers,
   doors with a name but no number, and doors without coordinates. A side is walked in number order (12, 12A, 14),
   the flats of one building together in natural order (Flat 2 before Flat 10).
2. Streets become *units* that are never split: a street with at most `target_size * (1 + tolerance)` doors is one
   unit; a longer street splits into its sides, and a side longer than that into nearly equal pieces, cut between
   buildings where possible. Doors without coordinates form a unit of their own when their street is split.
3. Units are packed into lists by growing each list from the unit farthest from the district's centre, adding the
   nearest units (by distance between centroids) while that brings the list nearer the target and keeps it within
   `target_size * (1 ± tolerance)`. Short neighbouring streets so combine; a list that stays short is merged into
   its nearest neighbour when the two fit together.
4. Each list's walking order: its street sides (segments) are ordered nearest-neighbour first, then improved by
   2-opt, which reverses runs of segments and so also chooses the direction each segment is walked in (up one
   side of a road, down the other). A segment's own order (by number) is kept. Doors without coordinates come
   after the last segment of their street (at the end of the list when their street has no located door there).

Distances are straight lines between door coordinates on a local flat projection (metres): an estimate of the
walk, which real streets lengthen. Everything is deterministic: ties are broken by input order and street name.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

EARTH_RADIUS_M = 6_371_008.8
DEFAULT_TARGET = 50
DEFAULT_TOLERANCE = 0.3
NEIGHBOURS_TRIED = 6  # when the nearest unit does not fit a list, how many of the next nearest are tried

ODD, EVEN, NAMED, UNLOCATED = 0, 1, 2, 3
SIDE_NAMES = {ODD: "odd", EVEN: "even", NAMED: "named", UNLOCATED: "unlocated"}


@dataclass(frozen=True, slots=True)
class Door:
    """One address to knock on, as plain values. `lat`/`lon` None: not located (ordered last in its street)."""

    id: int
    district: str
    street: str
    number: int | None = None
    suffix: str = ""
    flat: str = ""
    lat: float | None = None
    lon: float | None = None
    name: str = ""  # a house name, which orders doors without a number

    @property
    def located(self) -> bool:
        return self.lat is not None and self.lon is not None


@dataclass(slots=True)
class Turf:
    """One walk list: door ids in walking order, the streets in the order they are walked, the walk's length."""

    district: str
    ids: list[int]
    streets: list[str]
    distance_m: float

    @property
    def doors(self) -> int:
        return len(self.ids)


@dataclass(frozen=True, slots=True)
class CutStats:
    doors: int
    lists: int
    smallest: int
    largest: int
    mean_size: float
    distance_m: float  # the sum over lists

    @classmethod
    def of(cls, turfs: Sequence[Turf]) -> CutStats:
        sizes = [t.doors for t in turfs] or [0]
        return cls(
            doors=sum(sizes),
            lists=len(turfs),
            smallest=min(sizes),
            largest=max(sizes),
            mean_size=sum(sizes) / max(1, len(turfs)),
            distance_m=sum(t.distance_m for t in turfs),
        )


# --- ordering doors --------------------------------------------------------------------------------------------

_DIGITS = re.compile(r"(\d+)")


@functools.lru_cache(maxsize=8192)
def natural_key(text: str) -> tuple:
    """ "Flat 2" < "Flat 10" < "Flat 10A"; comparable whatever mix of letters and digits the strings hold."""
    if not text:
        return ()
    parts = _DIGITS.split(text.strip().casefold())
    return tuple((1, int(p), "") if p.isdigit() else (0, 0, p) for p in parts if p)


def street_key(street: str) -> str:
    return " ".join(street.casefold().split())


def side_of(door: Door) -> int:
    if not door.located:
        return UNLOCATED
    if door.number is None:
        return NAMED
    return ODD if door.number % 2 else EVEN


def door_order_key(door: Door) -> tuple:
    """Walking order within a side: number, suffix, then the flats of that building; named doors by name."""
    number = door.number if door.number is not None else math.inf
    return (number, natural_key(door.suffix), natural_key(door.name), natural_key(door.flat), door.id)


def building_of(door: Door) -> tuple:
    return (door.number, street_key(door.suffix), street_key(door.name) if door.number is None else "")


# --- geometry ---------------------------------------------------------------------------------------------------


def project(lat: np.ndarray, lon: np.ndarray, lat0: float) -> np.ndarray:
    """Degrees to metres on a plane tangent at latitude `lat0` (accurate to well under 1% across a district)."""
    x = np.radians(lon) * math.cos(math.radians(lat0)) * EARTH_RADIUS_M
    y = np.radians(lat) * EARTH_RADIUS_M
    return np.column_stack([x, y])


def _dist(a, b) -> float:
    """Between two (x, y) points in metres (arrays, lists or tuples)."""
    return math.hypot(a[0] - b[0], a[1] - b[1])


@dataclass(slots=True)
class Segment:
    """A run of doors walked in one go (a street side, or a piece of one); either direction."""

    street: str  # as first seen in the input
    key: str  # street_key
    side: int
    piece: int  # 0, 1, 2... along the side
    doors: list[Door]
    xy: np.ndarray | None = None  # (n, 2) metres; None for unlocated doors
    length: float = 0.0  # from first to last door, through every door

    @property
    def start(self) -> np.ndarray:
        return self.xy[0]

    @property
    def end(self) -> np.ndarray:
        return self.xy[-1]

    def centroid(self) -> np.ndarray | None:
        return None if self.xy is None else self.xy.mean(axis=0)


def _segment(street: str, side: int, piece: int, doors: list[Door], lat0: float) -> Segment:
    seg = Segment(street=street, key=street_key(street), side=side, piece=piece, doors=doors)
    if side != UNLOCATED:
        seg.xy = project(np.array([d.lat for d in doors]), np.array([d.lon for d in doors]), lat0)
        steps = np.diff(seg.xy, axis=0)
        seg.length = float(np.hypot(steps[:, 0], steps[:, 1]).sum()) if len(doors) > 1 else 0.0
    return seg


def split_points(doors: Sequence[Door], pieces: int) -> list[int]:
    """Where to cut an ordered run of doors into `pieces` nearly equal parts: between buildings when one is within
    a sixth of a piece of the ideal place, otherwise exactly there."""
    n = len(doors)
    boundaries = [i for i in range(1, n) if building_of(doors[i]) != building_of(doors[i - 1])]
    slack = max(1, n // pieces // 6)
    cuts: list[int] = []
    for j in range(1, pieces):
        ideal = round(j * n / pieces)
        low = cuts[-1] + 1 if cuts else 1
        near = [b for b in boundaries if abs(b - ideal) <= slack and b >= low]
        cut_at = min(near, key=lambda b: (abs(b - ideal), b)) if near else max(ideal, low)
        if cut_at < n:
            cuts.append(cut_at)
    return cuts


# --- units and packing ------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Unit:
    """Segments that must stay in one list: a whole street, a street side, or a piece of a long side."""

    segments: list[Segment]
    size: int
    centre: np.ndarray


def _units_for_street(sides: dict[int, list[Door]], street: str, limit: int, target: int, lat0: float) -> list[Unit]:
    total = sum(len(d) for d in sides.values())
    segs_by_side: dict[int, list[Segment]] = {}
    for side, doors in sorted(sides.items()):
        doors.sort(key=door_order_key)
        if len(doors) <= limit:
            segs_by_side[side] = [_segment(street, side, 0, doors, lat0)]
            continue
        pieces = max(math.ceil(len(doors) / limit), round(len(doors) / target))
        bounds = [0, *split_points(doors, pieces), len(doors)]
        segs_by_side[side] = [
            _segment(street, side, i, doors[a:b], lat0)
            for i, (a, b) in enumerate(zip(bounds, bounds[1:], strict=False))
        ]
    if total <= limit:
        groups = [[s for segs in segs_by_side.values() for s in segs]]
    else:
        groups = [[s] for segs in segs_by_side.values() for s in segs]
    units = []
    for segs in groups:
        located = [s.xy for s in segs if s.xy is not None]
        centre = np.vstack(located).mean(axis=0) if located else None
        units.append(Unit(segments=segs, size=sum(len(s.doors) for s in segs), centre=centre))
    # Unlocated doors split off from their street sit at the street's centre, so they join a list beside it.
    street_located = [s.xy for group in groups for s in group if s.xy is not None]
    street_centre = np.vstack(street_located).mean(axis=0) if street_located else None
    for unit in units:
        if unit.centre is None:
            unit.centre = street_centre
    return units


def _pack(units: list[Unit], target: int, low: int, high: int) -> list[list[int]]:
    """Grow lists of unit indices: seed at the unit farthest from the centre, add the nearest that help."""
    n = len(units)
    centres = np.array([u.centre for u in units], dtype=float).reshape(n, 2)
    sizes = np.array([u.size for u in units], dtype=float)
    middle = np.average(centres, axis=0, weights=sizes)
    from_middle = np.hypot(*(centres - middle).T)
    free = np.ones(n, dtype=bool)
    lists: list[list[int]] = []
    while free.any():
        candidates = np.flatnonzero(free)
        seed = int(candidates[np.argmax(from_middle[candidates])])  # argmax takes the first of equals
        members, size = [seed], float(sizes[seed])
        free[seed] = False
        weighted = centres[seed] * sizes[seed]
        while free.any() and size < high:
            centre = weighted / size
            candidates = np.flatnonzero(free)
            d = np.hypot(*(centres[candidates] - centre).T)
            order = candidates[np.argsort(d, kind="stable")[:NEIGHBOURS_TRIED]]
            chosen = None
            for idx in order:
                grown = size + sizes[idx]
                if grown <= high and (size < low or abs(grown - target) < abs(size - target)):
                    chosen = int(idx)
                    break
            if chosen is None:
                break
            members.append(chosen)
            size += sizes[chosen]
            weighted = weighted + centres[chosen] * sizes[chosen]
            free[chosen] = False
        lists.append(members)
    return _merge_short(lists, centres, sizes, low, high)


def _merge_short(
    lists: list[list[int]], centres: np.ndarray, sizes: np.ndarray, low: int, high: int
) -> list[list[int]]:
    """A list shorter than `low` joins its nearest list when both fit within `high`."""
    lists = [list(m) for m in lists]
    changed = True
    while changed:
        changed = False
        totals = [float(sizes[m].sum()) for m in lists]
        middles = [np.average(centres[m], axis=0, weights=sizes[m]) for m in lists]
        for i in sorted(range(len(lists)), key=lambda k: (totals[k], k)):
            if totals[i] >= low:
                break
            fits = [j for j in range(len(lists)) if j != i and totals[i] + totals[j] <= high]
            if not fits:
                continue
            j = min(fits, key=lambda k: (_dist(middles[i], middles[k]), k))
            lists[j].extend(lists[i])
            del lists[i]
            changed = True
            break
    return lists


# --- walking order ----------------------------------------------------------------------------------------------

Leg = tuple[int, bool]  # (segment index, walked backwards)


Points = np.ndarray | list[list[float]]  # (n, 2) metres: an array, or its .tolist() (faster in these small loops)


def _plain(points: Points) -> list[list[float]]:
    return points.tolist() if isinstance(points, np.ndarray) else points


def route_length(route: Sequence[Leg], starts: Points, ends: Points, lengths: Sequence[float]) -> float:
    """Metres walked: every segment's own length plus the steps between one segment's exit and the next's entry."""
    total = float(sum(lengths[i] for i, _ in route))
    starts, ends = _plain(starts), _plain(ends)
    for (i, back_i), (j, back_j) in zip(route, route[1:], strict=False):
        exit_i = starts[i] if back_i else ends[i]
        entry_j = ends[j] if back_j else starts[j]
        total += _dist(exit_i, entry_j)
    return total


def nearest_neighbour(starts: Points, ends: Points, first: int, first_backwards: bool) -> list[Leg]:
    """Walk to the nearest end of the nearest unvisited segment, each time; enter it by that end (its start when
    both are as near; the lowest index among equals)."""
    starts, ends = _plain(starts), _plain(ends)
    route: list[Leg] = [(first, first_backwards)]
    left = [i for i in range(len(starts)) if i != first]
    here = starts[first] if first_backwards else ends[first]
    hypot = math.hypot
    while left:
        best_s = min(left, key=lambda i: hypot(starts[i][0] - here[0], starts[i][1] - here[1]))
        best_e = min(left, key=lambda i: hypot(ends[i][0] - here[0], ends[i][1] - here[1]))
        d_s = hypot(starts[best_s][0] - here[0], starts[best_s][1] - here[1])
        d_e = hypot(ends[best_e][0] - here[0], ends[best_e][1] - here[1])
        nxt, back = (best_e, True) if d_e < d_s else (best_s, False)
        route.append((nxt, back))
        left.remove(nxt)
        here = starts[nxt] if back else ends[nxt]
    return route


def two_opt(route: list[Leg], starts: Points, ends: Points, max_rounds: int = 50) -> list[Leg]:
    """Reverse runs of segments (each walked the other way) while that shortens the path; never lengthens it."""
    route = list(route)
    n = len(route)
    if n < 2:
        return route
    s_xy, e_xy = _plain(starts), _plain(ends)  # plain floats: much faster than numpy scalars in these loops

    def entry(leg: Leg) -> list[float]:
        return e_xy[leg[0]] if leg[1] else s_xy[leg[0]]

    def exit_(leg: Leg) -> list[float]:
        return s_xy[leg[0]] if leg[1] else e_xy[leg[0]]

    for _ in range(max_rounds):
        improved = False
        for i in range(n):
            for j in range(i, n):
                # Reversing route[i..j]: the new entry of the run is exit(j), its new exit entry(i).
                before = after = 0.0
                if i > 0:
                    left = exit_(route[i - 1])
                    before += _dist(left, entry(route[i]))
                    after += _dist(left, exit_(route[j]))
                if j < n - 1:
                    right = entry(route[j + 1])
                    before += _dist(exit_(route[j]), right)
                    after += _dist(entry(route[i]), right)
                if after < before - 1e-6:
                    route[i : j + 1] = [(k, not back) for k, back in reversed(route[i : j + 1])]
                    improved = True
        if not improved:
            break
    return route


MULTI_START_UP_TO = 12  # segments: up to this many, nearest neighbour + 2-opt from every end, keeping the shortest


def walking_order(segments: Sequence[Segment]) -> tuple[list[Leg], float]:
    """Order located segments: nearest neighbour from the end farthest from their centre, then 2-opt; for lists of
    a few segments (most lists), also from every other end, keeping the shortest (the first of equals)."""
    if not segments:
        return [], 0.0
    starts = np.array([s.start for s in segments])
    ends = np.array([s.end for s in segments])
    lengths = [s.length for s in segments]
    centre = np.vstack([starts, ends]).mean(axis=0)
    far_start = np.hypot(*(starts - centre).T)
    far_end = np.hypot(*(ends - centre).T)
    i_s, i_e = int(np.argmax(far_start)), int(np.argmax(far_end))
    first, backwards = (i_e, True) if far_end[i_e] > far_start[i_s] else (i_s, False)
    starts, ends = starts.tolist(), ends.tolist()
    best = two_opt(nearest_neighbour(starts, ends, first, backwards), starts, ends)
    best_length = route_length(best, starts, ends, lengths)
    if 1 < len(segments) <= MULTI_START_UP_TO:
        for i in range(len(segments)):
            for back in (False, True):
                if (i, back) == (first, backwards):
                    continue
                route = two_opt(nearest_neighbour(starts, ends, i, back), starts, ends)
                length = route_length(route, starts, ends, lengths)
                if length < best_length - 1e-6:
                    best, best_length = route, length
    return best, best_length


def _join_pieces(segments: list[Segment]) -> list[Segment]:
    """Consecutive pieces of one side that landed in the same list are walked as one segment."""
    segments = sorted(segments, key=lambda s: (s.key, s.side, s.piece))
    joined: list[Segment] = []
    for seg in segments:
        last = joined[-1] if joined else None
        if last is not None and (last.key, last.side, last.piece + 1) == (seg.key, seg.side, seg.piece):
            xy = None if last.xy is None else np.vstack([last.xy, seg.xy])
            length = last.length + seg.length + (0.0 if xy is None else _dist(last.end, seg.start))
            joined[-1] = Segment(last.street, last.key, last.side, seg.piece, last.doors + seg.doors, xy, length)
        else:
            joined.append(seg)
    return joined


def _turf(district: str, segments: list[Segment]) -> Turf:
    segments = _join_pieces(segments)
    located = [s for s in segments if s.xy is not None]
    unlocated = [s for s in segments if s.xy is None]
    route, distance = walking_order(located)
    walked: list[Segment] = []
    for i, back in route:
        seg = located[i]
        walked.append(Segment(seg.street, seg.key, seg.side, seg.piece, seg.doors[::-1] if back else seg.doors))
    for seg in unlocated:  # after the last segment of their street, else at the end
        last = max((k for k, s in enumerate(walked) if s.key == seg.key), default=None)
        walked.insert(len(walked) if last is None else last + 1, seg)
    ids = [d.id for seg in walked for d in seg.doors]
    streets: list[str] = []
    for seg in walked:
        if seg.street not in streets:
            streets.append(seg.street)
    return Turf(district=district, ids=ids, streets=streets, distance_m=round(distance, 1))


# --- the cut ----------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _District:
    code: str
    streets: dict[str, dict[int, list[Door]]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)


def size_limits(target_size: int, tolerance: float) -> tuple[int, int]:
    """The smallest and largest list the cut aims for: target ± tolerance (at least 1 door either way)."""
    low = max(1, math.floor(target_size * (1 - tolerance)))
    high = max(target_size, math.ceil(target_size * (1 + tolerance)))
    return low, high


def cut_district(code: str, doors: Sequence[Door], *, target_size: int, tolerance: float) -> list[Turf]:
    """Walk lists for one polling district's doors."""
    if not doors:
        return []
    low, high = size_limits(target_size, tolerance)
    located = [d for d in doors if d.located]
    lat0 = float(np.mean([d.lat for d in located])) if located else 0.0
    district = _District(code)
    for door in doors:
        key = street_key(door.street)
        district.names.setdefault(key, door.street.strip())
        district.streets.setdefault(key, {}).setdefault(side_of(door), []).append(door)
    units: list[Unit] = []
    for key in sorted(district.streets):
        units.extend(_units_for_street(district.streets[key], district.names[key], high, target_size, lat0))
    everywhere = [u.centre for u in units if u.centre is not None]
    fallback = np.vstack(everywhere).mean(axis=0) if everywhere else np.zeros(2)
    for unit in units:  # streets with no located door at all: at the district's centre
        if unit.centre is None:
            unit.centre = fallback
    packed = _pack(units, target_size, low, high)
    turfs = [_turf(code, [s for i in members for s in units[i].segments]) for members in packed]
    # In the order of their first street's name, so that numbered lists read like a street index.
    return sorted(turfs, key=lambda t: (t.streets[0].casefold() if t.streets else "", t.ids[0] if t.ids else 0))


def cut(
    doors: Iterable[Door], *, target_size: int = DEFAULT_TARGET, tolerance: float = DEFAULT_TOLERANCE
) -> list[Turf]:
    """Walk lists for every district in `doors` (a list never crosses districts), districts in code order."""
    if target_size < 1:
        raise ValueError("target_size must be at least 1")
    if not 0 <= tolerance < 1:
        raise ValueError("tolerance must be between 0 and 1")
    by_district: dict[str, list[Door]] = {}
    for door in doors:
        by_district.setdefault(door.district, []).append(door)
    turfs: list[Turf] = []
    for code in sorted(by_district):
        turfs.extend(cut_district(code, by_district[code], target_size=target_size, tolerance=tolerance))
    return turfs
