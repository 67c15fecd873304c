import io

from django.core.management import call_command
from django_tasks import task


@task()
def prune_task_results_task() -> str:
    """Forget finished task results after a day (failed ones after a week)."""
    out = io.StringIO()
    call_command(
        "prune_db_task_results", min_age_days=1, failed_min_age_days=7, stdout=out
    )
    return out.getvalue().strip()
