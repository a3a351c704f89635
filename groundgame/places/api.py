"""Public JSON API for places: the nearest-marginal lookup (a fixed contract) and reference lists."""

from django.http import HttpRequest, JsonResponse
from ninja import Router, Schema
from ninja.errors import ValidationError

from groundgame.core import ratelimit

from . import selectors

router = Router(tags=["places"])


class ErrorOut(Schema):
    error: str


class LocationOut(Schema):
    lat: float
    lon: float
    precision: str


class ConstituencyOut(Schema):
    code: str
    name: str
    approximate: bool


class TargetOut(Schema):
    code: str
    name: str
    distance_km: float
    majority: int | None
    majority_pct: float | None
    swing_needed: float | None
    our_position: str
    reason: str


class ExcludedOut(Schema):
    code: str
    name: str
    distance_km: float
    reason: str


class LookupOut(Schema):
    postcode: str
    location: LocationOut
    constituency: ConstituencyOut | None
    election: int
    targets: list[TargetOut]
    excluded: list[ExcludedOut]


MAX_LIMIT = 50
# The lookup reads its query string itself (see `lookup_query`): schema validation cost more than the lookup.
LOOKUP_PARAMETERS = [
    {
        "in": "query",
        "name": "postcode",
        "required": True,
        "schema": {"type": "string", "example": "DE22 1AA"},
        "description": "A full UK postcode or a postcode district (outward code).",
    },
    {
        "in": "query",
        "name": "election",
        "required": False,
        "schema": {"type": "integer", "example": 2015},
        "description": "Base election year; default the latest imported.",
    },
    {
        "in": "query",
        "name": "limit",
        "required": False,
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 5},
        "description": "How many targets to list.",
    },
]


def lookup_query(params) -> tuple[str, int | None, int]:
    """(postcode, election, limit) from the query string; ValueError with a message for the client."""
    postcode = params.get("postcode", "").strip()
    if not postcode:
        raise ValueError("postcode: required")
    election = params.get("election") or None
    if election is not None:
        if not election.isdigit():
            raise ValueError("election: must be a year, e.g. 2017")
        election = int(election)
    raw_limit = params.get("limit") or "5"
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= MAX_LIMIT:
        raise ValueError(f"limit: must be a whole number from 1 to {MAX_LIMIT}")
    return postcode, election, int(raw_limit)


def error(status: int, message: str, **headers) -> JsonResponse:
    response = JsonResponse({"error": message}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def rate_limited(request: HttpRequest) -> JsonResponse | None:
    retry_after = ratelimit.check(request, "public-api")
    if retry_after is not None:
        return error(429, "Too many requests; slow down.", Retry_After=str(retry_after))
    return None


def lookup_as_dict(lookup: selectors.Lookup) -> dict:
    home = lookup.constituency
    return {
        "postcode": lookup.location.postcode,
        "location": {"lat": lookup.location.lat, "lon": lookup.location.lon, "precision": lookup.location.precision},
        "constituency": (
            {"code": home.code, "name": home.name, "approximate": lookup.approximate} if home is not None else None
        ),
        "election": lookup.election.year,
        "targets": [_with_distance(row.seat.api_row(), row.distance_km) for row in lookup.targets],
        "excluded": [
            {"code": row.seat.code, "name": row.seat.name, "distance_km": row.distance_km, "reason": row.seat.reason}
            for row in lookup.excluded
        ],
    }


def _with_distance(row: dict, distance_km: float) -> dict:
    """The API's key order: code, name, distance_km, then the seat's facts."""
    return {"code": row["code"], "name": row["name"], "distance_km": distance_km, **row}


@router.get(
    "/nearest-marginal",
    response={200: LookupOut, 400: ErrorOut, 404: ErrorOut, 429: ErrorOut},
    summary="Nearest target seats to a postcode",
    description="The constituency a postcode is in and the nearest target seats, nearest first. "
    "A full postcode not in the postcode table falls back to its district (precision 'district'). "
    "Seats removed from the targets by organisers that are nearer than the last target are listed in "
    "'excluded' with the reason.",
    openapi_extra={"parameters": LOOKUP_PARAMETERS},
)
def nearest_marginal(request: HttpRequest):
    limited = rate_limited(request)
    if limited:
        return limited
    try:
        postcode, year, limit = lookup_query(request.GET)
        lookup = selectors.nearest_targets(postcode=postcode, year=year, limit=limit)
    except ValueError as exc:  # InvalidPostcode is a ValueError too
        return error(400, str(exc))
    except selectors.UnknownPostcode as exc:
        return error(404, str(exc))
    except selectors.NoElectionData as exc:
        return error(404, str(exc))
    return JsonResponse(lookup_as_dict(lookup))


class PingOut(Schema):
    ok: bool


@router.get("/ping", response={200: PingOut, 429: ErrorOut}, summary="Liveness check (a trivial JSON view)")
def ping(request: HttpRequest):
    limited = rate_limited(request)
    if limited:
        return limited
    return JsonResponse({"ok": True})


@router.post("/ping", response={200: PingOut, 429: ErrorOut}, summary="Liveness check by POST (a trivial JSON view)")
def ping_post(request: HttpRequest):
    """The same as GET: a baseline for benchmarks of POST endpoints (bench/sync_ingest.py). The body is ignored."""
    return ping(request)


class ElectionOut(Schema):
    year: int
    boundary_set: str


@router.get("/elections", response=list[ElectionOut], summary="Elections with imported results")
def elections(request: HttpRequest):
    from .models import Election

    years = selectors.election_years()
    return [
        {"year": e.year, "boundary_set": e.boundary_set.slug}
        for e in Election.objects.filter(year__in=years).select_related("boundary_set")
    ]


def validation_error_handler(request: HttpRequest, exc: ValidationError):
    """Contract: errors are {"error": message} with status 400."""
    parts = []
    for item in exc.errors:
        location = ".".join(str(p) for p in item.get("loc", [])[1:] if p != "query") or "request"
        parts.append(f"{location}: {item.get('msg', 'invalid')}")
    return error(400, "; ".join(parts) or "Invalid request.")
