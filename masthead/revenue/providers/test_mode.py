"""A provider that moves no money: its checkout is a page of our own site.

`make run` uses it when no provider keys are set, so that a newcomer can click
through a donation, one-time or monthly, and cancel a monthly gift. Its events
go through the same services.apply_event as real webhooks.
"""

import uuid

from django.urls import reverse
from django.utils import timezone

from ..choices import EventKind
from .base import Checkout, CheckoutRequest, Provider, ProviderEvent, WebhookRejected


class TestModeProvider(Provider):
    __test__ = False  # a provider, not a pytest test class
    label = "Test mode"
    default_fee = (0.0, 0)

    @property
    def is_test_mode(self) -> bool:
        return True

    def start_checkout(self, request: CheckoutRequest) -> Checkout:
        return Checkout(
            redirect_url=reverse("revenue:test_checkout", args=[request.reference]),
            # Derived from the reference: a repeated start gives the same one.
            checkout_ref=f"test_{uuid.UUID(request.reference).hex}",
        )

    def parse_webhook(self, body: bytes, headers) -> list[ProviderEvent]:
        raise WebhookRejected("the test-mode provider sends no webhooks")

    def manage_url(self, gift, return_url: str) -> str:
        from ..tokens import manage_token

        return reverse("revenue:test_manage", args=[manage_token(gift)])

    def cancel_gift(self, gift) -> None:
        """Nothing runs anywhere else: the gift stops when we record it."""

    @staticmethod
    def paid(donation) -> ProviderEvent:
        """What the test checkout's Pay button reports."""
        monthly = donation.interval == "monthly"
        return ProviderEvent(
            event_id=f"test_evt_{uuid.uuid4().hex}",
            kind=EventKind.PAYMENT_COMPLETED,
            occurred_at=timezone.now(),
            reference=str(donation.public_id),
            payment_ref=f"test_pay_{uuid.uuid4().hex}",
            subscription_ref=f"test_sub_{donation.public_id.hex}" if monthly else "",
            amount_minor=donation.amount_minor,
            currency=donation.currency,
            email=donation.email,
            name=donation.name,
        )

    @staticmethod
    def declined(donation) -> ProviderEvent:
        return ProviderEvent(
            event_id=f"test_evt_{uuid.uuid4().hex}",
            kind=EventKind.PAYMENT_FAILED,
            occurred_at=timezone.now(),
            reference=str(donation.public_id),
        )

    @staticmethod
    def cancelled(gift) -> ProviderEvent:
        return ProviderEvent(
            event_id=f"test_evt_{uuid.uuid4().hex}",
            kind=EventKind.GIFT_CANCELLED,
            occurred_at=timezone.now(),
            subscription_ref=gift.subscription_ref,
        )
