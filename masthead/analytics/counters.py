"""Where a view goes first: a per-process buffer, then the database or Redis.

Embedded, every app process keeps the views it saw for about a second and then
writes them in one transaction (storage.store_views). With Redis, each beacon
calls a Lua script that rate-limits, de-duplicates and counts before it is
answered (a process killed at any moment has lost no view it answered for), and
a task moves the counts to the database every minute. If Redis fails, views go
to the buffer and from there to the database, Redis is left alone for a few
seconds, and the switch is counted in metrics.
"""

import atexit
import logging
import os
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime

import redis
from django.db import close_old_connections

from . import conf, metrics
from .storage import View, apply_batch, store_views

logger = logging.getLogger("masthead.analytics")

PENDING = "views:pending"
BATCH_PREFIX = "views:batch:"
MAX_BUFFERED = 200_000  # beyond this, a long database outage drops views


@dataclass(frozen=True, slots=True)
class Pending:
    view: View
    rate_key: str  # the address's rate-limit window, checked in Redis


class ViewBuffer:
    """Views waiting in this process for the next batched write.

    About once a second a thread sends them on in one go: to Redis in one
    pipeline at scale, else to the database in one transaction. The request
    that saw the view only appends to a list.
    """

    def __init__(self):
        self._pending: list[Pending] = []
        self._lock = threading.Lock()
        self._flusher_pid = None

    def add(self, view: View, rate_key: str = "") -> None:
        with self._lock:
            self._pending.append(Pending(view, rate_key))
        if self._flusher_pid != os.getpid() and conf.get(
            "MASTHEAD_ANALYTICS_BACKGROUND_FLUSH"
        ):
            self._start_flusher()

    def flush(self) -> int:
        """Send what is buffered on; returns views sent (to Redis) or counted.

        If Redis fails, the batch goes to the database instead; if the database
        fails, the batch stays for the next try (its transaction rolled back, so
        nothing is counted twice).
        """
        with self._lock:
            batch, self._pending = self._pending, []
        if not batch:
            return 0
        counters = redis_counters()
        if counters is not None:
            # Views wait here at scale only when Redis refused them at the beacon.
            if counters.available:
                try:
                    return counters.record(batch)
                except redis.RedisError:
                    pass
            logger.warning("Redis unavailable; %d views go to the database", len(batch))
            metrics.incr("beacons_degraded", len(batch))
        try:
            return store_views([pending.view for pending in batch])
        except Exception:
            logger.exception("writing %d buffered views failed; kept", len(batch))
            with self._lock:
                self._pending = batch + self._pending
                overflow = len(self._pending) - MAX_BUFFERED
                if overflow > 0:
                    del self._pending[:overflow]
                    metrics.incr("views_lost", overflow)
            return 0

    def __len__(self):
        return len(self._pending)

    def clear(self) -> None:
        with self._lock:
            self._pending = []

    def _start_flusher(self) -> None:
        with self._lock:
            if self._flusher_pid == os.getpid():
                return
            # Per process: a thread does not survive a fork, so a forked worker
            # starts its own.
            self._flusher_pid = os.getpid()
        thread = threading.Thread(target=self._run, name="view-flusher", daemon=True)
        thread.start()

    def _run(self) -> None:
        while True:
            time.sleep(conf.get("MASTHEAD_ANALYTICS_FLUSH_SECONDS"))
            close_old_connections()
            self.flush()


buffer = ViewBuffer()
atexit.register(buffer.flush)

# KEYS: rate-limit key, the day's seen set, the pending hash.
# ARGV: limit, window, visitor key, seen-set ttl, hourly field, referrer field.
# Returns 1 counted, 0 seen before today, -1 over the rate limit.
RECORD_SCRIPT = """
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
if hits > tonumber(ARGV[1]) then return -1 end
if redis.call('SADD', KEYS[2], ARGV[3]) == 0 then return 0 end
if redis.call('TTL', KEYS[2]) < 0 then redis.call('EXPIRE', KEYS[2], ARGV[4]) end
redis.call('HINCRBY', KEYS[3], ARGV[5], 1)
if ARGV[6] ~= '' then redis.call('HINCRBY', KEYS[3], ARGV[6], 1) end
return 1
"""

# Moves the pending counts under a batch name in one step; new beacons start a
# fresh pending hash.
CLAIM_SCRIPT = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('RENAME', KEYS[1], KEYS[2])
return 1
"""


class RedisCounters:
    def __init__(self, url: str):
        self.client = redis.Redis.from_url(
            url, socket_timeout=0.25, socket_connect_timeout=0.25
        )
        self._record = self.client.register_script(RECORD_SCRIPT)
        self._claim = self.client.register_script(CLAIM_SCRIPT)
        self._down_until = 0.0

    @property
    def available(self) -> bool:
        return time.monotonic() >= self._down_until

    def record(self, batch: list[Pending]) -> int:
        """Rate-limit, de-duplicate and count a batch in one round trip.

        Returns how many were new visitors; raises redis.RedisError, after which
        Redis is left alone for MASTHEAD_ANALYTICS_REDIS_RETRY_SECONDS.
        """
        try:
            with self.client.pipeline(transaction=False) as pipe:
                for pending in batch:
                    self._record(**_script_call(pending), client=pipe)
                return sum(1 for result in pipe.execute() if result == 1)
        except redis.RedisError:
            self._pause()
            raise

    def record_one(self, pending: Pending) -> int:
        """One view, before the beacon is answered: 1 counted, 0 seen, -1 limited.

        Held by Redis once this returns, so a process killed right after loses
        nothing it has answered for. Raises redis.RedisError like `record`.
        """
        try:
            return int(self._record(**_script_call(pending)))
        except redis.RedisError:
            self._pause()
            raise

    def _pause(self) -> None:
        self._down_until = time.monotonic() + conf.get(
            "MASTHEAD_ANALYTICS_REDIS_RETRY_SECONDS"
        )

    def move_to_database(self) -> int:
        """Move Redis counts to the database; safe to rerun after a crash anywhere.

        A batch is claimed by renaming the pending hash, written in one database
        transaction that also records the batch name, and only then deleted. A
        rerun finds leftover batches: written ones are deleted, others written.
        """
        batch_key = f"{BATCH_PREFIX}{uuid.uuid4().hex}"
        self._claim(keys=[PENDING, batch_key])
        counted = 0
        for key in self.client.scan_iter(match=f"{BATCH_PREFIX}*", count=100):
            name = key.decode()
            hourly, referrers = parse_batch(self.client.hgetall(key))
            if apply_batch(name, hourly, referrers):
                counted += sum(hourly.values())
            self.client.delete(key)
        return counted


def _script_call(pending: Pending) -> dict:
    limit, window = conf.get("MASTHEAD_ANALYTICS_RATE_PER_IP")
    view = pending.view
    day = view.hour.date().isoformat()
    referrer = "" if view.referrer is None else f"r:{day}|{view.referrer}"
    return {
        "keys": [pending.rate_key, f"views:seen:{day}", PENDING],
        "args": [
            limit,
            window,
            view.visitor,
            2 * 86400,
            f"h:{view.page_id}:{int(view.hour.timestamp())}",
            referrer,
        ],
    }


def parse_batch(fields: dict[bytes, bytes]):
    hourly: Counter[tuple[int, datetime]] = Counter()
    referrers: Counter[tuple[date, str]] = Counter()
    for raw_field, raw_count in fields.items():
        field, count = raw_field.decode(), int(raw_count)
        kind, _, rest = field.partition(":")
        if kind == "h":
            page_id, _, stamp = rest.partition(":")
            hour = datetime.fromtimestamp(int(stamp), tz=UTC)
            hourly[(int(page_id), hour)] += count
        elif kind == "r":
            day, _, domain = rest.partition("|")
            referrers[(date.fromisoformat(day), domain)] += count
    return hourly, referrers


_redis: dict[str, RedisCounters] = {}


def redis_counters() -> RedisCounters | None:
    """The Redis counters when configured (one client per process), else None."""
    url = conf.get("MASTHEAD_ANALYTICS_REDIS_URL")
    if not url:
        return None
    if url not in _redis:
        _redis[url] = RedisCounters(url)
    return _redis[url]
