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
from django.utils.translation import gettext as _

from . import postcodes
from .geometry import BoundaryIndex, haversine_km_many
from .models import (
    Constituency,
    ConstituencyResult,
    Election,
    Postcode,
    PostcodeDistrict,
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

    @property
    def is_target(self) -> bool:
        if self.override is not None:
            return self.override.action == TargetOverride.Action.ADD
        return self.standing is not None and is_target(self.standing, settings.GROUNDGAME_TARGET_SWING_WINDOW)

    @property
    def position(self) -> str:
        if self.standing is None:
            return Position.NEITHER.value
        if self.standing.position is Position.NEITHER and self.is_target:
            return Position.GAIN.value
        return self.standing.position.value

    @property
    def reason(self) -> str:
        if self.override is not None:
            if self.override.action == TargetOverride.Action.ADD:
                return _("Added by organisers: %(reason)s") % {"reason": self.override.reason}
            return _("Removed by organisers: %(reason)s") % {"reason": self.override.reason}
        return standing_reason(self.standing, self.result)


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
    target_rows: np.ndarray  # indices into seats of the targets
    excluded_rows: np.ndarray  # indices into seats of seats removed by an override
    lats: np.ndarray = field(repr=False, default=None)
    lons: np.ndarray = field(repr=False, default=None)
    ranks: dict[int, int] = field(default_factory=dict)  # constituency id -> rank within its position


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
        target_rows=np.array(targets, dtype=int),
        excluded_rows=np.array(excluded, dtype=int),
        lats=np.array([s.lat if s.lat is not None else np.nan for s in seats]),
        lons=np.array([s.lon if s.lon is not None else np.nan for s in seats]),
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


def locate_postcode(text: str) -> Location:
    """Where a postcode or district is. Raises InvalidPostcode (malformed) or UnknownPostcode (no such district)."""
    parsed = postcodes.parse(text)
    if parsed.is_full:
        row = Postcode.objects.filter(postcode=parsed.text).values_list("latitude", "longitude").first()
        if row is not None:
            return Location(parsed.text, row[0], row[1], "postcode")
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
    location = locate_postcode(postcode)
    index = election_index(year)
    placement = index.boundaries.locate(location.lat, location.lon)
    home = index.boundary_seats[placement.index] if placement else None
    approximate = location.precision == "district" or (placement is not None and placement.approximate)

    rows = index.target_rows
    distances = haversine_km_many(location.lat, location.lon, index.lats[rows], index.lons[rows])
    order = np.argsort(distances, kind="stable")[:limit]
    targets = [
        TargetRow(
            index.seats[rows[i]],
            round(float(distances[i]), 1),
            index.ranks.get(index.seats[rows[i]].constituency_id),
        )
        for i in order
    ]
    excluded = []
    if len(index.excluded_rows):
        ex = index.excluded_rows
        ex_distances = haversine_km_many(location.lat, location.lon, index.lats[ex], index.lons[ex])
        horizon = targets[-1].distance_km if len(targets) == limit else float("inf")
        for i in np.argsort(ex_distances, kind="stable"):
            if round(float(ex_distances[i]), 1) <= horizon:
                excluded.append(TargetRow(index.seats[ex[i]], round(float(ex_distances[i]), 1), None))
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
