"""Generation tokens: a cache key that embeds one is dropped by changing the token.

A token is fresh each time, never a counter: a token the cache evicted comes
back as a new one, so nothing stored under an older token (stale pages, stale
fragments, the private-page list of an earlier version) can be reached again.
"""

import logging
import time

from django.core.cache import caches

logger = logging.getLogger("masthead.caching")


def page_cache():
    return caches["pages"]


def current(*keys: str) -> list[str]:
    """The tokens under these keys, made on first use."""
    found = page_cache().get_many(keys)
    return [found.get(key) or first(key) for key in keys]


def bump(key: str) -> None:
    try:
        page_cache().set(key, _new(), None)
    except Exception:
        logger.exception("page cache unavailable; %s not renewed", key)


def _new() -> str:
    return f"{time.time_ns():x}"


def first(key: str) -> str:
    """A token for a key the cache does not have (never had, or evicted)."""
    token = _new()
    if page_cache().add(key, token, None):
        return token
    return page_cache().get(key) or token  # evicted again: this once, a miss
