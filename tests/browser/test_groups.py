"""Groups in a real browser: a member asks to join, the organiser signs in (password, then the authenticator app's
code) and approves the request; the organiser of one group cannot open another group's members page.

Unlike the other browser tests these write: the people and groups they need must be visible to the live server,
which reads committed data only, so they are created outside the test's transaction (no `db` fixture) and removed
afterwards, audit rows included (SQLite; browser tests do not run on PostgreSQL).

Refresh the screenshot with:
    GROUNDGAME_SCREENSHOTS=1 GROUNDGAME_DATA_DIR=../shared/data pytest tests/browser/test_groups.py
"""

import re
import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.contrib.sessions.models import Session
from django.db import connection

from groundgame.core.models import AuditEvent
from groundgame.people.models import LocalGroup, Membership, Person
from tests.people.factories import GroupFactory, PersonWithUserFactory, national_group

from .conftest import LAPTOP, PHONE

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"  # tests/people/factories.UserFactory's


class Committed:
    """Rows created for one test and committed, so that the live server sees them; `remove()` deletes them."""

    def __init__(self):
        self.first_audit_id = (AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        self.sessions_before = set(Session.objects.values_list("session_key", flat=True))
        self.users, self.groups = [], []
        if not LocalGroup.objects.filter(slug="national").exists():
            self.groups.append(national_group())

    def organiser(self, group, **person):
        person = self.person(**person)
        Membership.objects.create(person=person, group=group, role="organiser", status="active")
        secret = generate_totp_secret()
        TOTP.activate(person.user, secret)
        person.totp_secret = secret
        return person

    def person(self, **values):
        person = PersonWithUserFactory(**values)
        person.user.email = person.email
        person.user.save()
        EmailAddress.objects.create(user=person.user, email=person.email, verified=True, primary=True)
        self.users.append(person.user)
        return person

    def group(self, **values):
        group = GroupFactory(**values)
        self.groups.append(group)
        return group

    def remove(self) -> None:
        Person.objects.filter(user__in=self.users).delete()  # memberships go with them
        for user in self.users:
            user.delete()
        for group in reversed(self.groups):
            group.delete()
        Session.objects.exclude(session_key__in=self.sessions_before).delete()
        if connection.vendor == "sqlite":  # the application refuses to delete audit rows; SQLite's guard allows it
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM core_auditevent WHERE id >= %s", [self.first_audit_id])


@pytest.fixture
def db(django_db_setup, django_db_blocker):
    """This module's `db`: database access without pytest-django's transaction around the test (the live server
    could not see, or would be locked out by, rows written inside it). Named `db` because that is what makes
    pytest-django create the test database when only these tests run."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def committed(live_url, browser, db):
    rows = Committed()
    try:
        yield rows
    finally:
        rows.remove()


@pytest.fixture
def new_page(live_url, browser, committed):
    """`new_page(**context_options)`: a page in a fresh browser context (its own cookies); JS errors fail the test."""
    contexts, errors = [], []

    def _new(**options):
        context = browser.new_context(base_url=live_url, **(options or LAPTOP))
        context.set_default_timeout(5_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        return page

    yield _new
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def sign_in(page, person, next_path: str) -> None:
    """Through allauth's pages: email and password, then the authenticator app's code when the person has one."""
    page.goto(f"/accounts/login/?next={next_path}")
    page.locator("input[name=login]").fill(person.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form").filter(has=page.locator("input[name=password]")).locator("button[type=submit]").click()
    page.wait_for_load_state()
    if "/2fa/authenticate" in page.url:
        code = format_hotp_value(hotp_value(person.totp_secret, int(time.time()) // 30))
        page.locator("input[name=code]").fill(code)
        page.locator("input[name=code]").press("Enter")
    page.wait_for_url(re.compile(re.escape(next_path) + "$"))


def test_member_asks_to_join_and_the_organiser_approves_on_a_phone(
    committed, new_page, screenshot_dir, assert_no_sideways_scroll
):
    derby = committed.group(name="Derby", slug="derby-browser")
    organiser = committed.organiser(derby, first_name="Olu", last_name="Adeyemi")
    for first, last, status in [
        ("Ann", "Archer", "active"),
        ("Bilal", "Hussain", "active"),
        ("Ceri", "Jones", "requested"),
    ]:
        Membership.objects.create(person=committed.person(first_name=first, last_name=last), group=derby, status=status)
    member = committed.person(first_name="Priya", last_name="Patel")

    page = new_page(**PHONE)
    sign_in(page, member, "/groups/derby-browser/")
    page.get_by_role("button", name="Ask to join").click()
    page.wait_for_url("**/groups/derby-browser/")
    assert "Request sent" in page.locator("main").inner_text()

    page = new_page(**PHONE)
    sign_in(page, organiser, "/groups/derby-browser/members/")
    requests = page.get_by_test_id("requests")
    assert "Priya Patel" in requests.inner_text()
    assert_no_sideways_scroll(page)
    page.screenshot(
        path=screenshot_dir / "group-members-phone.png", full_page=True, animations="disabled", caret="hide"
    )
    assert (screenshot_dir / "group-members-phone.png").stat().st_size > 5_000

    page.get_by_role("button", name="Approve Priya Patel").click()
    page.wait_for_url("**/groups/derby-browser/members/")
    assert "Priya Patel is now a member." in page.locator("main [role=status]").inner_text()
    assert "Priya Patel" in page.get_by_test_id("members").inner_text()
    assert "Priya Patel" not in page.get_by_test_id("requests").inner_text()
    assert "Ceri Jones" in page.get_by_test_id("requests").inner_text()
    assert Membership.objects.get(person=member, group=derby).status == Membership.Status.ACTIVE


def test_organiser_of_one_group_cannot_open_another_groups_members_page(committed, new_page):
    derby = committed.group(name="Derby", slug="derby-browser")
    bolton = committed.group(name="Bolton", slug="bolton-browser")
    organiser = committed.organiser(derby, first_name="Olu", last_name="Adeyemi")
    committed.organiser(bolton, first_name="Bea", last_name="Bolt")

    page = new_page()
    sign_in(page, organiser, "/groups/derby-browser/members/")
    assert page.get_by_role("heading", name="Members and requests").is_visible()
    response = page.goto("/groups/bolton-browser/members/")
    assert response.status == 403
    assert "Bea Bolt" not in page.content()
    response = page.goto("/groups/bolton-browser/members.csv")
    assert response.status == 403
