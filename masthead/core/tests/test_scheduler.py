from unittest import mock

from masthead.core.scheduler import PeriodicJob, enqueue_due


def make_job(every=30):
    job = PeriodicJob("masthead.news.tasks.publish_due_pages_task", every_seconds=every)
    return job


def test_a_job_runs_once_per_interval():
    job = make_job(every=30)
    with mock.patch.object(PeriodicJob, "task") as task:
        assert enqueue_due([job], now=100.0, is_waiting=lambda path: False)
        assert not enqueue_due([job], now=110.0, is_waiting=lambda path: False)
        assert enqueue_due([job], now=131.0, is_waiting=lambda path: False)
    assert task.enqueue.call_count == 2


def test_a_job_still_waiting_in_the_queue_is_not_enqueued_again():
    job = make_job()
    with mock.patch.object(PeriodicJob, "task") as task:
        assert enqueue_due([job], now=100.0, is_waiting=lambda path: True) == []
    task.enqueue.assert_not_called()
