"""Importers for boundary sets and constituencies: ONS boundary GeoJSON, centroid CSVs, hexjson layouts,
deprivation, and old-to-new boundary overlaps. All keyed on (boundary set, GSS code)."""

import json
import re
from datetime import date
from pathlib import Path

import shapely
from shapely.geometry import shape

from ..geometry import area_centroid
from ..models import BoundarySet, Constituency, ConstituencyOverlap
from .base import DataFileError, ImportSummary, progress, read_csv, update_fields

# The boundary sets Groundgame knows; a set is created on first import.
BOUNDARY_SETS = {
    "2010": ("Westminster constituencies 2010–2023", date(2010, 5, 6)),
    "2024": ("Westminster constituencies from 2024", date(2024, 7, 4)),
}
GSS_CODE = re.compile(r"^[ESWN]\d{8}$")


def boundary_set_get(slug: str, path: Path | None = None) -> BoundarySet:
    if slug not in BOUNDARY_SETS:
        raise DataFileError(path or Path("?"), None, None, f"unknown boundary set '{slug}' (known: 2010, 2024)")
    name, first_used = BOUNDARY_SETS[slug]
    boundary_set, _ = BoundarySet.objects.get_or_create(slug=slug, defaults={"name": name, "first_used": first_used})
    return boundary_set


def boundary_set_from_name(path: Path, given: str | None) -> str:
    """The boundary set named on the command line, else guessed from the file name (…2010…/…2022… or …2024…)."""
    if given:
        return given
    name = path.name.lower()
    if "2024" in name or "2025" in name or "parl25" in name:
        return "2024"
    if any(y in name for y in ("2010", "2022", "pcon10", "pcon22")):
        return "2010"
    raise DataFileError(path, None, None, "cannot tell the boundary set from the file name: pass --boundary-set")


class Constituencies:
    """The constituencies of one boundary set by code, created on demand, for one import."""

    def __init__(self, boundary_set: BoundarySet):
        self.boundary_set = boundary_set
        self.by_code = {c.code: c for c in Constituency.objects.filter(boundary_set=boundary_set)}
        self.created = 0
        self.new: set[str] = set()  # codes created during this import

    def get(self, code: str, *, path: Path, line: int | None, field_name: str, name: str = "") -> Constituency:
        if not GSS_CODE.match(code):
            raise DataFileError(path, line, field_name, f"'{code}' is not a GSS constituency code")
        constituency = self.by_code.get(code)
        if constituency is None:
            if not name:
                raise DataFileError(path, line, field_name, f"unknown constituency {code} in {self.boundary_set}")
            constituency = Constituency.objects.create(
                boundary_set=self.boundary_set, code=code, name=name, nation=code[0]
            )
            self.by_code[code] = constituency
            self.created += 1
            self.new.add(code)
        return constituency


def read_json_member(path: Path, member: str, kind_of: type, *, kind: str, expect: dict | None = None):
    """The non-empty `member` of a JSON object file, after checking `expect`ed top-level values."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise DataFileError(path, getattr(exc, "lineno", None), None, f"is not valid {kind} ({exc})") from None
    value = data.get(member) if isinstance(data, dict) else None
    if not isinstance(value, kind_of) or not value:
        raise DataFileError(path, None, member, f"no {member} found")
    for key, wanted in (expect or {}).items():
        if data.get(key) != wanted:
            raise DataFileError(path, None, key, f"expected {wanted!r}, found {data.get(key)!r}")
    return value


def _property(properties: dict, pattern: str) -> str | None:
    for key, value in properties.items():
        if re.fullmatch(pattern, key, flags=re.IGNORECASE):
            return str(value).strip() if value is not None else None
    return None


def import_boundaries(path: Path, *, boundary_set: str | None = None, quiet: bool = False) -> ImportSummary:
    """ONS Westminster constituency boundaries (GeoJSON, WGS84; properties PCONyyCD/PCONyyNM)."""
    path = Path(path)
    summary = ImportSummary("boundaries", path)
    features = read_json_member(path, "features", list, kind="GeoJSON")
    slug = (
        boundary_set or _set_from_properties(features[0].get("properties") or {}) or boundary_set_from_name(path, None)
    )
    seats = Constituencies(boundary_set_get(slug, path))
    seen: set[str] = set()
    for number, feature in enumerate(progress(features, description="boundaries", quiet=quiet), start=1):
        where = f"features[{number - 1}]"
        if not isinstance(feature, dict):
            raise DataFileError(path, None, where, "expected a GeoJSON Feature object")
        properties = feature.get("properties") or {}
        code = _property(properties, r"pcon\d\dcd|code|gss_?code")
        name = _property(properties, r"pcon\d\dnm|name") or ""
        if not code:
            raise DataFileError(path, None, f"{where}.properties", "no constituency code (PCONyyCD)")
        if code in seen:
            raise DataFileError(path, None, f"{where}.properties", f"constituency {code} appears twice")
        seen.add(code)
        geometry = feature.get("geometry")
        try:
            geom = shape(geometry)
            if geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
                raise ValueError("not a polygon")
            if not geom.is_valid:
                geom = shapely.make_valid(geom)
        except Exception as exc:  # noqa: BLE001 - any shapely failure is a bad geometry
            raise DataFileError(path, None, f"{where}.geometry", f"invalid geometry for {code} ({exc})") from None
        lat, lon, area = area_centroid(shapely.geometry.mapping(geom))
        constituency = seats.get(code, path=path, line=None, field_name=f"{where}.properties", name=name)
        values = {"boundary": geometry, "area_km2": round(area, 1)}
        if constituency.centroid_lat is None:
            values |= {"centroid_lat": round(lat, 5), "centroid_lon": round(lon, 5)}
        _save(constituency, values, summary, new=code in seats.new)
    summary.rows = len(features)
    summary.created += seats.created
    if summary.changed:
        from .postcodes import place_postcodes

        place_postcodes(seats.boundary_set, summary)
    return summary


def _set_from_properties(properties: dict) -> str | None:
    for key in properties:
        match = re.fullmatch(r"pcon(\d\d)cd", key, flags=re.IGNORECASE)
        if match:
            return "2024" if int(match.group(1)) >= 24 else "2010"
    return None


def _save(instance, values: dict, summary: ImportSummary, *, new: bool = False) -> None:
    """Save changed values; count the row as updated or unchanged (or neither when created by this import)."""
    if update_fields(instance, values):
        instance.save(update_fields=list(values))
        summary.updated += 0 if new else 1
    elif not new:
        summary.unchanged += 1


def import_centroids(path: Path, *, boundary_set: str | None = None, quiet: bool = False) -> ImportSummary:
    """Constituency centroids: CSV with code, name, latitude, longitude (replaces computed centroids)."""
    path = Path(path)
    summary = ImportSummary("centroids", path)
    seats = Constituencies(boundary_set_get(boundary_set_from_name(path, boundary_set), path))
    for row in progress(read_csv(path, required=["code", "latitude", "longitude"]), quiet=quiet):
        summary.rows += 1
        constituency = seats.get(
            row.text("code"),
            path=path,
            line=row.line,
            field_name="code",
            name=row.text("name", required=False),
        )
        lat = row.number("latitude", low=49.0, high=61.5)
        lon = row.number("longitude", low=-9.0, high=2.5)
        _save(
            constituency,
            {"centroid_lat": lat, "centroid_lon": lon},
            summary,
            new=constituency.code in seats.new,
        )
    summary.created += seats.created
    return summary


def import_hexjson(path: Path, *, boundary_set: str | None = None, quiet: bool = False) -> ImportSummary:
    """Hex cartogram layout (HexJSON: {"layout": "odd-r", "hexes": {code: {"q", "r", "n"}}})."""
    path = Path(path)
    summary = ImportSummary("hexjson", path)
    hexes = read_json_member(path, "hexes", dict, kind="HexJSON", expect={"layout": "odd-r"})
    seats = Constituencies(boundary_set_get(boundary_set_from_name(path, boundary_set), path))
    for code, cell in progress(hexes.items(), total=len(hexes), quiet=quiet):
        summary.rows += 1
        if not isinstance(cell, dict):
            raise DataFileError(path, None, f"hexes.{code}", "expected an object with q, r and n")
        for axis in ("q", "r"):
            if not isinstance(cell.get(axis), int) or isinstance(cell.get(axis), bool):
                raise DataFileError(path, None, f"hexes.{code}.{axis}", "expected a whole number")
        constituency = seats.get(code, path=path, line=None, field_name=f"hexes.{code}", name=cell.get("n", ""))
        _save(constituency, {"hex_q": cell["q"], "hex_r": cell["r"]}, summary, new=code in seats.new)
    summary.created += seats.created
    return summary


def import_deprivation(path: Path, *, boundary_set: str | None = None, quiet: bool = False) -> ImportSummary:
    """mySociety composite UK IMD by constituency (2010 file: gss-code; 2024 file: PCON24CD)."""
    path = Path(path)
    summary = ImportSummary("deprivation", path)
    rows = read_csv(path, required=[])
    seats = None
    for row in progress(rows, quiet=quiet):
        if seats is None:
            names = list(row.values)
            code_col = next((c for c in ("gss_code", "pcon24cd", "pcon10cd", "code") if c in names), None)
            score_col = next((c for c in names if c.endswith("deprivation_score")), None)
            decile_col = next((c for c in names if c.endswith("imd_pop_decile")), None)
            for col, label in (
                (code_col, "gss-code"),
                (score_col, "…-deprivation-score"),
                (decile_col, "…-decile"),
            ):
                if col is None:
                    raise DataFileError(path, 1, label, "missing column")
            slug = boundary_set or ("2024" if code_col == "pcon24cd" else boundary_set_from_name(path, None))
            seats = Constituencies(boundary_set_get(slug, path))
        summary.rows += 1
        constituency = seats.get(row.text(code_col), path=path, line=row.line, field_name=code_col)
        score = round(row.number(score_col, low=0, high=100), 3)
        decile = row.integer(decile_col)
        if not 1 <= decile <= 10:
            raise DataFileError(path, row.line, decile_col, f"decile must be 1..10, found {decile}")
        _save(constituency, {"deprivation_score": score, "deprivation_decile": decile}, summary)
    if seats is None:
        raise DataFileError(path, 2, None, "no rows")
    return summary


def import_overlaps(path: Path, *, codes: Path, quiet: bool = False) -> ImportSummary:
    """Old (2010) to new (2024) constituency overlaps by population (mySociety), with the file that maps
    mySociety's UKPARL.2025 codes to GSS codes (`codes`)."""
    path, codes = Path(path), Path(codes)
    summary = ImportSummary("overlaps", path)
    gss_for = {}
    for row in read_csv(codes, required=["ukparl_2025", "pcon24cd"]):
        gss_for[row.text("ukparl_2025")] = row.text("pcon24cd")
    old = Constituencies(boundary_set_get("2010", path))
    new = Constituencies(boundary_set_get("2024", path))
    pairs: dict[tuple[int, int], float] = {}
    for row in progress(read_csv(path, required=["parl10", "parl25", "overlap_pop"]), quiet=quiet):
        summary.rows += 1
        short = row.text("parl25")
        if short not in gss_for:
            raise DataFileError(path, row.line, "PARL25", f"'{short}' is not in {codes.name}")
        predecessor = old.get(row.text("parl10"), path=path, line=row.line, field_name="PARL10")
        successor = new.get(gss_for[short], path=path, line=row.line, field_name="PARL25")
        population = row.number("overlap_pop", low=0)
        if population > 0:
            key = (successor.pk, predecessor.pk)
            pairs[key] = pairs.get(key, 0.0) + population
    totals: dict[int, float] = {}
    for (successor_id, _), population in pairs.items():
        totals[successor_id] = totals.get(successor_id, 0.0) + population
    existing = {(o.successor_id, o.predecessor_id): o for o in ConstituencyOverlap.objects.all()}
    for key, population in pairs.items():
        share = round(population / totals[key[0]], 4)
        values = {"population": round(population, 1), "population_share": share}
        overlap = existing.pop(key, None)
        if overlap is None:
            ConstituencyOverlap.objects.create(successor_id=key[0], predecessor_id=key[1], **values)
            summary.created += 1
        else:
            _save(overlap, values, summary)
    if existing:
        ConstituencyOverlap.objects.filter(pk__in=[o.pk for o in existing.values()]).delete()
        summary.deleted = len(existing)
    return summary
