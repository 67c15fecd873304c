"""Changes to subscribers: sign up, confirm, choose lists, unsubscribe, suppress, erase.

Views, the admin, webhooks, imports and tests all go through these functions.
Signing up answers the same whatever the address's state, so the form never
tells a stranger who is subscribed: every difference is in the mail, which only
the address's owner reads.
"""

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from masthead.core import mail_quota

from . import conf
from .choices import DeliveryStatus, SubscriberStatus, SuppressionReason
from .exceptions import InvalidToken
from .models import (
    Delivery,
    ListMembership,
    NewsletterList,
    PendingSignup,
    Subscriber,
    Suppression,
    email_hash,
)
from .tasks import send_confirmation_task
from .tokens import read_confirmation_token

logger = logging.getLogger("masthead.newsletter")

# Kinds of mail in the address's shared budget (masthead.core.mail_quota).
CONFIRMATION_MAIL = "newsletter-confirm"
ALREADY_SUBSCRIBED_MAIL = "newsletter-already-subscribed"
# Somebody typing a subscriber's address again gets them one notice a day at most.
ALREADY_SUBSCRIBED_EVERY = timedelta(days=1)

USED_LINK = (
    "This confirmation link is no longer valid: it has been used, or you changed "
    "your subscription after it was sent. If you have just confirmed, there is "
    "nothing more to do; otherwise, please sign up again."
)


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def is_suppressed(email: str) -> bool:
    return Suppression.objects.filter(email_hash=email_hash(email)).exists()


def signup(email: str, list_ids: Iterable[int], name: str = "") -> None:
    """Ask for a confirmation mail for `list_ids`; says nothing about the address.

    A new address gets a pending row; a known one keeps its row untouched until
    its owner clicks the link, so nobody can change a subscription by typing
    someone else's address. A suppressed address gets no mail at all, and no
    address more than its share of mail (see `mail_quota`). Per-connection rate
    limits are the caller's job.
    """
    email = normalise_email(email)
    lists = sorted(
        NewsletterList.objects.filter(pk__in=list(list_ids), active=True).values_list(
            "pk", flat=True
        )
    )
    if not email or not lists or is_suppressed(email):
        return
    subscriber, _ = Subscriber.objects.get_or_create(
        email=email, defaults={"created_at": timezone.now(), "name": name[:200]}
    )
    if subscriber.status == SubscriberStatus.SUPPRESSED:
        return
    if subscriber.status == SubscriberStatus.CONFIRMED:
        allowed = mail_quota.reserve(
            email, ALREADY_SUBSCRIBED_MAIL, once_per=ALREADY_SUBSCRIBED_EVERY
        )
    else:
        allowed = mail_quota.reserve(email, CONFIRMATION_MAIL)
    if not allowed:
        return
    pending = PendingSignup.objects.create(
        subscriber=subscriber, list_ids=lists, name=name[:200]
    )
    # Only the row's id goes into the task queue, whose rows outlive erasure.
    # The database task queue commits the task with the caller's transaction.
    send_confirmation_task.enqueue(pending.pk)


def pending_signup(token: str) -> PendingSignup:
    """The signup a confirmation link names, if it may still be confirmed.

    Raises InvalidToken for a forged or expired link, and for one already used
    or voided by a later choice of the reader.
    """
    payload = read_confirmation_token(token)
    pending = (
        PendingSignup.objects.select_related("subscriber")
        .filter(pk=payload["p"])
        .first()
    )
    if (
        pending is None
        or not constant_time_compare(pending.nonce, payload["n"])
        or pending.subscriber.status == SubscriberStatus.SUPPRESSED
    ):
        raise InvalidToken(USED_LINK)
    return pending


def signup_lists(pending: PendingSignup) -> list[NewsletterList]:
    return list(NewsletterList.objects.filter(pk__in=pending.list_ids, active=True))


def consent_statement(lists: Iterable[NewsletterList]) -> str:
    """What the reader agrees to on the confirmation page, word for word."""
    chosen = "; ".join(
        f"{li.name} ({li.description})" if li.description else li.name for li in lists
    )
    return (
        f"Send me these newsletters by email: {chosen or 'the newsletter'}. "
        "I can leave at any time with the unsubscribe link in every mail."
    )


def confirm(token: str) -> Subscriber:
    """Confirm the subscriber and lists a mailed link names; the link works once."""
    with transaction.atomic():
        pending = pending_signup(token)
        # Locked, then read again: of two clicks racing, one confirms and the
        # other finds the signup gone.
        pending = (
            PendingSignup.objects.select_for_update().filter(pk=pending.pk).first()
        )
        subscriber = (
            Subscriber.objects.select_for_update()
            .filter(pk=getattr(pending, "subscriber_id", None))
            .first()
        )
        if subscriber is None or subscriber.status == SubscriberStatus.SUPPRESSED:
            raise InvalidToken(USED_LINK)
        lists = signup_lists(pending)
        now = timezone.now()
        subscriber.status = SubscriberStatus.CONFIRMED
        subscriber.confirmed_at = subscriber.confirmed_at or now
        subscriber.unsubscribed_at = None
        subscriber.consent_text = consent_statement(lists)
        if pending.name:
            subscriber.name = pending.name
        subscriber.save(
            update_fields=[
                "status",
                "confirmed_at",
                "unsubscribed_at",
                "name",
                "consent_text",
            ]
        )
        _join(subscriber, [li.pk for li in lists])
        pending.delete()
    logger.info("newsletter subscriber %s confirmed", subscriber.pk)
    return subscriber


def _void_pending_signups(subscriber: Subscriber) -> None:
    # A link mailed before this choice must not undo it.
    PendingSignup.objects.filter(subscriber=subscriber).delete()


def _join(subscriber: Subscriber, list_ids: Iterable[int]) -> None:
    lists = NewsletterList.objects.filter(pk__in=list(list_ids), active=True)
    ListMembership.objects.bulk_create(
        [ListMembership(subscriber=subscriber, newsletter_list=li) for li in lists],
        ignore_conflicts=True,
    )


def set_preferences(subscriber: Subscriber, list_ids: Iterable[int], name: str) -> None:
    """Keep exactly `list_ids` (of the lists readers see); none left unsubscribes."""
    wanted = set(
        NewsletterList.objects.filter(pk__in=list(list_ids), active=True).values_list(
            "pk", flat=True
        )
    )
    with transaction.atomic():
        _void_pending_signups(subscriber)
        subscriber.name = name[:200]
        subscriber.save(update_fields=["name"])
        subscriber.memberships.filter(newsletter_list__active=True).exclude(
            newsletter_list__in=wanted
        ).delete()
        if not wanted:
            unsubscribe(subscriber)
            return
        if subscriber.status == SubscriberStatus.UNSUBSCRIBED:
            subscriber.status = SubscriberStatus.CONFIRMED
            subscriber.unsubscribed_at = None
            subscriber.save(update_fields=["status", "unsubscribed_at"])
        if subscriber.status == SubscriberStatus.CONFIRMED:
            _join(subscriber, wanted)


def unsubscribe(subscriber: Subscriber, newsletter_list: NewsletterList | None = None):
    """Leave one list, or all of them; leaving the last one unsubscribes."""
    with transaction.atomic():
        _void_pending_signups(subscriber)
        memberships = subscriber.memberships.all()
        if newsletter_list is not None:
            memberships = memberships.filter(newsletter_list=newsletter_list)
        memberships.delete()
        if newsletter_list is None or not subscriber.memberships.exists():
            if subscriber.status in (
                SubscriberStatus.CONFIRMED,
                SubscriberStatus.PENDING,
            ):
                subscriber.status = SubscriberStatus.UNSUBSCRIBED
                subscriber.unsubscribed_at = timezone.now()
                subscriber.save(update_fields=["status", "unsubscribed_at"])
        _skip_queued(subscriber, newsletter_list)
    logger.info("newsletter subscriber %s unsubscribed", subscriber.pk)


def unsubscribe_by_link(
    subscriber: Subscriber, newsletter_list: NewsletterList, mailed_at=None
) -> bool:
    """The unsubscribe link of a mail sent at `mailed_at`; False if it is stale.

    A reader who joined the list again after that mail went out chose later
    than the mail's link: it changes nothing then. Without `mailed_at` (a link
    from before issues were named in it) it unsubscribes as it always did.
    """
    if mailed_at is not None and (
        subscriber.memberships.filter(
            newsletter_list=newsletter_list, created_at__gt=mailed_at
        ).exists()
    ):
        return False
    unsubscribe(subscriber, newsletter_list)
    return True


def _skip_queued(subscriber: Subscriber, newsletter_list=None) -> None:
    # Deliveries not yet claimed by a sender are dropped; one in a sender's hands
    # may still go out (the sender checks the status again when it starts).
    queued = Delivery.objects.filter(
        subscriber=subscriber,
        status__in=[DeliveryStatus.QUEUED, DeliveryStatus.DEFERRED],
    )
    if newsletter_list is not None:
        queued = queued.filter(issue__newsletter_list=newsletter_list)
    queued.update(status=DeliveryStatus.SKIPPED, retry_at=None)


def suppress(email: str, reason: str, detail: str = "") -> bool:
    """Never mail `email` again; returns whether it was new. Idempotent."""
    email = normalise_email(email)
    if reason not in SuppressionReason.values:
        raise ValueError(f"unknown suppression reason {reason!r}")
    with transaction.atomic():
        _, created = Suppression.objects.get_or_create(
            email_hash=email_hash(email),
            defaults={"reason": reason, "detail": detail[:300]},
        )
        subscriber = Subscriber.objects.filter(email=email).first()
        if subscriber is not None and subscriber.status != SubscriberStatus.SUPPRESSED:
            subscriber.status = SubscriberStatus.SUPPRESSED
            subscriber.suppressed_reason = reason
            subscriber.save(update_fields=["status", "suppressed_reason"])
            _skip_queued(subscriber)
    if created:
        logger.info("newsletter address suppressed: %s", reason)
    return created


def erase(subscriber: Subscriber) -> None:
    """Delete everything we hold on a subscriber (memberships and deliveries too).

    A suppression stays, as a hash, so a bounced address is still never mailed.
    """
    pk = subscriber.pk
    subscriber.delete()
    logger.info("newsletter subscriber %s erased", pk)


def purge_unconfirmed(now=None) -> int:
    """Delete signups never confirmed within the purge period; returns how many.

    Pending signups whose link has expired go too, with the names they held.
    """
    now = now or timezone.now()
    PendingSignup.objects.filter(
        created_at__lt=now
        - timedelta(seconds=conf.get("MASTHEAD_NEWSLETTER_CONFIRM_MAX_AGE"))
    ).delete()
    days = conf.get("MASTHEAD_NEWSLETTER_PURGE_UNCONFIRMED_DAYS")
    deleted, _ = Subscriber.objects.filter(
        status=SubscriberStatus.PENDING,
        confirmed_at__isnull=True,
        created_at__lt=now - timedelta(days=days),
    ).delete()
    return deleted
