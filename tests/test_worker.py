import datetime
import time

import pytest
from django.test import override_settings
from django.utils import timezone

from masthead.core.scheduler import default_jobs, enqueue_due
from masthead.core.tests.queued_tasks import DATABASE_TASKS
from masthead.news.tests.factories import ArticlePageFactory, SectionPageFactory

from .processes import manage


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_worker_process_publishes_a_scheduled_article_when_its_time_comes():
    section = SectionPageFactory()
    article = ArticlePageFactory(parent=section, live=False, first_published_at=None)
    article.go_live_at = timezone.now() + datetime.timedelta(seconds=2)
    article.save_revision().publish()
    article.refresh_from_db()
    assert not article.live

    time.sleep(2.5)  # let the go-live time pass
    assert enqueue_due(default_jobs(), timezone.now())
    result = manage("db_worker", "--batch", "--no-startup-delay", "--no-reload")

    assert result.returncode == 0, result.stderr
    article.refresh_from_db()
    assert article.live


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_the_scheduler_does_not_pile_up_jobs_for_a_stopped_worker():
    from django_tasks_db.models import DBTaskResult

    jobs = default_jobs()
    start = timezone.now()
    enqueue_due(jobs, start)
    enqueue_due(jobs, start + datetime.timedelta(days=1))  # every job due again

    assert DBTaskResult.objects.filter(status="READY").count() == len(jobs)
