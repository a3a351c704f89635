"""One OpenAPI document composed from each app's router."""

from ninja import NinjaAPI
from ninja.errors import ValidationError

from groundgame.canvassing.api import router as canvassing_router
from groundgame.places.api import router as places_router
from groundgame.places.api import validation_error_handler
from groundgame.pollingday.api import router as pollingday_router

api = NinjaAPI(
    title="Groundgame API",
    version="1.0.0",
    description="Public endpoints are rate-limited per client (429 with Retry-After). "
    "Authenticated endpoints (later) use session or token authentication.",
    urls_namespace="api",
)
api.add_router("", places_router)
api.add_router("", canvassing_router)
api.add_router("", pollingday_router)
api.add_exception_handler(ValidationError, validation_error_handler)
