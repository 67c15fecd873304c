"""Periodic jobs: which task to enqueue, and how often.

The scheduler only enqueues; the worker runs. A job that is still waiting in the
queue is not enqueued again, so a stopped worker does not come back to a pile of
duplicates.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.module_loading import import_string

logger = logging.getLogger("masthead.core")


@dataclass
class PeriodicJob:
    task_path: str  # dotted path of a django-tasks task
    every_seconds: int
    next_due: float = field(default=0.0)

    @property
    def task(self):
        return import_string(self.task_path)


def default_jobs() -> list[PeriodicJob]:
    return [
        PeriodicJob("masthead.news.tasks.publish_due_pages_task", every_seconds=30),
        PeriodicJob("masthead.core.tasks.prune_task_results_task", every_seconds=3600),
        PeriodicJob("masthead.core.tasks.optimize_database_task", every_seconds=3600),
        PeriodicJob("masthead.core.tasks.prune_mail_quota_task", every_seconds=3600),
        PeriodicJob(
            "masthead.privacy.tasks.forget_expired_links_task", every_seconds=3600
        ),
        # Notifications held back by a subscriber's 15-minute window go out here.
        PeriodicJob(
            "masthead.comments.tasks.deliver_comment_notifications_task",
            every_seconds=60,
        ),
        PeriodicJob(
            "masthead.comments.tasks.send_moderator_digest_task", every_seconds=3600
        ),
        # Redis view counters reach the database (and Trending) every minute.
        PeriodicJob(
            "masthead.analytics.tasks.flush_view_counters_task", every_seconds=60
        ),
        # Yesterday's salt goes soon after midnight (UTC).
        PeriodicJob("masthead.analytics.tasks.forget_visitors_task", every_seconds=600),
        # Digests and scheduled issues start here; so does a sender that died.
        PeriodicJob(
            "masthead.newsletter.tasks.dispatch_newsletters_task", every_seconds=30
        ),
        PeriodicJob(
            "masthead.newsletter.tasks.purge_unconfirmed_task", every_seconds=3600
        ),
    ]


def _is_waiting(task_path: str) -> bool:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=task_path, status="READY").exists()


def enqueue_due(
    jobs: list[PeriodicJob], now: float, is_waiting: Callable[[str], bool] = _is_waiting
) -> list[str]:
    """Enqueue every job whose time has come; returns the task paths enqueued."""
    enqueued = []
    for job in jobs:
        if now < job.next_due:
            continue
        job.next_due = now + job.every_seconds
        if is_waiting(job.task_path):
            continue
        job.task.enqueue()
        enqueued.append(job.task_path)
    return enqueued


def run_forever(
    jobs: list[PeriodicJob],
    tick_seconds: float = 1.0,
    stop: Callable[[], bool] = lambda: False,
) -> None:
    while not stop():
        try:
            enqueue_due(jobs, time.monotonic())
        except Exception:
            # A database hiccup must not kill the loop; the next tick tries again.
            logger.exception("scheduler tick failed")
        time.sleep(tick_seconds)
