"""Fixed-window rate limits on Django's cache (local memory embedded, Redis at scale).

Small on purpose: one counter per key and window, created with add() and bumped
with incr(), both atomic in Redis; a cache outage lets requests through rather
than breaking the site.
"""

import hashlib
import hmac
import logging
import time

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger("masthead.core")


def hit(scope: str, identity: str, limit: int, window_seconds: int) -> bool:
    """Count one hit; True while the identity is within `limit` per window."""
    digest = private_digest(identity)
    window = int(time.time() // window_seconds)
    key = f"ratelimit:{scope}:{digest}:{window}"
    try:
        if cache.add(key, 1, timeout=window_seconds + 5):
            return True
        count = cache.incr(key)
    except ValueError:
        # The key expired between add() and incr(): this is the window's first hit.
        cache.add(key, 1, timeout=window_seconds + 5)
        return True
    except Exception:
        _warn_unavailable(scope)
        return True
    if count is None:
        # A cache told to swallow its errors (django-redis IGNORE_EXCEPTIONS) is down.
        _warn_unavailable(scope)
        return True
    return count <= limit


def private_digest(identity: str) -> str:
    """A cache key part for an address or a name that cannot be turned back into it.

    A plain hash of an IPv4 address is reversed by trying all four billion; keyed
    with the site's secret, it is not.
    """
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, identity.encode(), hashlib.sha256).hexdigest()[:32]


_last_warning = 0.0


def _warn_unavailable(scope: str) -> None:
    # Once a minute at most: an outage under load must not flood the log.
    global _last_warning
    if time.monotonic() - _last_warning >= 60:
        _last_warning = time.monotonic()
        logger.warning("rate limit cache unavailable; letting %s through", scope)


def client_ip(request) -> str:
    """The reader's address: REMOTE_ADDR, or what a trusted proxy says it was.

    Only a proxy listed in MASTHEAD_TRUSTED_PROXIES may name the address in
    X-Forwarded-For; from anyone else the header is ignored, since a client can
    send whatever it likes. The last address not added by a trusted proxy wins.
    """
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    trusted = set(getattr(settings, "MASTHEAD_TRUSTED_PROXIES", ()))
    if remote not in trusted:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for address in reversed([a.strip() for a in forwarded.split(",") if a.strip()]):
        if address not in trusted:
            return address[:45]
    return remote
