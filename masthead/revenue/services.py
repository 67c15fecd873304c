"""Donations: validate what the reader asked for, then let provider events move it.

The client's numbers are never trusted: amount, currency and interval are
checked against settings here, and an event's amount must match the donation
it completes. Every event is applied once (its id is unique in PaymentEvent),
and a late event never moves a donation back (choices.STATUS_RANK).
"""

import hashlib
import logging
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from . import conf, providers
from .choices import (
    COUNTED_DISPUTES,
    DISPUTE_RANK,
    STATUS_RANK,
    DisputeStatus,
    DonationStatus,
    EventKind,
    GiftStatus,
    Interval,
)
from .models import Donation, Donor, MonthlyGift, PaymentEvent
from .money import format_amount, to_minor
from .providers.base import ProviderEvent

logger = logging.getLogger("masthead.revenue")


class DonationInvalid(Exception):
    """The reader's donation cannot be accepted; `errors` maps field -> message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class DonationAsk:
    """What the widget sent, untrusted: every field is checked by validate()."""

    amount: str
    currency: str
    interval: str
    provider: str
    cover_fees: bool = False
    name: str = ""
    email: str = ""
    source_page_id: int | None = None
    # The browser's random token for this rendering of the form ("" without JS).
    attempt: str = ""


def currency_rules(currency: str) -> dict | None:
    return conf.get("MASTHEAD_DONATION_CURRENCIES").get(currency)


def validate(ask: DonationAsk) -> tuple[int, int]:
    """(amount in minor units including the fee, the fee); raises DonationInvalid."""
    errors = {}
    rules = currency_rules(ask.currency)
    if rules is None:
        errors["currency"] = "Choose one of the currencies offered."
    if ask.interval not in Interval.values:
        errors["interval"] = "Choose one-time or monthly."
    try:
        provider = providers.get(ask.provider)
    except providers.ProviderError:
        provider = None
        errors["provider"] = "Choose how to pay."
    if len(ask.email) > 254:
        # The column's length: PostgreSQL refuses a longer value with a 500.
        errors["email"] = "Use an email address of at most 254 characters."
    elif ask.email:
        try:
            validate_email(ask.email)
        except ValidationError:
            errors["email"] = "Enter a valid email address, or leave it empty."
    if len(ask.name) > 200:
        errors["name"] = "Keep the name under 200 characters."
    amount = 0
    if rules is not None:
        try:
            amount = to_minor(ask.amount, ask.currency)
        except ValueError:
            errors["amount"] = "Enter an amount in numbers, like 10 or 12.50."
        else:
            low, high = (
                to_minor(rules["min"], ask.currency),
                to_minor(rules["max"], ask.currency),
            )
            if not low <= amount <= high:
                errors["amount"] = (
                    f"Give between {format_amount(low, ask.currency)} and "
                    f"{format_amount(high, ask.currency)}."
                )
    if errors:
        raise DonationInvalid(errors)
    fee = provider.fee_minor(amount, ask.currency) if ask.cover_fees else 0
    return amount + fee, fee


def create_pending(ask: DonationAsk) -> Donation:
    """Store the donation the reader is about to pay, after validation.

    A second submit of the same form (a double click, a reload, a second tab
    of one rendering) returns the same pending donation, so that the provider's
    idempotency key, made from its reference, gives the same checkout.
    """
    amount, fee = validate(ask)
    fields = {
        "amount_minor": amount,
        "fee_minor": fee,
        "currency": ask.currency,
        "interval": ask.interval,
        "provider": ask.provider,
        # Control characters (NUL among them, which PostgreSQL refuses) go.
        "name": "".join(c for c in ask.name if unicodedata.category(c) != "Cc").strip(),
        "email": ask.email.strip().lower(),
        "source_page_id": ask.source_page_id,
    }
    if not ask.attempt:
        return Donation.objects.create(**fields)
    # The same token with another amount (the reader came back and changed
    # it) is another attempt: the key covers the whole ask.
    key = hashlib.sha256(
        "|".join(str(value) for value in (ask.attempt, *fields.values())).encode()
    ).hexdigest()
    try:
        with transaction.atomic():
            return Donation.objects.create(**fields, attempt_key=key)
    except IntegrityError:
        pass  # this attempt was stored already, perhaps a moment ago
    earlier = Donation.objects.filter(attempt_key=key).first()
    if earlier is not None and earlier.status == DonationStatus.PENDING:
        return earlier
    # Paid or failed already: the reader is giving again.
    return Donation.objects.create(**fields)


def abandon_attempt(donation: Donation) -> None:
    """Let the next submit of the form start afresh, after the provider failed.

    Providers answer a repeated idempotency key with the first answer, the
    failure included, so the retry must not reuse this donation's reference.
    """
    Donation.objects.filter(pk=donation.pk).update(attempt_key=None)


RENEWAL_COMPLETED = "renewal completed"
FIRST_PAYMENT_WINDOW = timedelta(days=20)
# Outcomes after which the donor gets a receipt.
RECEIPTED = {DonationStatus.COMPLETED.value, RENEWAL_COMPLETED}


class EventMismatch(Exception):
    """An authentic event that does not fit our records (wrong amount, unknown)."""


class GiftStillActive(Exception):
    """A monthly gift still runs at the provider: its donor cannot be forgotten."""


def apply_event(
    provider_name: str, event: ProviderEvent, *, send_receipts: bool = True
) -> str:
    """Apply one provider event exactly once; returns what happened.

    Raises EventMismatch (and changes nothing) when the amount or currency
    differs from the donation's. An event for nothing of ours (another product
    on the account, a session we never started) is recorded and ignored, so the
    provider stops sending it. `send_receipts=False` is for imported history.
    """
    with transaction.atomic():
        try:
            # Only this insert may say "seen before"; any other integrity error
            # below is a real failure, answered 5xx so the provider retries.
            with transaction.atomic():
                record = PaymentEvent.objects.create(
                    provider=provider_name, event_id=event.event_id, kind=event.kind
                )
        except IntegrityError:
            return "replay: already applied"
        outcome, donation = _apply(provider_name, event, record)
        if outcome.startswith(IGNORED):
            logger.info("%s event %s %s", provider_name, event.event_id, outcome)
        if send_receipts and outcome in RECEIPTED:
            _send_receipt_after_commit(donation)
        record.outcome, record.donation = outcome[:200], donation
        record.save(update_fields=["outcome", "donation", "payment_ref"])
    return outcome


IGNORED = "ignored"
DISPUTE_KINDS = {
    EventKind.DISPUTE_OPENED: DisputeStatus.OPEN,
    EventKind.DISPUTE_WON: DisputeStatus.WON,
    EventKind.DISPUTE_LOST: DisputeStatus.LOST,
}


def _apply(provider_name: str, event: ProviderEvent, record: PaymentEvent):
    if event.kind == EventKind.IGNORED:
        because = f": {event.ignored_because}" if event.ignored_because else ""
        return f"{IGNORED}{because}", None
    if event.kind in DISPUTE_KINDS:
        return _dispute(provider_name, event, record)
    if event.kind == EventKind.GIFT_CANCELLED:
        return _cancel_gift(provider_name, event), None
    if event.kind == EventKind.RENEWAL_PAID:
        return _renewal(provider_name, event)
    donation = _find(provider_name, event)
    if donation is None:
        return f"{IGNORED}: no donation of ours matches", None
    if event.kind == EventKind.PAYMENT_COMPLETED:
        _check_amount(donation, event)
        _identify(donation, event)
        if event.payment_ref:
            donation.payment_ref = event.payment_ref
        if event.checkout_ref and not donation.checkout_ref:
            donation.checkout_ref = event.checkout_ref
        donation.completed_at = donation.completed_at or event.occurred_at
        if donation.interval == Interval.MONTHLY and event.subscription_ref:
            _start_gift(donation, provider_name, event.subscription_ref)
        moved = _move(donation, DonationStatus.COMPLETED)
        _settle_waiting_disputes(provider_name, donation)
    elif event.kind == EventKind.PAYMENT_FAILED:
        moved = _move(donation, DonationStatus.FAILED)
    else:  # REFUNDED
        donation.refunded_at = donation.refunded_at or event.occurred_at
        moved = _move(donation, DonationStatus.REFUNDED)
    donation.save()
    return (f"{donation.status}" if moved else f"kept {donation.status}"), donation


def _dispute(provider_name: str, event: ProviderEvent, record: PaymentEvent):
    """Open or close a dispute on the donation whose payment it names."""
    if not event.payment_ref:
        return f"{IGNORED}: the dispute names no payment", None
    donation = (
        Donation.objects.select_for_update()
        .filter(provider=provider_name, payment_ref=event.payment_ref)
        .first()
    )
    if donation is None:
        # Before its payment reached us (or not ours at all): kept with the
        # payment's reference, and settled when that payment arrives.
        record.payment_ref = event.payment_ref
        return f"waiting: no donation has payment {event.payment_ref} yet", None
    moved = _move_dispute(donation, DISPUTE_KINDS[event.kind], event.occurred_at)
    if moved:
        donation.save(update_fields=["dispute", "disputed_at"])
        logger.warning(
            "donation %s dispute %s at %s",
            donation.public_id,
            donation.dispute,
            provider_name,
        )
    label = DisputeStatus(donation.dispute).label.lower()
    return (label if moved else f"kept {label}"), donation


def _move_dispute(donation: Donation, dispute: DisputeStatus, at) -> bool:
    if DISPUTE_RANK[dispute] <= DISPUTE_RANK[DisputeStatus(donation.dispute)]:
        return False
    donation.dispute = dispute
    donation.disputed_at = donation.disputed_at or at
    return True


def _settle_waiting_disputes(provider_name: str, donation: Donation) -> None:
    """Apply disputes that arrived before this payment did; the caller saves."""
    if not donation.payment_ref:
        return
    waiting = PaymentEvent.objects.select_for_update().filter(
        provider=provider_name,
        payment_ref=donation.payment_ref,
        donation__isnull=True,
        kind__in=list(DISPUTE_KINDS),
    )
    for record in waiting.order_by("pk"):
        _move_dispute(donation, DISPUTE_KINDS[record.kind], record.received_at)
        record.donation = donation
        record.outcome = f"settled on {donation.public_id}"
        record.save(update_fields=["donation", "outcome"])


def _find(provider_name: str, event: ProviderEvent) -> Donation | None:
    donations = Donation.objects.select_for_update().filter(provider=provider_name)
    if _is_uuid(event.reference):
        found = donations.filter(public_id=event.reference).first()
        if found:
            return found
    for field, value in (
        ("checkout_ref", event.checkout_ref),
        ("payment_ref", event.payment_ref),
    ):
        if value:
            found = donations.filter(**{field: value}).first()
            if found:
                return found
    return None


def _is_uuid(value: str) -> bool:
    try:
        UUID(value)
    except (ValueError, TypeError, AttributeError):
        return False
    return True


def _check_amount(donation: Donation, event: ProviderEvent) -> None:
    if event.amount_minor is None:
        return
    if event.amount_minor != donation.amount_minor or (
        event.currency.upper() != donation.currency
    ):
        raise EventMismatch(
            f"event {event.event_id} says {event.amount_minor} {event.currency}, "
            f"donation {donation.public_id} is {donation.amount_minor} "
            f"{donation.currency}"
        )


def _move(donation: Donation, status: DonationStatus) -> bool:
    if STATUS_RANK[status] <= STATUS_RANK[DonationStatus(donation.status)]:
        return False
    donation.status = status
    return True


def _identify(donation: Donation, event: ProviderEvent) -> None:
    email = (event.email or donation.email).strip().lower()
    if not email:
        return
    donor, _ = Donor.objects.get_or_create(
        email=email, defaults={"name": event.name or donation.name}
    )
    donation.donor = donor
    donation.email = email


def _start_gift(donation: Donation, provider_name: str, subscription_ref: str) -> None:
    gift, _ = MonthlyGift.objects.get_or_create(
        provider=provider_name,
        subscription_ref=subscription_ref,
        defaults={
            "donor": donation.donor,
            "amount_minor": donation.amount_minor,
            "currency": donation.currency,
        },
    )
    if gift.donor is None and donation.donor is not None:
        # Made earlier by a cancellation that arrived first, before we knew who.
        gift.donor = donation.donor
        gift.save(update_fields=["donor"])
    donation.gift = gift


def _renewal(provider_name: str, event: ProviderEvent):
    gift = (
        MonthlyGift.objects.select_for_update()
        .filter(provider=provider_name, subscription_ref=event.subscription_ref)
        .first()
    )
    if gift is None:
        return f"{IGNORED}: no monthly gift of ours matches", None
    if event.amount_minor is not None and (
        event.amount_minor != gift.amount_minor
        or event.currency.upper() != gift.currency
    ):
        raise EventMismatch(f"renewal {event.event_id} amount differs from the gift")
    if (
        event.payment_ref
        and gift.payments.filter(payment_ref=event.payment_ref).exists()
    ):
        return "kept: first payment already recorded", None
    first = _first_payment_without_reference(gift, event)
    if first is not None:
        # The checkout completed before the provider named its payment; this is
        # that payment, not a new month.
        first.payment_ref = event.payment_ref
        _settle_waiting_disputes(provider_name, first)
        first.save(update_fields=["payment_ref", "dispute", "disputed_at"])
        return "kept: first payment already recorded", first
    donation = Donation.objects.create(
        donor=gift.donor,
        gift=gift,
        amount_minor=gift.amount_minor,
        currency=gift.currency,
        interval=Interval.MONTHLY,
        provider=provider_name,
        payment_ref=event.payment_ref,
        status=DonationStatus.COMPLETED,
        email=gift.donor.email if gift.donor else "",
        completed_at=event.occurred_at,
    )
    _settle_waiting_disputes(provider_name, donation)
    if donation.dispute:
        donation.save(update_fields=["dispute", "disputed_at"])
    return RENEWAL_COMPLETED, donation


def _first_payment_without_reference(gift, event: ProviderEvent) -> Donation | None:
    if not event.payment_ref:
        return None
    payments = list(gift.payments.all()[:2])
    if len(payments) != 1 or payments[0].payment_ref:
        return None
    first = payments[0]
    # A month later it is a renewal, whatever the first payment's reference.
    recent = (
        event.occurred_at - (first.completed_at or event.occurred_at)
        < FIRST_PAYMENT_WINDOW
    )
    return first if recent else None


def _cancel_gift(provider_name: str, event: ProviderEvent) -> str:
    gift = (
        MonthlyGift.objects.select_for_update()
        .filter(provider=provider_name, subscription_ref=event.subscription_ref)
        .first()
    )
    if gift is None:
        # Cancelled before its first payment reached us: remember it, so the
        # late "completed" starts it already cancelled. The donation is locked
        # first, as the completion does, so the two cannot both create the gift.
        donation = _find(provider_name, event)
        if donation is None:
            return f"{IGNORED}: no monthly gift of ours matches"
        gift, _ = MonthlyGift.objects.get_or_create(
            provider=provider_name,
            subscription_ref=event.subscription_ref,
            defaults={
                "donor": donation.donor,
                "amount_minor": donation.amount_minor,
                "currency": donation.currency,
            },
        )
        donation.gift = gift
        donation.save(update_fields=["gift"])
    if gift.status == GiftStatus.CANCELLED:
        return "kept cancelled"
    gift.status = GiftStatus.CANCELLED
    gift.cancelled_at = event.occurred_at
    gift.save(update_fields=["status", "cancelled_at"])
    return "gift cancelled"


def cancel_gift(gift: MonthlyGift) -> bool:
    """Stop a monthly gift at its provider, then record it; True if it was active.

    Raises ProviderError, having changed nothing here, when the provider is not
    configured, refuses or does not answer: a gift must never look stopped while
    the provider keeps charging. Its cancellation webhook arrives later and
    finds the gift already cancelled.
    """
    if gift.status == GiftStatus.CANCELLED:
        return False
    providers.get(gift.provider).cancel_gift(gift)
    changed = (
        MonthlyGift.objects.filter(pk=gift.pk)
        .exclude(status=GiftStatus.CANCELLED)
        .update(status=GiftStatus.CANCELLED, cancelled_at=timezone.now())
    )
    gift.refresh_from_db(fields=["status", "cancelled_at"])
    logger.info("monthly gift %s stopped at %s", gift.pk, gift.provider)
    return bool(changed)


def forget_donor(email: str) -> int:
    """Reduce what we hold on `email`'s gifts to what the books must keep.

    Donations keep amount, fee, currency, interval, dates, status, provider and
    its references, and our receipt number (public_id): an auditor can trace
    each payment at the provider. Name and address go, and so does the Donor.
    Raises GiftStillActive, changing nothing, while one of their monthly gifts
    runs: stop it with cancel_gift() first. Returns the donations reduced; a
    second call finds nothing and returns 0.
    """
    email = (email or "").strip().lower()
    if not email:
        return 0
    with transaction.atomic():
        donor = Donor.objects.select_for_update().filter(email=email).first()
        gifts = MonthlyGift.objects.filter(donor=donor) if donor else None
        if gifts is not None and gifts.filter(status=GiftStatus.ACTIVE).exists():
            raise GiftStillActive("a monthly gift is still running")
        by_address = Q(email=email) | (Q(donor=donor) if donor else Q(pk__in=[]))
        reduced = Donation.objects.filter(by_address).update(
            name="", email="", donor=None
        )
        if donor is not None:
            gifts.update(donor=None)
            donor.delete()
    logger.info("donor data reduced on %s donation(s)", reduced)
    return reduced


def _send_receipt_after_commit(donation: Donation) -> None:
    from .tasks import send_receipt_task

    donation_id = donation.pk
    transaction.on_commit(lambda: send_receipt_task.enqueue(donation_id))


def month_progress(currency: str, now=None) -> tuple[int, int]:
    """(completed amount in minor units, supporters) this calendar month (UTC).

    Money under an open or lost dispute is not counted. Supporters are distinct
    donors, plus payments we could not tie to an email.
    """
    now = now or timezone.now()
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    totals = Donation.objects.filter(
        status=DonationStatus.COMPLETED,
        dispute__in=COUNTED_DISPUTES,
        currency=currency,
        completed_at__gte=start,
    ).aggregate(
        total=Sum("amount_minor"),
        donors=Count("donor", distinct=True),
        anonymous=Count("pk", filter=Q(donor__isnull=True)),
    )
    return totals["total"] or 0, totals["donors"] + totals["anonymous"]
