"""Changes to published content."""

import io
import logging

from django.core.management import call_command

logger = logging.getLogger("masthead.news")


def publish_due_pages() -> str:
    """Publish revisions whose go-live time has passed and unpublish expired pages.

    Wagtail's own `publish_scheduled` does the work (it is idempotent: a revision
    already published is not published again), so running it twice is harmless.
    """
    out = io.StringIO()
    call_command("publish_scheduled", stdout=out)
    report = out.getvalue().strip()
    if report and "No objects" not in report:
        logger.info("scheduled publishing: %s", report)
    return report
