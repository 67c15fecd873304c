"""Periodic audience jobs (see core/scheduler.py); each is safe to run twice."""

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from .models import AppliedFlush
from .services import flush_counters
from .visitors import forget_past_days


@task()
def flush_view_counters_task() -> int:
    """Move Redis counts (and this worker's buffer) into the database."""
    return flush_counters()


@task()
def forget_visitors_task() -> int:
    """Delete past days' salts and seen-visitor rows, and old flush records."""
    old_batches, _ = AppliedFlush.objects.filter(
        applied_at__lt=timezone.now() - timedelta(days=7)
    ).delete()
    return forget_past_days() + old_batches
