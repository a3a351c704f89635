"""people's lawful-basis checker for the messaging service: marketing needs the channel's consent and the purpose's;
a service message (about an event the person booked) needs a basis for its own purpose only, and unsubscribing
from it withdraws that alone."""

import pytest
from django.core import mail

from groundgame.core import messaging
from groundgame.core.messaging import MessageRefused, message_send
from groundgame.people import services
from groundgame.people.models import ConsentEvent, Purpose
from groundgame.people.selectors import consent_current

from .factories import PersonFactory, wording

pytestmark = pytest.mark.django_db

GIVEN, LEGITIMATE = ConsentEvent.Action.GIVEN, ConsentEvent.Basis.LEGITIMATE_INTERESTS


def give(person, purpose, basis=ConsentEvent.Basis.CONSENT):
    return services.consent_record(
        person=person,
        purpose=purpose,
        basis=basis,
        action=GIVEN,
        method=ConsentEvent.Method.WEB_FORM,
        acting=None,
        wording=wording(purpose) if basis == ConsentEvent.Basis.CONSENT else None,
    )


def send(person, purpose):
    return message_send(recipient=person, channel="email", purpose=purpose, subject="Saturday", body="See you")


def test_a_booking_message_needs_only_a_basis_for_event_messages_not_marketing_consent():
    person = PersonFactory()
    with pytest.raises(MessageRefused):
        send(person, Purpose.EVENTS)

    basis = give(person, Purpose.EVENTS, LEGITIMATE)
    delivery = send(person, Purpose.EVENTS)

    assert (delivery.status, delivery.basis, delivery.basis_evidence) == ("sent", "legitimate", str(basis.pk))
    with pytest.raises(MessageRefused):  # the event basis is no consent to email updates
        send(person, Purpose.EMAIL)


def test_unsubscribing_from_booking_messages_withdraws_that_basis_and_keeps_email_consent():
    person = PersonFactory()
    give(person, Purpose.EMAIL)
    give(person, Purpose.EVENTS, LEGITIMATE)
    send(person, Purpose.EVENTS)

    messaging.unsubscribe_handler()(person.pk, "email", Purpose.EVENTS)

    assert consent_current(person=person, purpose=Purpose.EVENTS).action == ConsentEvent.Action.WITHDRAWN
    assert consent_current(person=person, purpose=Purpose.EMAIL).action == GIVEN
    with pytest.raises(MessageRefused):
        send(person, Purpose.EVENTS)
    assert send(person, Purpose.EMAIL).status == "sent"
    assert len(mail.outbox) == 2
