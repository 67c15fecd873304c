"""A Redis that hangs is waited on once, then left alone for a few seconds."""

import socket
import threading
import time

import pytest
import redis
from django.core.cache import caches

from masthead.analytics.tests.fixtures import TEST_REDIS_URL
from masthead.caching import failfast
from masthead.caching.failfast import FailFastConnectionPool, RedisUnavailable


class HungRedis:
    """Takes every connection and never answers: a stopped (SIGSTOP) server."""

    def __init__(self):
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=64)
        self._listener.settimeout(0.05)
        self.port = self._listener.getsockname()[1]
        self.connections = 0
        self._held = []
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        while not self._stopping.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            self._held.append(connection)

    def close(self):
        self._stopping.set()
        self._thread.join(timeout=5)
        self._listener.close()
        for connection in self._held:
            connection.close()


@pytest.fixture(autouse=True)
def _no_failures_remembered():
    failfast.forget_failures()
    yield
    failfast.forget_failures()


@pytest.fixture
def hung_redis():
    server = HungRedis()
    yield server
    server.close()


def client_for(port: int, host: str = "127.0.0.1") -> redis.Redis:
    pool = FailFastConnectionPool(
        host=host, port=port, socket_timeout=0.2, socket_connect_timeout=0.2
    )
    return redis.Redis(connection_pool=pool)


def test_a_hung_server_is_waited_on_once_then_refused_without_a_connection(
    hung_redis,
):
    client = client_for(hung_redis.port)

    with pytest.raises(redis.TimeoutError):
        client.ping()
    for _ in range(5):
        with pytest.raises(RedisUnavailable):
            client.ping()

    assert hung_redis.connections == 1


def test_the_server_is_tried_again_after_the_retry_delay(hung_redis, monkeypatch):
    monkeypatch.setattr(failfast, "RETRY_SECONDS", 0.05)
    client = client_for(hung_redis.port)
    with pytest.raises(redis.TimeoutError):
        client.ping()

    time.sleep(0.1)

    with pytest.raises(redis.TimeoutError):  # tried for real, not refused
        client.ping()
    assert hung_redis.connections == 2


def test_a_refused_connection_counts_as_a_failure_too():
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]  # nothing listens here once closed
    client = client_for(port)

    with pytest.raises(redis.ConnectionError) as first:
        client.ping()
    assert not isinstance(first.value, RedisUnavailable)
    with pytest.raises(RedisUnavailable):
        client.ping()


def test_a_server_that_answers_again_is_used_once_the_delay_is_over(monkeypatch):
    live = redis.Redis.from_url(
        TEST_REDIS_URL, socket_timeout=0.5, socket_connect_timeout=0.5
    )
    try:
        live.ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {TEST_REDIS_URL}")
    kwargs = live.connection_pool.connection_kwargs
    monkeypatch.setattr(failfast, "RETRY_SECONDS", 0.05)
    failfast.mark_down((kwargs["host"], kwargs["port"], None))
    client = client_for(kwargs["port"], host=kwargs["host"])

    with pytest.raises(RedisUnavailable):
        client.ping()
    time.sleep(0.1)
    assert client.ping() is True


def test_the_pool_from_a_url_keeps_the_url_s_kind_of_connection():
    tcp = FailFastConnectionPool.from_url("redis://127.0.0.1:1/0")
    tls = FailFastConnectionPool.from_url("rediss://127.0.0.1:1/0")
    unix = FailFastConnectionPool.from_url("unix:///tmp/nothing-here.sock")

    assert issubclass(tcp.connection_class, redis.Connection)
    assert issubclass(tls.connection_class, redis.SSLConnection)
    assert issubclass(unix.connection_class, redis.UnixDomainSocketConnection)
    for pool in (tcp, tls, unix):
        assert issubclass(pool.connection_class, failfast.FailFastMixin)


def test_the_django_cache_misses_at_once_while_redis_hangs(hung_redis, settings):
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{hung_redis.port}/0",
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": 0.2,
                "SOCKET_TIMEOUT": 0.2,
                "IGNORE_EXCEPTIONS": True,
                "CONNECTION_POOL_CLASS": (
                    "masthead.caching.failfast.FailFastConnectionPool"
                ),
            },
        },
    }
    cache = caches["default"]

    # A page's worth of cache calls: each a miss or a skipped write, as always;
    # only the first one waits for the server.
    for n in range(20):
        assert cache.get(f"fragment-{n}") is None
        cache.set(f"fragment-{n}", "html")
        assert cache.get_many([f"a-{n}", f"b-{n}"]) == {}
        assert cache.add(f"ratelimit-{n}", 1) is None

    assert hung_redis.connections == 1
