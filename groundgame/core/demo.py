"""Prepare the demo: migrate, get and import the reference data, seed demo accounts.

Each later capability extends `seed_demo` with plausible synthetic data of its own, by adding its seeder to
`DEMO_SEEDERS`."""

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.utils.module_loading import import_string

DEMO_SEEDERS = (
    "groundgame.people.demo.seed_demo_lines",
    "groundgame.events.demo.seed_demo_lines",
    "groundgame.canvassing.demo.seed_demo_lines",
    "groundgame.pollingday.demo.seed_demo_lines",
    "groundgame.democracy.demo.seed_demo_lines",
    "groundgame.listening.demo.seed_demo_lines",
)
"""Each domain app's demo seed, called in this order by `seed_demo` as seeder(password=...) -> lines to print
(its demo logins and a summary). Named by dotted path and imported only when the demo is seeded, so `core` still
imports no domain app: this list is the demo's orchestration (like INSTALLED_APPS), not a dependency."""


def demo_password_file() -> Path:
    return Path(settings.GROUNDGAME_HOME) / "demo-logins.txt"


def demo_password() -> str:
    """The demo accounts' password: made once per machine and kept (mode 600) in GROUNDGAME_HOME."""
    path = demo_password_file()
    if path.exists():
        return path.read_text().strip()
    password = secrets.token_urlsafe(12)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(password)
    path.chmod(0o600)
    return password


@transaction.atomic
def seed_demo() -> list[str]:
    """Create the demo accounts and each app's demo data if missing (idempotent); return the lines to print."""
    password = demo_password()
    user_model = get_user_model()
    admin = user_model.objects.filter(username="admin").first()
    if admin is None:
        admin = user_model.objects.create_superuser("admin", "admin@example.org", password)
    elif not admin.check_password(password):
        admin.set_password(password)
        admin.save(update_fields=["password"])
    # Sign-in is by verified email address (allauth): the demo administrator's address is verified up front.
    from allauth.account.models import EmailAddress

    EmailAddress.objects.get_or_create(user=admin, email=admin.email, defaults={"verified": True, "primary": True})
    lines = [f"Administrator (/admin/): admin@example.org / {password}"]
    for seeder in DEMO_SEEDERS:
        lines += import_string(seeder)(password=password)
    return lines


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
