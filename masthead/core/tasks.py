import io

from django.core.management import call_command
from django.db import connection
from django_tasks import task

from . import mail_quota


@task()
def prune_task_results_task() -> str:
    """Forget finished task results after a day (failed ones after a week)."""
    out = io.StringIO()
    call_command(
        "prune_db_task_results", min_age_days=1, failed_min_age_days=7, stdout=out
    )
    return out.getvalue().strip()


@task()
def prune_mail_quota_task() -> int:
    """Forget which addresses were mailed once no limit window needs them."""
    return mail_quota.prune()


@task()
def optimize_database_task() -> str:
    """Keep SQLite's query planner statistics current (PostgreSQL's autovacuum does).

    Without them SQLite picks full scans for page-tree and view-restriction
    queries once a site has many thousands of stories.
    """
    if connection.vendor != "sqlite":
        return "not needed"
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA optimize")
    return "optimized"
