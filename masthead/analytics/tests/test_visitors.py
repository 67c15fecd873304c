"""The daily salt and the visitor key: once a day, and nothing personal kept."""

from datetime import date

import pytest

from masthead.analytics import visitors
from masthead.analytics.models import DailySalt, SeenVisitor
from masthead.analytics.visitors import forget_past_days, salt_for, visitor_key

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 2)
TOMORROW = date(2026, 3, 3)


def test_one_salt_a_day_shared_by_every_process():
    first = salt_for(TODAY)
    visitors._salts.clear()  # another process, with nothing in memory
    assert salt_for(TODAY) == first
    assert len(first) == 32
    assert DailySalt.objects.count() == 1


def test_the_salt_rotates_so_keys_do_not_link_across_days():
    key_today = visitor_key(salt_for(TODAY), "203.0.113.7", "Firefox", 5)
    key_tomorrow = visitor_key(salt_for(TOMORROW), "203.0.113.7", "Firefox", 5)
    assert salt_for(TODAY) != salt_for(TOMORROW)
    assert key_today != key_tomorrow


def test_the_key_differs_by_address_browser_and_story_and_holds_none_of_them():
    salt = salt_for(TODAY)
    keys = {
        visitor_key(salt, "203.0.113.7", "Firefox", 5),
        visitor_key(salt, "203.0.113.8", "Firefox", 5),
        visitor_key(salt, "203.0.113.7", "Safari", 5),
        visitor_key(salt, "203.0.113.7", "Firefox", 6),
    }
    assert len(keys) == 4
    for key in keys:
        assert len(key) == 16
        assert b"203.0.113" not in key and b"Firefox" not in key


def test_past_days_salts_and_seen_visitors_are_deleted():
    salt_for(date(2026, 3, 1))
    salt_for(TODAY)
    SeenVisitor.objects.create(key=b"o" * 16, day=date(2026, 3, 1))
    SeenVisitor.objects.create(key=b"t" * 16, day=TODAY)
    assert forget_past_days(TODAY) == 2
    assert list(DailySalt.objects.values_list("day", flat=True)) == [TODAY]
    assert list(SeenVisitor.objects.values_list("day", flat=True)) == [TODAY]
    assert date(2026, 3, 1) not in visitors._salts


def test_the_pruning_task_runs_it(settings):
    from masthead.analytics.tasks import forget_visitors_task

    salt_for(date(2020, 1, 1))
    forget_visitors_task.enqueue()
    assert not DailySalt.objects.filter(day=date(2020, 1, 1)).exists()
