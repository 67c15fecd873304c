"""What `/healthz` reports: the database, the cache, how far the workers lag,
the scheduler's heartbeat and the version.

Only a database that cannot be reached makes the answer 503, the signal for a
load balancer to take the process out: pages still serve when the cache is down
(it only misses), when the workers fall behind (mails and counters wait) or when
no scheduler ticks (scheduled stories wait). Those show as "degraded" for
monitoring.
"""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from masthead import __version__

from .scheduler import current_lease

OK = "ok"
UNAVAILABLE = "unavailable"
# A task waiting longer than this means the workers are stopped or overloaded.
DEFAULT_MAX_QUEUE_LAG_SECONDS = 300
# Long enough for a run-once from cron every minute, or a takeover after the
# holder died (the lease lasts 30 seconds).
DEFAULT_MAX_SCHEDULER_SILENCE_SECONDS = 180


@dataclass(frozen=True)
class SchedulerBeat:
    holder: str  # "" before any scheduler ran
    seconds_since_tick: float | None  # None before any scheduler ran

    @property
    def silent(self) -> bool:
        limit = getattr(
            settings,
            "MASTHEAD_HEALTH_MAX_SCHEDULER_SILENCE",
            DEFAULT_MAX_SCHEDULER_SILENCE_SECONDS,
        )
        return self.seconds_since_tick is None or self.seconds_since_tick > limit

    def as_dict(self) -> dict:
        return {
            "status": "silent" if self.silent else OK,
            "holder": self.holder,
            "seconds_since_tick": self.seconds_since_tick,
        }


@dataclass(frozen=True)
class Health:
    database: str
    cache: str
    queue_lag_seconds: float | None  # None when the lag could not be read
    scheduler: SchedulerBeat | None  # None when it could not be read

    @property
    def status(self) -> str:
        if self.database != OK:
            return "error"
        lagging = self.queue_lag_seconds is None or self.queue_lag_seconds > getattr(
            settings, "MASTHEAD_HEALTH_MAX_QUEUE_LAG", DEFAULT_MAX_QUEUE_LAG_SECONDS
        )
        silent = self.scheduler is None or self.scheduler.silent
        return "degraded" if self.cache != OK or lagging or silent else OK

    @property
    def http_status(self) -> int:
        return 503 if self.database != OK else 200

    def as_dict(self) -> dict:
        return {
            "status": self.status,
            "database": self.database,
            "cache": self.cache,
            "queue_lag_seconds": self.queue_lag_seconds,
            "scheduler": self.scheduler.as_dict() if self.scheduler else None,
            "version": __version__,
        }


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any failure means "not healthy", never a 500
        return UNAVAILABLE
    return OK


def cache_status() -> str:
    # The Redis cache swallows its errors (IGNORE_EXCEPTIONS), so a round trip
    # that does not come back is how an outage shows.
    key, value = "healthz:probe", secrets.token_hex(8)
    try:
        cache.set(key, value, 10)
        return OK if cache.get(key) == value else UNAVAILABLE
    except Exception:  # noqa: BLE001
        return UNAVAILABLE


def queue_lag_seconds(now=None) -> float | None:
    """How late the latest waiting task is; 0 when nothing waits.

    A task that may run at once is late from when it was enqueued; a delayed
    one from its run_after.
    """
    now = now or timezone.now()
    waiting = DBTaskResult.objects.ready()
    try:
        immediate = (
            waiting.filter(run_after=get_date_max())
            .order_by("enqueued_at")
            .values_list("enqueued_at", flat=True)
            .first()
        )
        delayed = (
            waiting.exclude(run_after=get_date_max())
            .order_by("run_after")
            .values_list("run_after", flat=True)
            .first()
        )
    except Exception:  # noqa: BLE001
        return None
    lags = [(now - due).total_seconds() for due in (immediate, delayed) if due]
    return round(max([0.0, *lags]), 1)


def scheduler_beat(now=None) -> SchedulerBeat | None:
    """Who holds the scheduler lease and how long ago it last ticked."""
    now = now or timezone.now()
    try:
        lease = current_lease()
    except Exception:  # noqa: BLE001
        return None
    if lease is None or lease.last_tick_at is None:
        return SchedulerBeat(holder="", seconds_since_tick=None)
    return SchedulerBeat(
        holder=lease.holder,
        seconds_since_tick=round((now - lease.last_tick_at).total_seconds(), 1),
    )


def check(now=None) -> Health:
    database = database_status()
    up = database == OK
    return Health(
        database=database,
        cache=cache_status(),
        queue_lag_seconds=queue_lag_seconds(now) if up else None,
        scheduler=scheduler_beat(now) if up else None,
    )
