"""Several real schedulers against one database: one enqueues, another takes over."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from masthead.core.models import PeriodicJobRun
from masthead.core.scheduler import current_lease, default_jobs

from .processes import ROOT, child_env, manage

LEASE_SECONDS = 4
JOB_PATHS = sorted(job.task_path for job in default_jobs())


def start_scheduler() -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "masthead_scheduler",
            f"--lease-seconds={LEASE_SECONDS}",
            "--tick-seconds=0.5",
        ],
        cwd=ROOT,
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_until(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what} did not happen in {seconds}s")


def enqueued() -> Counter:
    return Counter(DBTaskResult.objects.values_list("task_path", flat=True))


def worker_ran_everything_and_jobs_fell_due():
    DBTaskResult.objects.update(status="SUCCESSFUL")
    PeriodicJobRun.objects.update(due_at=timezone.now() - timedelta(seconds=1))


def holder_pid() -> int | None:
    lease = current_lease()
    if lease is None or not lease.holder or lease.expires_at < timezone.now():
        return None
    return int(lease.holder.rsplit(":", 1)[1])


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_one_of_two_schedulers_enqueues_and_the_other_takes_over_when_it_dies():
    schedulers = [start_scheduler(), start_scheduler()]
    try:
        wait_until(lambda: len(enqueued()) == len(JOB_PATHS), 120, "a first tick")
        time.sleep(3 * LEASE_SECONDS / 2)  # both tick several times meanwhile
        assert sorted(enqueued().elements()) == JOB_PATHS  # each job once
        first = holder_pid()
        by_pid = {process.pid: process for process in schedulers}
        assert first in by_pid

        os.kill(first, signal.SIGKILL)  # no chance to hand the lease over
        by_pid[first].wait(timeout=10)
        killed_at = time.monotonic()
        worker_ran_everything_and_jobs_fell_due()
        wait_until(
            lambda: sum(enqueued().values()) == 2 * len(JOB_PATHS),
            LEASE_SECONDS + 10,
            "a takeover",
        )
        assert time.monotonic() - killed_at < LEASE_SECONDS + 10
        (survivor,) = (pid for pid in by_pid if pid != first)
        assert holder_pid() == survivor
        assert set(enqueued().values()) == {2}
    finally:
        for process in schedulers:
            if process.poll() is None:
                process.terminate()
        for process in schedulers:
            process.communicate(timeout=30)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_stopped_scheduler_hands_its_lease_to_run_once():
    scheduler = start_scheduler()
    try:
        wait_until(lambda: len(enqueued()) == len(JOB_PATHS), 120, "a first tick")
        # While it runs, a run-once from cron leaves the jobs to it.
        worker_ran_everything_and_jobs_fell_due()
        busy = manage("masthead_scheduler", "--once")
        assert "Another scheduler holds the lease" in busy.stdout, busy.stderr
    finally:
        scheduler.terminate()  # the service manager's stop releases the lease
        scheduler.communicate(timeout=30)

    worker_ran_everything_and_jobs_fell_due()
    before = sum(enqueued().values())
    first = manage("masthead_scheduler", "--once")
    second = manage("masthead_scheduler", "--once")

    assert first.returncode == 0, first.stderr
    assert f"Enqueued {len(JOB_PATHS)}:" in first.stdout
    assert "Enqueued 0" in second.stdout, second.stdout + second.stderr
    assert sum(enqueued().values()) == before + len(JOB_PATHS)
