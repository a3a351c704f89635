"""Accounts in a browser: sign up on a phone and verify the email; an organiser sets up an authenticator app, then
signs in with email, password and a code.

These tests write (an account, an authenticator), so the live server is made to work inside the test's own
transaction (`server_in_test_transaction`): what they create is rolled back with the test, like any other test's data,
and never reaches the reference data the other browser tests read.
"""

import re
import threading
import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.db import connections
from django.test.testcases import LiveServerThread

from tests.people.factories import GroupFactory, organiser_of

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"  # the factories' password


@pytest.fixture
def server_in_test_transaction(open_page, live_url):
    """Point the live server's request threads at this test's database connection, inside its transaction.

    The session's server shares the main thread's in-memory SQLite connection as it was before Playwright started
    (see conftest.py); while Playwright runs, the test's ORM calls and its `db` transaction use a second connection
    to the same database. That transaction holds SQLite's write lock, so the server could not write ("database
    table is locked"), and it would not see rows the test creates. Sharing the test's connection solves both, and the
    server's writes are rolled back with the test. Request threads started after the test use the original again.
    """
    connection = connections["default"]
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        pytest.skip("browser tests that write need the in-memory SQLite test database (shared with the server)")
    port = int(live_url.rsplit(":", 1)[1])
    server = next(t for t in threading.enumerate() if isinstance(t, LiveServerThread) and t.port == port)
    override = server.connections_override
    original = override["default"]
    connection.inc_thread_sharing()  # left on: a request still finishing after the test may close it (a no-op)
    override["default"] = connection
    cache.clear()  # rate-limit counts and used codes from earlier tests
    yield
    override["default"] = original
    cache.clear()


def totp_code(secret: str, *, steps_ahead: int = 0) -> str:
    """What an authenticator app would show, computed with allauth's own HOTP function."""
    counter = int(time.time()) // mfa_settings.TOTP_PERIOD + steps_ahead
    return format_hotp_value(hotp_value(secret, counter))


def header_link(page, name: str):
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=name)


def test_sign_up_on_a_phone_verify_the_email_and_land_signed_in(
    phone_page, server_in_test_transaction, assert_no_sideways_scroll
):
    page = phone_page("/")
    header_link(page, "Sign in").click()
    page.get_by_role("link", name="sign up").click()
    page.wait_for_url("**/accounts/signup/")
    assert_no_sideways_scroll(page)
    page.get_by_label("Email").fill("robin.ashe@example.org")
    page.get_by_label("Password", exact=True).fill("door knocking in the rain")
    page.get_by_label("Password (again)").fill("door knocking in the rain")
    page.get_by_role("button", name="Sign Up").click()

    page.wait_for_url("**/accounts/confirm-email/")
    assert page.get_by_role("heading", level=1).inner_text() == "Verify Your Email Address"
    assert header_link(page, "Sign in").is_visible(), "not signed in before verifying"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["robin.ashe@example.org"]
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", mail.outbox[0].body).group(1)

    page.goto(link)
    assert "robin.ashe@example.org" in page.get_by_role("main").inner_text()
    page.get_by_role("button", name="Confirm").click()

    page.wait_for_url(re.compile(r"/$"))
    assert header_link(page, "Your account").is_visible()
    assert header_link(page, "Sign out").is_visible()
    user = get_user_model().objects.get(email="robin.ashe@example.org")
    assert EmailAddress.objects.get(user=user).verified


def test_sign_up_errors_are_shown_beside_the_fields_and_linked_to_them(phone_page, server_in_test_transaction):
    page = phone_page("/accounts/signup/")
    page.get_by_label("Email").fill("robin@example.org")
    page.get_by_label("Password", exact=True).fill("door knocking in the rain")
    page.get_by_label("Password (again)").fill("door knocking in the sun")
    page.get_by_role("button", name="Sign Up").click()

    summary = page.get_by_role("alert")
    assert "You must type the same password each time." in summary.inner_text()
    again = page.get_by_label("Password (again)")
    assert again.get_attribute("aria-invalid") == "true"
    described_by = again.get_attribute("aria-describedby").split()
    assert page.locator(f"#{described_by[-1]}").inner_text().endswith("You must type the same password each time.")
    assert page.title().startswith("Error:")


def test_organiser_sets_up_an_authenticator_app_then_signs_in_with_a_code(phone_page, server_in_test_transaction):
    organiser = organiser_of(GroupFactory(name="Derby North")).user
    EmailAddress.objects.create(user=organiser, email=organiser.email, verified=True, primary=True)

    page = phone_page("/accounts/login/")
    page.get_by_label("Email").fill(organiser.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()

    # Sent to set up two-factor authentication, told why, and asked to confirm the password first.
    page.wait_for_url("**/accounts/reauthenticate/**")
    assert "must be protected by two-factor authentication" in page.get_by_role("status").inner_text()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/accounts/2fa/totp/activate/")
    assert page.get_by_role("img", name="QR code to scan with your authenticator app").is_visible()
    secret = page.get_by_label("Authenticator secret").input_value()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    page.get_by_label("Authenticator code").fill(totp_code(secret))
    page.get_by_role("button", name="Activate").click()

    page.wait_for_url("**/accounts/2fa/recovery-codes/")
    assert len(page.get_by_label("Unused codes").input_value().split()) == 10
    assert Authenticator.objects.filter(user=organiser, type=Authenticator.Type.TOTP).exists()
    page.goto("/find/")
    assert page.url.endswith("/find/"), "with the app set up, pages open again"

    header_link(page, "Sign out").click()
    page.get_by_role("main").get_by_role("button", name="Sign Out").click()
    page.wait_for_url(re.compile(r"/$"))
    header_link(page, "Sign in").click()
    page.get_by_label("Email").fill(organiser.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()

    page.wait_for_url("**/accounts/2fa/authenticate/")
    assert header_link(page, "Sign in").is_visible(), "the password alone does not sign in"
    page.get_by_label("Code").fill(totp_code(secret, steps_ahead=1))  # the activation code cannot be used again
    page.get_by_role("button", name="Sign In").click()

    page.wait_for_url(re.compile(r"/$"))
    assert header_link(page, "Your account").is_visible()


def test_screenshot_sign_in_on_a_phone(phone_page, screenshot_dir, assert_no_sideways_scroll):
    page = phone_page("/accounts/login/")
    assert_no_sideways_scroll(page)
    for name in ("Email", "Password"):
        box = page.get_by_label(name).bounding_box()
        assert box["height"] >= 44, f"{name}: a big enough tap target"
    assert page.get_by_role("button", name="Sign In").bounding_box()["height"] >= 44

    path = screenshot_dir / "sign-in-phone.png"
    page.screenshot(path=path, animations="disabled", caret="hide", full_page=True)
    assert path.stat().st_size > 5_000, "sign-in-phone.png looks blank"
