"""Outgoing webhooks: signed, retried HTTP POSTs telling outside systems what changed.

    webhooks.emit("rsvp.created", {"rsvp": 12, "event": 3, "status": "confirmed"}, person_id=45)

`emit` (call it inside the writing service's transaction) records one `WebhookDelivery` per active endpoint that
wants the event type, and, once the transaction commits, queues a task that posts them. A delivery that fails
(network error, timeout, any status but 2xx) is tried again after 1 minute, 5 minutes, 30 minutes, 2 hours and 12
hours, by the periodic task `core.webhooks` (every minute), then marked failed. Receivers must therefore expect the
same delivery more than once (the `Groundgame-Delivery` header is its id) and in any order (`occurred_at`).

Each POST carries a JSON body `{"id", "type", "occurred_at", "data"}` and the header
`Groundgame-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the endpoint's secret>`;
`verify_signature` is the reference check (reject old timestamps to stop replays). Payloads hold ids and states,
never names or contact details. Deliveries are deleted with the person they are about and after 30 days.
"""

import datetime
import hashlib
import hmac
import json
import logging
import secrets
import time
import urllib.error
import urllib.request

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from .models import WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

RETRY_DELAYS = [
    datetime.timedelta(minutes=1),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
    datetime.timedelta(hours=12),
]
TIMEOUT_SECONDS = 10
SIGNATURE_TOLERANCE_SECONDS = 300


def new_secret() -> str:
    return secrets.token_hex(32)


def emit(event_type: str, data: dict, *, person_id: int | None = None) -> list[WebhookDelivery]:
    """Record a delivery of this event to every endpoint that wants it; send them after the transaction commits."""
    now = timezone.now()
    endpoints = [e for e in WebhookEndpoint.objects.filter(active=True) if e.wants(event_type)]
    if not endpoints:
        return []
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            endpoint=endpoint,
            event_type=event_type,
            payload={"type": event_type, "occurred_at": now.isoformat(), "data": data},
            subject_person_id=person_id,
            next_attempt_at=now,
        )
        for endpoint in endpoints
    )
    ids = [d.pk for d in deliveries]  # PostgreSQL and SQLite >= 3.35 return them from the bulk insert

    def queue() -> None:
        from .tasks import webhooks_deliver

        webhooks_deliver.enqueue(ids)

    transaction.on_commit(queue)
    return deliveries


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify_signature(secret: str, header: str, body: bytes, *, now: float | None = None) -> bool:
    """What a receiver does: recompute the HMAC and compare in constant time; refuse stale timestamps."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - timestamp) > SIGNATURE_TOLERANCE_SECONDS:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), f"t={timestamp},v1={parts.get('v1', '')}")


def _post(delivery: WebhookDelivery) -> tuple[int | None, str]:
    endpoint = delivery.endpoint
    if not endpoint.url.startswith(("https://", "http://")):
        return None, "not an http(s) URL"
    body = json.dumps({"id": delivery.pk, **delivery.payload}, cls=DjangoJSONEncoder, sort_keys=True).encode()
    request = urllib.request.Request(  # noqa: S310  (scheme checked above)
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Groundgame-Webhooks/1",
            "Groundgame-Event": delivery.event_type,
            "Groundgame-Delivery": str(delivery.pk),
            "Groundgame-Signature": signature(endpoint.secret, int(time.time()), body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        return None, f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"[:200]


def deliver(delivery_ids: list[int], *, now: datetime.datetime | None = None) -> dict[str, int]:
    """Attempt the pending deliveries among `delivery_ids` that are due; schedule retries. Returns counts."""
    now = now or timezone.now()
    counts = {"delivered": 0, "retry": 0, "failed": 0}
    due = WebhookDelivery.objects.select_related("endpoint").filter(
        pk__in=delivery_ids, status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now
    )
    for delivery in due:
        # Claim it: a concurrent worker that read the same row finds attempts changed and skips it.
        claimed = WebhookDelivery.objects.filter(
            pk=delivery.pk, status=WebhookDelivery.Status.PENDING, attempts=delivery.attempts
        ).update(attempts=delivery.attempts + 1, next_attempt_at=now + RETRY_DELAYS[0])
        if not claimed:
            continue
        delivery.attempts += 1
        status, error = _post(delivery)
        delivery.last_status_code, delivery.last_error = status, error
        if status is not None and 200 <= status < 300:
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = "delivered", timezone.now(), None
            counts["delivered"] += 1
        elif delivery.attempts > len(RETRY_DELAYS):
            delivery.status, delivery.next_attempt_at = "failed", None
            counts["failed"] += 1
            logger.warning("webhook %s to %s failed for good: %s", delivery.pk, delivery.endpoint_id, error)
        else:
            delivery.next_attempt_at = now + RETRY_DELAYS[delivery.attempts - 1]
            counts["retry"] += 1
        delivery.save(
            update_fields=["status", "delivered_at", "next_attempt_at", "last_status_code", "last_error", "attempts"]
        )
    return counts


def deliver_due(now: datetime.datetime | None = None) -> dict[str, int]:
    """Every pending delivery whose (re)try time has come."""
    now = now or timezone.now()
    ids = list(
        WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now).values_list(
            "pk", flat=True
        )[:1000]
    )
    return deliver(ids, now=now)
