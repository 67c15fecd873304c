import tomllib
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from masthead import __version__
from masthead.core import health
from masthead.core.scheduler import take_lease

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticking_scheduler():
    """A scheduler that just ticked, so that only the cause under test degrades."""
    take_lease("web-1:42", timezone.now())


def _waiting_task(enqueued_at, run_after=None, status="READY"):
    from django_tasks_db.models import get_date_max

    task = DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="masthead.core.tasks.prune_task_results_task",
        backend_name="default",
        queue_name="default",
        run_after=run_after or get_date_max(),
        exception_class_path="",
        traceback="",
    )
    DBTaskResult.objects.filter(pk=task.pk).update(enqueued_at=enqueued_at)
    return task


def test_a_healthy_site_answers_ok(client):
    take_lease("web-1:42", timezone.now() - timedelta(seconds=3))
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["scheduler"]["seconds_since_tick"] >= 3
    assert body == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "queue_lag_seconds": 0.0,
        "scheduler": {
            "status": "ok",
            "holder": "web-1:42",
            "seconds_since_tick": body["scheduler"]["seconds_since_tick"],
        },
        "version": __version__,
    }
    assert "no-cache" in response["Cache-Control"]


def test_queue_lag_is_the_age_of_the_oldest_due_task():
    now = timezone.now()
    _waiting_task(now - timedelta(seconds=40))
    _waiting_task(now - timedelta(seconds=500), status="SUCCESSFUL")
    # Scheduled for later: not late yet, whenever it was enqueued.
    _waiting_task(now - timedelta(hours=1), run_after=now + timedelta(minutes=5))
    # Delayed until ten seconds ago: late by ten seconds, not by its age.
    _waiting_task(now - timedelta(hours=2), run_after=now - timedelta(seconds=10))

    assert health.queue_lag_seconds(now) == 40.0


def test_stopped_workers_make_the_site_degraded_but_still_served(
    client, ticking_scheduler
):
    _waiting_task(timezone.now() - timedelta(minutes=10))
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["queue_lag_seconds"] >= 600


def test_a_cache_that_drops_everything_is_reported(client, settings, ticking_scheduler):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    }
    # Django resets its cache handlers when CACHES changes (setting_changed).
    body = client.get("/healthz").json()
    assert body["cache"] == "unavailable"
    assert body["status"] == "degraded"


def test_an_unreachable_database_answers_503(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["database"] == "unavailable"


def test_a_silent_scheduler_makes_the_site_degraded_but_still_served(client):
    take_lease("web-1:42", timezone.now() - timedelta(minutes=10))
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["scheduler"]["status"] == "silent"
    assert body["scheduler"]["seconds_since_tick"] >= 600


def test_a_scheduler_that_never_ran_is_reported(client):
    body = client.get("/healthz").json()
    assert body["status"] == "degraded"
    assert body["scheduler"] == {
        "status": "silent",
        "holder": "",
        "seconds_since_tick": None,
    }


def test_the_version_is_the_one_in_pyproject():
    pyproject = Path(health.__file__).resolve().parents[2] / "pyproject.toml"
    assert __version__ == tomllib.loads(pyproject.read_text())["project"]["version"]
