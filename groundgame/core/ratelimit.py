"""A fixed-window rate limit per client for public endpoints, backed by the cache.

Counts live in the "ratelimit" cache (CACHES): local memory, per server process, even in production, so a lookup
costs no database write; point that alias at Redis or Memcached to make the limit global. Clients are identified by
REMOTE_ADDR (set it from a trusted proxy header in your front server)."""

import time

from django.conf import settings
from django.core.cache import caches

WINDOW_SECONDS = 60


def client_key(request) -> str:
    return request.META.get("REMOTE_ADDR", "unknown")


def check(request, scope: str, per_minute: int | None = None) -> int | None:
    """Count this request; return None if allowed, else the seconds until the window resets."""
    limit = per_minute if per_minute is not None else settings.GROUNDGAME_PUBLIC_API_RATE
    if limit <= 0:
        return None
    now = time.time()
    window = int(now // WINDOW_SECONDS)
    key = f"rl:{scope}:{client_key(request)}:{window}"
    cache = caches["ratelimit"]
    if cache.add(key, 1, WINDOW_SECONDS + 1):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, WINDOW_SECONDS + 1)
            count = 1
    if count > limit:
        return max(1, int((window + 1) * WINDOW_SECONDS - now) + 1)
    return None
