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

from . import conf
from .choices import DeliveryStatus, SubscriberStatus, SuppressionReason
from .exceptions import InvalidToken
from .models import (
    Delivery,
    ListMembership,
    NewsletterList,
    Subscriber,
    Suppression,
    email_hash,
)
from .tokens import key_tag, read_confirmation_token

logger = logging.getLogger("masthead.newsletter")


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def is_suppressed(email: str) -> bool:
    return Suppression.objects.filter(email_hash=email_hash(email)).exists()


def signup(email: str, list_ids: Iterable[int], name: str = "") -> None:
    """Ask for a confirmation mail for `list_ids`; says nothing about the address.

    A new address gets a pending row; a known one keeps its row untouched until
    its owner clicks the link, so nobody can change a subscription by typing
    someone else's address. A suppressed address gets no mail at all. Rate
    limits are the caller's job.
    """
    from .tasks import send_confirmation_task

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
    # The database task queue commits the task with the caller's transaction.
    send_confirmation_task.enqueue(subscriber.pk, lists, name[:200])


def confirm(token: str) -> Subscriber:
    """Confirm the subscriber and lists a mailed link names; safe to click twice."""
    payload = read_confirmation_token(token)
    with transaction.atomic():
        subscriber = (
            Subscriber.objects.select_for_update().filter(pk=payload["s"]).first()
        )
        if (
            subscriber is None
            or key_tag(subscriber.key) != payload["k"]
            or subscriber.status == SubscriberStatus.SUPPRESSED
        ):
            raise InvalidToken(
                "This confirmation link is no longer valid. Please sign up again."
            )
        now = timezone.now()
        subscriber.status = SubscriberStatus.CONFIRMED
        subscriber.confirmed_at = subscriber.confirmed_at or now
        subscriber.unsubscribed_at = None
        if payload.get("n"):
            subscriber.name = payload["n"][:200]
        subscriber.save(
            update_fields=["status", "confirmed_at", "unsubscribed_at", "name"]
        )
        _join(subscriber, payload["l"])
    logger.info("newsletter subscriber %s confirmed", subscriber.pk)
    return subscriber


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


def _skip_queued(subscriber: Subscriber, newsletter_list=None) -> None:
    # Deliveries not yet claimed by a sender are dropped; one in a sender's hands
    # may still go out (the sender checks the status again when it starts).
    queued = Delivery.objects.filter(
        subscriber=subscriber, status=DeliveryStatus.QUEUED
    )
    if newsletter_list is not None:
        queued = queued.filter(issue__newsletter_list=newsletter_list)
    queued.update(status=DeliveryStatus.SKIPPED)


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
    """Delete signups never confirmed within the purge period; returns how many."""
    now = now or timezone.now()
    days = conf.get("MASTHEAD_NEWSLETTER_PURGE_UNCONFIRMED_DAYS")
    deleted, _ = Subscriber.objects.filter(
        status=SubscriberStatus.PENDING,
        confirmed_at__isnull=True,
        created_at__lt=now - timedelta(days=days),
    ).delete()
    return deleted
