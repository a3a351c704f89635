"""Member democracy in a real browser, at phone size: a member proposes a motion, members support it to debate,
one amends it and the mover accepts; a member votes in a ranked ballot by tapping candidates, reordering with the
arrows and with the keyboard only, gets a receipt code, looks it up once the ballot has closed, and reads the result.

These tests write, so (like test_groups.py) the rows they need are committed outside a transaction and removed
afterwards (democracy rows first, then people, groups and audit rows).

Refresh the screenshots in docs/screenshots/ with:
    GROUNDGAME_SCREENSHOTS=1 GROUNDGAME_DATA_DIR=../shared/data pytest tests/browser/test_democracy.py
"""

import datetime

import pytest
from django.utils import timezone

from groundgame.democracy import services
from groundgame.democracy.models import (
    Amendment,
    Ballot,
    BallotOption,
    BallotResult,
    Body,
    CastBallot,
    Comment,
    Motion,
    MotionSupport,
    RollEntry,
)
from groundgame.people.models import Membership

from . import test_groups
from .conftest import LAPTOP, PHONE
from .test_groups import Committed, db, sign_in  # noqa: F401  (db: this folder's committed-data fixture)

pytestmark = pytest.mark.browser

# A page in a fresh browser context for this module's committed rows (test_groups.py).
new_page = test_groups.new_page


class CommittedDemocracy(Committed):
    """Committed rows plus the democracy rows of the bodies made for the test."""

    def __init__(self):
        super().__init__()
        self.bodies: list[Body] = []

    def member(self, group, **values):
        person = self.person(**values)
        Membership.objects.create(person=person, group=group, status=Membership.Status.ACTIVE)
        return person

    def body(self, group, **values) -> Body:
        body = Body.objects.create(group=group, name=f"{group.name} members", **values)
        self.bodies.append(body)
        return body

    def remove(self) -> None:
        ballots = Ballot.objects.filter(body__in=self.bodies)
        motions = Motion.objects.filter(body__in=self.bodies)
        BallotResult.objects.filter(ballot__in=ballots).delete()
        CastBallot.objects.filter(ballot__in=ballots).delete()
        RollEntry.objects.filter(ballot__in=ballots).delete()
        Amendment.objects.filter(motion__in=motions).delete()
        Comment.objects.filter(motion__in=motions).delete()
        MotionSupport.objects.filter(motion__in=motions).delete()
        BallotOption.objects.filter(ballot__in=ballots).delete()
        ballots.delete()
        motions.delete()
        Body.objects.filter(pk__in=[b.pk for b in self.bodies]).delete()
        super().remove()


@pytest.fixture
def committed(live_url, browser, db):  # noqa: F811
    rows = CommittedDemocracy()
    try:
        yield rows
    finally:
        rows.remove()


def shoot(page, directory, name: str) -> None:
    path = directory / f"democracy-{name}.png"
    page.screenshot(path=path, full_page=True, animations="disabled", caret="hide")
    assert path.stat().st_size > 5_000


TEXT = (
    "Conference resolves:\nto open a community office in Derby;\nto staff it twice a week;\nto report back in a year."
)


def test_propose_support_and_amend_a_motion_on_a_phone(committed, new_page, screenshot_dir, assert_no_sideways_scroll):
    derby = committed.group(name="Derby", slug="derby-democracy")
    body = committed.body(derby, support_threshold=2)
    mover = committed.member(derby, first_name="Priya", last_name="Patel")
    supporter = committed.member(derby, first_name="Sam", last_name="Okafor")

    page = new_page(**PHONE)
    sign_in(page, mover, f"/democracy/bodies/{body.pk}/")
    page.get_by_role("link", name="Propose a motion").click()
    page.get_by_label("Title").fill("A community office")
    page.get_by_label("Text of the motion").fill(TEXT)
    page.get_by_label("Why (rationale)").fill("People should find us.")
    page.get_by_role("button", name="Save the draft").click()
    page.get_by_role("button", name="Submit for support").click()
    page.get_by_role("button", name="Support this motion").click()
    page.get_by_text("Thank you: you support this motion.").wait_for()
    assert "1 of 2 supporters" in page.get_by_test_id("supporters").inner_text()
    motion = Motion.objects.get(body=body)
    assert motion.status == Motion.Status.GATHERING

    page2 = new_page(**PHONE)
    sign_in(page2, supporter, motion.get_absolute_url())
    page2.get_by_role("button", name="Support this motion").click()
    page2.get_by_text("goes forward to debate").wait_for()
    assert page2.locator('.timeline [aria-current="step"]').inner_text().strip() == "Debate"
    page2.get_by_role("link", name="Amend line 3").click()
    assert page2.get_by_label("From line").input_value() == "3"
    page2.get_by_label("Replace those lines with").fill("to staff it every weekday;")
    page2.get_by_label("Why (rationale)").fill("Twice a week is not enough.")
    page2.get_by_role("button", name="Propose the amendment").click()
    assert "to staff it every weekday;" in page2.get_by_test_id("amendment").inner_text()

    page.goto(motion.get_absolute_url())
    assert_no_sideways_scroll(page)
    shoot(page, screenshot_dir, "motion-phone")
    page.get_by_role("button", name="Accept it").click()
    page.get_by_text("the text is changed").wait_for()
    assert page.locator("#line-3").inner_text().endswith("to staff it every weekday;")
    assert Amendment.objects.get().status == Amendment.Status.ACCEPTED
    page.goto(body.get_absolute_url())
    assert "A community office" in page.locator("main").inner_text()
    assert_no_sideways_scroll(page)
    shoot(page, screenshot_dir, "body-phone")

    laptop = new_page(**LAPTOP)
    sign_in(laptop, supporter, motion.get_absolute_url())
    laptop.goto(motion.get_absolute_url())  # past the "signed in" message
    assert_no_sideways_scroll(laptop)
    shoot(laptop, screenshot_dir, "motion-laptop")


def ranked(page) -> list[str]:
    return [t.strip() for t in page.locator(".rank-list .rank-list__name").all_inner_texts()]


def test_vote_in_a_ranked_ballot_check_the_receipt_and_read_the_result(
    committed, new_page, screenshot_dir, assert_no_sideways_scroll
):
    derby = committed.group(name="Derby", slug="derby-ballot")
    body = committed.body(derby)
    voter = committed.member(derby, first_name="Priya", last_name="Patel")
    others = [committed.member(derby, first_name=f"Member{i}") for i in range(6)]
    now = timezone.now()
    ballot = services.ballot_create(
        acting=None,
        body=body,
        question="Delegates to conference",
        method=Ballot.Method.SCOTTISH_STV,
        options=["Ann Archer", "Bilal Hussain", "Ceri Jones", "Dee Evans"],
        seats=2,
        opens_at=now - datetime.timedelta(minutes=1),
        closes_at=now + datetime.timedelta(days=1),
    )
    services.ballot_open(acting=None, ballot=ballot)

    page = new_page(**PHONE)
    sign_in(page, voter, "/democracy/")
    page.goto("/democracy/")  # past the "signed in" message
    shoot(page, screenshot_dir, "index-phone")
    page.get_by_role("link", name="Vote", exact=True).tap()
    page.get_by_role("button", name="Rank Ceri Jones next").tap()
    page.get_by_role("button", name="Rank Ann Archer next").tap()
    page.get_by_role("button", name="Rank Dee Evans next").tap()
    assert ranked(page) == ["Ceri Jones", "Ann Archer", "Dee Evans"]
    page.get_by_role("button", name="Move Dee Evans up").tap()
    assert ranked(page) == ["Ceri Jones", "Dee Evans", "Ann Archer"]
    assert_no_sideways_scroll(page)
    shoot(page, screenshot_dir, "vote-phone")

    # Keyboard only: focus stays on the control that moved, so the keys can be pressed again.
    page.get_by_role("button", name="Rank Bilal Hussain next").focus()
    page.keyboard.press("Enter")
    assert ranked(page)[-1] == "Bilal Hussain"
    page.get_by_role("button", name="Move Bilal Hussain up").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Space")
    assert ranked(page) == ["Ceri Jones", "Bilal Hussain", "Dee Evans", "Ann Archer"]
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Move Bilal Hussain up"
    page.get_by_role("button", name="Take Ann Archer out of your ranking").focus()
    page.keyboard.press("Enter")
    assert ranked(page) == ["Ceri Jones", "Bilal Hussain", "Dee Evans"]
    assert page.locator("[name=rank_3]").input_value() == "1"  # the selects that are submitted follow
    assert page.locator("[name=rank_1]").input_value() == ""

    page.get_by_role("button", name="Cast my vote").tap()
    code = page.get_by_test_id("receipt-code").inner_text().strip()
    assert len(code) == 24 and "shown once" in page.locator("main").inner_text()
    assert_no_sideways_scroll(page)
    shoot(page, screenshot_dir, "receipt-phone")

    for person, choices in zip(others, [[1, 2], [1, 2], [2, 1], [4, 3], [2], [1, 4]], strict=True):
        services.vote_cast(ballot=ballot, person=person, choices=choices)
    services.ballot_close(acting=None, ballot=ballot, now=ballot.closes_at)

    lookup = new_page(**PHONE)  # anyone, signed out
    lookup.goto(f"/democracy/ballots/{ballot.pk}/check/")
    lookup.get_by_label("Receipt code").fill(code.lower())
    lookup.get_by_role("button", name="Check").tap()
    found = lookup.get_by_test_id("receipt-found").inner_text()
    assert "Your ballot is in the box." in found
    assert found.index("Ceri Jones") < found.index("Bilal Hussain") < found.index("Dee Evans")
    shoot(lookup, screenshot_dir, "receipt-check-phone")

    lookup.goto(f"/democracy/ballots/{ballot.pk}/result/")
    outcome = lookup.get_by_test_id("outcome").inner_text()
    assert "Elected" in outcome and ballot.result.elected[0] in outcome
    assert lookup.get_by_test_id("turnout").inner_text() == "7 of 7"
    assert lookup.locator(".stage").count() == len(lookup.locator(".stage-table thead th.num").all()) >= 1
    assert_no_sideways_scroll(lookup)
    shoot(lookup, screenshot_dir, "result-phone")
    laptop = new_page(**LAPTOP)
    laptop.goto(f"/democracy/ballots/{ballot.pk}/result/")
    assert_no_sideways_scroll(laptop)
    shoot(laptop, screenshot_dir, "result-laptop")


def test_the_ranked_ballot_works_without_javascript(committed, browser, live_url, screenshot_dir):
    derby = committed.group(name="Derby", slug="derby-nojs")
    body = committed.body(derby)
    voter = committed.member(derby, first_name="Noor")
    now = timezone.now()
    ballot = services.ballot_create(
        acting=None,
        body=body,
        question="Chair",
        method=Ballot.Method.IRV,
        options=["Ann", "Bob", "Cat"],
        opens_at=now - datetime.timedelta(minutes=1),
        closes_at=now + datetime.timedelta(days=1),
    )
    services.ballot_open(acting=None, ballot=ballot)
    context = browser.new_context(base_url=live_url, java_script_enabled=False, **PHONE)
    try:
        page = context.new_page()
        sign_in(page, voter, f"/democracy/ballots/{ballot.pk}/vote/")
        page.goto(f"/democracy/ballots/{ballot.pk}/vote/")  # past the "signed in" message
        page.get_by_label("Bob").select_option("1")
        page.get_by_label("Cat").select_option("2")
        shoot(page, screenshot_dir, "vote-nojs-phone")
        page.get_by_role("button", name="Cast my vote").click()
        page.get_by_test_id("receipt-code").wait_for()
    finally:
        context.close()
    assert list(CastBallot.objects.filter(ballot=ballot).values_list("choices", flat=True)) == [[2, 3]]


def test_an_organiser_drafts_and_opens_an_approval_ballot(
    committed, new_page, screenshot_dir, assert_no_sideways_scroll
):
    derby = committed.group(name="Derby", slug="derby-organise")
    body = committed.body(derby)
    organiser = committed.organiser(derby, first_name="Olu", last_name="Adeyemi")
    committed.member(derby, first_name="Ann")

    page = new_page(**PHONE)
    sign_in(page, organiser, f"/democracy/bodies/{body.pk}/")
    page.get_by_role("link", name="New ballot").tap()
    page.get_by_label("Question").fill("Which stalls at the summer fair?")
    page.get_by_label("Method").select_option("approval")
    page.get_by_label("Options or candidates, one a line").fill("Book swap\nBike repair\nVoter registration")
    page.get_by_label("Minimum turnout (% of the roll)").fill("25")
    assert page.get_by_label("Opens at").input_value()  # prefilled: now, closing a week later
    assert_no_sideways_scroll(page)
    shoot(page, screenshot_dir, "ballot-form-phone")
    page.get_by_role("button", name="Draft the ballot").tap()
    page.get_by_text("The ballot is drafted.").wait_for()
    page.get_by_role("button", name="Open now").tap()
    page.get_by_text("its electorate is frozen").wait_for()
    ballot = Ballot.objects.get(body=body)
    assert ballot.status == Ballot.Status.OPEN and ballot.quorum_percent == 25
    assert RollEntry.objects.filter(ballot=ballot).count() == 2
    assert "0 of 2" in page.locator("main").inner_text()
    page.get_by_role("link", name="Vote now").tap()
    page.get_by_label("Bike repair").check()
    page.get_by_label("Voter registration").check()
    page.get_by_role("button", name="Cast my vote").tap()
    page.get_by_test_id("receipt-code").wait_for()
    assert list(CastBallot.objects.filter(ballot=ballot).values_list("choices", flat=True)) == [[2, 3]]

    # The same session on a laptop-sized window (a second sign-in would reuse the authenticator code: refused).
    page.set_viewport_size(LAPTOP["viewport"])
    page.goto(ballot.get_absolute_url())
    assert "1 of 2" in page.locator("main").inner_text()
    assert_no_sideways_scroll(page)
    shoot(page, screenshot_dir, "ballot-laptop")


def test_an_organiser_approves_and_hides_comments_in_place(committed, new_page):
    derby = committed.group(name="Derby", slug="derby-moderate")
    body = committed.body(derby, moderation=Body.Moderation.STRICT)
    organiser = committed.organiser(derby, first_name="Olu")
    author = committed.member(derby, first_name="Ann")
    motion = services.motion_create(acting=None, body=body, proposer=author, title="Longer hours", text="One.\nTwo.")
    services.motion_status_set(acting=None, motion=motion, status=Motion.Status.GATHERING)
    comment = services.comment_create(motion=motion, author=author, text="We need volunteers first.")
    assert comment.status == Comment.Status.HELD

    page = new_page(**PHONE)
    sign_in(page, organiser, motion.get_absolute_url())
    item = page.locator(f"#comment-{comment.pk}")
    assert "Waiting for approval" in item.inner_text()
    url = page.url
    item.get_by_role("button", name="Show").tap()
    page.locator(f"#comment-{comment.pk}.comment--visible").wait_for()
    assert page.url == url  # swapped in place, no page load
    page.locator(f"#comment-{comment.pk}").get_by_role("button", name="Hide").tap()
    page.locator(f"#comment-{comment.pk}.comment--hidden").wait_for()
    comment.refresh_from_db()
    assert comment.status == Comment.Status.HIDDEN
