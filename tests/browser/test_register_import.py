"""Register import in a real browser, on a phone: an organiser opens their campaign, uploads a synthetic register of
2,000 electors for Derby North (a standard export, so it goes straight to the check), reads the dry run, imports,
and sees the register on the campaign page; a file with bad rows shows the report by line and column and imports
nothing.

Like test_groups.py these write, so they use its committed-rows helpers; the campaign and its register are deleted
afterwards, and uploads go to a temporary GROUNDGAME_HOME.

Screenshots (phone 390x844 and laptop 1280x800: the dry run and the campaign page) go to the screenshot folder, and
also to CANVASSING_SHOTS_DIR when that is set:
    CANVASSING_SHOTS_DIR=/tmp/canvassing-shots GROUNDGAME_DATA_DIR=../shared/data \\
        pytest tests/browser/test_register_import.py
"""

import datetime
import os
import re
import shutil
from pathlib import Path

import pytest

from groundgame.canvassing import services, synthetic
from groundgame.canvassing.models import Address, Campaign, ContactRecord, Elector, RegisterCopy

from . import test_groups
from .conftest import LAPTOP, PHONE
from .test_groups import Committed, sign_in

pytestmark = pytest.mark.browser

db = test_groups.db
committed = test_groups.committed
new_page = test_groups.new_page


@pytest.fixture
def imports_dir(settings, tmp_path):
    settings.GROUNDGAME_HOME = tmp_path  # the live server runs in this process: it sees the override
    return tmp_path / "imports"


@pytest.fixture
def campaign(committed: Committed):
    """A campaign of a committed group in Derby North (2010 boundaries), deleted with its register afterwards."""
    derby = committed.group(name="Derby", slug="derby-register")
    seat = synthetic.find_constituency("E14000662", "2010")
    campaign = services.campaign_create(
        acting=None,
        host=derby,
        name="Derby North: general election",
        slug="derby-north-browser",
        kind=Campaign.Kind.GENERAL,
        polling_date=datetime.date(2029, 5, 3),
        constituencies=[seat],
        parties=["Lab", "Con", "LD", "Green", "RUK"],
    )
    campaign.organiser = committed.organiser(derby, first_name="Olu", last_name="Adeyemi")
    yield campaign
    ContactRecord.objects.filter(campaign=campaign).delete()
    Elector.objects.filter(campaign=campaign).delete()
    Address.objects.filter(campaign=campaign).delete()
    RegisterCopy.objects.filter(campaign=campaign).delete()
    campaign.delete()


def shots(page, screenshot_dir: Path, name: str) -> None:
    """The page at phone size and at laptop size (copied to CANVASSING_SHOTS_DIR when set)."""
    paths = [screenshot_dir / f"{name}-phone.png", screenshot_dir / f"{name}-laptop.png"]
    page.screenshot(path=paths[0], full_page=True, animations="disabled", caret="hide")
    page.set_viewport_size(LAPTOP["viewport"])
    page.screenshot(path=paths[1], full_page=True, animations="disabled", caret="hide")
    page.set_viewport_size(PHONE["viewport"])
    extra = os.environ.get("CANVASSING_SHOTS_DIR")
    if extra:
        Path(extra).mkdir(parents=True, exist_ok=True)
        for path in paths:
            shutil.copy(path, Path(extra) / path.name)


def upload(page, content: bytes, name: str = "derby-north-register.csv") -> None:
    page.locator("input[type=file]").set_input_files(files=[{"name": name, "mimeType": "text/csv", "buffer": content}])
    page.get_by_label("Supplied by").fill("Derby City Council, Electoral Services")
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url(re.compile(r"/register/import/[0-9a-f]{32}/check/$"))


def test_organiser_imports_the_register_on_a_phone(
    campaign, imports_dir, new_page, screenshot_dir, tmp_path, assert_no_sideways_scroll
):
    path = tmp_path / "register.csv"
    electors, households = synthetic.generate_file(
        path, constituency=campaign.constituencies.get(), seed=4, electors=2000
    )
    page = new_page(**PHONE)
    sign_in(page, campaign.organiser, f"/canvassing/{campaign.slug}/")
    page.get_by_role("link", name="Import the register").click()
    page.wait_for_url("**/register/import/")
    assert_no_sideways_scroll(page)
    shots(page, screenshot_dir, "register-import-upload")
    upload(page, path.read_bytes())

    # The dry run: what the import would do; nothing written yet.
    counts = page.get_by_test_id("counts").inner_text()
    assert re.search(r"Electors\s+2,000", counts) and re.search(rf"Households\s+{households:,}", counts)
    assert "located by their full postcode" in page.get_by_test_id("located").inner_text()
    assert not Elector.objects.filter(campaign=campaign).exists()
    assert_no_sideways_scroll(page)
    shots(page, screenshot_dir, "register-import-check")

    page.get_by_role("button", name="Import the register").click()
    page.wait_for_url("**/import/")
    outcome = page.get_by_test_id("outcome").inner_text()
    assert re.search(r"Electors\s+2,000", outcome) and re.search(r"Added\s+2,000", outcome)
    assert Elector.objects.filter(campaign=campaign).count() == 2000
    assert list(imports_dir.rglob("*.csv")) == []  # the upload is deleted

    page.get_by_role("link", name="Back to the campaign").click()
    page.wait_for_url(f"**/canvassing/{campaign.slug}/")
    facts = page.get_by_test_id("register-counts").inner_text()
    assert re.search(r"Electors\s+2,000", facts)
    assert "Derby City Council" in page.content()
    assert_no_sideways_scroll(page)
    shots(page, screenshot_dir, "campaign")
    assert electors >= 2000


def test_a_bad_register_is_reported_by_line_and_column_and_nothing_is_imported(
    campaign, imports_dir, new_page, screenshot_dir, assert_no_sideways_scroll
):
    header = ",".join(synthetic.HEADER).encode()
    rows = [
        b"AA1,1,0,,,,Smith,Jo,,DE22 1AA,1 High Street,Derby,,,,",
        b"AA1,two,0,,,,Smith,Sam,,DE22 1AA,1 High Street,Derby,,,,",
        b"AA1,1,0,,,,Jones,Ann,,DE22 1AA,3 High Street,Derby,,,,",
    ]
    page = new_page(**PHONE)
    sign_in(page, campaign.organiser, f"/canvassing/{campaign.slug}/register/import/")
    upload(page, b"\n".join([header, *rows]) + b"\n")
    assert page.get_by_role("heading", name="The file needs fixing").is_visible()
    report = page.get_by_test_id("error-report").inner_text()
    assert re.search(r"3\s+Elector Number\s+not an elector number", report)
    assert re.search(r"4\s+Elector Number\s+the same elector number as line 2", report)
    assert_no_sideways_scroll(page)
    shots(page, screenshot_dir, "register-import-errors")
    assert not RegisterCopy.objects.filter(campaign=campaign).exists()
