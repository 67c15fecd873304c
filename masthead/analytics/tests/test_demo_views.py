"""The demo's reader traffic: same seed, same counts; Trending has something."""

from collections import Counter

import pytest
from django.db.models import Sum
from django.utils import timezone

from masthead.analytics.models import HourlyViews, ReferrerViews, ViewTotal
from masthead.analytics.queries import trending
from masthead.demo.generate.views import write_demo_views

from .fixtures import stories_in

pytestmark = pytest.mark.django_db


def stories(section, count=6):
    pages = stories_in(section, count, prefix="Demo")
    return [(page.pk, page.first_published_at) for page in pages]


def snapshot():
    return (
        Counter(dict(ViewTotal.objects.values_list("page_id", "views"))),
        HourlyViews.objects.aggregate(n=Sum("views"))["n"],
    )


def test_demo_views_fill_trending_totals_and_referrers(section):
    now = timezone.now()
    added = write_demo_views(stories(section), seed=7, now=now)
    assert added == HourlyViews.objects.aggregate(n=Sum("views"))["n"] > 0
    assert ReferrerViews.objects.aggregate(n=Sum("views"))["n"] == added
    totals = dict(ViewTotal.objects.values_list("page_id", "views"))
    assert len(totals) == 6
    assert sum(totals.values()) > added  # plus what was read before the 30 days
    assert len(trending(now=now)) == 5
    assert not HourlyViews.objects.filter(hour__gt=now).exists()


def test_the_same_seed_gives_the_same_traffic(section):
    pages = stories(section, 3)
    now = timezone.now()
    write_demo_views(pages, seed=7, now=now)
    first = snapshot()
    ViewTotal.objects.all().delete()
    HourlyViews.objects.all().delete()
    write_demo_views(pages, seed=7, now=now)
    assert snapshot() == first


def test_no_stories_no_views(db):
    assert write_demo_views([], seed=1) == 0
