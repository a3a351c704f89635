"""Accounts: email sign-up with verification, Argon2 passwords, throttled sign-in with lockout, and two-factor
authentication that organisers, data stewards and administrators must set up (and are then asked for at sign-in)."""

import re
import time
import types

import pytest
from allauth.account.models import EmailAddress
from allauth.core.internal import ratelimit as allauth_ratelimit
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from groundgame.people.models import LocalGroup, Membership, StaffRole
from groundgame.settings import base as base_settings

from .factories import GroupFactory, MembershipFactory, PersonWithUserFactory, organiser_of, staff

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # the factories' password
NEW_PASSWORD = "a long enough passphrase"
LOGIN = reverse("account_login")
ACTIVATE_TOTP = reverse("mfa_activate_totp")
MFA_AUTHENTICATE = reverse("mfa_authenticate")
REAUTHENTICATE = reverse("account_reauthenticate")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """allauth keeps rate-limit counts and used TOTP codes in the cache: start and end each test clean."""
    cache.clear()
    yield
    cache.clear()


def verified(user):
    """The user's email address as allauth knows it, verified (what following the link in the email does)."""
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def member_user():
    return verified(MembershipFactory().person.user)


def organiser_user():
    return verified(organiser_of(GroupFactory()).user)


def sign_in(client: Client, email: str, password: str = PASSWORD):
    return client.post(LOGIN, {"login": email, "password": password})


def sign_up(client: Client, email: str, password: str = NEW_PASSWORD, again: str | None = None):
    data = {"email": email, "password1": password, "password2": password if again is None else again}
    return client.post(reverse("account_signup"), data)


def signed_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def totp_code(secret: str, *, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows now (or `steps_ahead` 30-second periods later), by allauth's own HOTP."""
    counter = int(time.time()) // mfa_settings.TOTP_PERIOD + steps_ahead
    return format_hotp_value(hotp_value(secret, counter))


def wrong_code(secret: str) -> str:
    """A code no authenticator app could show now (not one of the accepted periods' codes)."""
    valid = {totp_code(secret, steps_ahead=step) for step in range(-2, 3)}
    return next(code for code in ("000000", "111111", "222222", "333333", "444444", "555555") if code not in valid)


def shown_secret(page) -> str:
    return re.search(r'id="authenticator_secret" value="([A-Z2-7=]+)"', page.content.decode()).group(1)


def open_totp_setup(client: Client, password: str = PASSWORD):
    """The activation page. allauth asks for the password again first (changing two-factor settings needs a fresh
    confirmation, not just a signed-in session), then goes on to the page."""
    page = client.get(ACTIVATE_TOTP)
    if page.status_code == 302 and page["Location"].startswith(REAUTHENTICATE):
        confirmed = client.post(page["Location"], {"password": password})
        assert confirmed["Location"] == ACTIVATE_TOTP
        page = client.get(ACTIVATE_TOTP)
    assert page.status_code == 200
    return page


def activate_totp(client: Client) -> str:
    """Set up an authenticator app through the activation page, as a person would; returns the secret."""
    secret = shown_secret(open_totp_setup(client))
    response = client.post(ACTIVATE_TOTP, {"code": totp_code(secret)})
    assert response.status_code == 302, response.content.decode()
    return secret


# Sign-up and email verification


def test_sign_up_sends_a_verification_link_and_following_it_signs_the_person_in(client):
    response = sign_up(client, "Alex.Rivers@example.org")

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert signed_in_user_id(client) is None, "nobody is signed in before the address is verified"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alex.rivers@example.org"]  # allauth stores addresses in lower case
    assert message.subject.startswith("Groundgame: ")
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", message.body).group(1)

    # Following the link shows a button (mail scanners follow links too); pressing it verifies and signs in.
    confirm_page = client.get(link)
    assert confirm_page.status_code == 200
    assert signed_in_user_id(client) is None
    confirmed = client.post(link)

    assert confirmed.status_code == 302
    user = get_user_model().objects.get(email__iexact="alex.rivers@example.org")
    assert signed_in_user_id(client) == str(user.pk)
    assert EmailAddress.objects.get(user=user).verified
    assert client.get("/").wsgi_request.user == user


def test_an_unverified_account_cannot_sign_in(client):
    sign_up(client, "sam@example.org")
    elsewhere = Client()

    response = sign_in(elsewhere, "sam@example.org", NEW_PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert signed_in_user_id(elsewhere) is None


def test_passwords_are_stored_as_argon2_hashes(client):
    """The test settings hash with MD5 for speed; the real settings' hashers store Argon2."""
    with override_settings(PASSWORD_HASHERS=base_settings.PASSWORD_HASHERS):
        sign_up(client, "kim@example.org")
        user = get_user_model().objects.get(email="kim@example.org")

        assert user.password.startswith("argon2$argon2id$")
        assert user.check_password(NEW_PASSWORD)


def test_signing_up_twice_with_one_address_creates_one_account_and_says_nothing_either_way(client):
    """Without enumeration: the second sign-up looks the same as the first."""
    first = sign_up(client, "jo@example.org")
    second = sign_up(Client(), "JO@example.org")

    assert first["Location"] == second["Location"] == reverse("account_email_verification_sent")
    assert get_user_model().objects.filter(email__iexact="jo@example.org").count() == 1


# Throttling and lockout


def test_sixth_failed_sign_in_within_five_minutes_is_refused_even_with_the_right_password(client):
    user = member_user()
    for _ in range(5):
        response = sign_in(client, user.email, "not the password")
        assert response.status_code == 200
        assert "not correct" in response.content.decode()

    response = sign_in(client, user.email, PASSWORD)

    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert signed_in_user_id(client) is None
    # The lockout is per address, whatever the client: another browser is refused as well.
    other = Client(REMOTE_ADDR="192.0.2.10")
    assert "Too many failed login attempts" in sign_in(other, user.email, PASSWORD).content.decode()
    assert signed_in_user_id(other) is None


def test_lockout_ends_five_minutes_after_the_failures(client, monkeypatch):
    user = member_user()
    for _ in range(5):
        sign_in(client, user.email, "not the password")
    assert "Too many failed login attempts" in sign_in(client, user.email, PASSWORD).content.decode()

    later = time.time() + 5 * 60 + 1
    clock = types.SimpleNamespace(time=lambda: later, monotonic=time.monotonic, sleep=time.sleep)
    monkeypatch.setattr(allauth_ratelimit, "time", clock)
    response = sign_in(client, user.email, PASSWORD)

    assert response.status_code == 302
    assert signed_in_user_id(client) == str(user.pk)


def test_one_locked_out_address_does_not_lock_out_another(client):
    locked, other = member_user(), member_user()
    for _ in range(6):
        sign_in(client, locked.email, "not the password")

    sign_in(client, other.email, PASSWORD)

    assert signed_in_user_id(client) == str(other.pk)


def test_successful_sign_ins_do_not_reset_the_failure_count(client):
    """Otherwise an attacker who knows one password could interleave it with guesses at another's."""
    user = member_user()
    for _ in range(4):
        sign_in(client, user.email, "not the password")
    sign_in(client, user.email, PASSWORD)
    client.post(reverse("account_logout"))

    sign_in(client, user.email, "not the password")
    response = sign_in(client, user.email, PASSWORD)

    assert "Too many failed login attempts" in response.content.decode()


# Two-factor authentication: who must use it


@pytest.mark.parametrize("path", ["/", "/find/", "/map/", "/admin/", reverse("account_email")])
def test_organiser_without_an_authenticator_app_is_sent_to_set_one_up_from_any_page(client, path):
    organiser = organiser_user()
    sign_in(client, organiser.email)

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == ACTIVATE_TOTP


@pytest.mark.parametrize(
    "make_user",
    [
        pytest.param(lambda: organiser_of(GroupFactory(level=LocalGroup.Level.REGIONAL)).user, id="regional organiser"),
        pytest.param(lambda: staff(StaffRole.Role.DATA_STEWARD).user, id="data steward"),
        pytest.param(lambda: staff(StaffRole.Role.ADMINISTRATOR).user, id="administrator"),
        pytest.param(lambda: PersonWithUserFactory(user__is_superuser=True, user__is_staff=True).user, id="superuser"),
        pytest.param(lambda: PersonWithUserFactory(user__is_staff=True).user, id="admin site user"),
    ],
)
def test_data_stewards_administrators_and_every_organiser_must_set_up_two_factor(client, make_user):
    user = verified(make_user())
    sign_in(client, user.email)

    assert client.get("/")["Location"] == ACTIVATE_TOTP


def test_setup_explains_why_confirms_the_password_then_shows_the_secret_and_a_qr_code(client):
    organiser = organiser_user()
    sign_in(client, organiser.email)

    page = client.get("/", follow=True)

    setup_after_password = f"{REAUTHENTICATE}?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F"
    assert [url for url, _ in page.redirect_chain] == [ACTIVATE_TOTP, setup_after_password]
    assert "must be protected by two-factor authentication" in page.content.decode()
    html = open_totp_setup(client).content.decode()
    assert 'class="qr-code"' in html
    assert re.search(r'id="authenticator_secret" value="[A-Z2-7=]{32}"', html)


def test_organiser_without_an_app_can_still_sign_out_unsubscribe_and_reach_static_files(client):
    organiser = organiser_user()
    sign_in(client, organiser.email)

    assert client.get(reverse("account_logout")).status_code == 200
    assert client.get(reverse("core:unsubscribe", args=["not-a-token"])).status_code == 400  # the page, not a redirect
    assert client.get(reverse("mfa_index")).status_code == 200
    assert client.post(reverse("account_logout")).status_code == 302
    assert signed_in_user_id(client) is None


def test_after_activating_totp_the_organiser_reaches_pages_and_gets_recovery_codes(client):
    organiser = organiser_user()
    sign_in(client, organiser.email)

    activate_totp(client)

    assert Authenticator.objects.filter(user=organiser, type=Authenticator.Type.TOTP).exists()
    assert Authenticator.objects.filter(user=organiser, type=Authenticator.Type.RECOVERY_CODES).exists()
    assert client.get("/").status_code == 200
    assert client.get("/find/").status_code == 200


def test_a_wrong_code_does_not_activate_the_app(client):
    organiser = organiser_user()
    sign_in(client, organiser.email)
    secret = shown_secret(open_totp_setup(client))

    response = client.post(ACTIVATE_TOTP, {"code": wrong_code(secret)})

    assert response.status_code == 200
    assert "Incorrect code" in response.content.decode()
    assert not Authenticator.objects.filter(user=organiser).exists()


def test_signing_in_again_asks_the_organiser_for_a_code(client):
    organiser = organiser_user()
    sign_in(client, organiser.email)
    secret = activate_totp(client)
    client.post(reverse("account_logout"))

    response = sign_in(client, organiser.email)

    assert response.status_code == 302
    assert response["Location"] == MFA_AUTHENTICATE
    assert signed_in_user_id(client) is None, "the password alone does not sign in"
    assert client.get("/").wsgi_request.user.is_anonymous
    wrong = client.post(MFA_AUTHENTICATE, {"code": wrong_code(secret)})
    assert "Incorrect code" in wrong.content.decode()
    assert signed_in_user_id(client) is None

    # The next period's code: the one used to activate cannot be used again while it is valid.
    response = client.post(MFA_AUTHENTICATE, {"code": totp_code(secret, steps_ahead=1)})

    assert response.status_code == 302
    assert signed_in_user_id(client) == str(organiser.pk)
    assert client.get("/").status_code == 200


def test_a_code_cannot_be_used_twice(client):
    organiser = organiser_user()
    sign_in(client, organiser.email)
    secret = activate_totp(client)
    code = totp_code(secret, steps_ahead=1)
    client.post(reverse("account_logout"))
    sign_in(client, organiser.email)
    client.post(MFA_AUTHENTICATE, {"code": code})
    client.post(reverse("account_logout"))

    sign_in(client, organiser.email)
    response = client.post(MFA_AUTHENTICATE, {"code": code})

    assert "Incorrect code" in response.content.decode()
    assert signed_in_user_id(client) is None


def test_guessing_codes_is_throttled_like_passwords(client):
    organiser = organiser_user()
    sign_in(client, organiser.email)
    secret = activate_totp(client)
    client.post(reverse("account_logout"))
    sign_in(client, organiser.email)
    for _ in range(5):
        assert "Incorrect code" in client.post(MFA_AUTHENTICATE, {"code": wrong_code(secret)}).content.decode()

    response = client.post(MFA_AUTHENTICATE, {"code": totp_code(secret, steps_ahead=1)})

    assert "Too many failed login attempts" in response.content.decode()
    assert signed_in_user_id(client) is None


def test_a_plain_member_is_never_asked_for_two_factor(client):
    member = member_user()

    response = sign_in(client, member.email)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_user_id(client) == str(member.pk)
    for path in ("/", "/find/", reverse("account_email")):
        assert client.get(path).status_code == 200
    assert not Authenticator.objects.filter(user=member).exists()


def test_a_member_who_becomes_an_organiser_must_set_up_two_factor_on_the_next_page(client):
    member = member_user()
    sign_in(client, member.email)
    assert client.get("/").status_code == 200

    Membership.objects.filter(person__user=member).update(role=Membership.Role.ORGANISER)

    assert client.get("/")["Location"] == ACTIVATE_TOTP


def test_htmx_requests_are_sent_to_the_setup_page_as_a_whole_page(client):
    organiser = organiser_user()
    sign_in(client, organiser.email)

    response = client.get("/find/", headers={"HX-Request": "true"})

    assert response.status_code == 204
    assert response["HX-Redirect"] == ACTIVATE_TOTP


def queries_for_a_page(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_check_costs_a_signed_in_member_at_most_three_queries_a_page(client):
    """Their person, whether they organise anything, whether they hold a staff role: views (and the header's
    role-dependent links) that check permissions afterwards reuse all three (cached on the user)."""
    sign_in(client, member_user().email)
    with_check = queries_for_a_page(client, "/")
    middleware = [m for m in settings.MIDDLEWARE if not m.endswith("RequireTwoFactorMiddleware")]
    with override_settings(MIDDLEWARE=middleware):
        same_session = Client()  # a client loads the middleware once, on its first request
        same_session.cookies = client.cookies
        without_check = queries_for_a_page(same_session, "/")

    assert 0 <= with_check - without_check <= 3


def test_an_administrator_with_an_app_reaches_the_admin(client):
    admin = verified(PersonWithUserFactory(user__is_superuser=True, user__is_staff=True).user)
    sign_in(client, admin.email)
    activate_totp(client)

    assert client.get("/admin/").status_code == 200


# Pages: the site's design, accessible forms, the header


def test_account_pages_use_the_site_layout_with_labelled_fields(client):
    for name in ("account_login", "account_signup", "account_reset_password"):
        html = client.get(reverse(name)).content.decode()
        assert 'class="site-header"' in html
        assert '<label for="id_email">' in html or '<label for="id_login">' in html
        assert 'class="button"' in html


def test_errors_are_linked_to_their_fields_and_summarised_at_the_top(client):
    response = sign_up(client, "not an address", again="something else")

    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r"<title>\s*Error:", html)
    assert 'role="alert"' in html
    assert '<a href="#id_email">' in html
    email_input = re.search(r"<input[^>]*name=\"email\"[^>]*>", html).group(0)
    assert 'aria-invalid="true"' in email_input
    assert "id_email_error" in email_input
    assert 'id="id_email_error"' in html


def test_header_offers_sign_in_to_visitors_and_account_and_sign_out_to_members(client):
    anonymous = client.get("/").content.decode()
    assert "Sign in" in anonymous
    assert "Sign out" not in anonymous

    sign_in(client, member_user().email)
    member = client.get("/").content.decode()

    assert "Your account" in member
    assert "Sign out" in member
    assert f'href="{LOGIN}"' not in member


def test_the_admin_login_form_hands_over_to_the_throttled_sign_in_that_asks_for_a_code(client):
    response = client.get(reverse("admin:login") + "?next=/admin/")

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=%2Fadmin%2F"


def test_the_admin_login_form_does_not_accept_a_password(client):
    admin = verified(PersonWithUserFactory(user__is_superuser=True, user__is_staff=True).user)

    response = client.post(reverse("admin:login"), {"username": admin.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert signed_in_user_id(client) is None
