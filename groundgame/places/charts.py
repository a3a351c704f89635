"""Server-side SVG for the hex cartogram, results history charts and boundary outlines.

No JavaScript library and no Node: each function returns plain dataclasses holding ready-made SVG geometry
(points, paths, percentages) that a template draws. The few reads each needs are made here, in bulk, so a page
costs a fixed handful of queries whatever the seat:

- `hex_cartogram(index)`: one query (the hex positions of the election's boundary set).
- `results_history(seat, results)`: one query for boundary overlaps, one for the linked seat's results.
- `boundary_outline(seat)`: one query for nearby seats (prefiltered on centroids, then on bounding boxes).
"""

import math
from collections import Counter
from dataclasses import dataclass, field

import shapely
import shapely.ops
from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from shapely.geometry import shape

from .models import Constituency, ConstituencyOverlap, ConstituencyResult
from .parties import party_colour, party_name
from .selectors import ElectionIndex, Seat

# ---------------------------------------------------------------------------------------------------------------------
# Hex cartogram
# ---------------------------------------------------------------------------------------------------------------------

HEX_RADIUS = 10.0  # centre to corner, in SVG user units
HEX_WIDTH = math.sqrt(3) * HEX_RADIUS  # pointy-top: flat sides left and right
HEX_ROW = 1.5 * HEX_RADIUS  # vertical distance between row centres
HEX_DRAWN = 0.92  # hexes are drawn slightly smaller than their cell, leaving a gap so outlines never overlap
HEX_MARGIN = 4.0

# Non-target seats are drawn paler the safer they are: (upper bound of majority %, white mixed in, label).
MARGINALITY_BANDS = [
    (10.0, 0.35, "close"),
    (20.0, 0.55, "comfortable"),
    (math.inf, 0.72, "safe"),
]
NO_RESULT_FILL = "#e4e2dc"


@dataclass(frozen=True)
class HexCell:
    code: str
    name: str
    href: str
    points: str
    fill: str
    stroke: str
    band: str  # "target", "close", "comfortable", "safe" or "none"
    is_target: bool
    position: str  # "gain", "defend", "neither"
    position_label: str  # e.g. "Gain #12"
    winner: str  # party name
    majority: str  # e.g. "41 (0.1%)"
    swing: str  # e.g. "0.06" or ""
    title: str
    selected: bool = False


@dataclass(frozen=True)
class LegendParty:
    code: str
    name: str
    colour: str
    seats: int


@dataclass(frozen=True)
class LegendBand:
    key: str
    label: str
    fill: str
    stroke: str
    points: str


@dataclass
class HexMap:
    view_box: str
    cells: list[HexCell]
    parties: list[LegendParty]
    bands: list[LegendBand]
    target_count: int
    seat_count: int
    missing: list[Seat] = field(default_factory=list)  # seats without a hex position (not drawn)


def hex_centre(q: int, r: int) -> tuple[float, float]:
    """Centre of hex (q, r) in an "odd-r" layout (odd rows shifted right by half a hex), pointy-top.
    HexJSON rows count upwards, SVG y downwards, so y is flipped."""
    return (q + (0.5 if r & 1 else 0.0)) * HEX_WIDTH, -r * HEX_ROW


def hex_points(cx: float, cy: float, radius: float = HEX_RADIUS * HEX_DRAWN) -> str:
    """The six corners of a pointy-top hexagon, as an SVG points attribute."""
    corners = []
    for i in range(6):
        angle = math.radians(60 * i - 90)
        corners.append(f"{cx + radius * math.cos(angle):.1f},{cy + radius * math.sin(angle):.1f}")
    return " ".join(corners)


def mix_with_white(colour: str, amount: float) -> str:
    """`colour` (#rrggbb) with `amount` (0..1) of white mixed in."""
    value = colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    rgb = [int(value[i : i + 2], 16) for i in (0, 2, 4)]
    mixed = [round(c + (255 - c) * amount) for c in rgb]
    return "#{:02x}{:02x}{:02x}".format(*mixed)


def edge_colour(colour: str) -> str:
    """A darker shade of `colour` for outlines, so that light fills (SNP yellow) still stand out on white."""
    value = colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    rgb = [int(value[i : i + 2], 16) for i in (0, 2, 4)]
    luminance = (0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]) / 255
    darken = 0.45 if luminance > 0.7 else 0.2
    return "#{:02x}{:02x}{:02x}".format(*(round(c * (1 - darken)) for c in rgb))


def _band_for(seat: Seat) -> tuple[str, float]:
    if seat.result is None:
        return "none", 0.0
    if seat.is_target:
        return "target", 0.0
    pct = seat.result.majority_pct
    for upper, whiteness, key in MARGINALITY_BANDS:
        if pct < upper:
            return key, whiteness
    return MARGINALITY_BANDS[-1][2], MARGINALITY_BANDS[-1][1]


class _HexTexts:
    """Translated strings for the hex titles, looked up once per map rather than once per hexagon."""

    def __init__(self):
        self.positions = {"gain": _("Gain"), "defend": _("Defend")}
        self.not_contested = _("Not contested by us")
        self.no_result = _("%(name)s: no result")
        self.won = _("%(name)s: won by %(winner)s, majority %(majority)s")
        self.swing = _("%(position)s, swing needed %(swing).2f points")
        self.target = _("target seat")
        self.party_names: dict[str, str] = {}

    def party(self, code: str) -> str:
        if code not in self.party_names:
            self.party_names[code] = party_name(code)
        return self.party_names[code]

    def position_label(self, position: str, rank: int | None) -> str:
        label = self.positions.get(position, self.not_contested)
        return f"{label} #{rank}" if rank and position in self.positions else label

    def title(self, seat: Seat, winner: str, majority: str, position_label: str) -> str:
        if seat.result is None:
            return self.no_result % {"name": seat.name}
        parts = [self.won % {"name": seat.name, "winner": winner, "majority": majority}]
        if seat.standing is not None and seat.standing.swing_needed is not None:
            parts.append(self.swing % {"position": position_label, "swing": seat.standing.swing_needed})
        if seat.is_target:
            parts.append(self.target)
        return "; ".join(parts)


def hex_cartogram(index: ElectionIndex, *, selected: str | None = None) -> HexMap:
    """Every seat of `index`'s election as a hexagon at its HexJSON position, coloured by the winner's party,
    full strength and outlined for targets, paler the larger the majority otherwise."""
    election = index.election
    positions = {
        pk: (q, r)
        for pk, q, r in Constituency.objects.filter(boundary_set_id=election.boundary_set_id)
        .with_hex()
        .values_list("pk", "hex_q", "hex_r")
    }
    placeholder = "CODE0PLACEHOLDER"
    href_pattern = reverse("places:constituency", args=[election.boundary_set.slug, placeholder])

    centres = {pk: hex_centre(q, r) for pk, (q, r) in positions.items()}
    if centres:
        min_x = min(x for x, _y in centres.values()) - HEX_WIDTH / 2 - HEX_MARGIN
        min_y = min(y for _x, y in centres.values()) - HEX_RADIUS - HEX_MARGIN
        max_x = max(x for x, _y in centres.values()) + HEX_WIDTH / 2 + HEX_MARGIN
        max_y = max(y for _x, y in centres.values()) + HEX_RADIUS + HEX_MARGIN
    else:
        min_x = min_y = 0.0
        max_x = max_y = 100.0

    order = {
        s.code: (centres[s.constituency_id][1], centres[s.constituency_id][0])
        for s in index.seats
        if s.constituency_id in centres
    }
    texts = _HexTexts()
    cells: list[HexCell] = []
    missing: list[Seat] = []
    winners: Counter[str] = Counter()
    for seat in index.seats:
        if seat.result is not None:
            winners[seat.result.first_party] += 1
        if seat.constituency_id not in centres:
            missing.append(seat)
            continue
        cx, cy = centres[seat.constituency_id]
        band, whiteness = _band_for(seat)
        if seat.result is None:
            fill = stroke = NO_RESULT_FILL
            winner = majority = ""
        else:
            colour = party_colour(seat.result.first_party)
            fill = mix_with_white(colour, whiteness)
            stroke = "#1d1d1f" if band == "target" else edge_colour(colour)
            winner = texts.party(seat.result.first_party)
            majority = _majority_text(seat.result.majority, seat.result.majority_pct)
        rank = index.ranks.get(seat.constituency_id)
        position_label = texts.position_label(seat.position, rank)
        swing = seat.standing.swing_needed if seat.standing is not None else None
        cells.append(
            HexCell(
                code=seat.code,
                name=seat.name,
                href=href_pattern.replace(placeholder, seat.code),
                points=hex_points(cx - min_x, cy - min_y),
                fill=fill,
                stroke=stroke,
                band=band,
                is_target=seat.is_target,
                position=seat.position,
                position_label=position_label,
                winner=winner,
                majority=majority,
                swing=f"{swing:.2f}" if swing is not None else "",
                title=texts.title(seat, winner, majority, position_label),
                selected=seat.code == selected,
            )
        )
    # Reading order for keyboard users: top row first, left to right.
    cells.sort(key=lambda c: order[c.code])
    parties = [LegendParty(code, party_name(code), party_colour(code), n) for code, n in winners.most_common()]
    return HexMap(
        view_box=f"0 0 {max_x - min_x:.1f} {max_y - min_y:.1f}",
        cells=cells,
        parties=parties,
        bands=legend_bands(),
        target_count=sum(1 for s in index.seats if s.is_target),
        seat_count=len(index.seats),
        missing=missing,
    )


def legend_bands() -> list[LegendBand]:
    """Swatches explaining fill strength and outline, drawn in a neutral grey so they read for every party."""
    grey = "#55585e"
    centre = hex_points(HEX_WIDTH / 2 + 1, HEX_RADIUS + 1)
    labels = {
        "target": _("Target seat: full colour, dark outline"),
        "close": _("Majority under 10%"),
        "comfortable": _("Majority 10% to 20%"),
        "safe": _("Majority 20% or more"),
    }
    bands = [LegendBand("target", labels["target"], grey, "#1d1d1f", centre)]
    for _upper, whiteness, key in MARGINALITY_BANDS:
        bands.append(LegendBand(key, labels[key], mix_with_white(grey, whiteness), grey, centre))
    return bands


def _majority_text(majority: int, pct: float) -> str:
    return f"{majority:,} ({pct:.2f}%)" if pct < 1 else f"{majority:,} ({pct:.1f}%)"


# ---------------------------------------------------------------------------------------------------------------------
# Results history
# ---------------------------------------------------------------------------------------------------------------------

MAX_NAMED_PARTIES = 5  # the rest are grouped as "Others"
MIN_NAMED_SHARE = 3.0  # a party needs this share (%) in some year to get its own bar
OTHERS = "Others"
OTHERS_COLOUR = "#9a9a9a"

CHART_HEIGHT = 250  # px; widths are percentages, so text keeps its CSS size on any screen
CHART_TOP = 18
CHART_BOTTOM = 200  # y of the zero line
CHART_LEFT = 9.0  # % reserved for the axis labels
CHART_RIGHT = 99.0


@dataclass(frozen=True)
class Series:
    key: str  # party code, or OTHERS
    name: str
    colour: str


@dataclass
class HistoryColumn:
    """One election in the history: the seat's own result, or a linked seat's across a boundary change."""

    year: int
    label: str  # "2019 (old seat: Derby North, 62% of this seat)"
    note: str  # "old seat: Derby North, 62% of this seat" or ""
    short_note: str  # "old seat" / "new seat" / ""
    notional: bool
    source: Constituency
    result: ConstituencyResult
    shares: dict[str, float] = field(default_factory=dict)  # series key -> % of valid votes

    @property
    def winner(self) -> str:
        return party_name(self.result.first_party)


@dataclass(frozen=True)
class Bar:
    x: str  # percent
    width: str  # percent
    y: float
    height: float
    fill: str
    stroke: str
    series: Series
    year: int
    share: float
    notional: bool
    title: str


@dataclass(frozen=True)
class AxisLabel:
    x: str
    year: str
    note: str


@dataclass(frozen=True)
class GridLine:
    y: float
    label: str


@dataclass
class History:
    columns: list[HistoryColumn]
    series: list[Series]
    rows: list[tuple[Series, list[float | None]]]  # for the data table: shares per column
    bars: list[Bar]
    axis: list[AxisLabel]
    grid: list[GridLine]
    hatched: list[Series]  # series needing a hatch pattern (drawn for notional columns)
    linked: Constituency | None  # the old or new seat the notional columns come from
    linked_share: float | None  # share of this seat's people who lived in the old seat (predecessor only)
    height: int = CHART_HEIGHT
    zero_y: float = CHART_BOTTOM
    left: str = f"{CHART_LEFT}%"
    right: str = f"{CHART_RIGHT}%"
    year_y: int = CHART_BOTTOM + 18
    note_y: int = CHART_BOTTOM + 35

    @property
    def has_notional(self) -> bool:
        return any(c.notional for c in self.columns)


def results_history(seat: Constituency, results: list[ConstituencyResult]) -> History:
    """Vote share by party in every imported election: the seat's own results, plus, across the 2024 boundary
    change, those of its main successor (for an old seat) or its main predecessor (for a new seat)."""
    overlaps = list(
        ConstituencyOverlap.objects.filter(Q(successor=seat) | Q(predecessor=seat)).select_related(
            "predecessor__boundary_set", "successor__boundary_set"
        )
    )
    as_successor = [o for o in overlaps if o.successor_id == seat.pk]
    as_predecessor = [o for o in overlaps if o.predecessor_id == seat.pk]
    predecessor = max(as_successor, key=lambda o: (o.population_share, o.population), default=None)
    successor = max(as_predecessor, key=lambda o: (o.population, o.population_share), default=None)

    own_years = {r.election.year for r in results}
    linked: Constituency | None = None
    linked_share: float | None = None
    notional_kind = ""
    if predecessor is not None:
        linked, linked_share, notional_kind = predecessor.predecessor, predecessor.population_share, "old"
    elif successor is not None:
        linked, notional_kind = successor.successor, "new"
    linked_results = []
    if linked is not None:
        linked_results = [
            r
            for r in ConstituencyResult.objects.filter(constituency=linked)
            .select_related("election")
            .order_by("election__year")
            if r.election.year not in own_years
        ]

    columns: list[HistoryColumn] = []
    for r in results:
        columns.append(HistoryColumn(r.election.year, str(r.election.year), "", "", False, seat, r))
    for r in linked_results:
        if notional_kind == "old":
            note = _("old seat: %(name)s, %(share)s%% of this seat") % {
                "name": linked.name,
                "share": f"{100 * (linked_share or 0):.0f}",
            }
            short = _("old seat")
        else:
            note = _("new seat: %(name)s") % {"name": linked.name}
            short = _("new seat")
        label = f"{r.election.year} ({note})"
        columns.append(HistoryColumn(r.election.year, label, note, short, True, linked, r))
    columns.sort(key=lambda c: c.year)

    series = _choose_series(columns)
    named = {s.key for s in series if s.key != OTHERS}
    for column in columns:
        valid = column.result.valid_votes or 1
        others = 0
        for party, votes in column.result.party_votes.items():
            if party in named:
                column.shares[party] = 100.0 * votes / valid
            else:
                others += votes
        if others and any(s.key == OTHERS for s in series):
            column.shares[OTHERS] = 100.0 * others / valid

    rows = [(s, [c.shares.get(s.key) for c in columns]) for s in series]
    bars, axis, grid = _bar_geometry(columns, series)
    hatched = [s for s in series if any(c.notional and s.key in c.shares for c in columns)]
    return History(columns, series, rows, bars, axis, grid, hatched, linked, linked_share)


def _choose_series(columns: list[HistoryColumn]) -> list[Series]:
    """The parties that matter here (ours first if it stood, then by best share), the rest as Others."""
    best: dict[str, float] = {}
    for column in columns:
        valid = column.result.valid_votes or 1
        for party, votes in column.result.party_votes.items():
            if party == "Other":
                continue
            best[party] = max(best.get(party, 0.0), 100.0 * votes / valid)
    ours = settings.GROUNDGAME_OUR_PARTY
    ranked = sorted((p for p, share in best.items() if share >= MIN_NAMED_SHARE), key=lambda p: (-best[p], p))
    if ours in ranked:
        ranked.remove(ours)
        ranked.insert(0, ours)
    named = ranked[:MAX_NAMED_PARTIES]
    named.sort(key=lambda p: (p != ours, -best[p], p))
    series = [Series(p, party_name(p), party_colour(p)) for p in named]
    has_others = any(p not in named and votes for column in columns for p, votes in column.result.party_votes.items())
    if has_others:
        series.append(Series(OTHERS, _("Others"), OTHERS_COLOUR))
    return series


def _bar_geometry(columns: list[HistoryColumn], series: list[Series]):
    top = max((share for c in columns for share in c.shares.values()), default=0.0)
    step = 10 if top <= 60 else 20
    axis_max = max(step, math.ceil(top / step) * step)
    plot = CHART_BOTTOM - CHART_TOP
    grid = [GridLine(round(CHART_BOTTOM - plot * v / axis_max, 1), f"{v}%") for v in range(0, axis_max + 1, step)]
    bars: list[Bar] = []
    axis: list[AxisLabel] = []
    if not columns or not series:
        return bars, axis, grid
    group = (CHART_RIGHT - CHART_LEFT) / len(columns)
    inner = group * 0.8
    width = inner / len(series)
    for i, column in enumerate(columns):
        left = CHART_LEFT + i * group + (group - inner) / 2
        axis.append(AxisLabel(f"{CHART_LEFT + (i + 0.5) * group:.2f}%", str(column.year), column.short_note))
        for j, s in enumerate(series):
            share = column.shares.get(s.key)
            if not share:
                continue
            height = plot * share / axis_max
            bars.append(
                Bar(
                    x=f"{left + j * width + width * 0.08:.2f}%",
                    width=f"{width * 0.84:.2f}%",
                    y=round(CHART_BOTTOM - height, 1),
                    height=round(height, 1),
                    fill=s.colour,
                    stroke=edge_colour(s.colour),
                    series=s,
                    year=column.year,
                    share=share,
                    notional=column.notional,
                    title=f"{s.name}, {column.label}: {share:.1f}%",
                )
            )
    return bars, axis, grid


# ---------------------------------------------------------------------------------------------------------------------
# Boundary outline with neighbours
# ---------------------------------------------------------------------------------------------------------------------

OUTLINE_SIZE = 400.0  # longer side of the viewBox, in user units
OUTLINE_PADDING = 0.25  # fraction of the seat's extent shown around it
LABEL_CHAR_WIDTH = 6.2  # rough width of one character of a 11-unit label, to keep labels inside the view
LABEL_MIN_AREA = 3000.0  # square user units a neighbour must show before it gets a name label
NEIGHBOUR_SEARCH_DEGREES = 0.4  # centroid prefilter margin (at least), before the exact bounding-box test
ADJACENT_DEGREES = 0.003  # about 300 m: generalised boundaries leave small gaps between neighbours


@dataclass(frozen=True)
class Shape:
    code: str
    name: str
    href: str
    path: str


@dataclass(frozen=True)
class Label:
    x: str
    y: str
    text: str


@dataclass
class Outline:
    view_box: str
    seat: Shape
    fill: str
    neighbours: list[Shape]  # drawn faintly: every nearby seat whose bounding box meets the view
    adjacent: list[Shape]  # listed as links: the seats that touch this one
    labels: list[Label] = field(default_factory=list)  # names of the larger neighbours in view


def _polygons(geometry: dict) -> list[list[list[tuple[float, float]]]]:
    if not geometry:
        return []
    if geometry.get("type") == "Polygon":
        return [geometry["coordinates"]]
    if geometry.get("type") == "MultiPolygon":
        return list(geometry["coordinates"])
    return []


def _bbox(geometry: dict) -> tuple[float, float, float, float] | None:
    xs, ys = [], []
    for polygon in _polygons(geometry):
        for ring in polygon:
            for lon, lat, *_rest in ring:
                xs.append(lon)
                ys.append(lat)
    if not xs:
        return None
    return min(xs), min(ys), max(xs), max(ys)


def _intersects(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def boundary_outline(seat: Constituency, *, fill: str | None = None) -> Outline | None:
    """A small map: the seat's boundary, with neighbouring seats of the same boundary set drawn faintly.
    Projection: x = lon * cos(lat0), y = -lat, scaled to a viewBox whose longer side is OUTLINE_SIZE."""
    box = _bbox(seat.boundary)
    if box is None:
        return None
    min_lon, min_lat, max_lon, max_lat = box
    lat0 = (min_lat + max_lat) / 2
    k = math.cos(math.radians(lat0))
    # The view: the seat's box padded, made no thinner than 1:2 either way.
    width, height = (max_lon - min_lon) * k, max_lat - min_lat
    pad = OUTLINE_PADDING * max(width, height, 0.01)
    width, height = max(width + 2 * pad, (height + 2 * pad) / 2), max(height + 2 * pad, (width + 2 * pad) / 2)
    centre_x, centre_y = (min_lon + max_lon) / 2 * k, (min_lat + max_lat) / 2
    view = (centre_x / k - width / 2 / k, centre_y - height / 2, centre_x / k + width / 2 / k, centre_y + height / 2)
    scale = OUTLINE_SIZE / max(width, height)
    left, top = view[0] * k, view[3]

    def path(geometry: dict) -> str:
        parts = []
        for polygon in _polygons(geometry):
            for ring in polygon:
                points = [f"{(lon * k - left) * scale:.1f} {(top - lat) * scale:.1f}" for lon, lat, *_r in ring]
                parts.append("M" + "L".join(points) + "Z")
        return "".join(parts)

    margin = max(NEIGHBOUR_SEARCH_DEGREES, max(view[2] - view[0], view[3] - view[1]))
    nearby = (
        Constituency.objects.filter(
            boundary_set_id=seat.boundary_set_id,
            centroid_lat__gte=view[1] - margin,
            centroid_lat__lte=view[3] + margin,
            centroid_lon__gte=view[0] - margin / k,
            centroid_lon__lte=view[2] + margin / k,
            boundary__isnull=False,
        )
        .exclude(pk=seat.pk)
        .only("code", "name", "boundary")
        .order_by("name")
    )
    placeholder = "CODE0PLACEHOLDER"
    href_pattern = reverse("places:constituency", args=[seat.boundary_set.slug, placeholder])
    own = shapely.make_valid(shape(seat.boundary))
    view_polygon = shapely.box(*view)
    view_w, view_h = width * scale, height * scale
    neighbours, adjacent, labels = [], [], []
    placed: list = []  # label boxes already used, in lon/lat

    def _place_label(name, visible, avoid, taken) -> Label | None:
        """A name label inside the neighbour's visible part, clear of the seat itself and of other labels."""
        if visible.is_empty or visible.area * k * scale**2 < LABEL_MIN_AREA:
            return None
        half_w = (len(name) * LABEL_CHAR_WIDTH / 2 + 3) / scale / k  # in degrees of longitude
        half_h = 8 / scale  # in degrees of latitude
        parts = sorted(getattr(visible, "geoms", [visible]), key=lambda g: -g.area)
        candidates = [parts[0].representative_point(), visible.centroid]
        for polygon in parts[:1]:
            if polygon.geom_type == "Polygon":
                candidates.append(shapely.ops.polylabel(polygon, tolerance=half_h / 4))
        for point in candidates:
            lon = min(max(point.x, view[0] + half_w), view[2] - half_w)
            lat = min(max(point.y, view[1] + half_h), view[3] - half_h)
            rect = shapely.box(lon - half_w, lat - half_h, lon + half_w, lat + half_h)
            if rect.intersects(avoid) or any(rect.intersects(other) for other in taken):
                continue
            taken.append(rect)
            x, y = (lon * k - left) * scale, (top - lat) * scale + 4
            return Label(f"{x:.1f}", f"{y:.1f}", name)
        return None

    for other in nearby:
        other_box = _bbox(other.boundary)
        if other_box is None or not _intersects(other_box, view):
            continue
        item = Shape(other.code, other.name, href_pattern.replace(placeholder, other.code), path(other.boundary))
        neighbours.append(item)
        geometry = shapely.make_valid(shape(other.boundary))
        if _intersects(other_box, box) and own.distance(geometry) < ADJACENT_DEGREES:
            adjacent.append(item)
            label = _place_label(other.name, geometry.intersection(view_polygon), own, placed)
            if label is not None:
                labels.append(label)
    return Outline(
        view_box=f"0 0 {view_w:.1f} {view_h:.1f}",
        seat=Shape(seat.code, seat.name, seat.get_absolute_url(), path(seat.boundary)),
        fill=fill or "#d6d3cc",
        neighbours=neighbours,
        adjacent=adjacent,
        labels=labels,
    )
