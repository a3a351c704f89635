"""The one outbound messaging service: nothing is sent without a lawful basis for the channel and purpose, or to a
suppressed contact; every email carries a working unsubscribe link; every attempt is logged without body or address.

Fake hooks stand in for what `people` registers (basis checker, address resolver, unsubscribe handler); Django's
User stands in for a person."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import override_settings
from django.urls import include, path

from groundgame.core import messaging
from groundgame.core.messaging import Basis, Channel, MessageRefused, message_send
from groundgame.core.models import AuditEvent, MessageDelivery, SuppressedContact
from groundgame.urls import urlpatterns as project_urlpatterns

# Until groundgame/urls.py includes core's URLs, this module serves as the URLconf with them added.
urlpatterns = list(project_urlpatterns)
if not any(getattr(p, "namespace", None) == "core" for p in urlpatterns):
    urlpatterns.append(path("", include("groundgame.core.urls")))

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

User = get_user_model()
SITE = "https://groundgame.example"
PHONES: dict[int, str] = {}


class Hooks:
    """What `people` registers: bases by (person id, channel, purpose), addresses, and an unsubscribe record."""

    def __init__(self):
        self.bases: dict[tuple[int, str, str], Basis] = {}
        self.unsubscribed: list[tuple[int, str, str]] = []

    def check(self, recipient, channel, purpose):
        return self.bases.get((recipient.pk, channel, purpose))

    def address(self, recipient, channel):
        return recipient.email if channel == Channel.EMAIL else PHONES.get(recipient.pk)

    def unsubscribe(self, recipient_id, channel, purpose):
        self.unsubscribed.append((recipient_id, channel, purpose))


@pytest.fixture
def hooks():
    hooks = Hooks()
    previous = (
        messaging.set_basis_checker(hooks.check),
        messaging.set_address_resolver(hooks.address),
        messaging.set_unsubscribe_handler(hooks.unsubscribe),
    )
    messaging.sms_outbox.clear()
    with override_settings(
        GROUNDGAME_SITE_URL=SITE, GROUNDGAME_SMS_BACKEND="groundgame.core.messaging.LocmemSmsBackend"
    ):
        yield hooks
    messaging.set_basis_checker(previous[0])
    messaging.set_address_resolver(previous[1])
    messaging.set_unsubscribe_handler(previous[2])
    messaging.sms_outbox.clear()
    PHONES.clear()


@pytest.fixture
def alice():
    return User.objects.create_user("alice", email="alice@example.org")


class FailingEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("the mail server is down")


def send(recipient, channel=Channel.EMAIL, purpose="email_updates", **kwargs):
    return message_send(
        recipient=recipient,
        channel=channel,
        purpose=purpose,
        subject="Canvass on Saturday",
        body="Join us at 10am.",
        **kwargs,
    )


def unsubscribe_link(message) -> str:
    return message.extra_headers["List-Unsubscribe"].strip("<>")


def test_a_message_without_a_lawful_basis_is_refused_and_nothing_is_sent(hooks, alice):
    with pytest.raises(MessageRefused, match="no lawful basis") as refused:
        send(alice)

    assert mail.outbox == []
    delivery = MessageDelivery.objects.get()
    assert refused.value.delivery == delivery
    assert (delivery.recipient_id, delivery.channel, delivery.purpose) == (alice.pk, "email", "email_updates")
    assert (delivery.status, delivery.reason) == ("refused", "no lawful basis")


def test_a_basis_for_another_purpose_or_channel_does_not_count(hooks, alice):
    hooks.bases[(alice.pk, Channel.EMAIL, "membership_admin")] = Basis("legitimate_interests")
    hooks.bases[(alice.pk, Channel.SMS, "email_updates")] = Basis("consent", 3)

    with pytest.raises(MessageRefused):
        send(alice, purpose="email_updates")

    assert mail.outbox == []


def test_without_a_registered_checker_everything_is_refused(hooks, alice):
    messaging.set_basis_checker(None)

    with pytest.raises(MessageRefused, match="no lawful-basis checker"):
        send(alice)

    assert mail.outbox == []


def test_with_a_basis_the_email_is_sent_with_an_unsubscribe_link_and_header(hooks, alice):
    hooks.bases[(alice.pk, Channel.EMAIL, "email_updates")] = Basis("consent", evidence_id=41)

    delivery = send(alice)

    [message] = mail.outbox
    assert message.to == ["alice@example.org"] and message.subject == "Canvass on Saturday"
    link = unsubscribe_link(message)
    assert link.startswith(f"{SITE}/unsubscribe/") and link.endswith("/")
    assert message.body.startswith("Join us at 10am.") and link in message.body
    assert (delivery.status, delivery.basis, delivery.basis_evidence) == ("sent", "consent", "41")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"  # RFC 8058
    assert messaging.unsubscribe_token_read(link.removeprefix(f"{SITE}/unsubscribe/").rstrip("/")) == (
        alice.pk,
        "email",
        "email_updates",
    )


def test_a_suppressed_contact_is_refused_even_with_a_basis(hooks, alice):
    hooks.bases[(alice.pk, Channel.EMAIL, "email_updates")] = Basis("consent", 1)
    messaging.suppressed_contact_add(channel=Channel.EMAIL, value="  Alice@Example.org ", reason="erasure request 3")

    with pytest.raises(MessageRefused, match="suppressed"):
        send(alice)

    assert mail.outbox == []
    assert MessageDelivery.objects.get().status == "refused"


def test_the_suppression_list_holds_keyed_hashes_only_and_is_idempotent(hooks):
    first = messaging.suppressed_contact_add(channel=Channel.SMS, value="07700 900123")
    again = messaging.suppressed_contact_add(channel=Channel.SMS, value="+44 7700 900123")

    assert first == again and SuppressedContact.objects.count() == 1
    stored = json.dumps(list(SuppressedContact.objects.values()), default=str)
    assert "900123" not in stored
    assert messaging.contact_is_suppressed(channel=Channel.SMS, value="+447700900123")
    assert not messaging.contact_is_suppressed(channel=Channel.EMAIL, value="+447700900123")
    assert messaging.contact_digest("+447700900123") == first.contact_hash
    assert AuditEvent.objects.filter(action="suppressedcontact.create").count() == 1


def test_the_suppression_key_setting_changes_every_hash(hooks):
    default = messaging.contact_hash(channel=Channel.EMAIL, value="alice@example.org")

    with override_settings(GROUNDGAME_SUPPRESSION_KEY="another-key"):
        keyed = messaging.contact_hash(channel=Channel.EMAIL, value="alice@example.org")

    assert len(default) == len(keyed) == 64 and default != keyed


def test_sms_goes_through_the_configured_backend_without_an_email(hooks, alice):
    hooks.bases[(alice.pk, Channel.SMS, "sms_updates")] = Basis("consent", 2)
    PHONES[alice.pk] = "+447700900123"

    delivery = send(alice, channel=Channel.SMS, purpose="sms_updates")

    assert messaging.sms_outbox == [("+447700900123", "Join us at 10am.")]
    assert mail.outbox == []
    assert (delivery.channel, delivery.status) == ("sms", "sent")


def test_no_address_for_the_channel_is_refused(hooks, alice):
    hooks.bases[(alice.pk, Channel.SMS, "sms_updates")] = Basis("consent", 2)

    with pytest.raises(MessageRefused, match="no address"):
        send(alice, channel=Channel.SMS, purpose="sms_updates")

    assert messaging.sms_outbox == []


def test_a_backend_failure_is_logged_as_failed(hooks, alice):
    hooks.bases[(alice.pk, Channel.EMAIL, "email_updates")] = Basis("consent", 1)

    with override_settings(EMAIL_BACKEND=f"{__name__}.FailingEmailBackend"):
        delivery = send(alice)

    assert (delivery.status, delivery.reason) == ("failed", "backend error: ConnectionRefusedError")
    assert mail.outbox == []


def test_delivery_rows_hold_neither_body_nor_address(hooks, alice):
    hooks.bases[(alice.pk, Channel.EMAIL, "email_updates")] = Basis("consent", 1)
    send(alice, acting=alice)
    with pytest.raises(MessageRefused):
        send(alice, purpose="other")

    stored = json.dumps(list(MessageDelivery.objects.values()), default=str)
    for secret in ("alice@example.org", "Join us", "Canvass on Saturday"):
        assert secret not in stored
    assert set(MessageDelivery.objects.values_list("actor_id", flat=True)) == {alice.pk, None}


def test_the_unsubscribe_link_works_without_logging_in(hooks, alice, client):
    hooks.bases[(alice.pk, Channel.EMAIL, "email_updates")] = Basis("consent", 1)
    send(alice)
    link = unsubscribe_link(mail.outbox[0]).removeprefix(SITE)
    csrf_client = type(client)(enforce_csrf_checks=True)

    page = csrf_client.get(link)

    assert page.status_code == 200
    assert b'<form method="post">' in page.content and b"csrfmiddlewaretoken" in page.content
    assert hooks.unsubscribed == []  # a mail scanner following the link unsubscribes nobody
    token = page.context["csrf_token"]
    done = csrf_client.post(link, {"csrfmiddlewaretoken": str(token)})
    assert done.status_code == 200
    assert b"You have been unsubscribed" in done.content
    assert hooks.unsubscribed == [(alice.pk, "email", "email_updates")]


def test_the_unsubscribe_form_is_csrf_protected(hooks, alice):
    from django.test import Client

    link = messaging.unsubscribe_url(recipient_id=alice.pk, channel="email", purpose="email_updates").removeprefix(SITE)

    response = Client(enforce_csrf_checks=True).post(link)

    assert response.status_code == 403
    assert hooks.unsubscribed == []


def test_a_mail_providers_one_click_post_unsubscribes_without_a_csrf_token(hooks, alice):
    """RFC 8058: the provider POSTs "List-Unsubscribe=One-Click" to the List-Unsubscribe URL, with no cookies."""
    from django.test import Client

    link = messaging.unsubscribe_url(recipient_id=alice.pk, channel="email", purpose="email_updates").removeprefix(SITE)

    response = Client(enforce_csrf_checks=True).post(link, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200 and response.content == b"unsubscribed"
    assert hooks.unsubscribed == [(alice.pk, "email", "email_updates")]
    assert (
        Client(enforce_csrf_checks=True).post("/unsubscribe/tampered/", {"List-Unsubscribe": "One-Click"}).status_code
        == 400
    )


@pytest.mark.parametrize("text", ["STOP", "stop", " Stop. ", "STOPALL", "unsubscribe"])
def test_a_stop_reply_suppresses_the_number_so_no_text_goes_to_it_again(hooks, alice, text):
    hooks.bases[(alice.pk, Channel.SMS, "sms_updates")] = Basis("consent", 1)
    PHONES[alice.pk] = "+447700900123"

    assert messaging.sms_received(sender="07700 900123", text=text) is True

    with pytest.raises(MessageRefused, match="suppressed"):
        send(alice, channel=Channel.SMS, purpose="sms_updates")
    assert messaging.sms_outbox == []


def test_the_sms_providers_webhook_needs_the_configured_secret(hooks, client, settings):
    reply = {"from": "+447700900123", "text": "STOP"}
    settings.GROUNDGAME_SMS_INBOUND_SECRET = ""
    assert client.post("/sms/inbound/anything/", reply).status_code == 404  # off unless configured

    settings.GROUNDGAME_SMS_INBOUND_SECRET = "s3cret-path-part"
    assert client.post("/sms/inbound/wrong/", reply).status_code == 404
    assert not SuppressedContact.objects.exists()
    assert client.get("/sms/inbound/s3cret-path-part/").status_code == 405

    response = client.post("/sms/inbound/s3cret-path-part/", reply)

    assert response.content == b"stopped"
    assert messaging.contact_is_suppressed(channel=Channel.SMS, value="07700900123")


@pytest.mark.parametrize("text", ["", "Stop by at 6?", "yes", "STOP please now"])
def test_other_replies_suppress_nothing(hooks, text):
    assert messaging.sms_received(sender="+447700900123", text=text) is False
    assert not SuppressedContact.objects.exists()


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        "tampered",
        messaging.signing.dumps({"r": 1, "c": "email", "p": "x"}, salt="another.salt"),
        messaging.signing.dumps({"r": 1, "c": "fax", "p": "x"}, salt=messaging.UNSUBSCRIBE_SALT),
        messaging.signing.dumps({"c": "email"}, salt=messaging.UNSUBSCRIBE_SALT),
    ],
    ids=["not-a-token", "tampered", "another-salt", "unknown-channel", "no-recipient"],
)
def test_a_bad_or_tampered_token_gets_a_400_page(hooks, alice, client, token):
    if token == "tampered":
        good = messaging.unsubscribe_token(recipient_id=alice.pk, channel="email", purpose="email_updates")
        payload, rest = good.split(":", 1)
        token = payload[:-1] + ("A" if payload[-1] != "A" else "B") + ":" + rest

    for response in (client.get(f"/unsubscribe/{token}/"), client.post(f"/unsubscribe/{token}/")):
        assert response.status_code == 400
        assert b"This unsubscribe link is not valid" in response.content
    assert hooks.unsubscribed == []


def test_without_a_handler_unsubscribing_says_it_failed(hooks, alice, client):
    messaging.set_unsubscribe_handler(None)
    link = messaging.unsubscribe_url(recipient_id=alice.pk, channel="email", purpose="email_updates").removeprefix(SITE)

    assert client.post(link).status_code == 503


def test_message_delivery_is_registered_with_the_privacy_registry():
    from groundgame.core import privacy

    assert privacy.entry_for(MessageDelivery).erasure is privacy.Erasure.DELETE
