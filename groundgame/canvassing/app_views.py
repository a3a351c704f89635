"""The canvasser app's pages: the claim page (a signed-in canvasser opens a walk list's link or QR code), and the
installable app itself: its shell page, web app manifest and service worker (offline.py).

The shell is the same page for everyone (no user, no CSRF token, no personal data), so the service worker can keep
it and serve it offline; the app reads and writes everything else through the API with the walk list's token
(api.py), and keeps it in IndexedDB (static/canvassing/app/db.js). The service worker is served from the app's own
folder, /canvassing/app/sw.js, so its scope covers the shell; its text is static/canvassing/app/sw.js with the list
of files to keep and a version (a hash of those files) put in front, so any change to them installs a new worker.
"""

from io import BytesIO

import segno
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from groundgame.people.rules import person_of

from . import access
from .models import WalkList
from .offline import OfflineApp, no_store
from .rules import organises_campaign

APP = OfflineApp(
    shell_url="canvassing:app",
    template="canvassing/app/shell.html",
    modules=(("canvassing/db.js", "canvassing/app/db.js"), ("canvassing/sync.js", "canvassing/app/sync.js")),
    entry="canvassing/app/app.js",
    styles=("core/groundgame.css", "canvassing/app/app.css"),
    files=(
        "canvassing/app/icons/icon-192.png",
        "canvassing/app/icons/icon-512.png",
        "canvassing/app/icons/icon-maskable-512.png",
        "core/favicon.svg",
    ),
    cache_prefix="canvass-",
    extra_urls=("canvassing:app_manifest",),
)
ICONS = APP.files[:2]
MASKABLE_ICON = APP.files[2]


@require_http_methods(["GET"])
def app_shell(request: HttpRequest) -> HttpResponse:
    """The app: one page, the same for everyone; routes are in the URL fragment (#/l/<walk list>/d/<door>)."""
    config = {
        "api": reverse("api:canvass_walk_list", args=["00000000-0000-0000-0000-000000000000"]).rsplit("/", 1)[0] + "/",
        "serviceWorker": reverse("canvassing:app_service_worker"),
        "scope": reverse("canvassing:app"),
        "version": APP.version(),
    }
    context = {
        "config": config,
        "import_map": APP.import_map(),
        "entry": static(APP.entry),
        "styles": [static(s) for s in APP.styles],
        "icon": static(ICONS[0]),
    }
    return no_store(render(request, APP.template, context))


@require_http_methods(["GET"])
def app_manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest: installable, standalone, starting at the app's door list."""
    scope = reverse("canvassing:app")
    manifest = {
        "name": _("Groundgame canvassing"),
        "short_name": _("Canvass"),
        "description": _("Knock on doors, record what people tell you, offline if need be."),
        "id": scope,
        "start_url": scope,
        "scope": scope,
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#fbfaf7",
        "theme_color": "#b3122e",
        "lang": "en-GB",
        "icons": [
            {"src": static(ICONS[0]), "sizes": "192x192", "type": "image/png"},
            {"src": static(ICONS[1]), "sizes": "512x512", "type": "image/png"},
            {"src": static(MASKABLE_ICON), "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
        ],
    }
    return no_store(JsonResponse(manifest, content_type="application/manifest+json"))


@require_http_methods(["GET"])
def app_service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, from the app's folder so that its scope covers the app."""
    return APP.service_worker(request)


def claim_url(request: HttpRequest, walk_list: WalkList) -> str:
    """The link (and QR code) that opens `walk_list` on a canvasser's phone."""
    return request.build_absolute_uri(reverse("canvassing:app_claim", args=[walk_list.uuid]))


def claim_qr_svg(request: HttpRequest, walk_list: WalkList, *, scale: int = 4) -> str:
    """The claim link as an inline SVG QR code, for walk list pages and printed walk sheets."""
    out = BytesIO()
    segno.make(claim_url(request, walk_list), error="m").save(
        out, kind="svg", scale=scale, xmldecl=False, svgns=True, title=_("QR code: open this walk list on a phone")
    )
    return out.getvalue().decode()


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def app_claim(request: HttpRequest, uuid) -> HttpResponse:
    """Open a walk list on this phone. GET says what it is and whether it is free; POST ("Start canvassing") claims
    it and hands the token to the app in the URL fragment (never sent to a server, never in a log)."""
    walk_list = get_object_or_404(WalkList.objects.select_related("campaign", "polling_district"), uuid=uuid)
    if not access.may_claim(request.user, walk_list):
        raise PermissionDenied
    person = person_of(request.user)
    organiser = organises_campaign(request.user, walk_list.campaign)
    problem = access.claim_problem(walk_list, person=person, organiser=organiser)
    if request.method == "POST" and not problem:
        try:
            token = access.walk_list_claim(walk_list=walk_list, person=person, acting=request.user)
        except access.ClaimRefused as exc:
            problem = str(exc)
        else:
            return HttpResponseRedirect(f"{reverse('canvassing:app')}#list={walk_list.uuid}&token={token}")
    live = access.is_live(walk_list)
    context = {
        "walk_list": walk_list,
        "doors": walk_list.stops.count(),
        "problem": problem,
        "mine": live and walk_list.claimed_by_id == person.pk,
        "taking_over": live and walk_list.claimed_by_id not in (None, person.pk),
        "lifetime_hours": int(access.TOKEN_LIFETIME.total_seconds() // 3600),
    }
    return render(request, "canvassing/app/claim.html", context, status=409 if problem else 200)
