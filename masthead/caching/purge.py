"""Which URLs a change makes stale, and purging them from every cache we know.

Our own page cache is purged at once (a generation write per path). nginx or a
CDN is purged by Wagtail's frontend cache, from a task, when
WAGTAILFRONTENDCACHE is configured (MASTHEAD_PURGE_URL for deploy/nginx.conf).
Everything waits for the commit: a rolled-back edit purges nothing.
"""

import logging
import math

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from wagtail.contrib.frontend_cache.utils import purge_urls_from_cache

from . import store
from .fragments import bump_content_version
from .tasks import purge_site_from_edge_task

logger = logging.getLogger("masthead.caching")

SITEMAP_NAMES = ("pages", "articles", "authors", "tags")
# A shared cache keys ?page=N separately: its purge names each page of a list,
# up to this many (our own cache drops every page of a path at once).
MAX_LIST_PAGES = 50


def story_urls(story, *, before: dict | None = None) -> list[str]:
    """Everything that shows this story: itself, its lists, its feeds.

    `before` holds the author and tag slugs and the series of the version being
    replaced (see `story_places`), whose pages listed the story until now.
    """
    from masthead.news.models import RIVER_PAGE_SIZE, ArticlePage

    root = _root_url(story)
    if root is None:
        return []
    home = story.get_site().root_page.specific
    places = story_places(story)
    for name, values in (before or {}).items():
        places[name] = sorted(set(places[name]) | set(values))
    paths = [_path(story)]
    # (the list pages' paths, the stories they list): counted plainly, for the
    # number of ?page=N pages only, once per list of stories.
    lists = []
    stories = ArticlePage.objects.live()
    for ancestor in story.get_ancestors().filter(depth__gt=1).specific():
        if ancestor.pk == home.pk:
            lists.append(([_path(home), _route(home, "latest")], stories))
        else:
            lists.append(([_path(ancestor)], stories.child_of(ancestor)))
            paths += _feed_paths("section", ancestor.slug)
    for slug in places["authors"]:
        by_author = stories.filter(article_authors__author__slug=slug)
        lists.append(([_route(home, "author", slug=slug)], by_author))
        paths += _feed_paths("author", slug)
    for slug in places["tags"]:
        lists.append(
            ([_route(home, "tag", slug=slug)], stories.filter(tags__slug=slug))
        )
        paths += _feed_paths("tag", slug)
    for series in ArticlePage.series.field.related_model.objects.filter(
        pk__in=places["series"]
    ):
        lists.append(([_path(series)], stories.filter(series_id=series.pk)))
        paths += _feed_paths("series", series.slug)
        paths.append(reverse("news:podcast-feed", kwargs={"slug": series.slug}))
    paths += _feed_paths(None, "")
    paths += [reverse("news:sitemap-index"), reverse("news:news-sitemap")]
    paths += [reverse("news:sitemap", kwargs={"section": n}) for n in SITEMAP_NAMES]
    for list_paths, listed in lists:
        pages = min(math.ceil(listed.count() / RIVER_PAGE_SIZE), MAX_LIST_PAGES)
        for path in list_paths:
            paths += [path, *(f"{path}?page={n}" for n in range(2, pages + 1))]
    return [root + path for path in dict.fromkeys(paths)]


def story_places(story) -> dict[str, list]:
    """The author and tag slugs and the series id a story's stored version has."""
    from masthead.news.models import ArticleAuthor, ArticleTag

    return {
        "authors": list(
            ArticleAuthor.objects.filter(page_id=story.pk).values_list(
                "author__slug", flat=True
            )
        ),
        "tags": list(
            ArticleTag.objects.filter(content_object_id=story.pk).values_list(
                "tag__slug", flat=True
            )
        ),
        "series": [story.series_id] if story.series_id else [],
    }


def section_urls(page) -> list[str]:
    """A page every page links to changed (a section, the home page): the lists."""
    root = _root_url(page)
    if root is None:
        return []
    home = page.get_site().root_page
    paths = [_path(page), _path(home)]
    paths += [_path(section) for section in home.get_children().live()]
    return [root + path for path in dict.fromkeys(paths)]


def purge_story(story, *, before: dict | None = None) -> None:
    purge_urls(story_urls(story, before=before))


def purge_urls(urls: list[str]) -> None:
    _after_commit(list(dict.fromkeys(urls)), whole_site=False)


def purge_comments(story) -> None:
    """A comment changed: only the story's page shows it (the list is versioned)."""
    from masthead.comments.choices import CommentSort

    root = _root_url(story)
    if root is None:
        return
    # The list the page's script fetches when a reader re-sorts, as nginx keys it.
    comment_list = reverse("comments:list", args=[story.pk])
    urls = [root + _path(story), root + comment_list]
    urls += [f"{root}{comment_list}?sort={sort}" for sort in CommentSort.values]
    # Not the content version: no fragment shows comments (the list is keyed by
    # the thread's own change time).
    _after_commit(urls, whole_site=False, fragments=False)


def purge_everything(pages) -> None:
    """A change every page shows (menu, settings): our cache whole, shared lists."""
    urls = [url for page in pages for url in section_urls(page)]
    _after_commit(list(dict.fromkeys(urls)), whole_site=True)


def _after_commit(urls: list[str], *, whole_site: bool, fragments: bool = True) -> None:
    def purge():
        if whole_site:
            store.purge_site()
        store.purge_paths(urls)
        if fragments:
            bump_content_version()
        if whole_site and getattr(settings, "WAGTAILFRONTENDCACHE", None):
            try:
                purge_site_from_edge_task.enqueue(urls)
            except Exception:
                logger.exception("could not queue the purge of the whole site")
        elif urls and getattr(settings, "WAGTAILFRONTENDCACHE", None):
            try:  # Wagtail queues the requests as a task
                purge_urls_from_cache(urls)
            except Exception:
                logger.exception("could not queue the purge of %d URLs", len(urls))

    transaction.on_commit(purge)


def _root_url(page) -> str | None:
    parts = page.get_url_parts()
    return None if parts is None else parts[1].rstrip("/")


def _path(page) -> str:
    return page.get_url_parts()[2]


def _route(home, name: str, **kwargs) -> str:
    return _path(home) + home.reverse_subpage(name, kwargs=kwargs or None)


def _feed_paths(scope: str | None, slug: str) -> list[str]:
    if scope is None:
        return [reverse(f"news:feed-{fmt}") for fmt in ("rss", "atom", "json")]
    return [
        reverse(f"news:{scope}-feed-{fmt}", kwargs={"slug": slug})
        for fmt in ("rss", "atom", "json")
    ]
