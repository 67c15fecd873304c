"""Thin tasks for the worker: confirmation mails, sending slices, the dispatcher."""

import logging
import time

from django_tasks import task

from . import conf

logger = logging.getLogger("masthead.newsletter")
# A sender gives the worker back after this long and queues its own sequel, so
# a 100,000-mail issue does not hold up comment notifications for minutes.
SLICE_SECONDS = 60


@task()
def send_confirmation_task(pending_signup_id: int, attempt: int = 0) -> bool:
    # Ids only: the queue's rows outlive an erasure, the pending signup does not.
    from masthead.core.mailing import send_or_retry

    from .emails import confirmation_email
    from .models import PendingSignup
    from .services import signup_lists

    pending = (
        PendingSignup.objects.select_related("subscriber")
        .filter(pk=pending_signup_id)
        .first()
    )
    if pending is None or pending.subscriber.status == "suppressed":
        return False
    lists = signup_lists(pending)
    if not lists:
        return False
    # A mail server that hangs or refuses for now: the task comes back later.
    return send_or_retry(
        confirmation_email(pending, lists).send,
        send_confirmation_task,
        pending_signup_id,
        attempt=attempt,
    )


@task()
def send_issue_task(issue_id: int) -> dict:
    from .sending import send_issue

    deadline = time.monotonic() + SLICE_SECONDS
    report = send_issue(issue_id, stop=lambda: time.monotonic() > deadline)
    if not report.finished and time.monotonic() > deadline:
        send_issue_task.enqueue(issue_id)
    return {"sent": report.sent, "failed": report.failed, "finished": report.finished}


def start_senders(issue_id: int) -> None:
    for _ in range(conf.get("MASTHEAD_NEWSLETTER_SENDERS")):
        send_issue_task.enqueue(issue_id)


@task()
def dispatch_newsletters_task() -> dict:
    from .issues import dispatch

    return dispatch()


@task()
def purge_unconfirmed_task() -> int:
    from .services import purge_unconfirmed

    return purge_unconfirmed()
