from datetime import UTC, datetime

import pytest

from masthead.demo.generate.newsletter import SUBSCRIBERS, write_demo_newsletter
from masthead.demo.services import generate_demo
from masthead.newsletter.choices import (
    DeliveryStatus,
    DigestSchedule,
    IssueKind,
    IssueStatus,
    SubscriberStatus,
)
from masthead.newsletter.models import (
    Delivery,
    Issue,
    ListMembership,
    NewsletterList,
    Subscriber,
)
from masthead.newsletter.queries import progress, recipients

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 12, 10, 30, tzinfo=UTC)  # a Thursday


def test_demo_fills_lists_readers_and_one_sent_digest_per_digest_list(
    article, mailoutbox
):
    added = write_demo_newsletter(seed=5, now=NOW)

    lists = {li.slug: li for li in NewsletterList.objects.all()}
    assert added.lists == 3 and set(lists) == {"daily", "weekly", "breaking"}
    assert lists["daily"].schedule == DigestSchedule.DAILY
    assert lists["daily"].send_time.hour == 7
    assert (lists["weekly"].weekday, lists["weekly"].send_time.hour) == (4, 8)
    assert lists["breaking"].schedule == DigestSchedule.MANUAL

    assert added.subscribers == Subscriber.objects.count() == SUBSCRIBERS
    statuses = set(Subscriber.objects.values_list("status", flat=True))
    assert statuses == {
        SubscriberStatus.CONFIRMED,
        SubscriberStatus.PENDING,
        SubscriberStatus.UNSUBSCRIBED,
    }
    domains = {
        e.split("@")[1] for e in Subscriber.objects.values_list("email", flat=True)
    }
    assert domains == {"example.org", "example.com", "example.net"}
    confirmed = Subscriber.objects.filter(status=SubscriberStatus.CONFIRMED)
    assert confirmed.count() > SUBSCRIBERS * 0.8
    assert not confirmed.filter(memberships__isnull=True).exists()
    assert not ListMembership.objects.exclude(
        subscriber__status=SubscriberStatus.CONFIRMED
    ).exists()

    assert added.issues == 2
    for slug in ("daily", "weekly"):
        issue = Issue.objects.get(newsletter_list=lists[slug])
        assert issue.status == IssueStatus.SENT and issue.kind == IssueKind.DIGEST
        assert issue.stories.get().page_id == article.pk
        assert issue.total == recipients(lists[slug]).count() > 0
        assert progress(issue).sent == issue.total
        assert issue.started_at < issue.finished_at <= NOW
    assert not Issue.objects.filter(newsletter_list=lists["breaking"]).exists()
    assert set(Delivery.objects.values_list("status", flat=True)) == {
        DeliveryStatus.SENT
    }
    assert mailoutbox == []  # marked sent, never mailed


def test_demo_is_deterministic_and_a_second_run_adds_nothing(article):
    write_demo_newsletter(seed=5, now=NOW)
    first = sorted(Subscriber.objects.values_list("email", "status", "name"))
    counts = (ListMembership.objects.count(), Issue.objects.count())

    again = write_demo_newsletter(seed=5, now=NOW)

    assert (again.lists, again.subscribers, again.issues) == (0, 0, 0)
    assert sorted(Subscriber.objects.values_list("email", "status", "name")) == first
    assert (ListMembership.objects.count(), Issue.objects.count()) == counts
    Subscriber.objects.all().delete()
    write_demo_newsletter(seed=5, now=NOW)
    assert sorted(Subscriber.objects.values_list("email", "status", "name")) == first


def test_no_stories_means_no_issue_rather_than_an_empty_one(db):
    added = write_demo_newsletter(seed=1, now=NOW)

    assert added.issues == 0 and not Issue.objects.exists()


def test_the_demo_generator_fills_the_newsletter_once(db):
    generate_demo(6, seed=3)
    subscribers, issue_count = Subscriber.objects.count(), Issue.objects.count()
    assert subscribers == SUBSCRIBERS and issue_count == 2

    generate_demo(6, seed=3)

    assert Subscriber.objects.count() == subscribers
    assert Issue.objects.count() == issue_count
