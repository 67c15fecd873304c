"""Donation fixtures shared by the revenue tests (import what you use)."""

import uuid

from django.utils import timezone

from masthead.revenue import services
from masthead.revenue.choices import EventKind
from masthead.revenue.providers.base import ProviderEvent


def ask(**fields) -> services.DonationAsk:
    values = {
        "amount": "12.50",
        "currency": "EUR",
        "interval": "one_time",
        "provider": "test_mode",
        "email": "ada@example.org",
        "name": "Ada Reader",
    }
    values.update(fields)
    return services.DonationAsk(**values)


def event(kind=EventKind.PAYMENT_COMPLETED, donation=None, **fields) -> ProviderEvent:
    values = {
        "event_id": f"evt_{uuid.uuid4().hex}",
        "kind": kind,
        "occurred_at": timezone.now(),
        "reference": str(donation.public_id) if donation else "",
    }
    if donation is not None and kind == EventKind.PAYMENT_COMPLETED:
        values.update(amount_minor=donation.amount_minor, currency=donation.currency)
    values.update(fields)
    return ProviderEvent(**values)
