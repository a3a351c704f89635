"""The one outbound messaging service of the platform: nothing is emailed or texted any other way.

Before every send `message_send`:
1. asks the registered lawful-basis checker whether there is a valid basis for this recipient, channel and
   purpose (`set_basis_checker`; `people` registers it). No checker or no basis: refused.
2. refuses contact details on the suppression list (keyed hashes only: `SuppressedContact`);
3. asks the registered address resolver for the address (`set_address_resolver`); none: refused;
4. sends: email through Django's email backend with an unsubscribe link in the body and a List-Unsubscribe
   header; SMS through the backend named by GROUNDGAME_SMS_BACKEND;
5. logs a MessageDelivery row (no body, no address) whatever happened.
Refusals raise MessageRefused after logging; a backend failure is logged and returned with status "failed".

Unsubscribe links carry a signed token naming the recipient id, channel and purpose; the page at
/unsubscribe/<token>/ calls the registered unsubscribe handler (`set_unsubscribe_handler`; `people` records a
consent withdrawal). See docs/privacy.md.
"""

import logging
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .audit import actor_id_of, audit_record
from .models import Channel, MessageDelivery, SuppressedContact

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "groundgame.core.messaging.unsubscribe"
SUPPRESSION_SALT = "groundgame.core.messaging.suppression"
DEFAULT_SITE_URL = "http://127.0.0.1:8000"
DEFAULT_SMS_BACKEND = "groundgame.core.messaging.ConsoleSmsBackend"

__all__ = [
    "Basis",
    "Channel",
    "ConsoleSmsBackend",
    "LocmemSmsBackend",
    "MessageRefused",
    "SmsBackend",
    "UnsubscribeRequest",
    "contact_digest",
    "contact_hash",
    "contact_is_suppressed",
    "message_send",
    "normalise_contact",
    "set_address_resolver",
    "set_basis_checker",
    "set_unsubscribe_handler",
    "sms_received",
    "sms_outbox",
    "suppressed_contact_add",
    "unsubscribe_token",
    "unsubscribe_token_read",
    "unsubscribe_url",
]


@dataclass(frozen=True)
class Basis:
    """The lawful basis relied on for one message: its name ("consent", "legitimate_interests"...) and the id of
    the evidence (e.g. the consent event), both recorded on the delivery row."""

    name: str
    evidence_id: str | int | None = None


class MessageRefused(Exception):
    """The message was not sent: no lawful basis, suppressed contact, or no address. The delivery row is logged."""

    def __init__(self, reason: str, delivery: MessageDelivery | None = None):
        super().__init__(reason)
        self.reason = reason
        self.delivery = delivery


BasisChecker = Callable[[Any, str, str], Basis | None]
AddressResolver = Callable[[Any, str], str | None]
UnsubscribeHandler = Callable[[int, str, str], object]

_hooks: dict[str, Callable | None] = {"basis": None, "address": None, "unsubscribe": None}


def _set_hook(name: str, fn: Callable | None) -> Callable | None:
    if fn is not None and not callable(fn):
        raise TypeError(f"{name} hook must be callable")
    previous = _hooks[name]
    _hooks[name] = fn
    return previous


def set_basis_checker(fn: BasisChecker | None) -> BasisChecker | None:
    """Register fn(recipient, channel, purpose) -> Basis | None. Returns the previous checker (tests restore it)."""
    return _set_hook("basis", fn)


def set_address_resolver(fn: AddressResolver | None) -> AddressResolver | None:
    """Register fn(recipient, channel) -> the email address or phone number, or None. Returns the previous one."""
    return _set_hook("address", fn)


def set_unsubscribe_handler(fn: UnsubscribeHandler | None) -> UnsubscribeHandler | None:
    """Register fn(recipient_id, channel, purpose), called when someone confirms an unsubscribe link."""
    return _set_hook("unsubscribe", fn)


def unsubscribe_handler() -> UnsubscribeHandler | None:
    return _hooks["unsubscribe"]


# --- suppression -------------------------------------------------------------------------------------------------


def normalise_contact(*, channel: str, value: str) -> str:
    """The canonical form hashed for suppression: emails trimmed and lower-cased; phone numbers as +<digits>, UK
    national numbers (07...) read as +44."""
    value = value.strip()
    if channel == Channel.EMAIL:
        return value.lower()
    if channel == Channel.SMS:
        digits = re.sub(r"\D", "", value)
        if value.startswith("+"):
            return f"+{digits}"
        if digits.startswith("00"):
            return f"+{digits[2:]}"
        if digits.startswith("0"):
            return f"+44{digits[1:]}"
        return f"+{digits}"
    raise ValueError(f"unknown channel {channel!r}")


def contact_hash(*, channel: str, value: str) -> str:
    """Keyed HMAC-SHA256 (hex) of the normalised contact detail. The key is GROUNDGAME_SUPPRESSION_KEY, or one
    derived from SECRET_KEY when that is unset (set it in production so rotating SECRET_KEY keeps the list)."""
    secret = getattr(settings, "GROUNDGAME_SUPPRESSION_KEY", None) or None
    normalised = normalise_contact(channel=channel, value=value)
    return salted_hmac(SUPPRESSION_SALT, normalised, secret=secret, algorithm="sha256").hexdigest()


def contact_digest(value: str) -> str:
    """contact_hash for a detail of either kind: an email address if it contains "@", else a phone number. The
    digest is the same whichever function made it, so consent evidence and the suppression list can be matched."""
    channel = Channel.EMAIL if "@" in value else Channel.SMS
    return contact_hash(channel=channel, value=value)


# What a reply to a text message may say to stop all texts (UK mobile operators' and providers' usual keywords).
SMS_STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "END", "QUIT", "CANCEL", "OPTOUT", "OPT-OUT"})


def sms_received(*, sender: str, text: str) -> bool:
    """An incoming text. A stop word (alone, any case, with punctuation) puts the sender's number on the suppression
    list, so nothing is texted to it again; returns whether it did. Other texts are ignored (not stored)."""
    words = (text or "").split()
    word = re.sub(r"[^A-Za-z-]", "", words[0]).upper() if len(words) == 1 else ""
    if word not in SMS_STOP_WORDS or len(re.sub(r"\D", "", sender or "")) < 8:
        return False
    suppressed_contact_add(channel=Channel.SMS, value=sender, reason="SMS reply: stop")
    return True


def contact_is_suppressed(*, channel: str, value: str) -> bool:
    return SuppressedContact.objects.filter(
        channel=channel, contact_hash=contact_hash(channel=channel, value=value)
    ).exists()


def suppressed_contact_add(*, channel: str, value: str, acting=None, reason: str = "") -> SuppressedContact:
    """Put a contact detail on the suppression list (idempotent); audited by hash row id, never by value."""
    digest = contact_hash(channel=channel, value=value)
    with transaction.atomic():
        try:
            with transaction.atomic():
                row, created = SuppressedContact.objects.get_or_create(channel=channel, contact_hash=digest)
        except IntegrityError:  # a concurrent insert of the same detail won
            row, created = SuppressedContact.objects.get(channel=channel, contact_hash=digest), False
        if created:
            audit_record(
                actor=acting, action="suppressedcontact.create", target=row, fields=["contact_hash"], reason=reason
            )
    return row


# --- unsubscribe tokens ------------------------------------------------------------------------------------------


class UnsubscribeRequest(NamedTuple):
    recipient_id: int
    channel: str
    purpose: str


def unsubscribe_token(*, recipient_id: int, channel: str, purpose: str) -> str:
    """A signed (not encrypted) token naming the recipient id, channel and purpose. It does not expire: an old
    email's link must still work."""
    return signing.dumps({"r": recipient_id, "c": str(channel), "p": purpose}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_token_read(token: str) -> UnsubscribeRequest:
    """The request a token names; raises signing.BadSignature when it is forged, tampered or malformed."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    try:
        request = UnsubscribeRequest(int(data["r"]), str(data["c"]), str(data["p"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise signing.BadSignature("malformed unsubscribe token") from exc
    if request.channel not in Channel.values:
        raise signing.BadSignature("unknown channel in unsubscribe token")
    return request


def unsubscribe_url(*, recipient_id: int, channel: str, purpose: str) -> str:
    """The absolute unsubscribe link (GROUNDGAME_SITE_URL + /unsubscribe/<token>/)."""
    token = unsubscribe_token(recipient_id=recipient_id, channel=channel, purpose=purpose)
    site = getattr(settings, "GROUNDGAME_SITE_URL", DEFAULT_SITE_URL).rstrip("/")
    return site + reverse("core:unsubscribe", args=[token])


# --- SMS backends ------------------------------------------------------------------------------------------------


class SmsBackend:
    """The provider interface: send one text to one number; raise on failure."""

    def send(self, to: str, text: str) -> None:
        raise NotImplementedError


class ConsoleSmsBackend(SmsBackend):
    """Prints texts instead of sending them (development and demos)."""

    def __init__(self, stream=None):
        self.stream = stream

    def send(self, to: str, text: str) -> None:
        stream = self.stream or sys.stdout
        stream.write(f"SMS to {to}:\n{text}\n{'-' * 40}\n")
        stream.flush()


sms_outbox: list[tuple[str, str]] = []
"""Texts "sent" by LocmemSmsBackend, as (to, text); tests clear it."""


class LocmemSmsBackend(SmsBackend):
    """Keeps texts in `sms_outbox` (tests)."""

    def send(self, to: str, text: str) -> None:
        sms_outbox.append((to, text))


def sms_backend() -> SmsBackend:
    return import_string(getattr(settings, "GROUNDGAME_SMS_BACKEND", DEFAULT_SMS_BACKEND))()


# --- sending -----------------------------------------------------------------------------------------------------


def _log(*, recipient_id: int, channel: str, purpose: str, status: str, reason: str = "", basis=None, actor_id=None):
    return MessageDelivery.objects.create(
        recipient_id=recipient_id,
        channel=channel,
        purpose=purpose,
        status=status,
        reason=reason[:200],
        basis=basis.name[:50] if basis else "",
        basis_evidence="" if basis is None or basis.evidence_id is None else str(basis.evidence_id)[:64],
        actor_id=actor_id,
    )


def _refuse(reason: str, **row) -> MessageRefused:
    delivery = _log(status=MessageDelivery.Status.REFUSED, reason=reason, **row)
    return MessageRefused(reason, delivery)


def _email_body(body: str, link: str) -> str:
    footer = _("To stop receiving these emails, visit: %(link)s") % {"link": link}
    return f"{body.rstrip()}\n\n-- \n{footer}\n"


def message_send(
    *, recipient: models.Model, channel: str, purpose: str, subject: str, body: str, acting=None
) -> MessageDelivery:
    """Send one message to one person if, and only if, there is a lawful basis for `channel` and `purpose`, the
    contact detail is not suppressed and an address is known. Returns the delivery row (status SENT, or FAILED
    when the backend raised); raises MessageRefused (after logging a REFUSED row) otherwise.

    Not one transaction: the refusal row must survive the exception. Sending happens at once, so call this after
    the caller's own writes are committed (or from transaction.on_commit)."""
    channel = Channel(channel)
    if not purpose:
        raise ValueError("a message needs a purpose")
    row = {"recipient_id": recipient.pk, "channel": channel, "purpose": purpose, "actor_id": actor_id_of(acting)}

    checker = _hooks["basis"]
    basis = checker(recipient, channel, purpose) if checker is not None else None
    if basis is None:
        raise _refuse("no lawful basis" if checker else "no lawful-basis checker registered", **row)
    if not isinstance(basis, Basis):
        raise TypeError("the basis checker must return a messaging.Basis or None")
    row["basis"] = basis

    resolver = _hooks["address"]
    address = resolver(recipient, channel) if resolver is not None else None
    if not address:
        raise _refuse("no address for this channel", **row)
    if contact_is_suppressed(channel=channel, value=address):
        raise _refuse("contact detail is suppressed", **row)

    try:
        if channel == Channel.EMAIL:
            link = unsubscribe_url(recipient_id=recipient.pk, channel=channel, purpose=purpose)
            EmailMessage(
                subject=subject,
                body=_email_body(body, link),
                to=[address],
                # RFC 8058 one-click: mail providers POST "List-Unsubscribe=One-Click" to the link (core.views).
                headers={"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
            ).send()
        else:
            sms_backend().send(address, body)
    except Exception as exc:  # the provider's failure must not lose the log row
        logger.exception("message_send: %s backend failed", channel)
        return _log(status=MessageDelivery.Status.FAILED, reason=f"backend error: {type(exc).__name__}", **row)
    return _log(status=MessageDelivery.Status.SENT, **row)
