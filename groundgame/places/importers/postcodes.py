"""Importers for postcode districts (centroids) and full postcodes (the shared sample's layout and ONSPD's)."""

from pathlib import Path

from ..geometry import BoundaryIndex
from ..models import BoundarySet, Constituency, Postcode, PostcodeDistrict, PostcodePlacement
from ..postcodes import InvalidPostcode, parse
from .base import DataFileError, ImportSummary, count_lines, normalise_header, progress, read_csv

BATCH = 5000


def import_postcode_districts(path: Path, *, quiet: bool = False) -> ImportSummary:
    """District centroids: CSV with outcode, latitude, longitude[, postcodes]."""
    path = Path(path)
    summary = ImportSummary("postcode districts", path)
    existing = {d.outcode: d for d in PostcodeDistrict.objects.all()}
    seen: set[str] = set()
    to_create, to_update = [], []
    for row in progress(read_csv(path, required=["outcode", "latitude", "longitude"]), quiet=quiet):
        summary.rows += 1
        raw = row.text("outcode")
        try:
            parsed = parse(raw)
        except InvalidPostcode:
            parsed = None
        if parsed is None or parsed.is_full:
            raise DataFileError(path, row.line, "outcode", f"'{raw}' is not a postcode district")
        if parsed.text in seen:
            raise DataFileError(path, row.line, "outcode", f"district {parsed.text} appears twice")
        seen.add(parsed.text)
        values = {
            "latitude": row.number("latitude", low=49.0, high=61.5),
            "longitude": row.number("longitude", low=-9.0, high=2.5),
            "postcode_count": row.integer("postcodes", required=False) if row.has("postcodes") else 0,
        }
        district = existing.get(parsed.text)
        if district is None:
            to_create.append(PostcodeDistrict(outcode=parsed.text, **values))
        elif any(getattr(district, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(district, k, v)
            to_update.append(district)
        else:
            summary.unchanged += 1
    PostcodeDistrict.objects.bulk_create(to_create, batch_size=BATCH)
    PostcodeDistrict.objects.bulk_update(to_update, ["latitude", "longitude", "postcode_count"], batch_size=BATCH)
    summary.created, summary.updated = len(to_create), len(to_update)
    return summary


def _postcode_columns(names: list[str]) -> dict[str, str]:
    """Map our fields to the file's columns: the shared sample (postcode, latitude, longitude,
    positional_quality) or ONSPD (pcds, lat, long, doterm, osgrdind)."""
    if "pcds" in names:
        return {
            "postcode": "pcds",
            "lat": "lat",
            "lon": "long",
            "quality": "osgrdind",
            "terminated": "doterm",
        }
    return {"postcode": "postcode", "lat": "latitude", "lon": "longitude", "quality": "positional_quality"}


def import_postcodes(path: Path, *, quiet: bool = False) -> ImportSummary:
    """Full postcodes, streamed in batches inside the caller's transaction. ONSPD rows that are terminated
    or have no grid reference (latitude 99.999999) are skipped and counted."""
    path = Path(path)
    summary = ImportSummary("postcodes", path)
    with open(path, encoding="utf-8-sig") as handle:
        header = handle.readline()
    names = [normalise_header(h) for h in header.strip().split(",")]
    columns = _postcode_columns(names)
    required = [columns["postcode"], columns["lat"], columns["lon"]]
    existing = dict(Postcode.objects.values_list("postcode", "id"))
    seen: set[str] = set()
    batch_create, batch_update = [], []
    skipped = 0
    total = count_lines(path) - 1 if not quiet else None
    for row in progress(read_csv(path, required=required), total=total, quiet=quiet, description="postcodes"):
        summary.rows += 1
        if columns.get("terminated") and row.text(columns["terminated"], required=False):
            skipped += 1
            continue
        raw = row.text(columns["postcode"])
        try:
            parsed = parse(raw)
        except InvalidPostcode:
            parsed = None
        if parsed is None or not parsed.is_full:
            raise DataFileError(path, row.line, columns["postcode"], f"'{raw}' is not a full postcode")
        if parsed.text in seen:
            raise DataFileError(path, row.line, columns["postcode"], f"postcode {parsed.text} appears twice")
        seen.add(parsed.text)
        lat = row.number(columns["lat"])
        lon = row.number(columns["lon"])
        if lat is not None and lat > 99:  # ONSPD's "no location" marker
            skipped += 1
            continue
        if not (49.0 <= lat <= 61.5):
            raise DataFileError(path, row.line, columns["lat"], f"{lat} is outside the UK")
        if not (-9.0 <= lon <= 2.5):
            raise DataFileError(path, row.line, columns["lon"], f"{lon} is outside the UK")
        quality = row.integer(columns["quality"], required=False, default=None) if row.has(columns["quality"]) else None
        item = Postcode(
            postcode=parsed.text,
            outcode=parsed.outcode,
            latitude=lat,
            longitude=lon,
            positional_quality=quality,
        )
        if parsed.text in existing:
            item.pk = existing[parsed.text]
            batch_update.append(item)
        else:
            batch_create.append(item)
        if len(batch_create) >= BATCH:
            Postcode.objects.bulk_create(batch_create)
            summary.created += len(batch_create)
            batch_create = []
        if len(batch_update) >= BATCH:
            summary.updated += _update_changed(batch_update, summary)
            batch_update = []
    Postcode.objects.bulk_create(batch_create)
    summary.created += len(batch_create)
    summary.updated += _update_changed(batch_update, summary)
    if skipped:
        summary.warnings.append(f"{skipped} terminated or unlocated postcodes skipped")
    for boundary_set in BoundarySet.objects.all():
        place_postcodes(boundary_set, summary)
    return summary


def place_postcodes(boundary_set: BoundarySet, summary: ImportSummary | None = None) -> int:
    """(Re)compute which constituency of `boundary_set` each full postcode lies in; write only what changed.
    Returns the number of placements created, changed or deleted."""
    seats = list(Constituency.objects.filter(boundary_set=boundary_set, boundary__isnull=False).only("id", "boundary"))
    if not seats:
        return 0
    index = BoundaryIndex([s.boundary for s in seats])
    wanted = {}
    for pk, lat, lon in Postcode.objects.values_list("id", "latitude", "longitude").iterator(chunk_size=BATCH):
        placement = index.locate(lat, lon)
        wanted[pk] = (seats[placement.index].pk, placement.approximate)
    existing = {
        p.postcode_id: p
        for p in PostcodePlacement.objects.filter(boundary_set=boundary_set).only(
            "id", "postcode_id", "constituency_id", "approximate"
        )
    }
    create, update = [], []
    for pk, (constituency_id, approximate) in wanted.items():
        current = existing.pop(pk, None)
        if current is None:
            create.append(
                PostcodePlacement(
                    postcode_id=pk, boundary_set=boundary_set, constituency_id=constituency_id, approximate=approximate
                )
            )
        elif (current.constituency_id, current.approximate) != (constituency_id, approximate):
            current.constituency_id, current.approximate = constituency_id, approximate
            update.append(current)
    PostcodePlacement.objects.bulk_create(create, batch_size=BATCH)
    PostcodePlacement.objects.bulk_update(update, ["constituency_id", "approximate"], batch_size=BATCH)
    PostcodePlacement.objects.filter(pk__in=[p.pk for p in existing.values()]).delete()
    changed = len(create) + len(update) + len(existing)
    if summary is not None and changed:
        summary.warnings.append(f"{changed} postcode placements on the {boundary_set.slug} boundaries (re)computed")
    return changed


def _update_changed(items: list[Postcode], summary: ImportSummary) -> int:
    fields = ["latitude", "longitude", "positional_quality"]
    current = {p.pk: p for p in Postcode.objects.filter(pk__in=[i.pk for i in items]).only("id", *fields)}
    changed = [i for i in items if any(getattr(i, f) != getattr(current[i.pk], f) for f in fields)]
    Postcode.objects.bulk_update(changed, fields, batch_size=BATCH)
    summary.unchanged += len(items) - len(changed)
    return len(changed)
