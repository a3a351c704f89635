"""The emails a booking sends at once: its confirmation (booked, or on the waiting list), and "a place has come up"
to someone promoted from the waiting list. Both go through core.messaging for Purpose.EVENTS, whose basis the booking
recorded itself (events.services.rsvp_create); an objection (unsubscribing from event emails) stands, and the
refusal is logged there.

Call these from `transaction.on_commit`: the links they carry must work when the email arrives.
"""

import logging

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from groundgame.core.messaging import MessageRefused, message_send
from groundgame.core.models import MessageDelivery
from groundgame.people.models import Purpose

from . import selectors, tokens
from .formatting import when_text
from .models import Rsvp

logger = logging.getLogger(__name__)


def _context(rsvp: Rsvp) -> dict:
    event = rsvp.event
    return {
        "rsvp": rsvp,
        "event": event,
        "person": rsvp.person,
        "position": selectors.waitlist_position(rsvp=rsvp),
        "when": when_text(rsvp.shift or event),
        "manage_url": tokens.manage_url(rsvp),
        "check_in_url": tokens.check_in_url(rsvp),
        "event_url": tokens.absolute_url(event.get_absolute_url()),
        "calendar_url": tokens.absolute_url(reverse("events:event_ical", args=[event.uuid])),
    }


def _send(rsvp: Rsvp, *, subject: str, template: str, acting=None) -> bool:
    if rsvp.person is None:
        return False
    body = render_to_string(template, _context(rsvp))
    try:
        message_send(
            recipient=rsvp.person, channel="email", purpose=Purpose.EVENTS, subject=subject, body=body, acting=acting
        )
    except MessageRefused as refused:
        logger.info("booking email for RSVP %s not sent: %s", rsvp.pk, refused)
        return False
    return True


def send_booking_confirmation(rsvp: Rsvp, *, acting=None) -> bool:
    """Email the booking's confirmation: what, when, where, a link to see or cancel it, and the check-in link.
    Returns whether it was sent."""
    if rsvp.status == Rsvp.Status.WAITLISTED:
        subject = _("Waiting list: %(title)s") % {"title": rsvp.event.title}
    else:
        subject = _("You're booked: %(title)s") % {"title": rsvp.event.title}
    return _send(rsvp, subject=subject, template="events/email/booking_confirmation.txt", acting=acting)


def send_place_offered(rsvp: Rsvp, *, acting=None) -> bool:
    """Tell someone promoted from the waiting list that they now have a place."""
    subject = _("A place has come up: %(title)s") % {"title": rsvp.event.title}
    return _send(rsvp, subject=subject, template="events/email/place_offered.txt", acting=acting)


def confirmation_sent(rsvp: Rsvp) -> bool:
    """Whether an event email reached the messaging backend for the booking's person since it was made (the
    delivery log names no message, so any event email since then counts)."""
    return MessageDelivery.objects.filter(
        recipient_id=rsvp.person_id,
        purpose=Purpose.EVENTS,
        channel="email",
        status=MessageDelivery.Status.SENT,
        created_at__gte=rsvp.created_at,
    ).exists()
