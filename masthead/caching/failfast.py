"""Redis connections that stop waiting on a server which does not answer.

With IGNORE_EXCEPTIONS a cache error is only a miss, but each command still
waits for the socket timeout (2 s) when Redis hangs or its host is gone (no
refusal, no answer), and a page makes dozens of cache calls: it would take
minutes. So after a connection error or a timeout, every new connection to
that server in this process fails at once for RETRY_SECONDS; then the next
command tries for real, and a server that is back is used again at once.
"""

import threading
import time
from functools import cache

import redis

# As long as the view counters leave a failed Redis alone
# (MASTHEAD_ANALYTICS_REDIS_RETRY_SECONDS).
RETRY_SECONDS = 5.0

_down_until: dict[tuple, float] = {}
_lock = threading.Lock()


class RedisUnavailable(redis.ConnectionError):
    """Not tried: the server failed moments ago."""


def is_down(server: tuple) -> bool:
    return time.monotonic() < _down_until.get(server, 0.0)


def mark_down(server: tuple) -> None:
    with _lock:
        _down_until[server] = time.monotonic() + RETRY_SECONDS


def forget_failures() -> None:
    with _lock:
        _down_until.clear()


class FailFastMixin:
    """Mixed into redis-py's connection class (TCP, TLS or a Unix socket)."""

    def _server(self) -> tuple:
        return (
            getattr(self, "host", None),
            getattr(self, "port", None),
            getattr(self, "path", None),
        )

    def connect_check_health(self, *args, **kwargs):
        if self._sock is None and is_down(self._server()):
            raise RedisUnavailable(
                f"Redis at {self._server()} failed less than "
                f"{RETRY_SECONDS:g} s ago; not waiting on it again yet"
            )
        try:
            return super().connect_check_health(*args, **kwargs)
        except (redis.ConnectionError, redis.TimeoutError):
            mark_down(self._server())
            raise

    def send_packed_command(self, *args, **kwargs):
        try:
            return super().send_packed_command(*args, **kwargs)
        except RedisUnavailable:
            raise
        except (redis.ConnectionError, redis.TimeoutError):
            mark_down(self._server())
            raise

    def read_response(self, *args, **kwargs):
        try:
            return super().read_response(*args, **kwargs)
        except (redis.ConnectionError, redis.TimeoutError):
            mark_down(self._server())
            raise


@cache
def fail_fast(connection_class: type) -> type:
    return type(
        f"FailFast{connection_class.__name__}", (FailFastMixin, connection_class), {}
    )


class FailFastConnectionPool(redis.ConnectionPool):
    """django-redis's CONNECTION_POOL_CLASS: redis-py's pool, fail-fast connections.

    `from_url` picks the connection class from the URL (redis://, rediss://,
    unix://); whichever it is gets the fail-fast behaviour.
    """

    def __init__(self, connection_class=redis.Connection, **kwargs):
        super().__init__(connection_class=fail_fast(connection_class), **kwargs)
