"""Rendered HTML kept between requests, dropped when the site's content changes.

Every key carries the content version, which a publish, unpublish or edit of any
page moves (see `receivers`): a list of stories is never older than the newest
story, and nothing has to be found and deleted. Entries left behind by an old
version expire on their own.
"""

import logging
from collections.abc import Callable

from . import generations
from .generations import page_cache

logger = logging.getLogger("masthead.caching")

VERSION_KEY = "content-version"
FRAGMENT_SECONDS = 3600

__all__ = ["bump_content_version", "cached_html", "content_version", "page_cache"]


def content_version() -> str:
    """The current content version ("0" if the cache is unreachable: a miss)."""
    try:
        return generations.current(VERSION_KEY)[0]
    except Exception:
        logger.warning("page cache unavailable; reading the content version as 0")
        return "0"


def bump_content_version() -> None:
    generations.bump(VERSION_KEY)


def cached_html(
    name: str, render: Callable[[], str], *, seconds: int = FRAGMENT_SECONDS
) -> str:
    """The HTML `render()` gives, kept under `name` until the content changes.

    `name` must say everything the HTML depends on besides content (the site,
    the place on the page...). The cache going away means rendering, not failing.
    """
    key = f"fragment:{content_version()}:{name}"
    try:
        html = page_cache().get(key)
    except Exception:
        logger.warning("page cache unavailable; rendering %s", name)
        html = None
    if html is None:
        html = render()
        try:
            page_cache().set(key, html, seconds)
        except Exception:
            logger.warning("page cache unavailable; %s not stored", name)
    return html
