"""Reads of the counts: totals for stories and teasers, Trending and Most read."""

import math
from collections import defaultdict
from datetime import datetime, timedelta

from django.db.models import OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from . import conf
from .models import HourlyViews, ViewTotal


def view_count(page_id: int) -> int:
    # A slice, not .first(): one row by primary key needs no ORDER BY.
    total = ViewTotal.objects.filter(page_id=page_id).values_list("views", flat=True)
    return next(iter(total[:1]), 0)


def with_view_counts(queryset):
    """Annotate stories with `view_count` in the same query (no N+1)."""
    total = ViewTotal.objects.filter(page_id=OuterRef("pk")).values("views")[:1]
    return queryset.annotate(view_count=Coalesce(Subquery(total), Value(0)))


def decayed_scores(rows, now: datetime, half_life_hours: float) -> dict[int, float]:
    """Each story's views with every hour's weight halved per `half_life_hours` of age.

    `rows` are (page_id, hour, views); the hour in progress counts in full.
    """
    scores: dict[int, float] = defaultdict(float)
    for page_id, hour, views in rows:
        age_hours = max(0.0, (now - hour).total_seconds() / 3600 - 1)
        scores[page_id] += views * math.pow(0.5, age_hours / half_life_hours)
    return scores


def trending(root_path: str = "", now: datetime | None = None) -> list:
    """The stories read most right now under `root_path` (a site), best first."""
    now = now or timezone.now()
    since = now - timedelta(hours=conf.get("MASTHEAD_ANALYTICS_TRENDING_WINDOW_HOURS"))
    rows = HourlyViews.objects.filter(
        hour__gt=since, page__path__startswith=root_path
    ).values_list("page_id", "hour", "views")
    scores = decayed_scores(
        rows, now, conf.get("MASTHEAD_ANALYTICS_TRENDING_HALF_LIFE_HOURS")
    )
    ranked = sorted(scores, key=lambda page_id: (-scores[page_id], -page_id))
    return _live_stories(ranked, conf.get("MASTHEAD_ANALYTICS_TRENDING_SIZE"))


def most_read(path_prefix: str = "", now: datetime | None = None) -> list:
    """The stories with most views over the last days under `path_prefix`."""
    now = now or timezone.now()
    since = now - timedelta(days=conf.get("MASTHEAD_ANALYTICS_MOST_READ_DAYS"))
    totals = (
        HourlyViews.objects.filter(hour__gt=since, page__path__startswith=path_prefix)
        .values("page_id")
        .annotate(total=Sum("views"))
        .order_by("-total", "-page_id")
        .values_list("page_id", flat=True)
    )
    size = conf.get("MASTHEAD_ANALYTICS_MOST_READ_SIZE")
    # A few spare ids in case some of the top stories were unpublished since.
    return _live_stories(list(totals[: size * 3]), size)


def _live_stories(ranked_ids: list[int], size: int) -> list:
    from masthead.news.models import ArticlePage
    from masthead.news.queries import public

    stories = public(ArticlePage.objects.live()).filter(pk__in=ranked_ids[: size * 3])
    stories = stories.only("id", "title", "url_path", "path")
    by_id = {story.pk: story for story in stories}
    return [by_id[pk] for pk in ranked_ids if pk in by_id][:size]
