"""Shared fixtures.

`reference_db`: the real reference data (GROUNDGAME_DATA_DIR) imported once per test session into the
test database; tests that use it skip with a clear message when GROUNDGAME_DATA_DIR is unset.
"""

import os
from pathlib import Path

import pytest


def shared_data_dir() -> Path | None:
    value = os.environ.get("GROUNDGAME_DATA_DIR")
    return Path(value) if value and Path(value).is_dir() else None


@pytest.fixture(scope="session")
def data_dir() -> Path:
    directory = shared_data_dir()
    if directory is None:
        pytest.skip("GROUNDGAME_DATA_DIR is not set: real reference data tests need it (CI sets ../shared/data)")
    return directory


@pytest.fixture(scope="session")
def reference_db(django_db_setup, django_db_blocker, data_dir):
    """Import every reference file once for the session (about 6 s). Tests see it through `db`."""
    from groundgame.places.selectors import clear_caches
    from groundgame.places.services import reference_data_import

    with django_db_blocker.unblock():
        reference_data_import(data_dir=data_dir, quiet=True)
    clear_caches()
    yield data_dir
    clear_caches()


@pytest.fixture(autouse=True)
def _fresh_lookup_cache():
    """Lookup indexes are per process; never let one test's data leak into another's."""
    from groundgame.places.selectors import clear_caches

    clear_caches()
    yield
    clear_caches()
