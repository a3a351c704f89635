"""Two-factor authentication is required, not offered, for the people who can see other people's data.

Organisers (of any group), data stewards and administrators (`people.rules.needs_two_factor`), and anyone who may
use the Django admin (`is_staff`), who have no authenticator app (an allauth TOTP Authenticator) are sent to
allauth's "Activate authenticator app" page from every page until they set one up. Once the app exists, allauth's
sign-in asks for a code after the password. The Django admin's own login form, which would skip both that code and
the failed sign-in throttle, hands over to allauth's sign-in.
"""

from allauth.account.decorators import secure_admin_login
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .rules import needs_two_factor

SETUP_VIEW = "mfa_activate_totp"

# Views a person who must set up two-factor authentication may still reach (resolver view names).
ALLOWED_VIEWS = frozenset(
    {
        # Setting up the app, and what allauth shows around it: reauthentication (allauth asks for the password
        # again before any change to two-factor settings) and the recovery codes shown after activation.
        "mfa_activate_totp",
        "mfa_index",
        "mfa_reauthenticate",
        "mfa_view_recovery_codes",
        "mfa_download_recovery_codes",
        "mfa_generate_recovery_codes",
        "account_reauthenticate",
        # Leaving, and confirming an email address (activation is refused while an address is unverified).
        "account_logout",
        "account_confirm_email",
        "account_email_verification_sent",
        # Pages that must work for anyone: unsubscribe links, the language switch.
        "core:unsubscribe",
        "set_language",
    }
)


def must_use_two_factor(user) -> bool:
    """Organisers, data stewards, administrators, and anyone allowed into the Django admin."""
    return user.is_staff or needs_two_factor(user)


class RequireTwoFactorMiddleware:
    """Redirect a signed-in organiser, data steward or administrator without an authenticator app to its setup page.

    Goes after AuthenticationMiddleware, MessageMiddleware and allauth's AccountMiddleware. Works in
    `process_view`, once the URL is resolved, so pages are allowed by view name rather than by path. The role check
    (`needs_two_factor`) caches its answer on the user, so views that check permissions afterwards reuse it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.resolver_match.view_name == "admin:login":
            return self.admin_login(request, view_func, view_args, view_kwargs)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.path.startswith(settings.STATIC_URL) or request.resolver_match.view_name in ALLOWED_VIEWS:
            return None
        if not must_use_two_factor(user) or is_mfa_enabled(user, [Authenticator.Type.TOTP]):
            return None
        messages.warning(
            request,
            _(
                "Your role lets you see other people's details, so your account must be protected by two-factor "
                "authentication. Set up an authenticator app to carry on."
            ),
            fail_silently=True,
        )
        url = reverse(SETUP_VIEW)
        if request.headers.get("HX-Request"):  # htmx would swap the setup page into a fragment: load it whole
            return HttpResponse(status=204, headers={"HX-Redirect": url})
        return HttpResponseRedirect(url)

    @staticmethod
    def admin_login(request, view_func, view_args, view_kwargs):
        """The admin's own form would sign in without the code and without the throttle, so it takes no passwords:
        visitors go to allauth's sign-in (then back to the admin), signed-in staff on to the admin (allauth's
        `secure_admin_login`, which groundgame/urls.py could apply instead)."""
        if request.method != "GET":
            return HttpResponseRedirect(reverse("account_login"))
        return secure_admin_login(view_func)(request, *view_args, **view_kwargs)
