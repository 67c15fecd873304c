"""Trending, Most read and the view-count labels."""

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction

from masthead.analytics.queries import decayed_scores, most_read, trending
from masthead.analytics.storage import add_counts
from masthead.analytics.templatetags.analytics_tags import compact_count, views_label
from masthead.news.tests.factories import ArticlePageFactory, SectionPageFactory

NOW = datetime(2026, 3, 2, 12, 30, tzinfo=UTC)
HOUR = NOW.replace(minute=0)


def hours_ago(n: int) -> datetime:
    return HOUR - timedelta(hours=n)


def add_views(rows: dict) -> None:
    with transaction.atomic():
        add_counts(Counter(rows), Counter())


def test_recent_views_weigh_more_than_old_ones():
    scores = decayed_scores(
        [(1, hours_ago(0), 100), (2, hours_ago(24), 1000), (3, hours_ago(6), 100)],
        NOW,
        half_life_hours=6,
    )
    assert scores[1] == pytest.approx(100)  # the hour in progress counts in full
    assert scores[3] == pytest.approx(100 * 0.5 ** (5.5 / 6))
    assert scores[2] == pytest.approx(1000 * 0.5 ** (23.5 / 6))
    assert sorted(scores, key=scores.get, reverse=True) == [1, 2, 3]


@pytest.mark.django_db
def test_trending_ranks_by_decayed_views_of_the_last_two_days(section):
    fresh, steady, old, unpublished = (
        ArticlePageFactory(parent=section, title=title, slug=title.lower())
        for title in ("Fresh", "Steady", "Old", "Pulled")
    )
    unpublished.unpublish()
    add_views(
        {
            (fresh.pk, hours_ago(0)): 40,
            (fresh.pk, hours_ago(1)): 40,
            (steady.pk, hours_ago(20)): 300,
            (old.pk, hours_ago(49)): 100_000,  # outside the window
            (unpublished.pk, hours_ago(0)): 1000,
        }
    )
    assert [story.title for story in trending(now=NOW)] == ["Fresh", "Steady"]
    # Thirty hours on, Steady's views have left the 48-hour window.
    later = NOW + timedelta(hours=30)
    assert [story.title for story in trending(now=later)] == ["Fresh"]


@pytest.mark.django_db
def test_most_read_counts_seven_days_and_can_keep_to_a_section(section, settings):
    analysis = SectionPageFactory(title="Analysis", slug="analysis")
    news_story = ArticlePageFactory(parent=section, title="News one", slug="n1")
    analysis_story = ArticlePageFactory(
        parent=analysis, title="Analysis one", slug="a1"
    )
    add_views(
        {
            (news_story.pk, hours_ago(100)): 50,
            (analysis_story.pk, hours_ago(3)): 20,
            (analysis_story.pk, hours_ago(24 * 8)): 500,  # older than a week
        }
    )
    assert [s.title for s in most_read(now=NOW)] == ["News one", "Analysis one"]
    assert [s.title for s in most_read(analysis.path, now=NOW)] == ["Analysis one"]
    settings.MASTHEAD_ANALYTICS_MOST_READ_SIZE = 1
    assert len(most_read(now=NOW)) == 1


@pytest.mark.parametrize(
    ("number", "shown"),
    [
        (0, "0"),
        (7, "7"),
        (4370, "4,370"),
        (999_999, "999,999"),
        (1_000_000, "1M"),
        (1_234_567, "1.2M"),
        (1_250_000, "1.2M"),
        (15_600_000, "15M"),
        (2_100_000_000, "2.1B"),
        (None, "0"),
    ],
)
def test_view_counts_read_like_the_reference(number, shown):
    assert compact_count(number) == shown


def test_the_label_is_singular_for_one():
    assert views_label(1) == "1 View"
    assert views_label(4370) == "4,370 Views"
