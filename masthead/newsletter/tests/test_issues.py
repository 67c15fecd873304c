from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from masthead.news.tests.factories import ArticlePageFactory
from masthead.newsletter import issues, sending
from masthead.newsletter.choices import DigestSchedule, IssueKind, IssueStatus
from masthead.newsletter.exceptions import NotSendable
from masthead.newsletter.models import Issue
from masthead.newsletter.queries import issue_stories, progress
from masthead.newsletter.tests.fixtures import confirmed_subscribers, make_list

pytestmark = pytest.mark.django_db


def _story(section, title, when):
    return ArticlePageFactory(parent=section, title=title, first_published_at=when)


def test_an_edition_is_prefilled_with_stories_since_the_lists_previous_issue(
    daily_list, section, editor
):
    now = timezone.now()
    old = _story(section, "Old news", now - timedelta(days=3))
    earlier = issues.create_edition(daily_list)
    assert [p.pk for p in issue_stories(earlier)] == [old.pk]
    Issue.objects.filter(pk=earlier.pk).update(
        status=IssueStatus.SENT, started_at=now - timedelta(days=1)
    )
    first = _story(section, "First since", now - timedelta(hours=5))
    second = _story(section, "Second since", now - timedelta(hours=1))

    issue = issues.create_edition(daily_list, editor)

    assert [p.title for p in issue_stories(issue)] == [second.title, first.title]
    assert issue.created_by == editor
    assert issue.status == IssueStatus.DRAFT
    assert "Daily digest" in issue.subject


def test_the_editors_order_is_kept_and_unpublished_stories_drop_out(
    daily_list, section
):
    now = timezone.now()
    a = _story(section, "A", now - timedelta(hours=3))
    b = _story(section, "B", now - timedelta(hours=2))
    c = _story(section, "C", now - timedelta(hours=1))
    issue = issues.create_edition(daily_list)
    issues.fill_stories(issue, [a, c, b])
    assert [p.title for p in issue_stories(issue)] == ["A", "C", "B"]
    c.unpublish()
    assert [p.title for p in issue_stories(issue)] == ["A", "B"]


def test_scheduling_needs_a_future_time_and_content(edition, daily_list):
    with pytest.raises(NotSendable, match="future"):
        issues.schedule(edition, timezone.now() - timedelta(minutes=1))
    empty = Issue.objects.create(newsletter_list=daily_list, subject="Empty")
    with pytest.raises(NotSendable, match="at least one story"):
        issues.schedule(empty, timezone.now() + timedelta(hours=1))

    when = timezone.now() + timedelta(hours=1)
    issues.schedule(edition, when)
    edition.refresh_from_db()
    assert (edition.status, edition.scheduled_for) == (IssueStatus.SCHEDULED, when)
    issues.unschedule(edition)
    edition.refresh_from_db()
    assert (edition.status, edition.scheduled_for) == (IssueStatus.DRAFT, None)


def test_a_scheduled_issue_goes_out_when_due_and_only_then(edition, subscriber):
    when = timezone.now() + timedelta(hours=1)
    issues.schedule(edition, when)
    assert issues.start_due_scheduled(when - timedelta(seconds=1)) == []
    assert mail.outbox == []

    assert issues.start_due_scheduled(when) == [edition.pk]

    edition.refresh_from_db()
    assert edition.status == IssueStatus.SENT
    assert [m.to for m in mail.outbox] == [[subscriber.email]]
    with pytest.raises(NotSendable):
        issues.send_now(edition)
    with pytest.raises(NotSendable):
        issues.schedule(edition, when + timedelta(days=1))


@pytest.mark.parametrize(
    ("schedule", "weekday", "now", "slot"),
    [
        # Daily at 07:00 UTC: before seven, yesterday's slot; after, today's.
        ("daily", 0, datetime(2026, 11, 27, 6, 59, tzinfo=UTC), "2026-11-26 07:00"),
        ("daily", 0, datetime(2026, 11, 27, 7, 0, tzinfo=UTC), "2026-11-27 07:00"),
        # Weekly on Friday (4); 27 Nov 2026 is a Friday.
        ("weekly", 4, datetime(2026, 11, 27, 9, 0, tzinfo=UTC), "2026-11-27 07:00"),
        ("weekly", 4, datetime(2026, 11, 27, 6, 0, tzinfo=UTC), "2026-11-20 07:00"),
        ("weekly", 0, datetime(2026, 11, 27, 9, 0, tzinfo=UTC), "2026-11-23 07:00"),
    ],
)
def test_digest_slots(schedule, weekday, now, slot):
    newsletter_list = make_list(
        "List", "list", schedule=schedule, weekday=weekday, send_time=time(7, 0)
    )
    assert issues.digest_slot(newsletter_list, now).strftime("%Y-%m-%d %H:%M") == slot


@override_settings(TIME_ZONE="Europe/Berlin")
def test_digest_time_is_site_time():
    newsletter_list = make_list("List", "list", schedule=DigestSchedule.DAILY)
    slot = issues.digest_slot(newsletter_list, datetime(2026, 11, 27, 7, 0, tzinfo=UTC))
    assert slot.astimezone(UTC).strftime("%H:%M") == "06:00"


def test_a_manual_list_has_no_digest(breaking_list):
    assert issues.digest_slot(breaking_list, timezone.now()) is None


def test_a_due_digest_is_made_and_sent_once(daily_list, section, subscriber):
    slot_day = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
    _story(section, "Overnight story", slot_day - timedelta(hours=3))
    with time_machine.travel(slot_day + timedelta(minutes=1), tick=False):
        made = issues.make_due_digests()
        again = issues.make_due_digests()

    assert again == []
    (digest,) = made
    digest.refresh_from_db()
    assert digest.kind == IssueKind.DIGEST
    assert digest.digest_slot == slot_day
    assert digest.status == IssueStatus.SENT
    assert [m.to for m in mail.outbox] == [[subscriber.email]]
    assert "Overnight story" in mail.outbox[0].body


def test_no_digest_without_new_stories_or_for_a_long_missed_slot(
    daily_list, section, subscriber
):
    slot_day = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
    with time_machine.travel(slot_day + timedelta(minutes=1), tick=False):
        assert issues.make_due_digests() == []
    _story(section, "Story", slot_day - timedelta(days=3))
    # The slot of 23 Nov 07:00 seen on 24 Nov 08:00 is more than a day late.
    daily_list.schedule = DigestSchedule.WEEKLY
    daily_list.weekday = 0
    daily_list.save()
    with time_machine.travel(datetime(2026, 11, 24, 8, 0, tzinfo=UTC), tick=False):
        assert issues.make_due_digests() == []
    assert not Issue.objects.exists()


def test_dispatch_resumes_an_issue_whose_sender_died(daily_list, article):
    confirmed_subscribers(daily_list, 5)
    issue = issues.create_edition(daily_list)
    sending.start_sending(issue)  # queued, but no sender ever ran
    later = timezone.now() + timedelta(minutes=5)

    result = issues.dispatch(later)

    assert result["resumed"] == [issue.pk]
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENT
    assert progress(issue).sent == 5
    assert len(mail.outbox) == 5
