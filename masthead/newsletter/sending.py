"""Sending an issue: one delivery row per subscriber, claimed in batches, each
marked sent at the moment the mail server takes the message.

`start_sending` creates every row at once under the unique (issue, subscriber)
constraint. Any number of senders then run `send_issue`: each claims a batch of
queued rows in one short transaction (rows another sender claimed long ago,
because it died, count as queued again), and for each row commits "sent" with a
conditional update just before the message is handed over (see smtp.py). That
update succeeds for one sender only, so a row is never sent twice, and a row
whose sender died before that point is simply claimed again later.
"""

import logging
import os
import smtplib
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from . import conf, emails
from .choices import (
    DeliveryStatus,
    IssueStatus,
    SubscriberStatus,
    SuppressionReason,
)
from .exceptions import NotSendable
from .models import Delivery, Issue, ListMembership, Subscriber
from .smtp import ClaimLost, DeliveryUncertain
from .smtp import EmailBackend as CommitPointSMTPBackend

logger = logging.getLogger("masthead.newsletter")
DJANGO_SMTP = "django.core.mail.backends.smtp.EmailBackend"
# Waiting for a broken mail server: first pause, and the longest.
RETRY_PAUSE = (1.0, 30.0)


def new_sender_id() -> str:
    return f"{socket.gethostname()[:20]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def mail_connection():
    """The site's mail backend; plain SMTP gets the commit-point subclass."""
    backend = settings.EMAIL_BACKEND
    if backend == DJANGO_SMTP:
        backend = "masthead.newsletter.smtp.EmailBackend"
    return get_connection(backend)


def start_sending(issue: Issue, now=None) -> int:
    """Queue the issue for every confirmed subscriber of its list; returns the total.

    Idempotent: an issue already sending is left as it is. The rows are made by
    one INSERT ... SELECT, so 100,000 subscribers take one statement.
    """
    now = now or timezone.now()
    with transaction.atomic():
        issue = Issue.objects.select_for_update().get(pk=issue.pk)
        if issue.status == IssueStatus.SENDING:
            return issue.total
        if issue.status == IssueStatus.SENT:
            raise NotSendable("This issue has already been sent.")
        if not issue.stories.exists() and not issue.intro:
            raise NotSendable("An issue needs at least one story or an intro.")
        _queue_deliveries(issue)
        issue.total = Delivery.objects.filter(issue=issue).count()
        issue.status = IssueStatus.SENDING
        issue.started_at = now
        # Counts as a sign of life until the first sender claims a batch.
        issue.heartbeat_at = now
        issue.save(update_fields=["total", "status", "started_at", "heartbeat_at"])
    logger.info("newsletter issue %s: %s deliveries queued", issue.pk, issue.total)
    return issue.total


def _queue_deliveries(issue: Issue) -> None:
    delivery = Delivery._meta.db_table
    subscriber = Subscriber._meta.db_table
    membership = ListMembership._meta.db_table
    with db_connection.cursor() as cursor:
        # nosemgrep: sql-built-by-formatting -- table names from our models only
        cursor.execute(
            f"""
            INSERT INTO {delivery}
                (issue_id, subscriber_id, status, claimed_by, attempts, error)
            SELECT %s, s.id, %s, '', 0, ''
            FROM {subscriber} s JOIN {membership} m ON m.subscriber_id = s.id
            WHERE m.newsletter_list_id = %s AND s.status = %s
            ON CONFLICT (issue_id, subscriber_id) DO NOTHING
            """,  # noqa: S608  # nosec B608 # names from our models, values are bound
            [
                issue.pk,
                DeliveryStatus.QUEUED,
                issue.newsletter_list_id,
                SubscriberStatus.CONFIRMED,
            ],
        )


@dataclass
class Claimed:
    delivery_id: int
    subscriber_id: int
    email: str
    key: str
    attempts: int


def claim_batch(issue_id: int, sender_id: str, now=None) -> list[Claimed]:
    """Take up to a batch of rows for this sender; rows whose subscriber left are
    marked skipped instead."""
    now = now or timezone.now()
    size = conf.get("MASTHEAD_NEWSLETTER_BATCH_SIZE")
    stale = now - timedelta(seconds=conf.get("MASTHEAD_NEWSLETTER_CLAIM_SECONDS"))
    takeable = (
        Q(status=DeliveryStatus.QUEUED)
        | Q(status=DeliveryStatus.CLAIMED, claimed_at__lt=stale)
        | Q(status=DeliveryStatus.DEFERRED, retry_at__lte=now)
    )
    with transaction.atomic():
        ids = _takeable_ids(issue_id, stale, size, now)
        if ids:
            # Conditional, so two senders that read the same ids cannot both win.
            Delivery.objects.filter(takeable, pk__in=ids).update(
                status=DeliveryStatus.CLAIMED, claimed_by=sender_id, claimed_at=now
            )
        Issue.objects.filter(pk=issue_id).update(heartbeat_at=now)
    rows = (
        Delivery.objects.filter(
            pk__in=ids, claimed_by=sender_id, status=DeliveryStatus.CLAIMED
        )
        .order_by("pk")
        .values_list(
            "pk",
            "subscriber_id",
            "subscriber__email",
            "subscriber__key",
            "subscriber__status",
            "attempts",
        )
    )
    claimed, gone = [], []
    for pk, subscriber_id, email, key, status, attempts in rows:
        if status == SubscriberStatus.CONFIRMED:
            claimed.append(Claimed(pk, subscriber_id, email, key, attempts))
        else:
            gone.append(pk)
    if gone:
        Delivery.objects.filter(pk__in=gone, claimed_by=sender_id).update(
            status=DeliveryStatus.SKIPPED
        )
    return claimed


def _takeable_ids(issue_id: int, stale, size: int, now) -> list[int]:
    mine = Delivery.objects.filter(issue_id=issue_id).order_by("pk")
    # SKIP LOCKED on PostgreSQL lets concurrent senders pass each other's batches;
    # SQLite ignores it and serialises the claims on its write lock.
    ids = list(
        mine.filter(status=DeliveryStatus.CLAIMED, claimed_at__lt=stale)
        .select_for_update(skip_locked=True)
        .values_list("pk", flat=True)[:size]
    )
    for due in (
        Q(status=DeliveryStatus.DEFERRED, retry_at__lte=now),
        Q(status=DeliveryStatus.QUEUED),
    ):
        if len(ids) < size:
            ids += list(
                mine.filter(due)
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)[: size - len(ids)]
            )
    return ids


def _mark_sent(delivery_id: int, sender_id: str) -> bool:
    return bool(
        Delivery.objects.filter(
            pk=delivery_id, claimed_by=sender_id, status=DeliveryStatus.CLAIMED
        ).update(status=DeliveryStatus.SENT, sent_at=timezone.now())
    )


def retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th temporary refusal of a delivery."""
    delays = conf.get("MASTHEAD_NEWSLETTER_RETRY_DELAYS")
    return timedelta(seconds=delays[min(attempts, len(delays)) - 1])


def _release(
    row: Claimed, sender_id: str, error: str, *, permanent: bool, attempt=True
) -> None:
    """Undo a "sent" mark after the server refused; retry a transient failure.

    A refusal for now (greylisting answers 451 until the sender comes back
    minutes later) defers the delivery for a growing while; a lost connection
    (`attempt=False`, not the address's fault) queues it again at once.
    """
    attempts = row.attempts + int(attempt)
    retry = not permanent and attempts < conf.get("MASTHEAD_NEWSLETTER_MAX_ATTEMPTS")
    if not retry:
        status, retry_at = DeliveryStatus.FAILED, None
        if not permanent:
            error = f"{error}; gave up after {attempts} attempts"
    elif attempt:
        status, retry_at = (
            DeliveryStatus.DEFERRED,
            timezone.now() + retry_delay(attempts),
        )
    else:
        status, retry_at = DeliveryStatus.QUEUED, None
    Delivery.objects.filter(pk=row.delivery_id, claimed_by=sender_id).update(
        status=status,
        sent_at=None,
        attempts=attempts,
        error=error[:300],
        retry_at=retry_at,
    )


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    retried: int = 0
    finished: bool = False
    errors: list[str] = field(default_factory=list)


def deliver(mail, message, commit: Callable[[], bool]) -> None:
    """Hand one message over, committing just before the point of no return."""
    if isinstance(mail, CommitPointSMTPBackend):
        mail.send_at_commit_point(message, commit)
        return
    # Backends without a commit point (an ESP's HTTP API, the outbox): commit
    # first, so a crash loses at most this message instead of doubling it.
    mail.open()  # kept open across messages: one session, not one per mail
    if not commit():
        raise ClaimLost
    if not mail.send_messages([message]):
        raise smtplib.SMTPException("the mail backend sent nothing")


def send_issue(
    issue_id: int,
    *,
    sender_id: str | None = None,
    on_batch: Callable[[SendReport], None] | None = None,
    stop: Callable[[], bool] = lambda: False,
) -> SendReport:
    """Send the issue's queued deliveries until none are left for this sender."""
    sender_id = sender_id or new_sender_id()
    issue = Issue.objects.select_related("newsletter_list").get(pk=issue_id)
    if issue.status != IssueStatus.SENDING:
        return SendReport(finished=issue.status == IssueStatus.SENT)
    rendered = emails.render_issue(issue)
    report = SendReport()
    mail = mail_connection()
    pause = RETRY_PAUSE[0]
    try:
        while not stop():
            batch = claim_batch(issue_id, sender_id)
            if not batch:
                break
            try:
                _send_batch(mail, rendered, batch, sender_id, report, stop)
                pause = RETRY_PAUSE[0]
            except MailServerDown as exc:
                # Not the subscriber's fault: give the rest back untouched and wait.
                _unclaim(sender_id)
                report.errors.append(str(exc))
                _close(mail)
                if pause > RETRY_PAUSE[1]:
                    logger.error(
                        "newsletter issue %s: mail server down: %s", issue_id, exc
                    )
                    break
                time.sleep(pause)
                pause *= 2
            if on_batch:
                on_batch(report)
    finally:
        _close(mail)
    report.finished = finish_if_done(issue_id)
    return report


class MailServerDown(Exception):
    """The connection failed: no message of the batch is to blame."""


def _send_batch(
    mail, rendered, batch: list[Claimed], sender_id, report, stop=lambda: False
) -> None:
    from .services import suppress

    for row in batch:
        if stop():
            _unclaim(sender_id)  # the rest of the batch is free at once
            return
        message = rendered.message_for(row.subscriber_id, row.key, row.email)
        try:
            deliver(
                mail, message, lambda row=row: _mark_sent(row.delivery_id, sender_id)
            )
            report.sent += 1
        except ClaimLost:
            continue
        except DeliveryUncertain as exc:
            # Counted as sent: a second copy is worse than a rare lost one.
            logger.warning("newsletter delivery %s uncertain: %s", row.delivery_id, exc)
            report.sent += 1
            raise MailServerDown(str(exc)) from exc
        except smtplib.SMTPRecipientsRefused as exc:
            code = next(iter(exc.recipients.values()))[0]
            _release(row, sender_id, f"refused: {code}", permanent=code >= 500)
            if code >= 500:
                report.failed += 1
                suppress(row.email, SuppressionReason.REJECTED, f"SMTP {code}")
            else:
                report.retried += 1
        except (smtplib.SMTPResponseException, smtplib.SMTPSenderRefused) as exc:
            permanent = exc.smtp_code >= 500
            _release(row, sender_id, f"SMTP {exc.smtp_code}", permanent=permanent)
            report.failed += permanent
            report.retried += not permanent
        except (smtplib.SMTPException, OSError) as exc:
            # Disconnected or unreachable; a "sent" mark made before the failure
            # is undone, since the final dot never reached the server.
            error = f"{type(exc).__name__}: {exc}"
            _release(row, sender_id, error, permanent=False, attempt=False)
            raise MailServerDown(f"{type(exc).__name__}: {exc}") from exc


def _unclaim(sender_id: str) -> None:
    Delivery.objects.filter(claimed_by=sender_id, status=DeliveryStatus.CLAIMED).update(
        status=DeliveryStatus.QUEUED, claimed_by=""
    )


def _close(mail) -> None:
    try:
        mail.close()
    except Exception:  # noqa: BLE001  (a broken connection is being dropped anyway)
        if isinstance(mail, CommitPointSMTPBackend):
            mail.abandon()


WAITING = [DeliveryStatus.QUEUED, DeliveryStatus.CLAIMED, DeliveryStatus.DEFERRED]


def finish_if_done(issue_id: int, now=None) -> bool:
    """Mark the issue sent once no delivery is waiting; returns whether it is sent.

    A deferred delivery is waiting too: the issue stays "sending" until it went
    out or used up its attempts.
    """
    waiting = Delivery.objects.filter(issue_id=issue_id, status__in=WAITING).exists()
    if waiting:
        return False
    Issue.objects.filter(pk=issue_id, status=IssueStatus.SENDING).update(
        status=IssueStatus.SENT, finished_at=now or timezone.now()
    )
    logger.info("newsletter issue %s sent", issue_id)
    return Issue.objects.filter(pk=issue_id, status=IssueStatus.SENT).exists()


def issues_needing_a_sender(now=None) -> list[int]:
    """Sending issues whose senders are all gone (stale heartbeat), with work due.

    This is what wakes the senders when a deferred delivery falls due: they
    stop once only later retries are left. An issue with nothing waiting at all
    is returned too, so that a sender marks it sent.
    """
    now = now or timezone.now()
    stale = now - timedelta(seconds=conf.get("MASTHEAD_NEWSLETTER_CLAIM_SECONDS"))
    later = Delivery.objects.filter(
        issue=OuterRef("pk"), status=DeliveryStatus.DEFERRED, retry_at__gt=now
    )
    due = Delivery.objects.filter(issue=OuterRef("pk")).filter(
        Q(status__in=[DeliveryStatus.QUEUED, DeliveryStatus.CLAIMED])
        | Q(status=DeliveryStatus.DEFERRED, retry_at__lte=now)
    )
    return list(
        Issue.objects.filter(status=IssueStatus.SENDING)
        .filter(Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=stale))
        .exclude(Exists(later) & ~Exists(due))
        .values_list("pk", flat=True)
    )
