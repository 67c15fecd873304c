"""Rendered HTML kept between requests, dropped when the site's content changes.

Every key carries the content version, which a publish, unpublish or edit of any
page moves (see `receivers`): a list of stories is never older than the newest
story, and nothing has to be found and deleted. Entries left behind by an old
version expire on their own.
"""

import logging
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
    """`read()`, kept in the page cache under `key`; a None is not kept.

    The cache going away means reading every time, not failing.
    """
    try:
        value = page_cache().get(key)
    except Exception:
        logger.warning("page cache unavailable; reading %s", key)
        value = None
    if value is None:
        value = read()
        if value is not None:
            try:
                page_cache().set(key, value, seconds)
            except Exception:
                logger.warning("page cache unavailable; %s not stored", key)
    return value
