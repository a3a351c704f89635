"""Public JSON API for places: the nearest-marginal lookup (a fixed contract) and reference lists."""

from django.http import HttpRequest, JsonResponse
from ninja import Query, Router, Schema
from ninja.errors import ValidationError

from groundgame.core import ratelimit

from . import selectors
from .postcodes import InvalidPostcode

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


class LookupQuery(Schema):
    postcode: str
    election: int | None = None
    limit: int = Query(5, ge=1, le=50)


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


def _r2(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def lookup_as_dict(lookup: selectors.Lookup) -> dict:
    home = lookup.constituency
    return {
        "postcode": lookup.location.postcode,
        "location": {
            "lat": lookup.location.lat,
            "lon": lookup.location.lon,
            "precision": lookup.location.precision,
        },
        "constituency": (
            {"code": home.code, "name": home.name, "approximate": lookup.approximate} if home is not None else None
        ),
        "election": lookup.election.year,
        "targets": [
            {
                "code": row.seat.code,
                "name": row.seat.name,
                "distance_km": row.distance_km,
                "majority": row.seat.standing.majority if row.seat.standing else None,
                "majority_pct": _r2(row.seat.standing.majority_pct) if row.seat.standing else None,
                "swing_needed": _r2(row.seat.standing.swing_needed) if row.seat.standing else None,
                "our_position": "defend" if row.seat.position == "defend" else "gain",
                "reason": row.seat.reason,
            }
            for row in lookup.targets
        ],
        "excluded": [
            {
                "code": row.seat.code,
                "name": row.seat.name,
                "distance_km": row.distance_km,
                "reason": row.seat.reason,
            }
            for row in lookup.excluded
        ],
    }


@router.get(
    "/nearest-marginal",
    response={200: LookupOut, 400: ErrorOut, 404: ErrorOut, 429: ErrorOut},
    summary="Nearest target seats to a postcode",
    description="The constituency a postcode is in and the nearest target seats, nearest first. "
    "A full postcode not in the postcode table falls back to its district (precision 'district'). "
    "Seats removed from the targets by organisers that are nearer than the last target are listed in "
    "'excluded' with the reason.",
)
def nearest_marginal(request: HttpRequest, query: Query[LookupQuery]):
    limited = rate_limited(request)
    if limited:
        return limited
    try:
        lookup = selectors.nearest_targets(postcode=query.postcode, year=query.election, limit=query.limit)
    except InvalidPostcode as exc:
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
