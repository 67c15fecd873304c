"""Where views wait before the database: the process buffer and Redis."""

from collections import Counter
from datetime import UTC, datetime

import pytest
import redis
from django.db.models import Sum

from masthead.analytics import counters, metrics, storage
from masthead.analytics.counters import RedisCounters, buffer
from masthead.analytics.models import AppliedFlush, HourlyViews, ViewTotal
from masthead.analytics.queries import view_count
from masthead.analytics.services import Outcome, count_view, flush_counters
from masthead.analytics.storage import View, store_views

from .fixtures import BROWSER_UA, DEAD_REDIS_URL, stories_in

pytestmark = pytest.mark.django_db
HOUR = datetime(2026, 3, 2, 14, tzinfo=UTC)


def view(article, visitor: bytes, referrer=None):
    return View(page_id=article.pk, hour=HOUR, visitor=visitor, referrer=referrer)


def count(article, ip: str, user_agent=BROWSER_UA, now=None):
    return count_view(
        page_id=article.pk,
        ip=ip,
        user_agent=user_agent,
        referrer="",
        own_host="testserver",
        now=now or HOUR,
    )


def stored_total() -> int:
    return ViewTotal.objects.aggregate(n=Sum("views"))["n"] or 0


def hourly_total() -> int:
    return HourlyViews.objects.aggregate(n=Sum("views"))["n"] or 0


# --- the database ---------------------------------------------------------------


def test_a_batch_counts_each_new_visitor_once(article):
    assert store_views([view(article, b"a" * 16), view(article, b"a" * 16)]) == 1
    assert store_views([view(article, b"a" * 16), view(article, b"b" * 16)]) == 1
    assert view_count(article.pk) == 2
    assert HourlyViews.objects.get(page=article, hour=HOUR).views == 2


def test_views_of_pages_that_do_not_exist_or_are_not_live_are_dropped(article, section):
    ghost = View(page_id=987654, hour=HOUR, visitor=b"g" * 16, referrer=None)
    (draft,) = stories_in(section, 1, prefix="Draft")
    draft.unpublish()
    unpublished = View(page_id=draft.pk, hour=HOUR, visitor=b"u" * 16, referrer=None)
    assert store_views([ghost, unpublished, view(article, b"c" * 16)]) == 1
    assert stored_total() == 1


def test_a_large_batch_is_written_in_chunks(article):
    views = [view(article, n.to_bytes(16, "big")) for n in range(1234)]
    assert store_views(views) == 1234
    assert view_count(article.pk) == hourly_total() == 1234


def test_a_failed_write_keeps_the_views_and_never_doubles_them(
    article, no_redis, monkeypatch
):
    buffer.add(view(article, b"d" * 16))
    buffer.add(view(article, b"e" * 16))
    real = storage.store_views

    def fails_after_writing(views):
        real(views)  # the rows go in...
        raise RuntimeError("connection lost before commit")  # ...and roll back

    monkeypatch.setattr(
        counters, "store_views", lambda views: _atomic(fails_after_writing, views)
    )
    assert buffer.flush() == 0
    assert len(buffer) == 2 and stored_total() == 0
    monkeypatch.setattr(counters, "store_views", real)
    assert buffer.flush() == 2
    assert buffer.flush() == 0
    assert stored_total() == 2


def _atomic(function, views):
    from django.db import transaction

    with transaction.atomic():
        function(views)


# --- Redis ----------------------------------------------------------------------


def test_redis_counts_once_per_visitor_and_flushes_to_the_database(article, test_redis):
    for ip in ("203.0.113.1", "203.0.113.1", "203.0.113.2"):
        count(article, ip)
    # In Redis before each beacon was answered (the repeat dropped there), not in
    # the process: a process killed now has lost nothing.
    assert len(buffer) == 0
    assert test_redis.hgetall(counters.PENDING)  # waiting in Redis, not yet stored
    assert stored_total() == 0
    assert flush_counters() == 2
    assert view_count(article.pk) == hourly_total() == 2
    assert flush_counters() == 0
    assert stored_total() == 2


def test_a_flush_that_crashes_before_writing_is_finished_by_the_rerun(
    article, test_redis, monkeypatch
):
    for n in range(5):
        count(article, f"203.0.113.{n}")

    def crash(*args):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(counters, "apply_batch", crash)
    with pytest.raises(RuntimeError):
        flush_counters()
    assert stored_total() == 0
    count(article, "203.0.113.99")  # arrives meanwhile, in a new pending hash
    monkeypatch.undo()
    flush_counters()
    assert stored_total() == hourly_total() == 6


def test_a_flush_that_crashes_after_writing_is_not_counted_again(
    article, test_redis, monkeypatch
):
    for n in range(4):
        count(article, f"203.0.113.{n}")
    client = counters.redis_counters().client

    def crash(*keys):
        raise redis.ConnectionError("lost Redis before the batch was deleted")

    monkeypatch.setattr(client, "delete", crash)
    flush_counters()  # logged and counted as a failed flush, not raised
    assert metrics.snapshot()["flushes_failed"] == 1
    assert stored_total() == 4
    monkeypatch.undo()
    flush_counters()
    flush_counters()
    assert stored_total() == hourly_total() == 4
    assert AppliedFlush.objects.count() == 1
    assert not list(test_redis.scan_iter("views:batch:*"))


def test_redis_rate_limits_per_address(article, test_redis, settings, section):
    settings.MASTHEAD_ANALYTICS_RATE_PER_IP = (2, 60)
    stories = [article, *stories_in(section, 3)]
    for story in stories:
        count_view(
            page_id=story.pk,
            ip="203.0.113.5",
            user_agent=BROWSER_UA,
            referrer="",
            own_host="testserver",
        )
    count(article, "203.0.113.6")  # another address has its own allowance
    flush_counters()
    assert stored_total() == 3


def test_with_redis_unreachable_views_fall_back_to_the_database(
    article, settings, caplog
):
    settings.MASTHEAD_ANALYTICS_REDIS_URL = DEAD_REDIS_URL
    assert count(article, "203.0.113.1") == Outcome.ACCEPTED
    assert count(article, "203.0.113.2") == Outcome.ACCEPTED
    assert flush_counters() == 2  # the batch went to the database instead
    assert stored_total() == 2
    assert metrics.snapshot()["beacons_degraded"] == 2
    assert "analytics metrics beacons_degraded=2" in caplog.text
    # Redis is left alone for a while: the next view goes straight on.
    assert not counters.redis_counters().available
    count(article, "203.0.113.3")
    assert flush_counters() == 1
    assert metrics.snapshot()["beacons_degraded"] == 3
    assert stored_total() == 3


def test_redis_is_tried_again_after_the_pause(article, settings, test_redis):
    settings.MASTHEAD_ANALYTICS_REDIS_RETRY_SECONDS = 0
    good = counters.redis_counters()
    dead = RedisCounters(DEAD_REDIS_URL)
    counters._redis[settings.MASTHEAD_ANALYTICS_REDIS_URL] = dead
    count(article, "203.0.113.1")
    assert buffer.flush() == 1  # Redis refused: written to the database
    counters._redis[settings.MASTHEAD_ANALYTICS_REDIS_URL] = good
    count(article, "203.0.113.2")
    assert len(buffer) == 0  # Redis is back: straight there
    pending = test_redis.hgetall(counters.PENDING)
    assert sum(int(n) for field, n in pending.items() if field.startswith(b"h:")) == 1
    flush_counters()
    assert stored_total() == 2
    assert metrics.snapshot()["beacons_degraded"] == 1


def test_parse_batch_reads_hours_and_referrers():
    hourly, referrers = counters.parse_batch(
        {
            f"h:7:{int(HOUR.timestamp())}".encode(): b"3",
            b"r:2026-03-02|example.com": b"2",
            b"r:2026-03-02|": b"1",
        }
    )
    assert hourly == Counter({(7, HOUR): 3})
    assert referrers[(HOUR.date(), "example.com")] == 2
    assert referrers[(HOUR.date(), "")] == 1
