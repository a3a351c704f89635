import logging

from django.core import signing
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from . import messaging
from .models import Channel

logger = logging.getLogger(__name__)


def home(request):
    return render(request, "core/home.html")


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """The link in every email: GET asks to confirm (mail scanners follow links), POST unsubscribes. No login: the
    signed token is the authority, naming one recipient, channel and purpose."""
    try:
        wish = messaging.unsubscribe_token_read(token)
    except signing.BadSignature:
        return render(request, "core/unsubscribe_invalid.html", status=400)
    context = {"channel_label": Channel(wish.channel).label, "done": False}
    if request.method == "POST":
        handler = messaging.unsubscribe_handler()
        if handler is None:
            logger.error("unsubscribe: no handler registered; request for recipient %s not recorded", wish.recipient_id)
            return render(request, "core/unsubscribe_unavailable.html", status=503)
        handler(wish.recipient_id, wish.channel, wish.purpose)
        context["done"] = True
    return render(request, "core/unsubscribe.html", context)
