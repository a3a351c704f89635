"""Writes to places: importing reference data and overriding the target list."""

from pathlib import Path

from django.db import transaction
from django.db.models import F

from .importers.base import DataFileError, ImportSummary
from .importers.catalogue import DataFile, importable
from .models import Constituency, Election, ReferenceDataVersion, TargetOverride
from .selectors import clear_caches


class MissingReferenceData(Exception):
    """Required reference files are not in the data directory."""

    def __init__(self, data_dir: Path, missing: list[str]):
        self.data_dir, self.missing = data_dir, missing
        super().__init__(f"{data_dir} lacks required reference files: {', '.join(missing)}")


def reference_data_changed() -> None:
    """Bump the data version so every process rebuilds its lookup indexes."""
    updated = ReferenceDataVersion.objects.filter(pk=1).update(version=F("version") + 1)
    if not updated:
        ReferenceDataVersion.objects.get_or_create(pk=1, defaults={"version": 1})
    transaction.on_commit(clear_caches)
    clear_caches()


def data_file_import(*, data_file: DataFile, data_dir: Path, quiet: bool = False) -> ImportSummary:
    """Import one catalogue file, all-or-nothing."""
    with transaction.atomic():
        summary = data_file.run(Path(data_dir), quiet=quiet)
        if summary.changed:
            reference_data_changed()
    return summary


def reference_data_import(
    *, data_dir: Path, families: list[str] | None = None, quiet: bool = False, progress=None
) -> list[ImportSummary]:
    """Import every catalogue file found in `data_dir`, in dependency order. Each file is all-or-nothing;
    required files that are missing raise MissingReferenceData before anything is written."""
    data_dir = Path(data_dir)
    files = [f for f in importable() if families is None or f.family in families]
    missing = [f.relpath for f in files if f.required and not (data_dir / f.relpath).exists()]
    if missing:
        raise MissingReferenceData(data_dir, missing)
    summaries = []
    for data_file in files:
        paths = [data_dir / data_file.relpath, *(data_dir / rel for rel in data_file.companions.values())]
        if not all(p.exists() for p in paths):
            continue
        summary = data_file_import(data_file=data_file, data_dir=data_dir, quiet=quiet)
        summaries.append(summary)
        if progress:
            progress(summary)
    return summaries


@transaction.atomic
def target_override_set(
    *, election: Election, constituency: Constituency, action: str, reason: str, acting=None
) -> TargetOverride:
    """Add a seat to, or remove it from, the target list, with a reason that is shown publicly."""
    if constituency.boundary_set_id != election.boundary_set_id:
        raise ValueError(f"{constituency} is not on the boundaries of {election}")
    override = TargetOverride.objects.filter(election=election, constituency=constituency).first()
    override = override or TargetOverride(election=election, constituency=constituency)
    override.action, override.reason, override.created_by = action, reason.strip(), acting
    override.full_clean()
    override.save()
    reference_data_changed()
    return override


@transaction.atomic
def target_override_delete(*, override: TargetOverride) -> None:
    override.delete()
    reference_data_changed()


__all__ = [
    "DataFileError",
    "MissingReferenceData",
    "data_file_import",
    "reference_data_changed",
    "reference_data_import",
    "target_override_delete",
    "target_override_set",
]
