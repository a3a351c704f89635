"""The canvasser app's API: download a walk list, sync doorstep records, hand the list back.

Authorised by the walk list's token (`Authorization: Bearer <token>`, see access.py), never by a session: the token
opens one list, and only while it is live. Errors are `{"detail": message}`: 401 for a missing, unknown or replaced
token, 410 when the list was released or its access expired (the app then wipes what it holds for the list), 403
for a token of another list, 400 for a body that is not a batch. The sync protocol is described in sync.py.

The results for organisers (GET /canvass/campaigns/{slug}/results, results_views.py) are the exception: they are for
a signed-in organiser in the browser, so they use the session (django_auth), never a walk list token.
"""

import json
import uuid

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.gzip import gzip_page
from ninja import Router, Schema
from ninja.decorators import decorate_view
from ninja.errors import HttpError
from ninja.security import HttpBearer, django_auth

from . import access, results_views, sync

router = Router(tags=["canvassing"])

COMPACT = {"separators": (",", ":"), "ensure_ascii": False}


class WalkListKey(HttpBearer):
    """The token a claim gave the phone. Downloads need a live one; syncs also accept an expired one for
    access.SYNC_GRACE, so that records made offline before the expiry still arrive."""

    def __init__(self, purpose: str = "read"):
        super().__init__()
        self.purpose = purpose

    def authenticate(self, request: HttpRequest, token: str):
        try:
            return access.walk_list_for_token(token, purpose=self.purpose)
        except access.AccessRefused as exc:
            raise HttpError(401 if exc.reason == "unknown" else 410, exc.message) from None


class DetailOut(Schema):
    detail: str


class LastContactOut(Schema):
    outcome: str
    on: str
    intention: str | None = None
    certainty: int | None = None


class ElectorOut(Schema):
    id: uuid.UUID
    name: str
    postal: bool | None = None
    last: LastContactOut | None = None


class DoorOut(Schema):
    id: uuid.UUID
    house: str
    street: str
    postcode: str
    last: LastContactOut | None = None
    electors: list[ElectorOut]


class WalkListInfoOut(Schema):
    id: uuid.UUID
    name: str
    campaign: str
    district: str
    expires_at: str | None


class ChoiceOut(Schema):
    code: str
    label: str


class SurveyOut(Schema):
    version: int
    outcomes: list[ChoiceOut]
    intentions: list[ChoiceOut]
    certainty: list[int]
    issues: list[ChoiceOut]
    follow_ups: list[ChoiceOut]


class WalkListOut(Schema):
    format: int
    walk_list: WalkListInfoOut
    survey: SurveyOut | None
    doors: list[DoorOut]


class RecordIn(Schema):
    """One doorstep record, as the phone made it."""

    id: uuid.UUID
    address: uuid.UUID
    elector: uuid.UUID | None = None
    survey: int
    recorded_at: str
    outcome: str
    intention: str = ""
    certainty: int | None = None
    issues: list[str] = []
    follow_ups: list[str] = []
    notes: str = ""
    unlisted_name: str = ""


class RecordErrorOut(Schema):
    index: int
    id: str | None
    error: str


class SyncOut(Schema):
    acknowledged: list[str]
    errors: list[RecordErrorOut]


class ReleaseIn(Schema):
    done: bool = False


class ReleaseOut(Schema):
    released: bool
    status: str


def _same_list(walk_list, walk_list_id: uuid.UUID) -> None:
    if walk_list.uuid != walk_list_id:
        raise HttpError(403, "This key opens another walk list.")


# The body is read by the view, record by record (sync.parse_batch), so that one malformed record is reported on
# its own instead of failing the batch; the schema is documented here.
SYNC_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["records"],
                "properties": {
                    "records": {"type": "array", "maxItems": sync.MAX_BATCH, "items": RecordIn.model_json_schema()}
                },
            },
        }
    },
}


@router.get(
    "/canvass/walk-lists/{uuid:walk_list_id}",
    auth=WalkListKey("read"),
    response={200: WalkListOut, 401: DetailOut, 403: DetailOut, 410: DetailOut},
    summary="Download a claimed walk list for the canvasser app",
    description="The doors in walking order, the electors at each with their previous contact, and the survey "
    "version to record against. Compact JSON, gzipped when the client accepts it.",
)
@decorate_view(never_cache, gzip_page)
def canvass_walk_list(request: HttpRequest, walk_list_id: uuid.UUID):
    _same_list(request.auth, walk_list_id)
    return JsonResponse(sync.walk_list_download(request.auth), json_dumps_params=COMPACT)


@router.post(
    "/canvass/walk-lists/{uuid:walk_list_id}/sync",
    auth=WalkListKey("sync"),
    response={200: SyncOut, 400: DetailOut, 401: DetailOut, 403: DetailOut, 410: DetailOut},
    summary="Sync a batch of doorstep records (idempotent)",
    description="Stores each new record once, keyed by the id the phone gave it, and answers for each record: its "
    "id in `acknowledged` (stored now or before: the phone may delete it) or an entry in `errors` (not stored; a "
    "different record with the same id is an error). Send the same batch again whenever the answer was lost.",
    openapi_extra={"requestBody": SYNC_BODY},
)
@decorate_view(never_cache)
def canvass_sync(request: HttpRequest, walk_list_id: uuid.UUID):
    _same_list(request.auth, walk_list_id)
    try:
        records = sync.parse_batch(request.body)
    except sync.BatchInvalid as exc:
        return JsonResponse({"detail": str(exc)}, status=400)
    result = sync.contact_records_ingest(walk_list=request.auth, records=records)
    return JsonResponse(result.as_dict(), json_dumps_params=COMPACT)


RELEASE_BODY = {
    "required": False,
    "content": {"application/json": {"schema": ReleaseIn.model_json_schema()}},
}


@router.post(
    "/canvass/walk-lists/{uuid:walk_list_id}/release",
    auth=WalkListKey("read"),
    response={200: ReleaseOut, 400: DetailOut, 401: DetailOut, 403: DetailOut, 410: DetailOut},
    summary="Hand a walk list back",
    description="The token stops working (later calls answer 410) and the app wipes the list. Sync first: "
    "records not yet synced cannot be sent afterwards. `done` marks the list as worked (the body is optional).",
    openapi_extra={"requestBody": RELEASE_BODY},
)
@decorate_view(never_cache)
def canvass_release(request: HttpRequest, walk_list_id: uuid.UUID):
    walk_list = request.auth
    _same_list(walk_list, walk_list_id)
    try:
        body = json.loads(request.body or b"{}") if request.content_type == "application/json" else {}
    except ValueError:
        return JsonResponse({"detail": "body: not JSON"}, status=400)
    done = isinstance(body, dict) and body.get("done") is True
    released = access.walk_list_release(
        walk_list=walk_list, acting=walk_list.claimed_by, done=done, reason="handed back"
    )
    return JsonResponse({"released": True, "status": released.status})


# Results for organisers (results_views.py): session authentication, not a walk list token.
router.get(
    "/canvass/campaigns/{slug}/results",
    auth=django_auth,
    response={200: results_views.ResultsOut, 401: DetailOut, 403: DetailOut, 404: DetailOut},
    summary="A campaign's canvassing results (for its organisers)",
    description="Progress by walk list, polling district and constituency (doors, doors knocked, contact rate, "
    "outcomes, voting intention from each elector's latest record, issues, follow-ups) and quality flags. "
    "Aggregates only. Signed-in organisers of the campaign and administrators; 404 for a campaign the user may not "
    "see, 403 for one they may see without its results.",
)(decorate_view(never_cache)(results_views.canvass_results))
