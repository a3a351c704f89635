"""Private upload folders (the importers keep each uploaded file in its own folder, named by a random token, until
it is imported or discarded): sweeping away the ones abandoned for too long, since they hold personal data."""

import re
import shutil
from pathlib import Path


def remove_stale_folders(base: Path, *, now: float, max_age_seconds: float, name: re.Pattern) -> int:
    """Delete every folder in `base` whose name matches `name` and that was last changed more than
    `max_age_seconds` before `now`; returns how many."""
    if not base.is_dir():
        return 0
    removed = 0
    for folder in base.iterdir():
        try:
            old = now - folder.stat().st_mtime > max_age_seconds
        except OSError:
            continue
        if old and name.fullmatch(folder.name):
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed
