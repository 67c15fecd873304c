"""Fixed-window rate limits on Django's cache (local memory embedded, Redis at scale).

Small on purpose: one counter per key and window, created with add() and bumped
with incr(), both atomic in Redis; a cache outage lets requests through rather
than breaking the site.
"""

import hashlib
import logging
import time

from django.core.cache import cache

logger = logging.getLogger("masthead.core")


def hit(scope: str, identity: str, limit: int, window_seconds: int) -> bool:
    """Count one hit; True while the identity is within `limit` per window."""
    digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
    window = int(time.time() // window_seconds)
    key = f"ratelimit:{scope}:{digest}:{window}"
    try:
        if cache.add(key, 1, timeout=window_seconds + 5):
            return True
        return cache.incr(key) <= limit
    except ValueError:
        # The key expired between add() and incr(): this is the window's first hit.
        cache.add(key, 1, timeout=window_seconds + 5)
        return True
    except Exception:
        logger.warning("rate limit cache unavailable; letting %s through", scope)
        return True


def client_ip(request) -> str:
    """The reader's address as the app sees it (a proxy sets REMOTE_ADDR for us)."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"
