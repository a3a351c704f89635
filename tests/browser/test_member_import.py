"""Member import in a real browser, on a phone: an organiser uploads a small CSV file, matches the columns, reads the
dry run (with one person already recorded to merge), imports, and finds the new person in the directory; a file with
a bad row shows the report by line and column, and imports nothing.

Like test_groups.py these write, so they use its committed-rows helpers; the people the import creates are deleted
afterwards, and uploads go to a temporary GROUNDGAME_HOME.

Screenshots (phone and laptop size, mapping and dry-run pages) go to the screenshot folder: refresh them with
    GROUNDGAME_SCREENSHOTS=1 GROUNDGAME_DATA_DIR=../shared/data pytest tests/browser/test_member_import.py
"""

import re

import pytest

from groundgame.people.models import Membership, Person

from . import test_groups
from .conftest import LAPTOP, PHONE
from .test_groups import Committed, sign_in

pytestmark = pytest.mark.browser

CSV = (
    b"First name,Surname,E-mail,Postcode\n"
    b"Hana,Imported,hana.imported@example.org,DE22 1AA\n"
    b"Idris,Imported,idris.imported@example.org,\n"
    b"Ann,Archer-Smith,ann.archer@example.org,DE1 1AA\n"
)
NEW_EMAILS = ["hana.imported@example.org", "idris.imported@example.org"]

# test_groups.py's fixtures for tests that write: committed rows, no transaction around the test, fresh pages.
db = test_groups.db
committed = test_groups.committed
new_page = test_groups.new_page


@pytest.fixture
def imports_dir(settings, tmp_path):
    settings.GROUNDGAME_HOME = tmp_path  # the live server runs in this process: it sees the override
    return tmp_path / "imports"


@pytest.fixture
def imported(committed):
    """Deletes the people the import created (before `committed` removes the rest)."""
    yield
    Person.objects.filter(email__in=NEW_EMAILS).delete()


def shots(page, screenshot_dir, name: str) -> None:
    """The page at phone size and at laptop size."""
    page.screenshot(path=screenshot_dir / f"{name}-phone.png", full_page=True, animations="disabled", caret="hide")
    page.set_viewport_size(LAPTOP["viewport"])
    page.screenshot(path=screenshot_dir / f"{name}-laptop.png", full_page=True, animations="disabled", caret="hide")
    page.set_viewport_size(PHONE["viewport"])


def upload(page, content: bytes, name: str = "derby-members.csv") -> None:
    page.locator("input[type=file]").set_input_files(files=[{"name": name, "mimeType": "text/csv", "buffer": content}])
    page.get_by_role("button", name="Upload and continue").click()
    page.wait_for_url(re.compile(r"/people/import/[0-9a-f]{32}/$"))


def test_organiser_imports_a_csv_file_on_a_phone(
    committed: Committed, imported, new_page, imports_dir, screenshot_dir, assert_no_sideways_scroll
):
    derby = committed.group(name="Derby", slug="derby-import")
    organiser = committed.organiser(derby, first_name="Olu", last_name="Adeyemi")
    ann = committed.person(first_name="Ann", last_name="Archer", email="ann.archer@example.org")
    Membership.objects.create(person=ann, group=derby, status="active")

    page = new_page(**PHONE)
    sign_in(page, organiser, "/people/")
    page.get_by_role("link", name="Import members from a CSV file").click()
    page.wait_for_url("**/people/import/")
    assert_no_sideways_scroll(page)
    shots(page, screenshot_dir, "import-upload")
    upload(page, CSV)

    # Mapping: guessed from the column names, the only group chosen already.
    assert page.get_by_label("E-mail").input_value() == "email"
    assert page.get_by_label("Surname").input_value() == "last_name"
    assert page.get_by_label("Add everyone to this group").input_value() == str(derby.pk)
    assert "hana.imported@example.org" in page.get_by_test_id("columns").inner_text()
    assert_no_sideways_scroll(page)
    shots(page, screenshot_dir, "import-mapping")
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_url("**/check/")

    # Dry run: two new, Ann already recorded; nothing written yet.
    counts = page.get_by_test_id("counts").inner_text()
    assert re.search(r"New people\s+2", counts) and re.search(r"Already recorded\s+1", counts)
    review = page.get_by_test_id("merge-review")
    assert "Ann Archer" in review.inner_text() and "last name" in review.inner_text()
    assert not Person.objects.filter(email__in=NEW_EMAILS).exists()
    assert_no_sideways_scroll(page)
    shots(page, screenshot_dir, "import-check")
    review.get_by_label("Update").check()
    page.get_by_role("button", name="Import", exact=True).click()
    page.wait_for_url("**/commit/")

    outcome = page.get_by_test_id("outcome").inner_text()
    assert re.search(r"New people\s+2", outcome) and re.search(r"Updated\s+1", outcome)
    shots(page, screenshot_dir, "import-done")
    assert list(imports_dir.rglob("*.csv")) == []  # the upload is deleted
    ann.refresh_from_db()
    assert ann.last_name == "Archer-Smith"
    page.get_by_role("link", name="Open the member directory").click()
    page.wait_for_url("**/people/")
    directory = page.get_by_test_id("directory").inner_text()
    assert "Hana Imported" in directory and "Idris Imported" in directory


def test_a_bad_row_is_reported_by_line_and_column_and_nothing_is_imported(
    committed: Committed, imported, new_page, imports_dir, screenshot_dir, assert_no_sideways_scroll
):
    derby = committed.group(name="Derby", slug="derby-import")
    organiser = committed.organiser(derby, first_name="Olu", last_name="Adeyemi")
    bad = CSV.replace(b"idris.imported@example.org", b"idris-at-example.org")

    page = new_page(**PHONE)
    sign_in(page, organiser, "/people/import/")
    upload(page, bad)
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_url("**/check/")

    assert page.get_by_role("heading", name="The file needs fixing").is_visible()
    report = page.get_by_test_id("error-report").inner_text()
    assert re.search(r"3\s+E-mail\s+not a valid email address", report)
    assert_no_sideways_scroll(page)
    shots(page, screenshot_dir, "import-errors")
    assert not Person.objects.filter(email__in=NEW_EMAILS).exists()

    # The way back: upload a corrected file, which keeps the mapping.
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "derby-members.csv", "mimeType": "text/csv", "buffer": CSV}]
    )
    page.get_by_role("button", name="Upload the corrected file").click()
    page.wait_for_url(re.compile(r"/people/import/[0-9a-f]{32}/$"))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_url("**/check/")
    assert page.get_by_role("heading", name="Check and import").is_visible()
    assert len(list(imports_dir.rglob("*.csv"))) == 1  # the first upload was deleted
