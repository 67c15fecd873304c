"""Pages kept in the process at scale: used only while purges can reach them."""

import time
from unittest import mock

import pytest

from masthead.analytics.tests.fixtures import TEST_REDIS_URL
from masthead.caching import generations, local, store
from masthead.caching.local import LocalPages, local_pages

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_pages(settings, test_redis):
    settings.CACHES = {
        **settings.CACHES,
        "pages": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": TEST_REDIS_URL,
            "KEY_PREFIX": "local-pages-test",
        },
    }
    local_pages._listener_pid = None  # listen on this Redis
    local_pages.listening = False
    deadline = time.monotonic() + 5
    while not local_pages._ready() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert local_pages.listening
    yield
    local_pages.drop_all()


def until(condition, seconds=5.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)
    return condition()


def test_a_page_served_once_is_served_again_without_a_round_trip(
    client, article, redis_pages
):
    assert client.get(article.url)["X-Page-Cache"] == "miss"
    with mock.patch.object(generations, "page_cache", side_effect=AssertionError):
        assert client.get(article.url)["X-Page-Cache"] == "hit"


def test_a_purge_from_any_process_drops_the_copies(client, article, redis_pages):
    client.get(article.url)
    epoch = local_pages.epoch
    store.purge_paths([article.url])  # as another process would, through Redis
    assert until(lambda: local_pages.epoch > epoch)
    assert client.get(article.url)["X-Page-Cache"] == "miss"


def test_a_copy_read_before_a_purge_is_not_kept_after_it():
    pages = LocalPages()
    pages.listening = True
    epoch = pages.epoch
    pages.drop_all()  # the purge message arrives while the old page is read
    pages.put("page:x", object(), epoch)
    with mock.patch.object(pages, "_ready", return_value=True):
        assert pages.get("page:x") is None


def test_without_the_purge_channel_no_copy_is_used():
    pages = LocalPages()
    pages.put("page:x", object(), pages.epoch)  # not listening: not kept
    with mock.patch.object(pages, "_ready", return_value=False):
        assert pages.get("page:x") is None


@pytest.fixture
def file_pages(settings, tmp_path):
    settings.CACHES = {
        **settings.CACHES,
        "pages": {
            "BACKEND": "masthead.caching.backends.PageFileCache",
            "LOCATION": tmp_path / "cache" / "pages",
        },
    }
    yield
    local_pages.drop_all()


def test_embedded_copies_answer_without_reading_files(client, article, file_pages):
    assert client.get(article.url)["X-Page-Cache"] == "miss"
    with mock.patch.object(generations, "page_cache", side_effect=AssertionError):
        assert client.get(article.url)["X-Page-Cache"] == "hit"


def test_embedded_a_purge_by_another_process_is_seen_by_its_stamp(
    client, article, file_pages
):
    client.get(article.url)
    # Another app process publishes: it moves the generation and the stamp.
    generations.bump(store.path_generation_key(article.url))
    assert client.get(article.url)["X-Page-Cache"] == "hit"  # not announced yet
    local.announce_purge()
    assert client.get(article.url)["X-Page-Cache"] == "miss"
