"""Bring a subscriber list over from a CSV export (Mailchimp, Substack, any CSV).

Two steps, so an editor sees what a file would do before it does it:
`read_import` sorts every row (to add, already on the list, duplicate, invalid,
skipped) without writing anything, and `apply_import` writes the rows to add.
An import never brings back an address that unsubscribed, bounced or complained
here, nor one the file itself marks as gone (Mailchimp's unsubscribed and
cleaned exports, Substack's disabled emails): the people in the file confirmed
elsewhere, so they join confirmed, and only they.
"""

import csv
import io
import logging
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, time

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from masthead.core.spreadsheets import undo_defuse

from .choices import SubscriberSource, SubscriberStatus
from .exceptions import ImportRefused
from .models import (
    Delivery,
    ListMembership,
    NewsletterList,
    Subscriber,
    Suppression,
    email_hash,
)
from .services import normalise_email

logger = logging.getLogger("masthead.newsletter")

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 200_000
MAX_EMAIL_LENGTH = 254  # Subscriber.email's column
MAX_NAME_LENGTH = 200
SHOWN_LENGTH = 100  # of a bad cell quoted back in the report
DELIMITERS = (",", ";", "\t")
# Database lookups go in chunks: SQLite caps the parameters of one query.
CHUNK = 2000

# Column headings as `_key()` folds them, per meaning; the first match wins, so
# the precise heading comes before the vague one.
EMAIL_COLUMNS = ("emailaddress", "email", "mail")
NAME_COLUMNS = ("name", "fullname")
FIRST_NAME_COLUMNS = ("firstname", "fname", "givenname")
LAST_NAME_COLUMNS = ("lastname", "lname", "surname", "familyname")
CREATED_COLUMNS = (
    "optintime",  # Mailchimp: when they signed up
    "confirmtime",  # Mailchimp: when they confirmed (empty for its own imports)
    "subscriptioncreatedat",
    "createdat",  # Substack
    "created",
    "subscribedat",
    "signupdate",
    "date",
)
# A non-empty cell here means the file's own platform says the person left.
GONE_COLUMNS = {
    "unsubtime": "unsubscribed on the previous platform",
    "cleantime": "bounced on the previous platform",
}
DISABLED_COLUMN = "emaildisabled"  # Substack: "true" when they turned mail off


@dataclass(frozen=True, slots=True)
class ImportRow:
    """One address of the file that can be imported."""

    line: int
    email: str
    name: str
    created_at: datetime | None


@dataclass(frozen=True, slots=True)
class RowProblem:
    """A row left out, with its line in the file and why."""

    line: int
    email: str
    reason: str


@dataclass(slots=True)
class ImportReport:
    """What a file would do to a list: every data row lands in exactly one list."""

    columns: dict[str, str]  # meaning -> heading found in the file
    to_add: list[ImportRow] = field(default_factory=list)
    already_subscribed: list[ImportRow] = field(default_factory=list)
    duplicates: list[RowProblem] = field(default_factory=list)
    invalid: list[RowProblem] = field(default_factory=list)
    skipped: list[RowProblem] = field(default_factory=list)
    # How many of `to_add` are subscribers already (of other lists): they join
    # this list; the others are new.
    known_to_add: int = 0

    @property
    def new(self) -> int:
        return len(self.to_add) - self.known_to_add

    @property
    def rows(self) -> int:
        return (
            len(self.to_add)
            + len(self.already_subscribed)
            + len(self.duplicates)
            + len(self.invalid)
            + len(self.skipped)
        )

    @property
    def left_out(self) -> list[RowProblem]:
        """Rows not imported, in file order: what an editor should look at."""
        return sorted(
            self.invalid + self.skipped + self.duplicates, key=lambda p: p.line
        )


@dataclass(frozen=True, slots=True)
class ImportResult:
    created: int  # new subscribers
    added: int  # memberships made, new subscribers' included
    skipped: int  # rows that became unimportable since the dry run


def read_import(data: bytes, newsletter_list: NewsletterList) -> ImportReport:
    """Sort the rows of a CSV file for `newsletter_list`; writes nothing.

    Raises ImportRefused for a file that is too big, too long, not CSV or has no
    email column.
    """
    if len(data) > MAX_BYTES:
        raise ImportRefused(
            f"The file is {len(data) / 1024 / 1024:.1f} MB; the most is "
            f"{MAX_BYTES // 1024 // 1024} MB. Split it and import the parts."
        )
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise ImportRefused(
            "This is a spreadsheet workbook, not a CSV file: save it as CSV "
            "(“CSV UTF-8” in Excel) and upload that."
        )
    text = decode(data)
    rows = _records(text)
    header_line, header = next(rows, (0, []))
    if not any(cell.strip() for cell in header):
        raise ImportRefused("The file is empty.")
    columns = _columns(header)
    report = ImportReport(columns={k: header[i] for k, i in columns.items()})
    if "email" not in columns:
        if not _looks_like_email(header[0]):
            raise ImportRefused(
                "No email column: the first line should name the columns, one of "
                "them “Email” or “Email Address”. Found: "
                + clean_name(", ".join(c.strip() for c in header if c.strip()))
            )
        # A bare list of addresses, one per line and no heading.
        columns = {"email": 0}
        report.columns = {}
        rows = _chain([(header_line, header)], rows)

    candidates: dict[str, ImportRow] = {}
    for line, cells in rows:
        if len(candidates) + report.rows >= MAX_ROWS:
            raise ImportRefused(
                f"The file has more than {MAX_ROWS:,} rows. Split it and import "
                "the parts."
            )
        row = _row(line, cells, columns, report)
        if row is None:
            continue
        first = candidates.get(row.email)
        if first is not None:
            report.duplicates.append(
                RowProblem(line, row.email, f"same address as line {first.line}")
            )
            continue
        candidates[row.email] = row
    _sort_against_database(candidates, newsletter_list, report)
    return report


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (with or without a BOM), UTF-16, else Windows/Latin-1."""
    # Excel on Windows writes cp1252: Latin-1 plus curly quotes and the euro.
    encodings = ["utf-8-sig", "cp1252"]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings.insert(0, "utf-16")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")  # never fails: every byte is a character


def _delimiter(text: str) -> str:
    # The heading line decides: headings hold no commas or semicolons, while a
    # name further down may.
    first = text.lstrip("\r\n").split("\n", 1)[0]
    counts = {d: first.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(first line number, cells) per non-blank record; quoted cells may span lines."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    previous = 0
    try:
        for cells in reader:
            line, previous = previous + 1, reader.line_num
            if any(cell.strip() for cell in cells):
                yield line, cells
    except csv.Error as error:
        raise ImportRefused(
            f"Line {previous + 1} is not valid CSV ({error}). Is it a CSV file?"
        ) from error


def _chain(first: list, rest: Iterator) -> Iterator:
    yield from first
    yield from rest


def _key(heading: str) -> str:
    return "".join(ch for ch in heading.lower() if ch.isalnum())


def _columns(header: list[str]) -> dict[str, int]:
    """Meaning -> column index, found by case- and space-insensitive headings."""
    keys = [_key(cell) for cell in header]
    found = {}
    for meaning, names in (
        ("email", EMAIL_COLUMNS),
        ("name", NAME_COLUMNS),
        ("first_name", FIRST_NAME_COLUMNS),
        ("last_name", LAST_NAME_COLUMNS),
        ("created", CREATED_COLUMNS),
    ):
        for name in names:
            if name in keys:
                found[meaning] = keys.index(name)
                break
    for name in (*GONE_COLUMNS, DISABLED_COLUMN):
        if name in keys:
            found[name] = keys.index(name)
    return found


def _cell(cells: list[str], columns: dict[str, int], meaning: str) -> str:
    index = columns.get(meaning)
    if index is None or index >= len(cells):
        return ""
    # Our own export (and others) defuse formula-like cells; undo that.
    return undo_defuse(cells[index].strip())


def clean_name(value: str) -> str:
    """One plain line: a name goes into greetings and mail headers."""
    printable = "".join(
        " " if unicodedata.category(ch).startswith("C") else ch for ch in value
    )
    return " ".join(printable.split())[:MAX_NAME_LENGTH]


def _looks_like_email(value: str) -> bool:
    try:
        validate_email(normalise_email(value))
    except ValidationError:
        return False
    return True


def _row(line: int, cells: list[str], columns: dict[str, int], report: ImportReport):
    """The row to import, or None once it is recorded as invalid or skipped."""
    raw_email = _cell(cells, columns, "email")
    email = normalise_email(raw_email)
    shown = clean_name(raw_email)[:SHOWN_LENGTH]
    if not email:
        report.invalid.append(RowProblem(line, "", "no email address"))
        return None
    if len(email) > MAX_EMAIL_LENGTH or not _looks_like_email(email):
        report.invalid.append(RowProblem(line, shown, "not a valid email address"))
        return None
    for column, reason in GONE_COLUMNS.items():
        if _cell(cells, columns, column):
            report.skipped.append(RowProblem(line, email, reason))
            return None
    if _cell(cells, columns, DISABLED_COLUMN).lower() in ("true", "yes", "1"):
        report.skipped.append(
            RowProblem(line, email, "turned emails off on the previous platform")
        )
        return None
    created = _cell(cells, columns, "created")
    created_at = parse_when(created) if created else None
    if created and created_at is None:
        report.invalid.append(
            RowProblem(line, email, f"unreadable date “{clean_name(created)[:40]}”")
        )
        return None
    if created_at is not None and created_at > timezone.now():
        report.invalid.append(RowProblem(line, email, "signup date in the future"))
        return None
    name = _cell(cells, columns, "name") or " ".join(
        (_cell(cells, columns, "first_name"), _cell(cells, columns, "last_name"))
    )
    return ImportRow(line, email, clean_name(name), created_at)


def parse_when(value: str) -> datetime | None:
    """An ISO date or date-time; without a zone it is UTC, as exports write it.

    Day-first and month-first dates (03/04/2024) are refused rather than guessed.
    """
    try:
        when = parse_datetime(value)
        if when is None:
            day = parse_date(value)
            when = datetime.combine(day, time()) if day else None
    except ValueError:
        return None
    if when is None:
        return None
    return when if timezone.is_aware(when) else when.replace(tzinfo=UTC)


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _suppressed(emails: Iterable[str]) -> set[str]:
    by_hash = {email_hash(email): email for email in emails}
    found = set()
    for hashes in _chunks(list(by_hash)):
        found.update(
            Suppression.objects.filter(email_hash__in=hashes).values_list(
                "email_hash", flat=True
            )
        )
    return {by_hash[h] for h in found}


def _known(emails: list[str], lock: bool = False) -> dict[str, tuple[int, str]]:
    """email -> (pk, status) of the subscribers we already have."""
    known = {}
    for chunk in _chunks(emails):
        subscribers = Subscriber.objects.filter(email__in=chunk).order_by("pk")
        if lock:
            subscribers = subscribers.select_for_update()
        for pk, email, status in subscribers.values_list("pk", "email", "status"):
            known[email] = (pk, status)
    return known


def _subscriber_ids(rows, ids: list[int]) -> set[int]:
    """Which of `ids` appear as `subscriber_id` among `rows`."""
    found = set()
    for chunk in _chunks(ids):
        found.update(
            rows.filter(subscriber_id__in=chunk).values_list("subscriber_id", flat=True)
        )
    return found


def _on_list(ids: list[int], newsletter_list: NewsletterList) -> set[int]:
    return _subscriber_ids(
        ListMembership.objects.filter(newsletter_list=newsletter_list), ids
    )


def _left_list(ids: list[int], newsletter_list: NewsletterList) -> set[int]:
    # Leaving one list keeps the subscriber confirmed and deletes the membership,
    # so the only trace is having been sent the list's issues before.
    return _subscriber_ids(
        Delivery.objects.filter(issue__newsletter_list=newsletter_list), ids
    )


def _why_not(
    email: str,
    known: dict[str, tuple[int, str]],
    suppressed: set[str],
    left: set[int],
) -> str | None:
    """Why an address must not be imported, or None if it may."""
    if email in suppressed:
        return "suppressed here (bounce or complaint)"
    if email not in known:
        return None
    pk, status = known[email]
    if status == SubscriberStatus.SUPPRESSED:
        return "suppressed here (bounce or complaint)"
    if status == SubscriberStatus.UNSUBSCRIBED:
        return "unsubscribed here"
    if pk in left:
        return "left this list here"
    return None


def _sort_against_database(
    candidates: dict[str, ImportRow],
    newsletter_list: NewsletterList,
    report: ImportReport,
) -> None:
    emails = list(candidates)
    known = _known(emails)
    ids = [pk for pk, _ in known.values()]
    on_list = _on_list(ids, newsletter_list)
    left = _left_list([pk for pk in ids if pk not in on_list], newsletter_list)
    suppressed = _suppressed(emails)
    for email, row in candidates.items():
        reason = _why_not(email, known, suppressed, left)
        if reason is not None:
            report.skipped.append(RowProblem(row.line, email, reason))
        elif email in known and known[email][0] in on_list:
            report.already_subscribed.append(row)
        else:
            report.to_add.append(row)
            report.known_to_add += email in known


def apply_import(
    report: ImportReport, newsletter_list: NewsletterList, now=None
) -> ImportResult:
    """Subscribe the report's rows to add to `newsletter_list`, confirmed, at once.

    The database is read again under lock: between the dry run and this, someone
    may have unsubscribed or bounced, and that wins. Running it twice adds
    nothing the second time.
    """
    now = now or timezone.now()
    rows = {row.email: row for row in report.to_add}
    emails = list(rows)
    with transaction.atomic():
        known = _known(emails, lock=True)
        left = _left_list([pk for pk, _ in known.values()], newsletter_list)
        suppressed = _suppressed(emails)
        allowed = [e for e in emails if _why_not(e, known, suppressed, left) is None]
        Subscriber.objects.bulk_create(
            [
                Subscriber(
                    email=email,
                    name=rows[email].name,
                    status=SubscriberStatus.CONFIRMED,
                    source=SubscriberSource.IMPORT,
                    created_at=rows[email].created_at or now,
                    confirmed_at=now,
                )
                for email in allowed
                if email not in known
            ],
            batch_size=CHUNK,
            # A reader signing up meanwhile keeps their own (pending) row.
            ignore_conflicts=True,
        )
        # A pending signup in the file confirmed on the previous platform.
        pending = [
            known[e][0]
            for e in allowed
            if e in known and known[e][1] == SubscriberStatus.PENDING
        ]
        for chunk in _chunks(pending):
            Subscriber.objects.filter(
                pk__in=chunk, status=SubscriberStatus.PENDING
            ).update(status=SubscriberStatus.CONFIRMED, confirmed_at=now)
        now_known = _known(allowed)
        confirmed = [
            pk
            for pk, status in now_known.values()
            if status == SubscriberStatus.CONFIRMED
        ]
        joining = sorted(set(confirmed) - _on_list(confirmed, newsletter_list))
        ListMembership.objects.bulk_create(
            [
                ListMembership(subscriber_id=pk, newsletter_list=newsletter_list)
                for pk in joining
            ],
            batch_size=CHUNK,
            ignore_conflicts=True,
        )
    result = ImportResult(
        created=sum(
            1
            for e in allowed
            if e not in known
            and now_known.get(e, (0, ""))[1] == SubscriberStatus.CONFIRMED
        ),
        added=len(joining),
        skipped=len(emails) - len(allowed),
    )
    logger.info(
        "newsletter import into list %s: %s new, %s added, %s skipped",
        newsletter_list.pk,
        result.created,
        result.added,
        result.skipped,
    )
    return result
