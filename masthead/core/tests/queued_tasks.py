"""The task queue as production has it, for tests that look at its rows."""

from django_tasks_db.models import DBTaskResult

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_queued_tasks(worker_id: str = "test") -> int:
    """Run every task that is due as `db_worker` does, recording how each ended;
    returns how many ran. (The command itself would close the test's database
    connection.)"""
    ran = 0
    while row := DBTaskResult.objects.ready().order_by("enqueued_at").first():
        row.claim(worker_id)
        result = row.task_result
        try:
            value = row.task.call(*result.args, **result.kwargs)
        except Exception as error:  # noqa: BLE001 - recorded, as the worker does
            row.set_failed(error)
        else:
            row.set_successful(value)
        ran += 1
    return ran
