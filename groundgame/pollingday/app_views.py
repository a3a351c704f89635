"""The telling app's shell and service worker (canvassing.offline): the same page for everyone, working with no
signal; the pass's token, the station and the outbox live in the phone's IndexedDB (static/pollingday/tell/)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from groundgame.canvassing.offline import OfflineApp, no_store

APP = OfflineApp(
    shell_url="pollingday:app",
    template="pollingday/app/shell.html",
    modules=(("canvassing/db.js", "canvassing/app/db.js"), ("canvassing/sync.js", "canvassing/app/sync.js")),
    entry="pollingday/tell/tell.js",
    styles=("core/groundgame.css", "canvassing/app/app.css", "pollingday/tell/tell.css"),
    files=("core/favicon.svg",),
    cache_prefix="telling-",
)


def strings() -> dict[str, str]:
    """The app's words, translated here (the shell is rendered in the visitor's language)."""
    return {
        "bad_number": _("Not an elector number: type it like 888, 888/1 or AB1-888/1."),
        "starts_at_one": _("Elector numbers start at 1."),
        "other_station": _("%(district)s does not vote at this station."),
        "saved": _("%(number)s taken."),
        "undone": _("%(number)s undone."),
        "undo": _("Undo"),
        "undo_label": _("Undo %(number)s"),
        "state_waiting": _("On this phone, not yet sent"),
        "state_synced": _("Sent"),
        "state_unknown": _("Not on the register: check the number"),
        "state_rejected": _("Refused by the server"),
        "state_undone": _("Undone"),
        "unknown_now": _("That number is not on the register: check it with the voter's poll card."),
        "pending": _("%(count)s not yet synced"),
        "all_synced": _("All synced"),
        "offline": _("Offline"),
        "offline_kept": _("Offline: kept safe on this phone"),
        "sync_failed": _("Could not sync: will try again"),
        "gone": _("This pass no longer works: ask your committee room for a new one."),
        "lost": _("%(count)s numbers not yet sent could not be sent: tell your committee room."),
    }


@require_http_methods(["GET"])
def app_shell(request: HttpRequest) -> HttpResponse:
    api = reverse("api:telling_station", args=["00000000-0000-0000-0000-000000000000"]).rsplit("/", 1)[0] + "/"
    config = {
        "api": api,
        "syncApi": api,
        "serviceWorker": reverse("pollingday:app_service_worker"),
        "scope": reverse("pollingday:app"),
        "version": APP.version(),
    }
    context = {
        "config": config,
        "strings": strings(),
        "import_map": APP.import_map(),
        "entry": static(APP.entry),
        "styles": [static(s) for s in APP.styles],
    }
    return no_store(render(request, APP.template, context))


@require_http_methods(["GET"])
def app_service_worker(request: HttpRequest) -> HttpResponse:
    return APP.service_worker(request)
