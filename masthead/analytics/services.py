"""Counting a view: who counts, once per visitor per story per day, where it goes."""

import enum
import logging
from datetime import datetime
from urllib.parse import urlsplit

import redis
from django.utils import timezone

from masthead.core import ratelimit

from . import bots, conf, metrics
from .counters import Pending, buffer, redis_counters
from .storage import View
from .visitors import hour_of, salt_for, visitor_key

logger = logging.getLogger("masthead.analytics")


class Outcome(enum.StrEnum):
    ACCEPTED = "accepted"  # counted, unless this visitor was seen today
    BOT = "bot"
    SPECULATIVE = "prefetch or prerender"
    NOT_A_BEACON = "not a beacon"
    RATE_LIMITED = "rate limited"
    BAD_PAGE = "bad page"


def referrer_domain(referrer: str, own_host: str) -> str | None:
    """The referring site's domain; "" when direct or unknown; None for our own."""
    try:
        parts = urlsplit(referrer.strip()[:2000])
        host = (parts.hostname or "").lower()
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not host:
        return ""
    if host == own_host.split(":")[0].lower():
        return None
    return host.removeprefix("www.")[:253]


def count_view(
    *,
    page_id: int,
    ip: str,
    user_agent: str,
    referrer: str,
    own_host: str,
    now: datetime | None = None,
) -> Outcome:
    """Accept one view of a story for counting, unless a bot or a flood.

    Repeats (the same visitor and story the same day) are dropped when the
    buffer is written, by the database or by Redis.
    """
    if page_id <= 0 or page_id > 2**31:
        return Outcome.BAD_PAGE
    if bots.is_bot(user_agent):
        return Outcome.BOT
    moment = now or timezone.now()
    view = View(
        page_id=page_id,
        hour=hour_of(moment),
        visitor=visitor_key(salt_for(moment.date()), ip, user_agent, page_id),
        referrer=referrer_domain(referrer, own_host),
    )
    limit, window = conf.get("MASTHEAD_ANALYTICS_RATE_PER_IP")
    pending = Pending(view, _rate_key(ip, moment, window))
    counters = redis_counters()
    if counters is None:
        if not ratelimit.hit("views", ip, limit, window):
            return Outcome.RATE_LIMITED
    elif counters.available:
        # The limit is checked in Redis, across all processes.
        try:
            limited = counters.record_one(pending) < 0
            return Outcome.RATE_LIMITED if limited else Outcome.ACCEPTED
        except redis.RedisError:
            pass  # paused: the buffer retries Redis, else the database (logged)
    buffer.add(pending.view, rate_key=pending.rate_key)
    return Outcome.ACCEPTED


def _rate_key(ip: str, moment: datetime, window: int) -> str:
    slot = int(moment.timestamp()) // window
    return f"views:rate:{ratelimit.private_digest(ip)}:{slot}"


def flush_counters() -> int:
    """Write this process's buffer and, at scale, Redis's counts to the database."""
    counted = buffer.flush()
    counters = redis_counters()
    if counters is not None and counters.available:
        try:
            counted += counters.move_to_database()
        except redis.RedisError:
            logger.warning("Redis unavailable; view counts stay there until it returns")
            metrics.incr("flushes_failed")
    return counted
