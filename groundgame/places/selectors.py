"""Reads: seat standings, target lists and the "find where you're needed" lookup.

Lookups run against an in-memory index per election (seats, standings, centroids, an STR-tree over the
boundaries), rebuilt when the reference data version changes. A lookup then costs one indexed query
(the full postcode) plus arithmetic, which keeps it well under a millisecond.
"""

import threading
import time
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.db import connection
from django.utils import translation
from django.utils.translation import gettext as _

from . import postcodes
from .geometry import BoundaryIndex, PointSet
from .models import (
    Constituency,
    ConstituencyResult,
    Election,
    Postcode,
    PostcodeDistrict,
    PostcodePlacement,
    ReferenceDataVersion,
    TargetOverride,
)
from .parties import party_name
from .targeting import Position, SeatResult, Standing, is_target, standing

VERSION_CHECK_SECONDS = 1.0


class NoElectionData(LookupError):
    """No (or not that) election has been imported."""


class UnknownPostcode(LookupError):
    """A well-formed postcode whose district is not in the postcode tables."""


@dataclass
class Seat:
    constituency_id: int
    code: str
    name: str
    lat: float | None
    lon: float | None
    standing: Standing | None
    result: ConstituencyResult | None
    override: TargetOverride | None = None
    is_target: bool = field(init=False, default=False)
    # Per-language caches: a lookup lists the same seats again and again.
    _reasons: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    _api_rows: dict[str, dict] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self):
        if self.override is not None:
            self.is_target = self.override.action == TargetOverride.Action.ADD
        else:
            window = settings.GROUNDGAME_TARGET_SWING_WINDOW
            self.is_target = self.standing is not None and is_target(self.standing, window)

    @property
    def position(self) -> str:
        if self.standing is None:
            return Position.NEITHER.value
        if self.standing.position is Position.NEITHER and self.is_target:
            return Position.GAIN.value
        return self.standing.position.value

    @property
    def reason(self) -> str:
        language = translation.get_language() or ""
        reason = self._reasons.get(language)
        if reason is None:
            if self.override is not None and self.override.action == TargetOverride.Action.ADD:
                reason = _("Added by organisers: %(reason)s") % {"reason": self.override.reason}
            elif self.override is not None:
                reason = _("Removed by organisers: %(reason)s") % {"reason": self.override.reason}
            else:
                reason = standing_reason(self.standing, self.result)
            self._reasons[language] = reason
        return reason

    def api_row(self) -> dict:
        """The seat's fields in the lookup API (without distance), built once per language."""
        language = translation.get_language() or ""
        row = self._api_rows.get(language)
        if row is None:
            s = self.standing
            row = {
                "code": self.code,
                "name": self.name,
                "majority": s.majority if s else None,
                "majority_pct": round(s.majority_pct, 2) if s else None,
                "swing_needed": round(s.swing_needed, 2) if s and s.swing_needed is not None else None,
                "our_position": "defend" if self.position == Position.DEFEND.value else "gain",
                "reason": self.reason,
            }
            self._api_rows[language] = row
        return row


def standing_reason(s: Standing | None, result: ConstituencyResult | None) -> str:
    if s is None or result is None:
        return _("No result for this election.")
    ours = party_name(settings.GROUNDGAME_OUR_PARTY)
    numbers = {
        "winner": party_name(result.first_party),
        "ours": ours,
        "majority": f"{s.majority:,}",
        "pct": f"{s.majority_pct:.2f}" if s.majority_pct < 1 else f"{s.majority_pct:.1f}",
        "swing": f"{s.swing_needed:.2f}" if s.swing_needed is not None else "",
    }
    if s.position is Position.DEFEND:
        return (
            _("%(ours)s hold it by %(majority)s votes (%(pct)s%%): a %(swing)s-point swing against us would lose it.")
            % numbers
        )
    if s.position is Position.GAIN:
        return (
            _("%(winner)s won by %(majority)s votes (%(pct)s%%): a %(swing)s-point swing to %(ours)s wins it.")
            % numbers
        )
    return _("%(ours)s did not stand here.") % numbers


@dataclass
class ElectionIndex:
    """Everything a lookup needs for one election, in memory."""

    election: Election
    seats: list[Seat]
    boundaries: BoundaryIndex
    boundary_seats: list[Seat]  # seats in the order of `boundaries`
    target_rows: list[int]  # indices into seats of the targets
    excluded_rows: list[int]  # indices into seats of seats removed by an override
    target_points: PointSet = field(repr=False, default=None)  # centroids of target_rows, in that order
    excluded_points: PointSet = field(repr=False, default=None)
    ranks: dict[int, int] = field(default_factory=dict)  # constituency id -> rank within its position
    seat_by_id: dict[int, Seat] = field(default_factory=dict, repr=False)
    district_placements: dict = field(default_factory=dict, repr=False)  # centroid (lat, lon) -> Placement

    def place_district(self, lat: float, lon: float):
        """Point-in-polygon for a district centroid, remembered (there are about 3,000 districts)."""
        placement = self.district_placements.get((lat, lon))
        if placement is None:
            placement = self.district_placements[(lat, lon)] = self.boundaries.locate(lat, lon)
        return placement


def _build_index(election: Election) -> ElectionIndex:
    our_party = settings.GROUNDGAME_OUR_PARTY
    results = {
        r.constituency_id: r for r in ConstituencyResult.objects.filter(election=election).select_related("election")
    }
    overrides = {o.constituency_id: o for o in TargetOverride.objects.filter(election=election)}
    seats, boundary_seats, geometries = [], [], []
    for c in Constituency.objects.filter(boundary_set_id=election.boundary_set_id).order_by("code"):
        result = results.get(c.pk)
        s = standing(_seat_result(result), our_party) if result else None
        seat = Seat(c.pk, c.code, c.name, c.centroid_lat, c.centroid_lon, s, result, overrides.get(c.pk))
        seats.append(seat)
        if c.boundary:
            boundary_seats.append(seat)
            geometries.append(c.boundary)
    has_centroid = [s.lat is not None for s in seats]
    targets = [i for i, s in enumerate(seats) if s.is_target and has_centroid[i]]
    excluded = [
        i
        for i, s in enumerate(seats)
        if s.override is not None and s.override.action == TargetOverride.Action.REMOVE and has_centroid[i]
    ]
    ranks: dict[int, int] = {}
    for position in (Position.GAIN, Position.DEFEND):
        ordered = sorted(
            (s for s in seats if s.standing and s.standing.position is position),
            key=lambda s: (s.standing.swing_needed, s.name),
        )
        ranks.update({s.constituency_id: n for n, s in enumerate(ordered, start=1)})
    return ElectionIndex(
        election=election,
        seats=seats,
        boundaries=BoundaryIndex(geometries),
        boundary_seats=boundary_seats,
        seat_by_id={s.constituency_id: s for s in seats},
        target_rows=targets,
        excluded_rows=excluded,
        target_points=PointSet([seats[i].lat for i in targets], [seats[i].lon for i in targets]),
        excluded_points=PointSet([seats[i].lat for i in excluded], [seats[i].lon for i in excluded]),
        ranks=ranks,
    )


def _seat_result(r: ConstituencyResult) -> SeatResult:
    return SeatResult(
        valid_votes=r.valid_votes,
        majority=r.majority,
        first_party=r.first_party,
        second_party=r.second_party,
        party_votes=r.party_votes,
        other_winner_votes=r.other_winner_votes,
    )


class PostcodeTable:
    """Every full postcode in memory (when there are at most GROUNDGAME_POSTCODES_IN_MEMORY): sorted keys
    searched by bisection, coordinates and, per boundary set, the stored placement. All of the UK's 1.8 million
    live postcodes take about 80 MB per process; a lookup then needs no database round trip at all."""

    def __init__(self):
        count = Postcode.objects.count()
        ids = np.zeros(count, dtype=np.int64)
        self.keys = np.zeros(count, dtype="S8")
        self.coordinates = np.zeros((count, 2), dtype=np.float64)
        rows = Postcode.objects.order_by("postcode").values_list("id", "postcode", "latitude", "longitude")
        for i, (pk, postcode, lat, lon) in enumerate(rows.iterator(chunk_size=20_000)):
            if i >= count:  # rows added since the count: the next version bump rebuilds the table
                break
            ids[i], self.keys[i], self.coordinates[i] = pk, postcode, (lat, lon)
        by_id = np.argsort(ids)
        self.placements: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for boundary_set_id in PostcodePlacement.objects.values_list("boundary_set_id", flat=True).distinct():
            constituency = np.zeros(count, dtype=np.int64)
            approximate = np.zeros(count, dtype=bool)
            placed = PostcodePlacement.objects.filter(boundary_set_id=boundary_set_id).values_list(
                "postcode_id", "constituency_id", "approximate"
            )
            chunk: list[tuple] = []
            for row in placed.iterator(chunk_size=20_000):
                chunk.append(row)
                if len(chunk) == 20_000:
                    self._place(chunk, ids, by_id, constituency, approximate)
                    chunk = []
            self._place(chunk, ids, by_id, constituency, approximate)
            self.placements[boundary_set_id] = (constituency, approximate)

    @staticmethod
    def _place(chunk, ids, by_id, constituency, approximate) -> None:
        if not chunk:
            return
        postcode_ids, constituency_ids, approx = (np.array(column) for column in zip(*chunk, strict=True))
        found = np.searchsorted(ids[by_id], postcode_ids)
        found = np.minimum(found, len(ids) - 1)
        known = ids[by_id][found] == postcode_ids
        rows = by_id[found[known]]
        constituency[rows], approximate[rows] = constituency_ids[known], approx[known].astype(bool)

    def get(self, postcode: str, boundary_set_id: int | None) -> tuple | None:
        """(lat, lon, constituency id or None, approximate) like the database row, or None if unknown."""
        key = postcode.encode()
        i = int(np.searchsorted(self.keys, key))
        if i >= len(self.keys) or self.keys[i] != key:
            return None
        lat, lon = self.coordinates[i].tolist()
        placement = self.placements.get(boundary_set_id)
        if placement is None or not placement[0][i]:
            return lat, lon, None, False
        return lat, lon, int(placement[0][i]), bool(placement[1][i])


class _Cache:
    """Per-process cache of election indexes and districts, keyed on the reference data version."""

    def __init__(self):
        self.lock = threading.Lock()
        self.clear()

    def clear(self) -> None:
        self.version: int | None = None
        self.checked_at = 0.0
        self.indexes: dict[int, ElectionIndex] = {}
        self.years: list[int] | None = None
        self.districts: dict[str, tuple[float, float]] | None = None
        self.postcode_table: PostcodeTable | bool | None = None  # False: too many postcodes to hold

    def refresh(self) -> None:
        now = time.monotonic()
        if now - self.checked_at < VERSION_CHECK_SECONDS:
            return
        row = ReferenceDataVersion.objects.filter(pk=1).values_list("version", flat=True).first()
        with self.lock:
            if row != self.version:
                self.clear()
                self.version = row
            self.checked_at = now

    def election_years(self) -> list[int]:
        self.refresh()
        if self.years is None:
            self.years = list(
                Election.objects.filter(results__isnull=False)
                .distinct()
                .order_by("year")
                .values_list("year", flat=True)
            )
        return self.years

    def index(self, year: int) -> ElectionIndex:
        self.refresh()
        index = self.indexes.get(year)
        if index is None:
            with self.lock:
                index = self.indexes.get(year)
                if index is None:
                    index = _build_index(Election.objects.select_related("boundary_set").get(year=year))
                    self.indexes[year] = index
        return index

    def postcodes(self) -> PostcodeTable | None:
        self.refresh()
        if self.postcode_table is None:
            with self.lock:
                if self.postcode_table is None:
                    fits = Postcode.objects.count() <= settings.GROUNDGAME_POSTCODES_IN_MEMORY
                    self.postcode_table = PostcodeTable() if fits else False
        return self.postcode_table or None

    def district(self, outcode: str) -> tuple[float, float] | None:
        self.refresh()
        if self.districts is None:
            self.districts = {
                d: (lat, lon)
                for d, lat, lon in PostcodeDistrict.objects.values_list("outcode", "latitude", "longitude")
            }
        return self.districts.get(outcode)


_cache = _Cache()


def clear_caches() -> None:
    """Forget cached indexes in this process (services call it after writes; other processes notice the
    version bump within VERSION_CHECK_SECONDS)."""
    _cache.clear()


def election_years() -> list[int]:
    return _cache.election_years()


def election_index(year: int | None = None) -> ElectionIndex:
    years = election_years()
    if not years:
        raise NoElectionData(_("No election results have been imported yet."))
    if year is None:
        year = years[-1]
    if year not in years:
        raise NoElectionData(
            _("No results for %(year)s; imported: %(years)s.") % {"year": year, "years": ", ".join(map(str, years))}
        )
    return _cache.index(year)


@dataclass
class Location:
    postcode: str
    lat: float
    lon: float
    precision: str  # "postcode" or "district"
    # For a full postcode: its stored placement on the boundary set asked for (constituency id, approximate).
    placement: tuple[int, bool] | None = None


_POSTCODE_SQL = (
    f"SELECT p.latitude, p.longitude, pl.constituency_id, pl.approximate FROM {Postcode._meta.db_table} p "  # noqa: S608
    f"LEFT JOIN {PostcodePlacement._meta.db_table} pl ON pl.postcode_id = p.id AND pl.boundary_set_id = %s "
    "WHERE p.postcode = %s"
)


def _postcode_row(boundary_set_id: int, postcode: str) -> tuple | None:
    """One constant statement (the ORM's query building would cost several times the indexed read). On
    PostgreSQL it runs as a prepared statement on the raw psycopg connection, which saves the planning."""
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            cursor.execute(_POSTCODE_SQL, [boundary_set_id, postcode], prepare=True)
            return cursor.fetchone()
    with connection.cursor() as cursor:
        cursor.execute(_POSTCODE_SQL, [boundary_set_id, postcode])
        return cursor.fetchone()


def locate_postcode(text: str, *, boundary_set_id: int | None = None) -> Location:
    """Where a postcode or district is. Raises InvalidPostcode (malformed) or UnknownPostcode (no such district)."""
    parsed = postcodes.parse(text)
    if parsed.is_full:
        table = _cache.postcodes()
        if table is not None:
            row = table.get(parsed.text, boundary_set_id)
        else:
            row = _postcode_row(boundary_set_id or 0, parsed.text)
        if row is not None:
            placement = (row[2], bool(row[3])) if row[2] is not None else None
            return Location(parsed.text, row[0], row[1], "postcode", placement)
    district = _cache.district(parsed.outcode)
    if district is None:
        raise UnknownPostcode(_("We don't know the postcode district %(outcode)s.") % {"outcode": parsed.outcode})
    return Location(parsed.text, district[0], district[1], "district")


@dataclass
class TargetRow:
    seat: Seat
    distance_km: float
    rank: int | None


@dataclass
class Lookup:
    location: Location
    election: Election
    constituency: Seat | None
    approximate: bool
    targets: list[TargetRow]
    excluded: list[TargetRow]


def nearest_targets(*, postcode: str, year: int | None = None, limit: int = 5) -> Lookup:
    """The person's constituency and the nearest target seats, nearest first. Seats removed by an override
    that are nearer than the farthest target listed are returned as `excluded`, never silently skipped."""
    index = election_index(year)
    location = locate_postcode(postcode, boundary_set_id=index.election.boundary_set_id)
    if location.placement is not None:  # placed when postcodes or boundaries were imported
        home, approximate = index.seat_by_id.get(location.placement[0]), location.placement[1]
    else:
        if location.precision == "district":  # a few thousand districts: remember where each one lies
            placement = index.place_district(location.lat, location.lon)
        else:
            placement = index.boundaries.locate(location.lat, location.lon)
        home = index.boundary_seats[placement.index] if placement else None
        approximate = placement is not None and placement.approximate
    approximate = approximate or location.precision == "district"

    order, distances = index.target_points.nearest(location.lat, location.lon, limit)
    targets = []
    for position, distance in zip(order.tolist(), distances.tolist(), strict=True):
        seat = index.seats[index.target_rows[position]]
        targets.append(TargetRow(seat, round(distance, 1), index.ranks.get(seat.constituency_id)))
    excluded = []
    if len(index.excluded_points):
        horizon = targets[-1].distance_km if len(targets) == limit else float("inf")
        order, distances = index.excluded_points.nearest(location.lat, location.lon, len(index.excluded_points))
        for position, distance in zip(order.tolist(), distances.tolist(), strict=True):
            if round(distance, 1) <= horizon:
                excluded.append(TargetRow(index.seats[index.excluded_rows[position]], round(distance, 1), None))
    return Lookup(location, index.election, home, approximate, targets, excluded)


def target_seats(*, year: int | None = None) -> tuple[Election, list[Seat]]:
    """All target seats of an election, most marginal first."""
    index = election_index(year)
    seats = [s for s in index.seats if s.is_target]
    seats.sort(key=lambda s: s.standing.swing_needed if s.standing and s.standing.swing_needed is not None else 99)
    return index.election, seats


def seat_for(*, year: int, code: str) -> Seat | None:
    for seat in election_index(year).seats:
        if seat.code == code:
            return seat
    return None
