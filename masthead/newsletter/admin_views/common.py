"""What the newsletter's admin views share: permissions, formats, links."""

from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date

from ..choices import IssueStatus
from ..models import Issue

VIEW_ISSUE = "newsletter.view_issue"
ADD_ISSUE = "newsletter.add_issue"
CHANGE_ISSUE = "newsletter.change_issue"
SEND_ISSUE = "newsletter.send_issue"
CHANGE_SUBSCRIBER = "newsletter.change_subscriber"
DELETE_SUBSCRIBER = "newsletter.delete_subscriber"
IMPORT_SUBSCRIBER = "newsletter.import_subscriber"
EXPORT_SUBSCRIBER = "newsletter.export_subscriber"
# Once deliveries exist the issue is the record of what went out.
LOCKED = (IssueStatus.SENDING, IssueStatus.SENT)
DATE_FORMAT = "j M Y H:i"
PROGRESS_REFRESH_SECONDS = 2
# The preview frame shows mail HTML: styles inline, no script, no forms.
PREVIEW_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src * data:; "
    "font-src *; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
)
PREVIEW_KEY = "preview"


def _when(value) -> str:
    return format_date(timezone.localtime(value), DATE_FORMAT) if value else ""


def _require(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def _reverse_or_none(name: str) -> str | None:
    # The CSV views belong to another module; a missing one hides its button.
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _issue_url(name: str, issue: Issue) -> str:
    return reverse(f"newsletter_issues:{name}", args=[quote(issue.pk)])
