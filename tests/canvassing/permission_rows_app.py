"""The canvasser app's rows of the permission matrix (tests/people/test_permission_matrix.py explains roles, objects
and outcomes): build(world) adds a ready walk list of a campaign run by group A and one by group B to world.extra;
ROWS maps the app's URL names (pages and API) to Rows.

- The shell, manifest and service worker are the same public files for everyone: no data in them.
- The claim page: the campaign's organisers (of its host group or above); canvassers with register access for the
  campaign are tested in test_access.py (none of the matrix's roles holds a grant, and giving member_a one here would
  change other modules' rows). Administrators see electors only through a grant, so they may not claim either.
- The API answers to the walk list's token only: a session, whoever's, is 401 (test_api.py tests the token)."""

from django.urls import reverse

from groundgame.canvassing.models import WalkList
from tests.canvassing.factories import CampaignFactory, WalkListFactory
from tests.people.test_permission_matrix import FORBIDDEN, LOGIN, OK, Row, everyone, expect


def build(world) -> None:
    for key in ("A", "B"):
        campaign = CampaignFactory(host=world.groups[key])
        world.extra["app_walk_list", key] = WalkListFactory(campaign=campaign, status=WalkList.Status.READY)


def _walk_list(w, o) -> WalkList:
    return w.extra["app_walk_list", o]


PUBLIC = {"-": everyone(OK)}
TOKEN_ONLY = {"A": everyone(401)}

ROWS: dict = {
    "canvassing:app": Row("GET", lambda w, o: reverse("canvassing:app"), PUBLIC),
    "canvassing:app_manifest": Row("GET", lambda w, o: reverse("canvassing:app_manifest"), PUBLIC),
    "canvassing:app_service_worker": Row("GET", lambda w, o: reverse("canvassing:app_service_worker"), PUBLIC),
    "canvassing:app_claim": Row(
        "GET",
        lambda w, o: reverse("canvassing:app_claim", args=[_walk_list(w, o).uuid]),
        {
            "A": expect(LOGIN, FORBIDDEN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN),
            "B": expect(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN),
        },
    ),
    "api:canvass_walk_list": Row(
        "GET", lambda w, o: reverse("api:canvass_walk_list", args=[_walk_list(w, o).uuid]), TOKEN_ONLY
    ),
    "api:canvass_sync": Row(
        "POST",
        lambda w, o: reverse("api:canvass_sync", args=[_walk_list(w, o).uuid]),
        TOKEN_ONLY,
        data=lambda w, o: {"records": "[]"},
    ),
    "api:canvass_release": Row(
        "POST", lambda w, o: reverse("api:canvass_release", args=[_walk_list(w, o).uuid]), TOKEN_ONLY
    ),
}
