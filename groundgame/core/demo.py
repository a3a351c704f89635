"""Prepare the demo: migrate, get and import the reference data, seed demo accounts.

Each later capability extends `seed_demo` with plausible synthetic data of its own."""

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction


def demo_password_file() -> Path:
    return Path(settings.GROUNDGAME_HOME) / "demo-logins.txt"


@transaction.atomic
def seed_demo() -> list[str]:
    """Create the demo accounts if missing (idempotent) and return the login lines to print."""
    path = demo_password_file()
    if path.exists():
        password = path.read_text().strip()
    else:
        password = secrets.token_urlsafe(12)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(password)
        path.chmod(0o600)
    user_model = get_user_model()
    admin = user_model.objects.filter(username="admin").first()
    if admin is None:
        admin = user_model.objects.create_superuser("admin", "admin@example.org", password)
    elif not admin.check_password(password):
        admin.set_password(password)
        admin.save(update_fields=["password"])
    return [f"Administrator (/admin/): admin / {password}"]


def prepare_demo(*, out) -> tuple[bool, list[str]]:
    """Migrate, make sure reference data is present and imported, seed. Returns (ok, login lines)."""
    from groundgame.places.datasources import HOW_TO_PROVIDE_DATA, data_dir, fetch_all, has_required_files
    from groundgame.places.importers.base import DataFileError
    from groundgame.places.services import MissingReferenceData, reference_data_import

    Path(settings.GROUNDGAME_HOME).mkdir(parents=True, exist_ok=True)
    call_command("migrate", verbosity=0)
    directory = data_dir()
    if not settings.GROUNDGAME_DATA_DIR and not has_required_files(directory):
        out.write(f"Downloading reference data into {directory} ...\n")
        outcomes = fetch_all(
            cache_dir=directory, report=lambda o: out.write(f"  {o.status:>10}  {o.data_file.relpath} {o.detail}\n")
        )
        del outcomes
    if not has_required_files(directory):
        out.write(f"\nNo reference data in {directory}.\n\n{HOW_TO_PROVIDE_DATA}\n")
        return False, []
    out.write(f"Importing reference data from {directory} ...\n")
    try:
        summaries = reference_data_import(data_dir=directory, quiet=True)
    except (MissingReferenceData, DataFileError) as exc:
        out.write(f"\n{exc}\n\n{HOW_TO_PROVIDE_DATA}\n")
        return False, []
    changed = [s for s in summaries if s.changed]
    out.write(f"  {len(summaries)} files checked, {len(changed)} changed the database.\n")
    return True, seed_demo()
