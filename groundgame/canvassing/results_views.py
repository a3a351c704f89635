"""Results for organisers: the page (/canvassing/<slug>/results/) and the API operation
(GET /api/canvass/campaigns/{slug}/results, registered on the canvassing router in api.py).

Who: those who run the campaign (`canvassing.change_campaign`: its organisers, of the host group or above, and
administrators). Aggregates only, no elector names; still, the results are the campaign's own business, so a
register access holder (a canvasser) who may see the campaign gets 403, and anyone who may not see the campaign at
all gets 404, on the page and in the API alike. The API authenticates by the browser session (django-ninja's
`django_auth`): a signed-out caller gets 401.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from ninja import Schema
from ninja.errors import HttpError

from . import results
from .views import campaign_or_404
from .walklist_views import DEFAULT_ATTRIBUTION, DEFAULT_TILE_URL

RESULTS_PERM = "canvassing.change_campaign"
"""Seeing a campaign's results: those who run it (rules.runs_campaign)."""


@never_cache
@login_required
def results_page(request, slug: str):
    campaign = campaign_or_404(request.user, slug, RESULTS_PERM)
    data = results.campaign_results(campaign=campaign)
    shapes = results.district_map(campaign=campaign, districts=data.districts)
    context = {
        "campaign": campaign,
        "results": data,
        "thresholds": results.THRESHOLDS,
        "district_map": shapes if shapes["features"] else None,
        "bands": [(round(lower * 100), colour) for lower, colour in results.CONTACT_BANDS],
        "not_started_colour": results.NOT_STARTED_COLOUR,
        "tile_url": getattr(settings, "GROUNDGAME_MAP_TILE_URL", DEFAULT_TILE_URL),
        "attribution": getattr(settings, "GROUNDGAME_MAP_ATTRIBUTION", DEFAULT_ATTRIBUTION),
    }
    return render(request, "canvassing/results/results.html", context)


# --- the API ----------------------------------------------------------------------------------------------------


class ProgressOut(Schema):
    key: str
    name: str
    district: str
    doors: int
    knocked: int
    spoke: int
    contact_rate: float | None
    records: int
    outcomes: dict[str, int]
    intentions: dict[str, int]
    issues: dict[str, int]
    follow_ups: dict[str, int]


class FlagOut(Schema):
    kind: str
    walk_list: str
    walk_list_id: str
    canvasser: str
    count: int
    detail: str


class ResultsOut(Schema):
    campaign: str
    thresholds: dict[str, float]
    labels: dict[str, dict[str, str]]
    totals: ProgressOut
    constituencies: list[ProgressOut]
    districts: list[ProgressOut]
    walk_lists: list[ProgressOut]
    flags: list[FlagOut]


def canvass_results(request: HttpRequest, slug: str):
    """The results page's aggregates as JSON: 404 for a campaign the user may not see, 403 without results."""
    try:
        campaign = campaign_or_404(request.auth, slug, RESULTS_PERM)
    except Http404:
        raise HttpError(404, "Not found.") from None
    except PermissionDenied:
        raise HttpError(403, "You may not see this campaign's results.") from None
    return results.campaign_results(campaign=campaign).as_dict()
