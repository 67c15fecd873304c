"""Reader donations for the demo: this month's goal under way, monthly supporters.

They go through the same service as real payments (services.apply_event with
the test-mode provider's events), so the admin's lists and reports show what a
newsroom sees. The demo mails nobody. Everything
depends on the seed and on when the demo is loaded.
"""

import random
import uuid
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from wagtail.models import Site

from masthead.revenue import services
from masthead.revenue.choices import EventKind, Interval
from masthead.revenue.models import Donation, DonationSettings
from masthead.revenue.providers.base import ProviderEvent

from .comments import FIRST_NAMES, INITIALS

DAYS = 90
AMOUNTS = (5, 10, 10, 15, 20, 25, 25, 50, 100)
PROVIDER = "test_mode"
GOAL = (2000, "EUR")


def write_demo_donations(count: int, seed: int, now: datetime | None = None) -> int:
    """Add `count` completed donations over the last 90 days; returns how many."""
    rng = random.Random(f"donations:{seed}")  # nosec B311 # seeded: the same demo on every run
    now = now or timezone.now()
    with transaction.atomic():
        for number in range(count):
            _donate(rng, number, now - timedelta(days=DAYS * rng.random() ** 1.6))
        _set_goal()
    return count


def _donate(rng: random.Random, number: int, when: datetime) -> None:
    first = rng.choice(FIRST_NAMES)
    currency = rng.choice(("EUR", "EUR", "USD"))
    monthly = rng.random() < 0.2
    donation = Donation.objects.create(
        amount_minor=rng.choice(AMOUNTS) * 100,
        currency=currency,
        interval=Interval.MONTHLY if monthly else Interval.ONE_TIME,
        provider=PROVIDER,
        name=f"{first} {rng.choice(INITIALS)}.",
        email=f"{first.lower()}.{number}@example.org",
    )
    reference = str(donation.public_id)
    services.apply_event(
        PROVIDER,
        ProviderEvent(
            event_id=f"demo_{uuid.UUID(int=rng.getrandbits(128)).hex}",
            kind=EventKind.PAYMENT_COMPLETED,
            occurred_at=when,
            reference=reference,
            payment_ref=f"demo_pay_{donation.public_id.hex}",
            subscription_ref=f"demo_sub_{donation.public_id.hex}" if monthly else "",
            amount_minor=donation.amount_minor,
            currency=currency,
            email=donation.email,
            name=donation.name,
        ),
        send_receipts=False,
    )
    Donation.objects.filter(pk=donation.pk).update(created_at=when)


def _set_goal() -> None:
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        return
    settings = DonationSettings.for_site(site)
    settings.goal_amount, settings.goal_currency = GOAL
    settings.save()
