"""Rendered HTML kept between requests, dropped when the site's content changes.

Every key carries the content version, which a publish, unpublish or edit of any
page moves (see `receivers`): a list of stories is never older than the newest
story, and nothing has to be found and deleted. Entries left behind by an old
version expire on their own.
"""

import logging
import pickle  # nosec B403 # copies of values made in this process
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar

from . import generations
from .generations import page_cache

logger = logging.getLogger("masthead.caching")

VERSION_KEY = "content-version"
FRAGMENT_SECONDS = 3600

__all__ = [
    "bump_content_version",
    "cached_html",
    "content_version",
    "page_cache",
    "remembered",
]


# Within one request the content version is read once: a page reads it for every
# fragment and route it looks up, and at scale each read is a round trip to Redis.
_request_versions: ContextVar[dict | None] = ContextVar(
    "content_versions", default=None
)


@contextmanager
def one_version_per_request():
    scope = _request_versions.set({})
    try:
        yield
    finally:
        _request_versions.reset(scope)


def remember_content_version(version: str) -> None:
    """A version read along with other keys (the page cache's lookup)."""
    versions = _request_versions.get()
    if versions is not None:
        versions[VERSION_KEY] = version


def content_version() -> str:
    """The current content version ("0" if the cache is unreachable: a miss)."""
    versions = _request_versions.get()
    if versions and VERSION_KEY in versions:
        return versions[VERSION_KEY]
    try:
        version = generations.current(VERSION_KEY)[0]
    except Exception:
        logger.warning("page cache unavailable; reading the content version as 0")
        return "0"
    remember_content_version(version)
    return version


def bump_content_version() -> None:
    generations.bump(VERSION_KEY)
    versions = _request_versions.get()
    if versions is not None:
        versions.pop(VERSION_KEY, None)


def cached_html(
    name: str, render: Callable[[], str], *, seconds: int = FRAGMENT_SECONDS
) -> str:
    """The HTML `render()` gives, kept under `name` until the content changes.

    `name` must say everything the HTML depends on besides content (the site,
    the place on the page...). The cache going away means rendering, not failing.
    """
    return remembered(f"fragment:{content_version()}:{name}", render, seconds)


def remembered(key: str, read: Callable, seconds: int = FRAGMENT_SECONDS):
    """`read()`, kept under `key`; a None is not kept.

    `key` must change whenever what it holds may (the content version, a
    minute...): a copy is also kept in this process for up to LOCAL_SECONDS,
    which then answers without a round trip to the shared cache. The cache going
    away means reading every time, not failing.
    """
    value = local_copies.get(key)
    if value is not None:
        return value
    try:
        value = page_cache().get(key)
    except Exception:
        logger.warning("page cache unavailable; reading %s", key)
        value = None
    if value is None:
        value = read()
        if value is None:
            return None
        try:
            page_cache().set(key, value, seconds)
        except Exception:
            logger.warning("page cache unavailable; %s not stored", key)
    local_copies.put(key, value, min(seconds, LOCAL_SECONDS))
    return value


class LocalCopies:
    """The most recently used shared-cache values, in this process's memory.

    Values other than text are kept pickled and handed out as fresh copies: a
    caller may change what it gets (a settings object carries its request).
    """

    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict[str, tuple[float, object]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            expires, value = entry
            if expires < time.monotonic():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
        # nosemgrep: unsafe-deserialisation -- bytes this process pickled in put()
        return pickle.loads(value) if isinstance(value, bytes) else value  # noqa: S301  # nosec B301

    def put(self, key: str, value, seconds: float) -> None:
        kept = value if isinstance(value, str) else pickle.dumps(value)
        with self._lock:
            self._entries[key] = (time.monotonic() + seconds, kept)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


LOCAL_SECONDS = 60
local_copies = LocalCopies(size=2000)
