"""Periodic jobs: which task to enqueue, how often, and which scheduler does it.

The scheduler only enqueues; the worker runs. Every app server may start one:
the scheduler holding the lease row enqueues and renews it each tick, the others
idle until it stops renewing. When each job is next due lives in the database
and a job is claimed by a conditional UPDATE, so a takeover, or a run-once from
cron beside a running scheduler, neither enqueues a job early nor twice. A job
whose last task still waits in the queue is not enqueued again, so a stopped
worker does not come back to a pile of duplicates.

Only django-tasks' public API is used (enqueue, get_result), so any backend that
can retrieve results keeps the waiting rule; one that cannot simply enqueues.
"""

import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist

from .models import PeriodicJobRun, SchedulerLease

logger = logging.getLogger("masthead.core")

LEASE_NAME = "scheduler"
# A holder that has not renewed for this long is taken to be gone.
DEFAULT_LEASE_SECONDS = 30
DEFAULT_TICK_SECONDS = 2.0


@dataclass(frozen=True)
class PeriodicJob:
    task_path: str  # dotted path of a django-tasks task
    every_seconds: int

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


def holder_name() -> str:
    """How this process shows as the lease holder in /healthz."""
    return f"{socket.gethostname()}:{os.getpid()}"


def take_lease(
    holder: str, now: datetime, seconds: int = DEFAULT_LEASE_SECONDS
) -> bool:
    """Take the scheduler lease, or renew it; True while `holder` holds it.

    One conditional UPDATE decides: the row is locked while it is written
    (PostgreSQL re-checks the condition after waiting, SQLite writes one at a
    time), so of two schedulers asking at once only one matches.
    """
    SchedulerLease.objects.bulk_create(
        [SchedulerLease(name=LEASE_NAME, expires_at=now)], ignore_conflicts=True
    )
    taken = (
        SchedulerLease.objects.filter(name=LEASE_NAME)
        .filter(Q(holder=holder) | Q(expires_at__lte=now))
        .update(
            holder=holder,
            expires_at=now + timedelta(seconds=seconds),
            last_tick_at=now,
        )
    )
    return taken == 1


def release_lease(holder: str, now: datetime) -> None:
    """Let another scheduler take over at once; the holder's name and last tick
    stay for /healthz."""
    SchedulerLease.objects.filter(name=LEASE_NAME, holder=holder).update(expires_at=now)


def current_lease() -> SchedulerLease | None:
    return SchedulerLease.objects.filter(name=LEASE_NAME).first()


def still_waiting(task, result_id: str) -> bool:
    """Whether the task result enqueued last is still waiting for a worker."""
    if not result_id or not task.get_backend().supports_get_result:
        return False
    try:
        return task.get_result(result_id).status == TaskResultStatus.READY
    except TaskResultDoesNotExist:  # pruned, or another backend's id
        return False


def enqueue_due(jobs: list[PeriodicJob], now: datetime) -> list[str]:
    """Enqueue every job whose time has come; returns the task paths enqueued."""
    paths = [job.task_path for job in jobs]
    known = dict(
        PeriodicJobRun.objects.filter(task_path__in=paths).values_list(
            "task_path", "due_at"
        )
    )
    if missing := [path for path in paths if path not in known]:
        # A job never seen before is due at once.
        PeriodicJobRun.objects.bulk_create(
            [PeriodicJobRun(task_path=path, due_at=now) for path in missing],
            ignore_conflicts=True,
        )
    due = [job for job in jobs if known.get(job.task_path, now) <= now]
    return [job.task_path for job in due if _enqueue_if_still_due(job, now)]


def _enqueue_if_still_due(job: PeriodicJob, now: datetime) -> bool:
    # The claim and the enqueue commit together (the database queue shares the
    # transaction): a scheduler dying between them leaves the job due, not lost.
    with transaction.atomic():
        claimed = PeriodicJobRun.objects.filter(
            task_path=job.task_path, due_at__lte=now
        ).update(due_at=now + timedelta(seconds=job.every_seconds))
        if not claimed:  # another scheduler or a run-once got there first
            return False
        run = PeriodicJobRun.objects.get(task_path=job.task_path)
        task = job.task
        if still_waiting(task, run.last_result_id):
            return False
        result = task.enqueue()
        PeriodicJobRun.objects.filter(task_path=job.task_path).update(
            last_enqueued_at=now, last_result_id=result.id
        )
    return True


def run_once(
    jobs: list[PeriodicJob],
    holder: str,
    now: datetime,
    lease_seconds: int = DEFAULT_LEASE_SECONDS,
) -> list[str] | None:
    """Enqueue what is due, for cron or a systemd timer; None when a running
    scheduler holds the lease (it enqueues them itself)."""
    if not take_lease(holder, now, lease_seconds):
        return None
    try:
        return enqueue_due(jobs, now)
    finally:
        release_lease(holder, timezone.now())


def run_forever(
    jobs: list[PeriodicJob],
    holder: str,
    tick_seconds: float = DEFAULT_TICK_SECONDS,
    lease_seconds: int = DEFAULT_LEASE_SECONDS,
    stop: Callable[[], bool] = lambda: False,
) -> None:
    holding = False
    try:
        while not stop():
            try:
                now = timezone.now()
                was_holding, holding = holding, take_lease(holder, now, lease_seconds)
                if holding and not was_holding:
                    logger.info("scheduler %s holds the lease", holder)
                elif was_holding and not holding:
                    logger.warning("scheduler %s lost the lease", holder)
                if holding:
                    for path in enqueue_due(jobs, now):
                        logger.info("enqueued %s", path)
            except Exception:
                # A database hiccup must not kill the loop; the next tick tries
                # again.
                logger.exception("scheduler tick failed")
            time.sleep(tick_seconds)
    finally:
        if holding:
            try:
                release_lease(holder, timezone.now())
            except Exception:  # the lease then expires by itself
                logger.exception("could not release the scheduler lease")
