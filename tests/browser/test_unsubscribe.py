"""The unsubscribe link in an email works in a real browser without signing in, and withdraws consent.

Like test_groups.py this test writes: its rows are committed (the live server reads committed data only) and
removed afterwards."""

import re

import pytest
from django.core import mail

from groundgame.core.messaging import message_send
from groundgame.core.models import MessageDelivery
from groundgame.people import selectors, services
from groundgame.people.models import ConsentEvent, Purpose
from tests.people.factories import wording

from .conftest import PHONE
from .test_groups import committed, db, new_page  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


def test_an_unsubscribe_link_works_without_signing_in_and_withdraws_consent(committed, new_page):  # noqa: F811
    person = committed.person(first_name="Megan", email="megan.unsubscribe@example.org")
    services.consent_record(
        person=person, purpose=Purpose.EMAIL, basis="consent", action="given", method="web", acting=None,
        wording=wording(Purpose.EMAIL),
    )  # fmt: skip
    try:
        message_send(recipient=person, channel="email", purpose=Purpose.EMAIL, subject="Saturday", body="Join us.")
        link = re.search(r"https?://\S+/unsubscribe/\S+/", mail.outbox[-1].body).group(0)
        path = link.split("://", 1)[1].split("/", 1)[1]

        page = new_page(**PHONE)  # a fresh browser: nobody is signed in
        page.goto("/" + path)
        page.get_by_role("button").filter(has_text=re.compile("unsubscribe", re.I)).click()
        page.wait_for_load_state()

        assert "unsubscribed" in page.locator("main").inner_text().lower()
        assert not selectors.has_valid_basis(person=person, purpose=Purpose.EMAIL)
        withdrawal = ConsentEvent.objects.filter(person=person).order_by("-occurred_at", "-pk").first()
        assert (withdrawal.action, withdrawal.method) == ("withdrawn", "unsubscribe")
    finally:
        ConsentEvent.objects.filter(person=person).delete()
        MessageDelivery.objects.filter(recipient_id=person.pk).delete()
