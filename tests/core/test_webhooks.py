"""Outgoing webhooks: posted after the emitting transaction commits, signed, retried with backoff, given up after
the last retry; only endpoints that want the event type get it; payloads hold ids only."""

import datetime
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction
from django.utils import timezone

from groundgame.core import privacy, scheduling, webhooks
from groundgame.core.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db


class Receiver:
    """A local HTTP server that records each POST and answers with the next status in `statuses` (then 200)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.server.shutdown()


def endpoint(url: str, **values) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(name="CRM", url=url, secret=webhooks.new_secret(), **values)


def test_an_event_is_posted_signed_once_the_transaction_commits(receiver, django_capture_on_commit_callbacks):
    hook = endpoint(receiver.url)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        webhooks.emit("rsvp.created", {"rsvp": 12, "event": 3, "status": "confirmed"}, person_id=45)
        assert receiver.requests == []  # nothing leaves before the commit

    [request] = receiver.requests
    body = json.loads(request["body"])
    delivery = WebhookDelivery.objects.get()
    assert body["id"] == delivery.pk and body["type"] == "rsvp.created"
    assert body["data"] == {"rsvp": 12, "event": 3, "status": "confirmed"}
    assert request["headers"]["Groundgame-Event"] == "rsvp.created"
    assert webhooks.verify_signature(hook.secret, request["headers"]["Groundgame-Signature"], request["body"])
    assert not webhooks.verify_signature("another secret", request["headers"]["Groundgame-Signature"], request["body"])
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)


def test_a_rolled_back_write_sends_nothing(receiver, django_capture_on_commit_callbacks):
    endpoint(receiver.url)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        webhooks.emit("rsvp.created", {"rsvp": 1})
        transaction.set_rollback(True)
    assert receiver.requests == [] and not WebhookDelivery.objects.exists()


def test_only_active_endpoints_that_want_the_type_get_it(receiver, django_capture_on_commit_callbacks):
    endpoint(receiver.url, event_types=["attendance.changed"])
    endpoint(receiver.url, active=False)
    everything = endpoint(receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.emit("rsvp.created", {"rsvp": 1})
    assert [d.endpoint for d in WebhookDelivery.objects.all()] == [everything]
    assert len(receiver.requests) == 1


def test_failures_are_retried_with_backoff_then_given_up(receiver):
    endpoint(receiver.url)
    receiver.statuses = [500] * 10
    [delivery] = webhooks.emit("rsvp.cancelled", {"rsvp": 1})
    start = delivery.next_attempt_at

    moments = [start]
    for delay in webhooks.RETRY_DELAYS:
        moments.append(moments[-1] + delay)
    for i, now in enumerate(moments):
        assert webhooks.deliver_due(now - datetime.timedelta(seconds=1)) == {"delivered": 0, "retry": 0, "failed": 0}
        counts = webhooks.deliver_due(now)
        delivery.refresh_from_db()
        assert delivery.attempts == i + 1 and delivery.last_status_code == 500
        if i < len(webhooks.RETRY_DELAYS):
            assert counts["retry"] == 1 and delivery.next_attempt_at == now + webhooks.RETRY_DELAYS[i]
    assert delivery.status == "failed" and delivery.next_attempt_at is None
    assert len(receiver.requests) == len(webhooks.RETRY_DELAYS) + 1
    assert webhooks.deliver_due(moments[-1] + datetime.timedelta(days=1))["retry"] == 0


def test_a_retry_that_succeeds_is_delivered(receiver):
    endpoint(receiver.url)
    receiver.statuses = [503]
    [delivery] = webhooks.emit("rsvp.created", {"rsvp": 1})
    now = timezone.now()
    webhooks.deliver_due(now)
    webhooks.deliver_due(now + webhooks.RETRY_DELAYS[0])
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.delivered_at is not None) == ("delivered", 2, True)


def test_an_unreachable_endpoint_records_the_error_and_retries():
    endpoint("http://127.0.0.1:9/nothing-listens")
    [delivery] = webhooks.emit("rsvp.created", {"rsvp": 1})
    webhooks.deliver_due()
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.last_status_code is None and delivery.last_error


def test_stale_or_malformed_signatures_are_refused():
    body = b'{"id": 1}'
    header = webhooks.signature("s", 1_800_000_000, body)
    assert webhooks.verify_signature("s", header, body, now=1_800_000_100)
    assert not webhooks.verify_signature("s", header, body, now=1_800_000_000 + 3600)
    assert not webhooks.verify_signature("s", header, b'{"id": 2}', now=1_800_000_100)
    assert not webhooks.verify_signature("s", "garbage", body)


def test_deliveries_are_erased_with_the_person_and_kept_thirty_days():
    endpoint("http://127.0.0.1:9/")
    webhooks.emit("rsvp.created", {"rsvp": 1}, person_id=45)
    entry = privacy.entry_for(WebhookDelivery)
    assert entry.erasure == privacy.Erasure.DELETE and entry.retention == datetime.timedelta(days=30)
    assert entry.rows_for(type("P", (), {"pk": 45})()).count() == 1


def test_retries_are_a_periodic_task():
    assert {p.name: p.every for p in scheduling.periodic_tasks()}["core.webhooks"] == datetime.timedelta(minutes=1)
