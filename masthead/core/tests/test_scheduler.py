from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from masthead.core.models import PeriodicJobRun, SchedulerLease
from masthead.core.scheduler import (
    LEASE_NAME,
    PeriodicJob,
    current_lease,
    default_jobs,
    enqueue_due,
    release_lease,
    run_once,
    take_lease,
)
from masthead.core.tests.queued_tasks import DATABASE_TASKS, run_queued_tasks

pytestmark = pytest.mark.django_db

PRUNE = "masthead.core.tasks.prune_mail_quota_task"


def prune_job(every=30) -> PeriodicJob:
    return PeriodicJob(PRUNE, every_seconds=every)


def queued(path=PRUNE) -> int:
    return DBTaskResult.objects.filter(task_path=path).count()


@override_settings(TASKS=DATABASE_TASKS)
def test_a_job_runs_once_per_interval():
    start = timezone.now()
    job = prune_job(every=30)

    assert enqueue_due([job], start) == [PRUNE]
    run_queued_tasks()
    assert enqueue_due([job], start + timedelta(seconds=10)) == []
    assert enqueue_due([job], start + timedelta(seconds=31)) == [PRUNE]
    assert queued() == 2


@override_settings(TASKS=DATABASE_TASKS)
def test_a_job_still_waiting_in_the_queue_is_not_enqueued_again():
    start = timezone.now()
    job = prune_job(every=30)
    enqueue_due([job], start)

    assert enqueue_due([job], start + timedelta(hours=1)) == []
    assert queued() == 1
    # Once the worker ran it, the next interval enqueues it again.
    run_queued_tasks()
    assert enqueue_due([job], start + timedelta(hours=2)) == [PRUNE]


@override_settings(TASKS=DATABASE_TASKS)
def test_when_a_job_is_due_survives_the_scheduler_that_enqueued_it():
    # A new scheduler (a takeover, a run-once) starts with fresh job objects and
    # reads the due times from the database.
    start = timezone.now()
    enqueue_due(default_jobs(), start)
    run_queued_tasks()

    assert enqueue_due(default_jobs(), start + timedelta(seconds=5)) == []
    due_in_a_minute = enqueue_due(default_jobs(), start + timedelta(seconds=61))
    assert sorted(due_in_a_minute) == sorted(
        job.task_path for job in default_jobs() if job.every_seconds <= 60
    )


@override_settings(TASKS=DATABASE_TASKS)
def test_a_job_claimed_by_another_scheduler_is_not_enqueued_again():
    start = timezone.now()
    job = prune_job()
    enqueue_due([job], start)
    run_queued_tasks()
    # Another scheduler claimed the next interval between our read and our claim.
    PeriodicJobRun.objects.filter(task_path=PRUNE).update(
        due_at=start + timedelta(minutes=5)
    )

    assert enqueue_due([job], start + timedelta(seconds=31)) == []
    assert queued() == 1


def test_a_job_removed_from_the_queue_is_enqueued_again():
    # The immediate backend of the tests keeps no results: nothing waits.
    start = timezone.now()
    job = prune_job()
    enqueue_due([job], start)
    assert PeriodicJobRun.objects.get(task_path=PRUNE).last_result_id

    assert enqueue_due([job], start + timedelta(seconds=31)) == [PRUNE]


def test_one_scheduler_holds_the_lease_until_it_expires():
    now = timezone.now()
    assert take_lease("a", now, seconds=30)
    assert not take_lease("b", now + timedelta(seconds=10), seconds=30)
    assert take_lease("a", now + timedelta(seconds=20), seconds=30)  # renewed
    assert not take_lease("b", now + timedelta(seconds=45), seconds=30)

    assert take_lease("b", now + timedelta(seconds=51), seconds=30)
    assert not take_lease("a", now + timedelta(seconds=52), seconds=30)
    assert current_lease().holder == "b"


def test_a_released_lease_is_taken_over_at_once_and_keeps_the_heartbeat():
    now = timezone.now()
    take_lease("a", now)
    release_lease("a", now + timedelta(seconds=1))

    lease = SchedulerLease.objects.get(name=LEASE_NAME)
    assert (lease.holder, lease.last_tick_at) == ("a", now)
    assert take_lease("b", now + timedelta(seconds=2))


@override_settings(TASKS=DATABASE_TASKS)
def test_run_once_enqueues_what_is_due_and_leaves_the_lease_free():
    now = timezone.now()

    assert run_once([prune_job()], "cron", now) == [PRUNE]
    assert run_once([prune_job()], "cron", now + timedelta(seconds=1)) == []
    assert queued() == 1
    assert take_lease("loop", now + timedelta(seconds=2))


@override_settings(TASKS=DATABASE_TASKS)
def test_run_once_leaves_the_jobs_to_a_running_scheduler():
    now = timezone.now()
    take_lease("loop", now)

    assert run_once([prune_job()], "cron", now + timedelta(seconds=1)) is None
    assert queued() == 0
    assert current_lease().holder == "loop"
