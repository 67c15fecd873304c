from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import transaction

from masthead.analytics import dashboard
from masthead.analytics.storage import add_counts
from masthead.news.tests.factories import ArticlePageFactory

# Mid-afternoon UTC on a Friday; "today" began at midnight.
NOW = datetime(2026, 11, 27, 15, 30, tzinfo=UTC)
MIDNIGHT = datetime(2026, 11, 27, tzinfo=UTC)


def count(hourly=(), referrers=()):
    """Store views as the beacon's flush does: [(page, hour, n)], [(day, domain, n)]."""
    with transaction.atomic():
        add_counts(
            Counter({(page.pk, hour): n for page, hour, n in hourly}),
            Counter({(day, domain): n for day, domain, n in referrers}),
        )


@pytest.fixture
def other_article(section):
    return ArticlePageFactory(parent=section, title="Tram line opens", slug="tram")


def test_views_per_day_is_a_continuous_series_with_quiet_days_at_zero(article):
    count(
        [
            (article, MIDNIGHT + timedelta(hours=9), 4),
            (article, MIDNIGHT + timedelta(hours=10), 1),
            (article, MIDNIGHT - timedelta(days=2, hours=-3), 7),
        ]
    )

    series = dashboard.views_per_day(5, now=NOW)

    assert [d.day for d in series] == [date(2026, 11, n) for n in range(23, 28)]
    assert [d.views for d in series] == [0, 0, 7, 0, 5]


def test_views_per_day_with_no_views_is_all_zero(db):
    series = dashboard.views_per_day(30, now=NOW)
    assert len(series) == 30
    assert {d.views for d in series} == {0}
    assert series[-1].day == date(2026, 11, 27)


def test_views_per_day_groups_by_utc_day_at_the_midnight_boundary(article):
    count(
        [
            (article, MIDNIGHT - timedelta(hours=1), 3),  # 23:00 yesterday
            (article, MIDNIGHT, 2),  # 00:00 today
        ]
    )
    series = dashboard.views_per_day(2, now=NOW)
    assert [d.views for d in series] == [3, 2]


def test_views_per_day_of_one_page_leaves_out_the_others(article, other_article):
    count(
        [
            (article, MIDNIGHT + timedelta(hours=1), 4),
            (other_article, MIDNIGHT + timedelta(hours=1), 9),
        ]
    )
    series = dashboard.views_per_day(3, page_id=article.pk, now=NOW)
    assert [d.views for d in series] == [0, 0, 4]


def test_headline_windows_start_at_utc_midnight(article):
    count(
        [
            (article, MIDNIGHT, 1),  # today, first hour
            (article, MIDNIGHT - timedelta(hours=1), 10),  # yesterday
            (article, MIDNIGHT - timedelta(days=6), 100),  # first day of 7
            (article, MIDNIGHT - timedelta(days=6, hours=1), 1000),  # day 8
            (article, MIDNIGHT - timedelta(days=29), 10_000),  # first day of 30
            (article, MIDNIGHT - timedelta(days=29, hours=1), 100_000),  # day 31
        ]
    )
    assert dashboard.headline_numbers(now=NOW) == dashboard.Headline(
        today=1, last_7_days=111, last_30_days=11_111
    )


def test_headline_numbers_are_zero_without_views(db):
    assert dashboard.headline_numbers(now=NOW) == dashboard.Headline(0, 0, 0)


def test_headline_uses_the_clock_when_not_told_the_time(article):
    count([(article, MIDNIGHT + timedelta(hours=2), 6)])
    with time_machine.travel(MIDNIGHT + timedelta(hours=23, minutes=59), tick=False):
        assert dashboard.headline_numbers().today == 6
    with time_machine.travel(MIDNIGHT + timedelta(days=1), tick=False):
        assert dashboard.headline_numbers().today == 0
        assert dashboard.headline_numbers().last_7_days == 6


def test_top_stories_ranks_by_views_in_the_window(article, other_article):
    count(
        [
            (article, MIDNIGHT + timedelta(hours=1), 5),
            (other_article, MIDNIGHT + timedelta(hours=2), 2),
            (other_article, MIDNIGHT - timedelta(days=3), 20),
        ]
    )

    today = dashboard.top_stories(1, now=NOW)
    week = dashboard.top_stories(7, now=NOW)

    assert [(s.title, s.views) for s in today] == [
        ("Bridge repairs start", 5),
        ("Tram line opens", 2),
    ]
    assert [(s.title, s.views) for s in week] == [
        ("Tram line opens", 22),
        ("Bridge repairs start", 5),
    ]
    assert week[1].edit_url == f"/admin/pages/{article.pk}/edit/"
    assert week[1].public_url.endswith("/news/bridge-repairs/")


def test_top_stories_of_an_unpublished_story_has_no_public_url(article):
    count([(article, MIDNIGHT, 3)])
    article.unpublish()
    (story,) = dashboard.top_stories(1, now=NOW)
    assert story.public_url is None
    assert story.views == 3


def test_top_stories_takes_two_queries_however_many_stories(
    section, django_assert_max_num_queries
):
    stories = [ArticlePageFactory(parent=section) for _ in range(8)]
    count([(story, MIDNIGHT, n + 1) for n, story in enumerate(stories)])
    dashboard.top_stories(30, now=NOW)  # warm the site root paths cache
    with django_assert_max_num_queries(2):
        top = dashboard.top_stories(30, now=NOW)
    assert [s.views for s in top] == [8, 7, 6, 5, 4, 3, 2, 1]


def test_top_stories_respects_the_limit(section):
    stories = [ArticlePageFactory(parent=section) for _ in range(3)]
    count([(story, MIDNIGHT, n + 1) for n, story in enumerate(stories)])
    assert [s.page_id for s in dashboard.top_stories(7, limit=2, now=NOW)] == [
        stories[2].pk,
        stories[1].pk,
    ]


def test_top_referrers_last_30_days_with_direct_named(db):
    today = NOW.date()
    count(
        referrers=[
            (today, "news.example.com", 5),
            (today - timedelta(days=29), "news.example.com", 4),
            (today, "", 7),
            (today - timedelta(days=3), "social.example", 2),
            (today - timedelta(days=30), "old.example", 500),  # day 31: outside
        ]
    )
    rows = dashboard.top_referrers(now=NOW)
    assert [(r.label, r.views) for r in rows] == [
        ("news.example.com", 9),
        ("Direct or unknown", 7),
        ("social.example", 2),
    ]
    assert rows[1].domain == ""


def test_top_referrers_keeps_the_top_twenty(db):
    today = NOW.date()
    count(referrers=[(today, f"site{n:02}.example", n + 1) for n in range(25)])
    rows = dashboard.top_referrers(now=NOW)
    assert len(rows) == 20
    assert rows[0].domain == "site24.example"
    assert rows[-1].views == 6
