"""A mail server that takes the connection and never answers, or answers slowly.

Every path that mails must give up within its budget (EMAIL_TIMEOUT, made short
here) and keep the mail queued: a task enqueued again for later, a delivery row
still queued, a notification row still waiting. Requests that lead to mail only
enqueue it: they never touch the mail server, so a hanging one cannot slow them.
"""

import smtplib
import time

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from masthead.comments import subscriptions
from masthead.comments.choices import SubscriptionStatus
from masthead.comments.models import PendingNotification, Subscription
from masthead.comments.moderation import (
    DIGEST_LOCK_KEY,
    DIGEST_SENT_KEY,
    send_moderator_digest,
)
from masthead.comments.tests.fixtures import aged_form_token, post_comment
from masthead.core.mailing import RETRY_DELAYS
from masthead.core.tests.queued_tasks import DATABASE_TASKS, run_queued_tasks
from masthead.newsletter import sending
from masthead.newsletter.choices import DeliveryStatus, IssueStatus
from masthead.newsletter.issues import create_edition
from masthead.newsletter.models import Delivery, PendingSignup, Subscriber
from masthead.newsletter.tests.fixtures import confirmed_subscribers
from masthead.privacy.models import MyDataLink
from masthead.revenue import services as revenue
from masthead.revenue.tests.fixtures import ask, event

from .silent_servers import SilentServer, SlowSMTPServer, elapsed

TIMEOUT = 0.5  # EMAIL_TIMEOUT in these tests
# One mail: connect, greeting and a few commands, each allowed TIMEOUT; plus
# generous room for a loaded machine. Never near the 10 s default.
BUDGET = 6.0


@pytest.fixture(params=["silent", "slow"])
def hanging_smtp(request, settings):
    """The site's SMTP server: silent after accepting, or slower than the timeout."""
    server = SilentServer() if request.param == "silent" else SlowSMTPServer(5.0)
    with server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_TIMEOUT = TIMEOUT
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        yield server


@pytest.fixture
def database_tasks(settings):
    """Tasks go to the database queue, as in production, instead of running inline."""
    settings.TASKS = DATABASE_TASKS


def run_worker() -> float:
    """Run every task that is due, as `db_worker --batch` would (which closes the
    test's database connection, so it is not called itself); returns the seconds
    taken."""
    began = time.monotonic()
    run_queued_tasks("fault-test")
    return elapsed(began)


def queued(task_name: str) -> list[DBTaskResult]:
    return [
        row
        for row in DBTaskResult.objects.filter(status="READY")
        if row.task_path.endswith(task_name)
    ]


def assert_retry_queued(task_name: str) -> DBTaskResult:
    """The task failed for now and waits in the queue for its next attempt."""
    (retry,) = queued(task_name)
    assert retry.run_after > retry.enqueued_at
    wait = (retry.run_after - retry.enqueued_at).total_seconds()
    assert wait == pytest.approx(RETRY_DELAYS[0], abs=5)
    assert retry.args_kwargs["kwargs"] == {"attempt": 1}
    return retry


# --- requests only enqueue ------------------------------------------------------------


@pytest.mark.django_db
def test_newsletter_signup_never_waits_on_the_mail_server(
    client, hanging_smtp, database_tasks, daily_list
):
    response = client.post(
        reverse("newsletter:subscribe"),
        {"email": "ana@example.org", "lists": [daily_list.pk]},
    )

    assert response.status_code == 302
    assert hanging_smtp.connections == 0
    assert len(queued("send_confirmation_task")) == 1

    assert run_worker() < BUDGET
    assert hanging_smtp.connections == 1
    retry = assert_retry_queued("send_confirmation_task")
    # The pending signup's id: the reader's address and name stay out of the queue.
    assert retry.args_kwargs["args"] == [PendingSignup.objects.get().pk]
    assert Subscriber.objects.get().status == "pending"


@pytest.mark.django_db
def test_comment_subscription_never_waits_on_the_mail_server(
    client, hanging_smtp, database_tasks, article
):
    response = client.post(
        reverse("comments:subscribe", args=[article.pk]),
        {"email": "bo@example.org", "kind": "all", "token": aged_form_token(article)},
        HTTP_ACCEPT="application/json",
    )

    assert response.status_code == 200, response.content
    assert hanging_smtp.connections == 0
    assert run_worker() < BUDGET
    assert_retry_queued("send_subscription_confirmation_task")
    # Still pending: the reader's link comes with the retry.
    assert Subscription.objects.get().status == SubscriptionStatus.PENDING


@pytest.mark.django_db
def test_comment_with_notify_me_never_waits_on_the_mail_server(
    hanging_smtp, database_tasks, article, publish_at_once
):
    comment = post_comment(
        article, "Tell me when someone answers.", notify_replies=True
    )

    assert comment.pk is not None
    assert hanging_smtp.connections == 0
    assert run_worker() < BUDGET
    assert_retry_queued("send_subscription_confirmation_task")


@pytest.mark.django_db
def test_my_data_request_never_waits_on_the_mail_server(
    client, hanging_smtp, database_tasks
):
    response = client.post(reverse("privacy:request"), {"email": "cy@example.org"})

    assert response.status_code == 302
    assert hanging_smtp.connections == 0
    assert run_worker() < BUDGET
    retry = assert_retry_queued("send_my_data_link_task")
    # The queue carries the link's id; the address stays out of the task table.
    assert retry.args_kwargs["args"] == [MyDataLink.objects.get().pk]


@pytest.mark.django_db
def test_donation_receipt_waits_for_the_mail_server_and_is_not_marked_sent(
    hanging_smtp, database_tasks, django_capture_on_commit_callbacks
):
    donation = revenue.create_pending(ask())
    with django_capture_on_commit_callbacks(execute=True):
        revenue.apply_event("test_mode", event(donation=donation))

    assert hanging_smtp.connections == 0
    assert run_worker() < BUDGET
    assert_retry_queued("send_receipt_task")
    donation.refresh_from_db()
    assert donation.status == "completed"
    assert donation.receipt_sent_at is None


def test_the_last_attempt_fails_the_task_with_the_reason(
    hanging_smtp, database_tasks, db
):
    from masthead.newsletter.tasks import send_confirmation_task

    subscriber = Subscriber.objects.create(
        email="dee@example.org", created_at=timezone.now()
    )
    list_id = _any_list_id()
    signup = PendingSignup.objects.create(subscriber=subscriber, list_ids=[list_id])
    send_confirmation_task.enqueue(signup.pk, attempt=len(RETRY_DELAYS))

    assert run_worker() < BUDGET
    failed = DBTaskResult.objects.get(status="FAILED")
    assert failed.exception_class_path.split(".")[-1] in {
        "TimeoutError",
        "SMTPServerDisconnected",
    }
    assert not queued("send_confirmation_task")


def _any_list_id() -> int:
    from masthead.newsletter.tests.fixtures import make_list

    return make_list("Weekly", "weekly").pk


# --- work the worker does in bulk -----------------------------------------------------


@pytest.mark.django_db
def test_comment_notifications_stay_waiting_and_the_run_stops_early(
    hanging_smtp, article, publish_at_once
):
    followers = [f"follower{n}@example.org" for n in range(5)]
    for email in followers:
        rows = subscriptions.subscribe(article, email, ["all"])
        subscriptions.confirm(rows[0].confirm_key)
    comment = post_comment(article, "News for all of you.", email="new@example.org")
    subscriptions.queue_notifications(comment.pk)
    waiting = PendingNotification.objects.count()
    assert waiting == len(followers)
    tried_before = hanging_smtp.connections  # the confirmation mails, inline here

    began = time.monotonic()
    sent = subscriptions.deliver_due_notifications()

    # One timeout, not one per reader.
    assert elapsed(began) < BUDGET
    assert sent == 0
    assert hanging_smtp.connections == tried_before + 1
    assert PendingNotification.objects.count() == waiting
    assert not Subscription.objects.filter(last_notified_at__isnull=False).exists()


@pytest.mark.django_db
def test_newsletter_issue_deliveries_stay_queued(
    hanging_smtp, monkeypatch, daily_list, article
):
    confirmed_subscribers(daily_list, 3)
    issue = create_edition(daily_list)
    sending.start_sending(issue)
    # The sender's own pauses between tries, shortened like the timeout.
    monkeypatch.setattr(sending, "RETRY_PAUSE", (0.05, 0.1))

    began = time.monotonic()
    report = sending.send_issue(issue.pk)

    assert elapsed(began) < 3 * BUDGET
    assert report.sent == 0 and report.errors
    assert not report.finished
    statuses = set(Delivery.objects.values_list("status", flat=True))
    assert statuses == {DeliveryStatus.QUEUED}
    assert not Delivery.objects.filter(sent_at__isnull=False).exists()
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENDING


@pytest.mark.django_db
def test_moderator_digest_is_tried_again_next_time(hanging_smtp, article, moderator):
    post_comment(article, "Waiting for a moderator.")

    began = time.monotonic()
    with pytest.raises((OSError, smtplib.SMTPException)):
        send_moderator_digest()

    assert elapsed(began) < BUDGET
    # Neither recorded as sent nor left locked: the next hourly run mails it.
    assert cache.get(DIGEST_SENT_KEY) is None
    assert cache.get(DIGEST_LOCK_KEY) is None
    with pytest.raises((OSError, smtplib.SMTPException)):
        send_moderator_digest()
    assert hanging_smtp.connections == 2
