"""The comment list as a cached HTML fragment.

Its cache key carries the thread's `changed_at`, which every approval, edit,
removal or vote moves, so a stale list is never served and nothing needs to be
deleted. The fragment holds nothing personal and is the same for every reader.
"""

import logging

from django.core.cache import cache
from django.template.loader import render_to_string

from . import conf
from .choices import CommentSort
from .models import Thread
from .queries import thread_tree

logger = logging.getLogger("masthead.comments")

FRAGMENT_SECONDS = 24 * 3600


def parse_sort(value: str | None) -> str:
    return value if value in CommentSort.values else CommentSort.OLDEST


def list_cache_key(page_id: int, sort: str, thread: Thread | None, display: str) -> str:
    stamp = thread.changed_at.timestamp() if thread else 0
    return f"comments:list:{page_id}:{sort}:{display}:{stamp}"


def comment_list_html(page, sort: str, thread: Thread | None, settings) -> str:
    key = list_cache_key(page.pk, sort, thread, settings.erased_comments)
    try:
        html = cache.get(key)
    except Exception:
        logger.warning("cache unavailable; rendering the comment list")
        html = None
    if html is not None:
        return html
    nodes = thread_tree(page.pk, sort, settings.erased_comments) if thread else []
    html = render_to_string(
        "comments/list.html",
        {"nodes": nodes, "gravatar": conf.get("MASTHEAD_COMMENTS_GRAVATAR")},
    )
    try:
        cache.set(key, html, FRAGMENT_SECONDS)
    except Exception:
        logger.warning("cache unavailable; comment list not stored")
    return html
