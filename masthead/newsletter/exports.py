"""Subscribers as a CSV file, written row by row so a big list never sits in memory.

The columns read back with `imports.read_import`, so an export is also a backup.
"""

import csv
from collections.abc import Iterator
from datetime import UTC

from django.db.models import Prefetch

from masthead.core.spreadsheets import defuse_formula

from .models import NewsletterList, Subscriber

# "consent" is the statement the reader confirmed, word for word (see
# services.consent_statement); imports ignore it.
HEADER = [
    "email",
    "name",
    "status",
    "lists",
    "source",
    "created",
    "confirmed",
    "consent",
]
CHUNK = 2000


def subscribers_to_export(
    newsletter_list: NewsletterList | None = None, status: str = ""
):
    """The subscribers an export holds, oldest first, their lists fetched alongside."""
    subscribers = Subscriber.objects.order_by("created_at", "pk").prefetch_related(
        Prefetch("lists", queryset=NewsletterList.objects.order_by("position", "name"))
    )
    if newsletter_list is not None:
        subscribers = subscribers.filter(memberships__newsletter_list=newsletter_list)
    if status:
        subscribers = subscribers.filter(status=status)
    return subscribers


def _when(value) -> str:
    return value.astimezone(UTC).isoformat() if value else ""


def export_rows(subscribers) -> Iterator[list[str]]:
    """The heading, then one row per subscriber, every cell safe for a spreadsheet."""
    yield HEADER
    for subscriber in subscribers.iterator(chunk_size=CHUNK):
        row = [
            subscriber.email,
            subscriber.name,
            subscriber.status,
            "; ".join(li.name for li in subscriber.lists.all()),
            subscriber.source,
            _when(subscriber.created_at),
            _when(subscriber.confirmed_at),
            subscriber.consent_text,
        ]
        yield [defuse_formula(cell) for cell in row]


class _Line:
    """A file-like object whose write() hands the line back to the caller."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows) -> Iterator[str]:
    """Each row as one CSV line, for a StreamingHttpResponse."""
    writer = csv.writer(_Line())
    for row in rows:
        yield writer.writerow(row)
