"""send_or_retry: a mail that fails for now comes back later; one that never can
fails its task."""

import smtplib
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from masthead.core.mailing import RETRY_DELAYS, is_transient, send_or_retry
from masthead.core.tests.queued_tasks import DATABASE_TASKS


@task()
def mail_task(address: str, attempt: int = 0) -> bool:
    return True  # stands for a task that mails; the tests call send_or_retry


def failing(error):
    def send():
        raise error

    return send


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (TimeoutError("timed out"), True),
        (ConnectionRefusedError(), True),
        (smtplib.SMTPServerDisconnected("gone"), True),
        (smtplib.SMTPDataError(451, b"try later"), True),
        (smtplib.SMTPDataError(554, b"no"), False),
        (smtplib.SMTPRecipientsRefused({"a@example.org": (450, b"busy")}), True),
        (smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"unknown")}), False),
        (ValueError("a bug"), False),
    ],
)
def test_what_counts_as_worth_another_try(error, transient):
    assert is_transient(error) is transient


@pytest.mark.django_db
def test_a_timeout_queues_the_task_again_later(settings):
    settings.TASKS = DATABASE_TASKS
    before = timezone.now()

    sent = send_or_retry(
        failing(TimeoutError("timed out")), mail_task, "a@example.org", attempt=1
    )

    assert sent is False
    retry = DBTaskResult.objects.get()
    assert retry.args_kwargs == {"args": ["a@example.org"], "kwargs": {"attempt": 2}}
    assert retry.run_after >= before + timedelta(seconds=RETRY_DELAYS[1])


@pytest.mark.django_db
def test_a_permanent_refusal_fails_at_once(settings):
    settings.TASKS = DATABASE_TASKS
    refused = smtplib.SMTPDataError(554, b"rejected")

    with pytest.raises(smtplib.SMTPDataError):
        send_or_retry(failing(refused), mail_task, "a@example.org")
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db
def test_the_last_attempt_fails_instead_of_retrying(settings):
    settings.TASKS = DATABASE_TASKS

    with pytest.raises(TimeoutError):
        send_or_retry(
            failing(TimeoutError()),
            mail_task,
            "a@example.org",
            attempt=len(RETRY_DELAYS),
        )
    assert not DBTaskResult.objects.exists()


def test_a_backend_that_cannot_defer_fails_the_task():
    # The immediate backend of the test settings: a retry would run at once.
    with pytest.raises(TimeoutError):
        send_or_retry(failing(TimeoutError()), mail_task, "a@example.org")


def test_a_sent_mail_says_so():
    assert send_or_retry(lambda: 1, mail_task, "a@example.org") is True
