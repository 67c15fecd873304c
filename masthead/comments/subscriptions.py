"""Following a discussion by email, its notification mails, and "erase my data".

A subscription is one (article, address, kind) row that becomes active only after
the reader clicks the link we mail them (double opt-in). A reader who follows an
article both ways is one recipient: their rows for the article share one
15-minute window and get one mail listing every new comment once.
"""

import logging
import secrets
import smtplib
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from masthead.core import mail_quota

from . import conf, emails
from .choices import CommentStatus, SubscriptionKind, SubscriptionStatus
from .exceptions import LinkExpired, LinkNotValid
from .models import Comment, PendingNotification, Subscription
from .services import anonymise_comment, erase_comment
from .tasks import send_subscription_confirmation_task

logger = logging.getLogger("masthead.comments")


def normalise_email(email: str) -> str:
    """The stored form of an address: trimmed and lower-cased, as comments store it."""
    return (email or "").strip().lower()


def _new_token() -> str:
    return secrets.token_urlsafe(32)


MAIL_KIND = "comment-subscription"


def subscribe(page, email: str, kinds: list[str]) -> list[Subscription]:
    """Ask to follow `page` by email; returns the rows for the requested kinds.

    New and previously unsubscribed rows wait for confirmation, and one mail asks
    the reader to confirm them all; rows already confirmed stay as they are and
    trigger no mail. Asking again before confirming sends the same link again
    (the first mail may have been lost), unless the rows waiting changed: then a
    new link replaces the old one, which confirmed fewer of them.

    The address was typed by whoever sent the form, so the mail takes one of the
    address's shared budget (masthead.core.mail_quota); past it, nothing is sent
    and the caller answers as usual, revealing nothing about the address.
    """
    email = normalise_email(email)
    wanted = [kind for kind in SubscriptionKind.values if kind in set(kinds)]
    if not email or not wanted:
        raise ValueError("subscribe() needs an address and at least one known kind")
    rows = []
    with transaction.atomic():
        for kind in wanted:
            row, created = Subscription.objects.select_for_update().get_or_create(
                page_id=page.pk,
                email=email,
                kind=kind,
                defaults={"token": _new_token(), "status": SubscriptionStatus.PENDING},
            )
            if not created and row.status == SubscriptionStatus.UNSUBSCRIBED:
                row.status = SubscriptionStatus.PENDING
                row.token = _new_token()
                row.confirmed_at = None
                row.save(update_fields=["status", "token", "confirmed_at"])
            rows.append(row)
        pending = _issue_confirm_key(page.pk, email)
    for row in rows:
        row.refresh_from_db()
    if pending and mail_quota.reserve(email, MAIL_KIND):
        # The worker mails it: a hanging mail server must not hold the reader's
        # request, and a failed send leaves the rows pending for the next ask.
        # Only the row's id goes into the task queue, never the address.
        send_subscription_confirmation_task.enqueue(pending[0].pk)
    return rows


def _issue_confirm_key(page_id: int, email: str) -> list[Subscription]:
    """Give the reader's pending rows on the article one live confirmation key.

    Inside subscribe()'s transaction, with the rows locked. Returns the rows.
    """
    now = timezone.now()
    pending = list(
        Subscription.objects.select_for_update()
        .filter(page_id=page_id, email=email, status=SubscriptionStatus.PENDING)
        .order_by("pk")
    )
    if not pending:
        return []
    keys = {row.confirm_key for row in pending}
    live = all(
        row.confirm_key_issued_at and not _expired(row.confirm_key_issued_at, now)
        for row in pending
    )
    key = keys.pop() if len(keys) == 1 and "" not in keys and live else _new_token()
    Subscription.objects.filter(pk__in=[row.pk for row in pending]).update(
        confirm_key=key, confirm_key_issued_at=now
    )
    return pending


def _expired(issued_at: datetime, now: datetime) -> bool:
    return now - issued_at > timedelta(
        seconds=conf.get("MASTHEAD_COMMENTS_CONFIRM_SECONDS")
    )


def send_confirmation(subscription_id: int) -> bool:
    """Mail the confirmation link for the pending rows that share the row's key.

    False when there is nothing left to confirm: confirmed, unsubscribed or
    erased since the request.
    """
    row = (
        Subscription.objects.filter(
            pk=subscription_id, status=SubscriptionStatus.PENDING
        )
        .exclude(confirm_key="")
        .first()
    )
    if row is None:
        return False
    pending = list(
        Subscription.objects.filter(
            page_id=row.page_id,
            email=row.email,
            confirm_key=row.confirm_key,
            status=SubscriptionStatus.PENDING,
        )
        .select_related("page")
        .order_by("pk")
    )
    emails.confirmation_email(pending[0].page, pending).send()
    logger.info("subscription confirmation sent for page %s", row.page_id)
    return True


def _same_reader(subscription: Subscription):
    """One reader's rows on one article: what a mailed link acts on."""
    return Subscription.objects.filter(
        page_id=subscription.page_id, email=subscription.email
    )


def find(token: str) -> Subscription | None:
    """The subscription an unsubscribe link points at, with its article, or None."""
    if not token:
        return None
    return Subscription.objects.select_related("page").filter(token=token).first()


def reader_rows(subscription: Subscription, status: str) -> list[Subscription]:
    """The reader's rows on the same article in `status`: what a link acts on."""
    return list(_same_reader(subscription).filter(status=status).order_by("kind"))


def rows_to_confirm(key: str, *, lock: bool = False) -> list[Subscription]:
    """The pending rows a confirmation link would confirm, with their article.

    Raises LinkExpired for a link past its time, LinkNotValid for one that is
    unknown, used, replaced by a newer mail or withdrawn by unsubscribing.
    """
    if not key:
        raise LinkNotValid("empty confirmation key")
    rows = Subscription.objects.select_related("page").filter(
        confirm_key=key, status=SubscriptionStatus.PENDING
    )
    if lock:
        rows = rows.select_for_update(of=("self",))
    rows = list(rows.order_by("kind"))
    if not rows:
        raise LinkNotValid("no pending subscription has this key")
    if any(_expired(row.confirm_key_issued_at, timezone.now()) for row in rows):
        raise LinkExpired("the confirmation link has expired")
    return rows


def confirm(key: str) -> list[Subscription]:
    """Confirm the subscriptions a mailed link was sent for; returns them.

    The link works once: its key is blanked as the rows are confirmed, so a
    replayed or forwarded link changes nothing. Raises as rows_to_confirm().
    """
    with transaction.atomic():
        rows = rows_to_confirm(key, lock=True)
        now = timezone.now()
        Subscription.objects.filter(pk__in=[row.pk for row in rows]).update(
            status=SubscriptionStatus.CONFIRMED,
            confirmed_at=now,
            confirm_key="",
            confirm_key_issued_at=None,
        )
    for row in rows:
        row.status, row.confirmed_at = SubscriptionStatus.CONFIRMED, now
        row.confirm_key, row.confirm_key_issued_at = "", None
    logger.info("subscription confirmed for page %s", rows[0].page_id)
    return rows


def unsubscribe(token: str) -> Subscription | None:
    """End every subscription of that address on that article; None if unknown.

    A reader who clicks "unsubscribe" expects to stop hearing about the article,
    whichever kind the mail came from. A link whose own row has already ended
    changes nothing: the reader may have subscribed again since, and a mail
    client that POSTs the old link again must not undo that. Rows stay as
    "unsubscribed" so that the link keeps answering; mails still waiting for
    them are dropped, and their confirmation links die with them.
    """
    with transaction.atomic():
        row = (
            Subscription.objects.select_for_update(of=("self",))
            .select_related("page")
            .filter(token=token)
            .first()
            if token
            else None
        )
        if row is None:
            return None
        if row.status == SubscriptionStatus.UNSUBSCRIBED:
            return row
        ids = list(
            _same_reader(row)
            .exclude(status=SubscriptionStatus.UNSUBSCRIBED)
            .values_list("pk", flat=True)
        )
        PendingNotification.objects.filter(subscription_id__in=ids).delete()
        Subscription.objects.filter(pk__in=ids).update(
            status=SubscriptionStatus.UNSUBSCRIBED,
            confirm_key="",
            confirm_key_issued_at=None,
        )
    row.refresh_from_db()
    logger.info("unsubscribed from page %s", row.page_id)
    return row


def queue_notifications(comment_id: int) -> int:
    """Note a newly visible comment for everyone who should hear of it.

    Returns how many pending notifications were stored, then sends whatever is
    due. Each reader gets one row per comment even when they follow the article
    both ways, and the comment's own author none. Running it twice stores nothing
    new while the rows still wait; the comment service enqueues it once, when the
    comment first becomes visible.
    """
    comment = (
        Comment.objects.select_related("reply_to")
        .filter(pk=comment_id, status=CommentStatus.APPROVED)
        .first()
    )
    if comment is None:
        return 0
    wanted = Q(kind=SubscriptionKind.ALL_COMMENTS)
    replied = comment.reply_to
    if (
        replied is not None
        and replied.author_email
        and replied.page_id == comment.page_id
    ):
        wanted |= Q(
            kind=SubscriptionKind.REPLIES, email=normalise_email(replied.author_email)
        )
    rows = Subscription.objects.filter(
        wanted, page_id=comment.page_id, status=SubscriptionStatus.CONFIRMED
    ).order_by("email", "pk")
    author = normalise_email(comment.author_email)
    if author:
        rows = rows.exclude(email=author)
    # One row per reader: "all" before "replies" only so that the choice is stable.
    by_email: dict[str, Subscription] = {}
    for row in sorted(rows, key=lambda r: r.kind != SubscriptionKind.ALL_COMMENTS):
        by_email.setdefault(row.email, row)
    # Another of the reader's rows may already hold this comment (a kind confirmed
    # later): the delivery merges rows per reader, but skip it here as well.
    already = set(
        PendingNotification.objects.filter(
            comment_id=comment.pk, subscription__page_id=comment.page_id
        ).values_list("subscription__email", flat=True)
    )
    new = [
        PendingNotification(subscription=row, comment=comment)
        for email, row in by_email.items()
        if email not in already
    ]
    PendingNotification.objects.bulk_create(new, ignore_conflicts=True)
    if new:
        deliver_due_notifications()
    return len(new)


def deliver_due_notifications(now: datetime | None = None) -> int:
    """Mail every reader whose window allows it the comments waiting for them.

    Returns the number of mails sent. Readers mailed within the last
    MASTHEAD_COMMENTS_NOTIFY_EVERY_SECONDS keep their rows for a later run (the
    scheduler calls this every minute). Safe to run twice at once: each reader's
    rows are locked and the window checked again under the lock.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=conf.get("MASTHEAD_COMMENTS_NOTIFY_EVERY_SECONDS"))
    readers = (
        Subscription.objects.filter(
            status=SubscriptionStatus.CONFIRMED, pending__isnull=False
        )
        .values("page_id", "email")
        .annotate(last=Max("last_notified_at"))
        .filter(Q(last__isnull=True) | Q(last__lte=cutoff))
        .order_by("page_id", "email")
    )
    sent = 0
    for reader in list(readers):
        try:
            sent += _deliver_to(reader["page_id"], reader["email"], now, cutoff)
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError):
            # The mail server is down or hanging, which no reader is to blame
            # for: stop here rather than wait out its timeout once per reader.
            # Every row stays for the next run.
            logger.warning("mail server not answering; notifications wait")
            break
        except Exception:
            # One bad address or SMTP hiccup must not hold back everyone else; the
            # rows stay and the next run tries again.
            logger.exception(
                "notification to a reader of page %s failed", reader["page_id"]
            )
    return sent


def _deliver_to(page_id: int, email: str, now: datetime, cutoff: datetime) -> int:
    with transaction.atomic():
        rows = list(
            Subscription.objects.select_for_update()
            .filter(page_id=page_id, email=email, status=SubscriptionStatus.CONFIRMED)
            .select_related("page")
            .order_by("pk")
        )
        if not rows or any(
            r.last_notified_at and r.last_notified_at > cutoff for r in rows
        ):
            return 0  # unsubscribed meanwhile, or another run just mailed them
        pending = list(
            PendingNotification.objects.filter(subscription__in=rows)
            .select_related("comment", "comment__reply_to")
            .order_by("comment__created_at", "comment_id")
        )
        gone = [p.pk for p in pending if p.comment.status != CommentStatus.APPROVED]
        comments = list(
            {
                p.comment_id: p.comment
                for p in pending
                if p.comment.status == CommentStatus.APPROVED
            }.values()
        )
        PendingNotification.objects.filter(pk__in=[p.pk for p in pending]).delete()
        if not comments:
            return 0
        # Sent inside the transaction: if the mail fails, the rows come back for the
        # next run. The cost is holding the reader's row locks during one SMTP call.
        emails.notification_email(rows[0], comments).send()
        Subscription.objects.filter(pk__in=[r.pk for r in rows]).update(
            last_notified_at=now
        )
    logger.info(
        "notified a reader of page %s about %s comment(s); %s withdrawn",
        page_id,
        len(comments),
        len(gone),
    )
    return 1


def erasure_summary(email: str) -> dict[str, int]:
    """What erasing an address would touch: its comments and subscriptions."""
    email = normalise_email(email)
    return {
        "comments": Comment.objects.filter(author_email=email).count(),
        "subscriptions": Subscription.objects.filter(email=email).count(),
    }


def erase_commenter(email: str, *, keep_text: bool = False) -> int:
    """Erase every comment written with `email` and end its subscriptions.

    Comments become "deleted" rows that keep replies in place (whether they show
    as placeholders is a CommentSettings choice); with `keep_text` they stay
    readable under an anonymous name instead. Subscriptions and the mails waiting
    for them are deleted, so the address is stored nowhere afterwards. Returns
    the number of comments erased or anonymised.
    """
    email = normalise_email(email)
    if not email:
        return 0
    with transaction.atomic():
        # no_key: see services.set_status (a reply being stored key-shares these).
        comments = list(
            Comment.objects.select_for_update(no_key=True)
            .filter(author_email=email)
            .order_by("pk")
        )
        if not keep_text:
            PendingNotification.objects.filter(
                comment_id__in=[c.pk for c in comments]
            ).delete()
        for comment in comments:
            if keep_text:
                anonymise_comment(comment)
            else:
                erase_comment(comment)
        Subscription.objects.filter(email=email).delete()
    logger.info("erased %s comment(s) at their author's request", len(comments))
    return len(comments)
