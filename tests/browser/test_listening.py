"""Listening in a real browser at phone size: a member votes through 20 statements with one tap each and the page
never reloads (htmx swaps the card); then the opinion map and its group cards render, on a phone and a laptop.

These write (the live server reads committed data only), like tests/browser/test_groups.py, whose `Committed`
helper and fixtures they reuse; the conversation is removed afterwards.

Refresh the screenshots with:
    GROUNDGAME_SCREENSHOTS=1 GROUNDGAME_DATA_DIR=../shared/data pytest tests/browser/test_listening.py
"""

import pytest

from groundgame.listening import services
from groundgame.listening.demo import camp_votes
from groundgame.listening.models import Conversation, StatementVote

from . import test_groups
from .conftest import LAPTOP, PHONE
from .test_groups import Committed, sign_in
from .test_groups import db as db  # noqa: F401, PLC0414  (this module's `db`: no transaction around the test)

pytestmark = pytest.mark.browser

# A page in a fresh browser context for this module's committed rows (test_groups.py).
new_page = test_groups.new_page

STATEMENTS = [
    "Buses should run until midnight.",
    "Rents in the town centre are too high.",
    "The library should open on Sundays.",
    "Council tax should pay for more youth clubs.",
    "Cycle lanes make the high street safer.",
    "New homes should be council homes first.",
    "The hospital needs a late-night bus.",
    "Parks need more bins and benches.",
    "Empty shops should become community spaces.",
    "Landlords should be licensed.",
    "The market should open on Sundays too.",
    "Speed limits near schools should be 20 mph.",
    "Local firms should get council contracts first.",
    "The swimming pool should be free for children.",
    "Street lights should stay on all night.",
    "Potholes are the council's first job.",
    "Allotments should be easier to get.",
    "There should be a night bus to the station.",
    "Public toilets should be reopened.",
    "The tram should reach the estates.",
    "Food banks should not be needed.",
    "More trees on every street.",
]


class CommittedConversation(Committed):
    def __init__(self):
        super().__init__()
        self.conversations = []

    def remove(self) -> None:
        Conversation.objects.filter(pk__in=[c.pk for c in self.conversations]).delete()
        super().remove()


@pytest.fixture
def committed(live_url, browser, db):  # noqa: F811
    rows = CommittedConversation()
    try:
        yield rows
    finally:
        rows.remove()


def conversation_with_camps(committed) -> Conversation:
    group = committed.group(name="Levenshulme", slug="levenshulme-listening")
    organiser = committed.organiser(group, first_name="Olu", last_name="Adeyemi")
    conversation = services.conversation_create(
        topic="What should the town council do first?",
        description="Vote on each statement; add your own.",
        group=group,
        seed_statements=STATEMENTS,
        acting=organiser,
    )
    committed.conversations.append(conversation)
    statements = list(conversation.statements.order_by("pk"))
    from groundgame.people.models import Membership

    voters = []
    for i in range(30):
        voter = committed.person(first_name=f"Voter{i}", last_name="Test")
        Membership.objects.create(person=voter, group=group, status="active")
        voters.append(voter)
    for voter, statement, value in camp_votes(statements, voters, camps=2):
        services.vote_cast(statement=statement, participant=voter, value=value)
    services.opinion_map_recompute(conversation=conversation)
    return conversation


def test_member_votes_through_twenty_statements_with_one_tap_each_without_a_page_reload(
    committed, new_page, screenshot_dir, assert_no_sideways_scroll
):
    conversation = conversation_with_camps(committed)
    from groundgame.people.models import Membership

    member = committed.person(first_name="Priya", last_name="Patel")
    Membership.objects.create(person=member, group=conversation.group, status="active")

    page = new_page(**PHONE)
    path = f"/listening/{conversation.pk}/"
    sign_in(page, member, path)
    navigations = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url) if frame == page.main_frame else None)
    page.evaluate("window.__sameDocument = 'yes'")
    assert_no_sideways_scroll(page)
    page.screenshot(
        path=screenshot_dir / "listening-vote-phone.png", full_page=True, animations="disabled", caret="hide"
    )

    seen = []
    buttons = ["Agree", "Disagree", "Pass / unsure"]
    for i in range(20):
        card = page.locator("#vote-card blockquote")
        statement = card.get_attribute("data-statement")
        assert statement not in seen
        seen.append(statement)
        page.get_by_role("button", name=buttons[i % 3], exact=True).tap()
        page.wait_for_function(
            "previous => { const q = document.querySelector('#vote-card blockquote');"
            " return !q || q.dataset.statement !== previous; }",
            arg=statement,
        )
    assert page.evaluate("window.__sameDocument") == "yes"
    assert navigations == []
    assert StatementVote.objects.filter(participant=member).count() == 20
    assert "2 statements left" in page.locator("#vote-card").inner_text()
    page.screenshot(path=screenshot_dir / "listening-vote-after-phone.png", animations="disabled", caret="hide")

    page.keyboard.press("a")  # keyboard voting works on the swapped-in card
    page.wait_for_function("() => document.querySelector('#vote-card').innerText.includes('1 statement left')")
    assert StatementVote.objects.filter(participant=member).count() == 21


@pytest.mark.parametrize(("size", "options"), [("phone", PHONE), ("laptop", LAPTOP)])
def test_the_opinion_map_and_group_cards_render(
    committed, new_page, screenshot_dir, assert_no_sideways_scroll, size, options
):
    conversation = conversation_with_camps(committed)
    from groundgame.people.models import Membership

    member = committed.person(first_name="Priya", last_name="Patel")
    Membership.objects.create(person=member, group=conversation.group, status="active")
    page = new_page(**options)
    sign_in(page, member, f"/listening/{conversation.pk}/map/")
    assert page.locator("svg circle.lst-dot").count() == 30
    cards = page.locator("article.lst-group-card")
    assert cards.count() == 2
    for index in range(2):
        assert cards.nth(index).locator("li").count() >= 1
    assert page.get_by_role("heading", name="Where the groups agree").is_visible()
    assert_no_sideways_scroll(page)
    shot = screenshot_dir / f"listening-map-{size}.png"
    page.screenshot(path=shot, full_page=True, animations="disabled", caret="hide")
    assert shot.stat().st_size > 5_000
