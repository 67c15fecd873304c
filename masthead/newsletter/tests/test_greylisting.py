"""A server that answers 451 (greylisting) gets the issue later, not never."""

from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from masthead.newsletter import issues, queries, sending, services
from masthead.newsletter.choices import DeliveryStatus, IssueStatus
from masthead.newsletter.models import Delivery, Issue
from masthead.newsletter.tests.fixtures import confirmed_subscribers
from masthead.newsletter.tests.smtp_sink import running_sink

pytestmark = pytest.mark.django_db


@pytest.fixture
def greylisted_issue(daily_list, article):
    confirmed_subscribers(daily_list, 2, prefix="open")
    confirmed_subscribers(daily_list, 1, prefix="greylisted")
    issue = issues.create_edition(daily_list)
    sending.start_sending(issue)
    return issue


def _greylisted(issue) -> Delivery:
    return Delivery.objects.get(issue=issue, subscriber__email__startswith="greylisted")


def test_a_greylisted_address_gets_the_issue_when_the_server_lets_it_in(
    greylisted_issue, admin_client
):
    issue = greylisted_issue
    with running_sink() as sink, override_settings(**sink.settings()):
        report = sending.send_issue(issue.pk)

        assert report.sent == 2 and report.retried == 1 and not report.finished
        delivery = _greylisted(issue)
        assert delivery.status == DeliveryStatus.DEFERRED
        assert delivery.error == "refused: 451"
        # Minutes, not the second it took before: greylisting wants a while.
        assert delivery.retry_at - timezone.now() > timedelta(minutes=4)
        issue.refresh_from_db()
        assert issue.status == IssueStatus.SENDING
        progress = queries.progress(issue)
        assert progress.deferred == 1 and progress.next_retry_at == delivery.retry_at
        page = admin_client.get(reverse("newsletter_issues:progress", args=[issue.pk]))
        assert "Waiting to retry" in page.content.decode()

        # Not yet due: a sender finds nothing to do, and nobody is woken.
        assert sending.send_issue(issue.pk).sent == 0
        assert sending.issues_needing_a_sender() == []

        sink.handler.greylisting = False
        with time_machine.travel(delivery.retry_at + timedelta(seconds=1)):
            assert sending.issues_needing_a_sender() == [issue.pk]
            report = sending.send_issue(issue.pk)

    assert report.sent == 1 and report.finished
    assert _greylisted(issue).status == DeliveryStatus.SENT
    assert len(sink.messages) == 3
    assert sorted(m["To"] for m in sink.messages) == sorted(
        issue.deliveries.values_list("subscriber__email", flat=True)
    )


def test_the_dispatcher_wakes_the_senders_when_a_retry_falls_due(
    greylisted_issue, monkeypatch
):
    issue = greylisted_issue
    with running_sink() as sink, override_settings(**sink.settings()):
        sending.send_issue(issue.pk)
    started = []
    monkeypatch.setattr("masthead.newsletter.tasks.start_senders", started.append)

    assert issues.dispatch()["resumed"] == []
    with time_machine.travel(_greylisted(issue).retry_at + timedelta(seconds=1)):
        assert issues.dispatch()["resumed"] == [issue.pk]
    assert started == [issue.pk]


def test_the_retries_wait_longer_each_time_then_give_up_with_the_reason(
    greylisted_issue,
):
    issue = greylisted_issue
    waits = []
    with running_sink() as sink, override_settings(**sink.settings()):
        sending.send_issue(issue.pk)
        for _ in range(10):
            delivery = _greylisted(issue)
            if delivery.status != DeliveryStatus.DEFERRED:
                break
            waits.append(delivery.retry_at)
            with time_machine.travel(delivery.retry_at + timedelta(seconds=1)):
                report = sending.send_issue(issue.pk)

    delivery = _greylisted(issue)
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 6
    assert delivery.error == "refused: 451; gave up after 6 attempts"
    gaps = [later - earlier for earlier, later in zip(waits, waits[1:], strict=False)]
    assert gaps == sorted(gaps) and gaps[-1] >= timedelta(hours=6)
    assert waits[-1] - waits[0] < timedelta(hours=12)
    assert report.finished
    assert Issue.objects.get(pk=issue.pk).status == IssueStatus.SENT


def test_unsubscribing_while_deferred_skips_the_retry(greylisted_issue):
    issue = greylisted_issue
    with running_sink() as sink, override_settings(**sink.settings()):
        sending.send_issue(issue.pk)
        services.unsubscribe(_greylisted(issue).subscriber)
        sink.handler.greylisting = False
        with time_machine.travel(timezone.now() + timedelta(days=1)):
            report = sending.send_issue(issue.pk)

    assert _greylisted(issue).status == DeliveryStatus.SKIPPED
    assert report.finished and len(sink.messages) == 2
