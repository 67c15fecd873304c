"""The comment list as a cached HTML fragment.

Its cache key carries the thread's `changed_at`, which every approval, edit,
removal or vote moves, so a stale list is never served and nothing needs to be
deleted. The fragment holds nothing personal and is the same for every reader.
"""

import logging
import re

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.html import format_html

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


# Teaser lists are cached whole, but a comment count must be right the moment a
# comment is approved or removed: the cached HTML holds a marker per story, and
# one query for the counts of the stories shown fills them in.
COUNT_MARKER = re.compile(r"<!--comment-count:(\d+)-->")


def comment_count_marker(page_id: int) -> str:
    return format_html("<!--comment-count:{}-->", page_id)


def fill_comment_counts(html: str) -> str:
    page_ids = {int(found) for found in COUNT_MARKER.findall(html)}
    if not page_ids:
        return html
    counts = dict(
        Thread.objects.filter(page_id__in=page_ids).values_list(
            "page_id", "visible_count"
        )
    )
    return COUNT_MARKER.sub(
        lambda found: comment_count_label(counts.get(int(found[1]), 0)), html
    )


def comment_count_label(count: int) -> str:
    if not count:
        return "Click to comment"
    return f"{count} comment{'' if count == 1 else 's'}"
