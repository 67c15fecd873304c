"""Which URLs a story's change names, and nginx's purge endpoint receiving them."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from masthead.caching import fragments, generations, purge, store
from masthead.core.upgrade import site_upgraded
from masthead.news.tests.factories import (
    ArticlePageFactory,
    AuthorFactory,
    SeriesPageFactory,
    home_page,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(section, author):
    series = SeriesPageFactory(title="Council Watch", slug="council-watch")
    story = ArticlePageFactory(
        parent=section,
        title="Budget passes",
        slug="budget-passes",
        authors=[author, AuthorFactory(slug="sam-hill")],
        series=series,
        episode_number=1,
    )
    story.tags.add("budget", "council")
    story.save_revision().publish()
    return story


def paths(urls):
    return {url.removeprefix("http://localhost") for url in urls}


def test_a_story_names_itself_its_lists_and_its_feeds(story):
    named = paths(purge.story_urls(story))
    assert {
        "/news/budget-passes/",
        "/news/",
        "/",
        "/latest/",
        "/authors/ada-reyes/",
        "/authors/sam-hill/",
        "/tags/budget/",
        "/tags/council/",
        "/council-watch/",
        "/feeds/rss.xml",
        "/feeds/atom.xml",
        "/feeds/feed.json",
        "/feeds/section/news/rss.xml",
        "/feeds/author/sam-hill/feed.json",
        "/feeds/tag/council/atom.xml",
        "/feeds/series/council-watch/rss.xml",
        "/feeds/podcast/council-watch.xml",
        "/sitemap.xml",
        "/news-sitemap.xml",
        "/sitemap-articles.xml",
    } <= named
    assert not any(
        "/tags/" in p and "budget" not in p and "council" not in p for p in named
    )


def test_pages_of_a_long_list_are_named_one_by_one(story, section):
    from masthead.news.models import RIVER_PAGE_SIZE

    for n in range(RIVER_PAGE_SIZE + 1):
        ArticlePageFactory(parent=section, title=f"Story {n}")
    named = paths(purge.story_urls(story))
    assert {"/news/?page=2", "/?page=2", "/latest/?page=2"} <= named
    assert "/news/?page=3" not in named


def test_the_version_being_replaced_names_its_old_places(story):
    before = purge.story_places(story)
    story.tags.clear()
    named = paths(purge.story_urls(story, before=before))
    assert "/tags/budget/" in named


class _PurgeLog(BaseHTTPRequestHandler):
    received: list[tuple[str, str, str]] = []

    def do_PURGE(self):  # noqa: N802 - the HTTP method's name
        self.received.append((self.command, self.headers["Host"], self.path))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def nginx_purge_endpoint(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PurgeLog)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _PurgeLog.received = []
    settings.WAGTAILFRONTENDCACHE = {
        "nginx": {
            "BACKEND": "masthead.caching.frontend.NginxPurgeBackend",
            "LOCATION": f"http://127.0.0.1:{server.server_port}",
        }
    }
    yield _PurgeLog.received
    server.shutdown()
    server.server_close()


def test_publishing_sends_purges_to_nginx(
    story, nginx_purge_endpoint, django_capture_on_commit_callbacks
):
    story.title = "Budget passes at last"
    with django_capture_on_commit_callbacks(execute=True):
        story.save_revision().publish()
    received = {(host, path) for _method, host, path in nginx_purge_endpoint}
    assert ("localhost", "/news/budget-passes/") in received
    assert ("localhost", "/tags/council/") in received
    assert ("localhost", "/feeds/rss.xml") in received
    assert {method for method, _host, _path in nginx_purge_endpoint} == {"PURGE"}


def test_a_silent_purge_endpoint_does_not_fail_the_publish(
    story, settings, django_capture_on_commit_callbacks
):
    settings.WAGTAILFRONTENDCACHE = {
        "nginx": {
            "BACKEND": "masthead.caching.frontend.NginxPurgeBackend",
            "LOCATION": "http://127.0.0.1:9",  # discard: nothing listens
        }
    }
    with django_capture_on_commit_callbacks(execute=True):
        story.save_revision().publish()
    assert home_page().get_children().live().exists()


def test_a_comment_purges_its_story_and_the_list_readers_sort(
    story, nginx_purge_endpoint, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        purge.purge_comments(story)
    received = {path for _method, _host, path in nginx_purge_endpoint}
    assert "/news/budget-passes/" in received
    assert f"/comments/{story.pk}/?sort=newest" in received
    assert not any(
        path.startswith(("/tags/", "/feeds/", "/news/?")) for path in received
    )
    assert "/" not in received


def test_an_upgrade_drops_every_stored_page_and_fragment(
    django_capture_on_commit_callbacks,
):
    before = generations.current(store.SITE_GENERATION_KEY)
    version = fragments.content_version()
    with django_capture_on_commit_callbacks(execute=True):
        site_upgraded.send(sender=None)
    assert generations.current(store.SITE_GENERATION_KEY) != before
    assert fragments.content_version() != version
