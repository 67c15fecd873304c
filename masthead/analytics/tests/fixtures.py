"""Audience fixtures shared by every app's tests (loaded by the root conftest)."""

import os

import pytest
import redis

from masthead.analytics import counters, metrics, visitors

BROWSER_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
TEST_REDIS_URL = os.environ.get("MASTHEAD_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
# Nothing listens here: a real connection refused, not a mock.
DEAD_REDIS_URL = "redis://127.0.0.1:1/0"


def stories_in(section, count: int, prefix: str = "Story") -> list:
    """`count` more live stories in `section`."""
    from masthead.news.tests.factories import ArticlePageFactory

    return [
        ArticlePageFactory(
            parent=section, title=f"{prefix} {n}", slug=f"{prefix.lower()}-{n}"
        )
        for n in range(count)
    ]


def beacon_headers(ip="203.0.113.7", user_agent=BROWSER_UA, host="testserver"):
    """What Chromium's sendBeacon sends, as Django test client keyword arguments."""
    return {
        "REMOTE_ADDR": ip,
        "HTTP_USER_AGENT": user_agent,
        "HTTP_ORIGIN": f"http://{host}",
        "HTTP_SEC_FETCH_SITE": "same-origin",
        "HTTP_SEC_FETCH_MODE": "no-cors",
    }


@pytest.fixture(autouse=True)
def _fresh_view_counters():
    """Buffered views, Redis clients, salts and metrics belong to one test only."""
    counters.buffer.clear()
    counters._redis.clear()
    visitors._salts.clear()
    metrics.reset()
    yield
    counters.buffer.clear()


@pytest.fixture
def test_redis(settings):
    """A real Redis database of our own for the counter tests, emptied each time."""
    client = redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=0.5)
    try:
        client.flushdb()
    except redis.RedisError:
        pytest.skip(f"no Redis at {TEST_REDIS_URL}")
    settings.MASTHEAD_ANALYTICS_REDIS_URL = TEST_REDIS_URL
    yield client
    client.flushdb()


@pytest.fixture
def no_redis(settings):
    """Counters in the database buffer, whatever REDIS_URL the suite runs with."""
    settings.MASTHEAD_ANALYTICS_REDIS_URL = ""
