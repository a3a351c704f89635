"""The telling app's API: a pass's station (download) and telling batches (sync).

Authorised by the pass's token (`Authorization: Bearer <token>`), never by a session: 401 for a missing or unknown
token, 410 for a withdrawn or expired pass (the app then wipes what it holds for the pass), 403 for a token of
another pass, 400 for a body that is not a batch. The protocol is described in telling.py.
"""

import uuid

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from ninja import Router, Schema
from ninja.decorators import decorate_view
from ninja.errors import HttpError
from ninja.security import HttpBearer

from groundgame.canvassing.api import COMPACT, DetailOut
from groundgame.canvassing.sync import BatchInvalid

from . import selectors, services, telling

router = Router(tags=["polling day"])


class TellerKey(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        try:
            return services.teller_pass_for_token(token)
        except services.PassRefused as exc:
            raise HttpError(401 if exc.reason == "unknown" else 410, exc.message) from None


def _same_pass(teller_pass, pass_id: uuid.UUID) -> None:
    if teller_pass.uuid != pass_id:
        raise HttpError(403, "This token is for another telling pass.")


class StationOut(Schema):
    station: str
    campaign: str
    rehearsal: bool
    districts: list[str]
    expires_at: str
    per_hour: list[tuple[str, int]]


class TellingErrorOut(Schema):
    index: int
    id: str | None = None
    error: str


class TellingOut(Schema):
    acknowledged: list[str]
    errors: list[TellingErrorOut]
    unknown: list[str]


@router.get(
    "/telling/{uuid:pass_id}",
    auth=TellerKey(),
    response={200: StationOut, 401: DetailOut, 403: DetailOut, 410: DetailOut},
    summary="The station a teller's pass opens",
    description="Its name, the polling districts that vote there, whether this is a rehearsal, and the numbers "
    "taken there today per hour.",
)
@decorate_view(never_cache)
def telling_station(request: HttpRequest, pass_id: uuid.UUID):
    _same_pass(request.auth, pass_id)
    return JsonResponse(selectors.station_info(request.auth), json_dumps_params=COMPACT)


@router.post(
    "/telling/{uuid:pass_id}/sync",
    auth=TellerKey(),
    response={200: TellingOut, 400: DetailOut, 401: DetailOut, 403: DetailOut, 410: DetailOut},
    summary="Sync a batch of telling entries (idempotent)",
    description="Stores each new entry once, keyed by the id the phone gave it. `acknowledged`: stored now or "
    "before; `errors`: not stored, with the reason; `unknown`: acknowledged entries whose number matched nobody on "
    "the register. Send the same batch again whenever the answer was lost.",
)
@decorate_view(never_cache)
def telling_sync(request: HttpRequest, pass_id: uuid.UUID):
    _same_pass(request.auth, pass_id)
    try:
        records = telling.parse_batch(request.body)
    except BatchInvalid as exc:
        return JsonResponse({"detail": str(exc)}, status=400)
    try:
        result = telling.telling_ingest(teller_pass=request.auth, records=records)
    except services.PassRefused as exc:
        return JsonResponse({"detail": exc.message}, status=410)
    return JsonResponse(result.as_dict(), json_dumps_params=COMPACT)
