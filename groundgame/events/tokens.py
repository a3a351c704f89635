"""Signed links to one RSVP, so that guests need no account: the link in the confirmation email that shows the booking
(and cancels it), and the check-in link its QR code carries.

A token is signed, not encrypted: it names the RSVP id and its person id, under a salt per purpose, so a manage token
is no check-in token and a token outlives neither the RSVP nor the person's record (erasure unlinks the person). It is
timestamped and expires after TOKEN_MAX_AGE (bookings are made weeks or months ahead, never years).

    rsvp_token(rsvp, MANAGE)          -> "eyJy...:1tAbCd:..."
    rsvp_from_token(token, MANAGE)    -> the Rsvp, or raises signing.BadSignature (SignatureExpired when too old)
    manage_url(rsvp)                  -> "https://example.org/events/rsvp/<token>/"
    check_in_url(rsvp)                -> "https://example.org/events/check-in/<token>/"

Absolute links start with GROUNDGAME_SITE_URL, like every link in an email.
"""

import datetime

from django.conf import settings
from django.core import signing
from django.urls import NoReverseMatch, reverse

from .models import Rsvp

MANAGE = "manage"
CHECK_IN = "check-in"
PURPOSES = (MANAGE, CHECK_IN)
TOKEN_MAX_AGE = datetime.timedelta(days=400)
SALT = "groundgame.events.rsvp."


def _salt(purpose: str) -> str:
    if purpose not in PURPOSES:
        raise ValueError(f"unknown RSVP token purpose: {purpose!r}")
    return SALT + purpose


def rsvp_token(rsvp: Rsvp, purpose: str) -> str:
    """A signed token naming `rsvp` (and its person) for `purpose` (MANAGE or CHECK_IN)."""
    if rsvp.pk is None or rsvp.person_id is None:
        raise ValueError("only a saved RSVP that names a person has a token")
    return signing.dumps({"r": rsvp.pk, "p": rsvp.person_id}, salt=_salt(purpose), compress=True)


def rsvp_from_token(token: str, purpose: str) -> Rsvp:
    """The RSVP a token names, with its event, shift and person loaded. Raises signing.BadSignature when the token is
    forged, changed, made for another purpose or names an RSVP that is gone or erased, and signing.SignatureExpired
    (a BadSignature) when it is older than TOKEN_MAX_AGE."""
    data = signing.loads(token, salt=_salt(purpose), max_age=TOKEN_MAX_AGE)
    try:
        rsvp_id, person_id = int(data["r"]), int(data["p"])
    except (KeyError, TypeError, ValueError) as exc:
        raise signing.BadSignature("malformed RSVP token") from exc
    rsvp = (
        Rsvp.objects.select_related("event", "event__host", "event__target_seat", "shift", "person")
        .filter(pk=rsvp_id, person_id=person_id, erased_at__isnull=True)
        .first()
    )
    if rsvp is None:
        raise signing.BadSignature("no such RSVP")
    return rsvp


def absolute_url(path: str) -> str:
    """`path` on this site (GROUNDGAME_SITE_URL), for links that leave it: emails, QR codes, calendar feeds."""
    return getattr(settings, "GROUNDGAME_SITE_URL", "http://127.0.0.1:8000").rstrip("/") + path


def manage_url(rsvp: Rsvp) -> str:
    """The absolute link to the booking's own page (see it, cancel it, show the check-in QR code)."""
    return absolute_url(reverse("events:rsvp_manage", args=[rsvp_token(rsvp, MANAGE)]))


def check_in_url(rsvp: Rsvp) -> str:
    """The absolute check-in link the QR code carries: an organiser who opens it checks the person in."""
    token = rsvp_token(rsvp, CHECK_IN)
    try:
        path = reverse("events:check_in", args=[token])
    except NoReverseMatch:  # the organiser pages' view is named events:check_in; this is its documented path
        path = reverse("events:list") + f"check-in/{token}/"
    return absolute_url(path)
