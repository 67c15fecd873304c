"""A reader known to every app: a comment, subscriptions, donations, a monthly gift."""

from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.utils import timezone

from masthead.comments import subscriptions as comment_subscriptions
from masthead.comments.tests.fixtures import post_comment
from masthead.core.tests.queued_tasks import DATABASE_TASKS
from masthead.core.tests.queued_tasks import run_queued_tasks as run_tasks
from masthead.newsletter import services as newsletter_services
from masthead.newsletter.choices import DeliveryStatus
from masthead.newsletter.issues import create_edition
from masthead.newsletter.models import Delivery, Subscriber
from masthead.newsletter.tokens import confirmation_token
from masthead.revenue import services as revenue_services
from masthead.revenue.models import Donation
from masthead.revenue.providers.test_mode import TestModeProvider
from masthead.revenue.tests.fixtures import ask

READER = "fay@example.org"
OTHER = "bo@example.org"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def give(email: str, amount: str = "12.50", interval: str = "one_time", **fields):
    """A donation paid through the test-mode provider, as its checkout page does."""
    donation = revenue_services.create_pending(
        ask(email=email, amount=amount, interval=interval, **fields)
    )
    revenue_services.apply_event("test_mode", TestModeProvider.paid(donation))
    return Donation.objects.select_related("gift", "donor").get(pk=donation.pk)


def subscribe_to_newsletter(email: str, newsletter_list, name: str = "") -> Subscriber:
    newsletter_services.signup(email, [newsletter_list.pk], name)
    subscriber = Subscriber.objects.get(email=email)
    return newsletter_services.confirm(
        confirmation_token(subscriber, [newsletter_list.pk], name)
    )


@dataclass
class KnownReader:
    comment: object
    reply: object
    subscriber: Subscriber
    delivery: Delivery
    donation: Donation
    monthly: Donation


@pytest.fixture
def known_reader(article, publish_at_once, daily_list, mailoutbox) -> KnownReader:
    """Fay commented, follows the thread, reads the daily digest and gives monthly.

    Bo answered her and gave once: what erasing Fay must leave alone.
    """
    comment = post_comment(
        article,
        "The bridge was last repaired in 1998.",
        name="Fay Lindqvist",
        email=READER,
        url="https://fay.example.org",
    )
    reply = post_comment(
        article,
        "Thanks, Fay, that helps.",
        name="Bo",
        email=OTHER,
        parent_id=comment.pk,
    )
    rows = comment_subscriptions.subscribe(article, READER, ["all", "replies"])
    comment_subscriptions.confirm(rows[0].confirm_key)
    comment_subscriptions.subscribe(article, OTHER, ["all"])
    subscriber = subscribe_to_newsletter(READER, daily_list, name="Fay L.")
    subscribe_to_newsletter(OTHER, daily_list)
    delivery = Delivery.objects.create(
        issue=create_edition(daily_list),
        subscriber=subscriber,
        status=DeliveryStatus.SENT,
        sent_at=timezone.now(),
        attempts=1,
    )
    donation = give(READER, name="Fay Lindqvist")
    monthly = give(READER, amount="5", interval="monthly", name="Fay Lindqvist")
    give(OTHER, amount="20", name="Bo")
    mailoutbox.clear()
    return KnownReader(comment, reply, subscriber, delivery, donation, monthly)


@pytest.fixture
def database_tasks(settings):
    """Tasks are stored in the queue's table, as in production, not run inline."""
    settings.TASKS = DATABASE_TASKS


def run_queued_tasks() -> None:
    run_tasks("privacy-test")
