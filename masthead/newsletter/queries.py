"""Reads: the stories an issue carries or could carry, recipients, and progress."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from masthead.news.queries import latest_articles

from . import conf
from .choices import DeliveryStatus, IssueStatus, SubscriberStatus
from .models import Delivery, Issue, NewsletterList, Subscriber


def issue_stories(issue: Issue) -> list:
    """The issue's live stories in the editor's order, with their section titles."""
    order = {
        story.page_id: index
        for index, story in enumerate(issue.stories.all().order_by("sort_order", "pk"))
    }
    pages = latest_articles().filter(pk__in=order)
    return sorted(pages, key=lambda page: order[page.pk])


def previous_issue_time(
    newsletter_list: NewsletterList, before=None
) -> datetime | None:
    """When the list's last issue started going out (or was made, if unsent)."""
    issues = Issue.objects.filter(newsletter_list=newsletter_list).exclude(
        status=IssueStatus.DRAFT
    )
    if before is not None:
        issues = issues.exclude(pk=before.pk)
    last = issues.order_by("-started_at", "-created_at").first()
    if last is None:
        return None
    return last.started_at or last.scheduled_for or last.created_at


def stories_since(newsletter_list: NewsletterList, before=None) -> QuerySet:
    """Live stories published since the list's previous issue, newest first."""
    stories = latest_articles()
    since = previous_issue_time(newsletter_list, before)
    if since is not None:
        stories = stories.filter(first_published_at__gt=since)
    return stories[: conf.get("MASTHEAD_NEWSLETTER_MAX_STORIES")]


def recipients(newsletter_list: NewsletterList) -> QuerySet:
    """Confirmed subscribers on the list: who an issue is sent to."""
    return Subscriber.objects.filter(
        status=SubscriberStatus.CONFIRMED, memberships__newsletter_list=newsletter_list
    )


@dataclass(frozen=True)
class Progress:
    total: int
    sent: int
    failed: int
    skipped: int
    waiting: int
    per_second: float
    seconds_left: float | None
    # Refused for now by the receiving server; each goes out again at its time.
    deferred: int = 0
    next_retry_at: datetime | None = None

    @property
    def done(self) -> int:
        return self.sent + self.failed + self.skipped

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 100


def progress(issue: Issue, now=None) -> Progress:
    counts = Delivery.objects.filter(issue=issue).aggregate(
        **{
            status: Count("pk", filter=Q(status=status))
            for status in DeliveryStatus.values
        }
    )
    total = issue.total or sum(counts.values())
    sent = counts[DeliveryStatus.SENT]
    waiting = counts[DeliveryStatus.QUEUED] + counts[DeliveryStatus.CLAIMED]
    deferred = counts[DeliveryStatus.DEFERRED]
    next_retry_at = None
    if deferred:
        next_retry_at = (
            Delivery.objects.filter(issue=issue, status=DeliveryStatus.DEFERRED)
            .order_by("retry_at")
            .values_list("retry_at", flat=True)
            .first()
        )
    per_second, seconds_left = 0.0, None
    if issue.started_at and sent:
        end = issue.finished_at or now or timezone.now()
        elapsed = max((end - issue.started_at).total_seconds(), 0.001)
        per_second = sent / elapsed
        seconds_left = waiting / per_second if waiting else 0.0
    return Progress(
        total=total,
        sent=sent,
        failed=counts[DeliveryStatus.FAILED],
        skipped=counts[DeliveryStatus.SKIPPED],
        waiting=waiting,
        per_second=per_second,
        seconds_left=seconds_left,
        deferred=deferred,
        next_retry_at=next_retry_at,
    )


def with_confirmed_counts(lists: QuerySet) -> QuerySet:
    """Lists annotated with `confirmed`: their confirmed subscribers."""
    return lists.annotate(
        confirmed=Count(
            "memberships",
            filter=Q(memberships__subscriber__status=SubscriberStatus.CONFIRMED),
        )
    )


def with_sent_counts(issues: QuerySet) -> QuerySet:
    """Issues annotated with `sent_count`: their deliveries marked sent."""
    return issues.annotate(
        sent_count=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.SENT))
    )


def signup_lists() -> QuerySet:
    return NewsletterList.objects.filter(active=True)
