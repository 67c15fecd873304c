"""Reads for the editors' audience dashboard in the Wagtail admin.

Days are UTC days, as the hourly rows are stored: "today" starts at UTC
midnight, and "the last 7 days" are today and the six days before it, so the
windows line up with the bars of the views-per-day chart.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Q, Sum
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page

from .models import HourlyViews, ReferrerViews

DIRECT_OR_UNKNOWN = "Direct or unknown"
TOP_STORIES = 10
TOP_REFERRERS = 20


@dataclass(frozen=True, slots=True)
class DayViews:
    day: date
    views: int


@dataclass(frozen=True, slots=True)
class StoryViews:
    page_id: int
    title: str
    edit_url: str
    public_url: str | None  # None once a story is unpublished
    views: int


@dataclass(frozen=True, slots=True)
class ReferrerRow:
    domain: str  # "" for direct visits and referrers the browser kept back
    label: str
    views: int


@dataclass(frozen=True, slots=True)
class Headline:
    today: int
    last_7_days: int
    last_30_days: int


def utc_today(now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(UTC).date()


def window_start(days: int, now: datetime | None = None) -> datetime:
    """UTC midnight at the start of the last `days` days, today included."""
    first_day = utc_today(now) - timedelta(days=days - 1)
    return datetime.combine(first_day, time.min, tzinfo=UTC)


def views_per_day(
    days: int = 30, page_id: int | None = None, now: datetime | None = None
) -> list[DayViews]:
    """Views on each of the last `days` UTC days, oldest first, 0 for quiet days.

    All stories together, or the one story `page_id`.
    """
    rows = HourlyViews.objects.filter(hour__gte=window_start(days, now))
    if page_id is not None:
        rows = rows.filter(page_id=page_id)
    totals = dict(
        rows.annotate(day=TruncDate("hour", tzinfo=UTC))
        .values("day")
        .annotate(total=Sum("views"))
        .values_list("day", "total")
    )
    first_day = utc_today(now) - timedelta(days=days - 1)
    series = (first_day + timedelta(days=n) for n in range(days))
    return [DayViews(day, totals.get(day, 0)) for day in series]


def headline_numbers(now: datetime | None = None) -> Headline:
    """Views today, in the last 7 days and in the last 30 days, in one query."""
    totals = HourlyViews.objects.filter(hour__gte=window_start(30, now)).aggregate(
        today=Sum("views", filter=Q(hour__gte=window_start(1, now))),
        last_7_days=Sum("views", filter=Q(hour__gte=window_start(7, now))),
        last_30_days=Sum("views"),
    )
    return Headline(**{name: total or 0 for name, total in totals.items()})


def top_stories(
    days: int, limit: int = TOP_STORIES, now: datetime | None = None, request=None
) -> list[StoryViews]:
    """The stories read most in the last `days` UTC days (1 is today), best first.

    Two queries whatever the limit: the ranking, then the pages it names.
    """
    ranking = list(
        HourlyViews.objects.filter(hour__gte=window_start(days, now))
        .values("page_id")
        .annotate(total=Sum("views"))
        .order_by("-total", "page_id")
        .values_list("page_id", "total")[:limit]
    )
    pages = Page.objects.filter(pk__in=[page_id for page_id, _ in ranking])
    by_id = {page.pk: page for page in pages}
    return [
        StoryViews(
            page_id=page_id,
            title=by_id[page_id].title,
            edit_url=reverse("wagtailadmin_pages:edit", args=[page_id]),
            public_url=by_id[page_id].get_url(request) if by_id[page_id].live else None,
            views=total,
        )
        for page_id, total in ranking
        if page_id in by_id
    ]


def top_referrers(
    days: int = 30, limit: int = TOP_REFERRERS, now: datetime | None = None
) -> list[ReferrerRow]:
    """The domains readers came from in the last `days` UTC days, most first."""
    first_day = utc_today(now) - timedelta(days=days - 1)
    rows = (
        ReferrerViews.objects.filter(day__gte=first_day)
        .values("domain")
        .annotate(total=Sum("views"))
        .order_by("-total", "domain")
        .values_list("domain", "total")[:limit]
    )
    return [
        ReferrerRow(domain=domain, label=domain or DIRECT_OR_UNKNOWN, views=total)
        for domain, total in rows
    ]
