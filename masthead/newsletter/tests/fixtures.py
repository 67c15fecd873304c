"""Newsletter fixtures shared by the app's tests, the browser tests and the bench."""

from datetime import time

import pytest
from django.utils import timezone

from masthead.newsletter.choices import DigestSchedule, SubscriberStatus
from masthead.newsletter.issues import create_edition
from masthead.newsletter.models import ListMembership, NewsletterList, Subscriber


def make_list(name: str, slug: str, **fields) -> NewsletterList:
    return NewsletterList.objects.create(name=name, slug=slug, **fields)


def confirmed_subscribers(newsletter_list, count: int, prefix: str = "reader"):
    """`count` confirmed subscribers on the list, made in bulk (fast for 100,000)."""
    now = timezone.now()
    start = Subscriber.objects.count()
    Subscriber.objects.bulk_create(
        [
            Subscriber(
                email=f"{prefix}{start + n}@example.org",
                status=SubscriberStatus.CONFIRMED,
                created_at=now,
                confirmed_at=now,
            )
            for n in range(count)
        ],
        batch_size=5000,
    )
    made = Subscriber.objects.filter(email__startswith=prefix).exclude(
        memberships__newsletter_list=newsletter_list
    )
    ListMembership.objects.bulk_create(
        [
            ListMembership(subscriber_id=pk, newsletter_list=newsletter_list)
            for pk in made.values_list("pk", flat=True)
        ],
        batch_size=5000,
    )
    return Subscriber.objects.filter(memberships__newsletter_list=newsletter_list)


@pytest.fixture
def daily_list(db):
    return make_list(
        "Daily digest",
        "daily",
        description="The day's stories at 7 every morning.",
        schedule=DigestSchedule.DAILY,
        send_time=time(7, 0),
        checked_at_signup=True,
    )


@pytest.fixture
def breaking_list(db):
    return make_list("Breaking news", "breaking", description="Only when it matters.")


@pytest.fixture
def subscriber(daily_list):
    return confirmed_subscribers(daily_list, 1, prefix="ana").get()


@pytest.fixture
def edition(daily_list, article):
    """A draft issue of the daily list holding `article`."""
    return create_edition(daily_list)
