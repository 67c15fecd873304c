"""Writing counted views to the database: batched upserts, one transaction a batch.

Each batch is all-or-nothing, so a batch that fails can be retried whole and a
view is never counted twice. Rows are written in key order so that two
processes flushing at once cannot deadlock each other on PostgreSQL.
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db import IntegrityError, connection, transaction
from wagtail.models import Page

from .models import AppliedFlush, HourlyViews, ReferrerViews, SeenVisitor, ViewTotal

CHUNK = 500  # rows per INSERT statement, well inside SQLite's variable limit


@dataclass(frozen=True, slots=True)
class View:
    """One view as the beacon saw it, before de-duplication."""

    page_id: int
    hour: datetime  # UTC, on the hour
    visitor: bytes  # visitors.visitor_key()
    referrer: str | None  # a domain, "" for direct, None for our own pages


def store_views(views: Sequence[View]) -> int:
    """Count the views whose visitor is new for that story today; returns how many."""
    pages = _existing_pages({v.page_id for v in views})
    views = [v for v in views if v.page_id in pages]
    if not views:
        return 0
    with transaction.atomic():
        fresh = _insert_new_visitors(views)
        add_counts(
            Counter((v.page_id, v.hour) for v in fresh),
            Counter(
                (v.hour.date(), v.referrer) for v in fresh if v.referrer is not None
            ),
        )
    return len(fresh)


def apply_batch(
    batch: str,
    hourly: Counter[tuple[int, datetime]],
    referrers: Counter[tuple[date, str]],
) -> bool:
    """Write counts already de-duplicated elsewhere (Redis), once per batch name.

    Returns False when the batch was written before: a rerun after a crash.
    """
    pages = _existing_pages({page_id for page_id, _ in hourly})
    try:
        with transaction.atomic():
            AppliedFlush.objects.create(batch=batch)
            add_counts(
                Counter({key: n for key, n in hourly.items() if key[0] in pages}),
                referrers,
            )
    except IntegrityError:
        return False
    return True


def add_counts(
    hourly: Counter[tuple[int, datetime]], referrers: Counter[tuple[date, str]]
) -> None:
    """Add to the hourly rows, totals and referrer rows, in the caller's transaction."""
    ops = connection.ops
    _upsert(
        HourlyViews,
        ("page_id", "hour"),
        [
            (page_id, ops.adapt_datetimefield_value(hour), n)
            for (page_id, hour), n in sorted(hourly.items())
        ],
    )
    totals = Counter()
    for (page_id, _), n in hourly.items():
        totals[page_id] += n
    add_totals(totals)
    _upsert(
        ReferrerViews,
        ("day", "domain"),
        [
            (ops.adapt_datefield_value(day), domain, n)
            for (day, domain), n in sorted(referrers.items())
        ],
    )


def add_totals(totals: Counter[int]) -> None:
    """Add to stories' lifetime totals only (demo history, imports)."""
    _upsert(ViewTotal, ("page_id",), sorted(totals.items()))


def _existing_pages(page_ids: set[int]) -> set[int]:
    # A beacon can name any number; only pages readers can see are counted.
    pages = Page.objects.filter(pk__in=page_ids, live=True)
    return set(pages.values_list("pk", flat=True))


def _insert_new_visitors(views: Sequence[View]) -> list[View]:
    by_key = {}
    for view in views:
        by_key.setdefault(view.visitor, view)  # a visitor twice in one batch: once
    quote = connection.ops.quote_name
    table, key, day = quote(SeenVisitor._meta.db_table), quote("key"), quote("day")
    fresh = []
    keys = sorted(by_key)
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        rows = ", ".join(["(%s, %s)"] * len(chunk))
        params = []
        for visitor in chunk:
            day_value = by_key[visitor].hour.date()
            params += [visitor, connection.ops.adapt_datefield_value(day_value)]
        with connection.cursor() as cursor:
            # nosemgrep: sql-built-by-formatting -- quoted names and placeholders only
            cursor.execute(
                f"INSERT INTO {table} ({key}, {day}) VALUES {rows} "  # noqa: S608  # nosec B608
                f"ON CONFLICT ({key}) DO NOTHING RETURNING {key}",
                params,
            )
            fresh += [by_key[bytes(found)] for (found,) in cursor.fetchall()]
    return fresh


def _upsert(model, unique: tuple[str, ...], rows: Iterable[tuple]) -> None:
    """INSERT ... ON CONFLICT DO UPDATE adding to `views` (SQLite and PostgreSQL)."""
    rows = list(rows)
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = [*unique, "views"]
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    conflict = ", ".join(quote(c) for c in unique)
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        with connection.cursor() as cursor:
            # nosemgrep: sql-built-by-formatting -- quoted names and placeholders only
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608  # nosec B608
                f"VALUES {', '.join([placeholders] * len(chunk))} "
                f"ON CONFLICT ({conflict}) DO UPDATE "
                f"SET views = {table}.views + excluded.views",
                [value for row in chunk for value in row],
            )
