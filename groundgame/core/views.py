import logging

from django.conf import settings
from django.core import signing
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseNotFound
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import messaging
from .models import Channel

logger = logging.getLogger(__name__)


def home(request):
    return render(request, "core/home.html")


@never_cache
@csrf_exempt  # mail providers' one-click POST has no CSRF token; the browser's form is checked below
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """The link in every email: GET asks to confirm (mail scanners follow links), POST unsubscribes. No login: the
    signed token is the authority, naming one recipient, channel and purpose. A POST of "List-Unsubscribe=One-Click"
    (RFC 8058, sent by the mail provider's own unsubscribe button) gets a plain answer."""
    one_click = request.method == "POST" and request.POST.get("List-Unsubscribe") == "One-Click"
    if request.method == "POST" and not one_click:
        refused = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})
        if refused is not None:
            return refused
    try:
        wish = messaging.unsubscribe_token_read(token)
    except signing.BadSignature:
        if one_click:
            return HttpResponseBadRequest("invalid link")
        return render(request, "core/unsubscribe_invalid.html", status=400)
    context = {"channel_label": Channel(wish.channel).label, "done": False}
    if request.method == "POST":
        handler = messaging.unsubscribe_handler()
        if handler is None:
            logger.error("unsubscribe: no handler registered; request for recipient %s not recorded", wish.recipient_id)
            return render(request, "core/unsubscribe_unavailable.html", status=503)
        handler(wish.recipient_id, wish.channel, wish.purpose)
        if one_click:
            return HttpResponse("unsubscribed", content_type="text/plain")
        context["done"] = True
    return render(request, "core/unsubscribe.html", context)


@csrf_exempt  # a provider's server posts here; the secret in the URL is the authority
@require_http_methods(["POST"])
def sms_inbound(request, secret: str):
    """Incoming texts from the SMS provider (form fields `from` and `text`; adapt the provider's webhook to these).
    A stop word suppresses the number (messaging.sms_received). 404 unless GROUNDGAME_SMS_INBOUND_SECRET is set and
    matches."""
    expected = getattr(settings, "GROUNDGAME_SMS_INBOUND_SECRET", "")
    if not expected or not constant_time_compare(secret, expected):
        return HttpResponseNotFound()
    stopped = messaging.sms_received(sender=request.POST.get("from", ""), text=request.POST.get("text", ""))
    return HttpResponse("stopped" if stopped else "ok", content_type="text/plain")
