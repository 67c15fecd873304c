"""Changes to issues: compose, prefill, schedule, send, and make the digests.

An editor's issue starts as a draft prefilled with what the list has not carried
yet; a digest is made and sent by the dispatcher at its list's time when there
are new stories. Both end in `sending.start_sending`.
"""

import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from masthead.core.queries import site_name

from .choices import DigestSchedule, IssueKind, IssueStatus
from .exceptions import NotSendable
from .models import Issue, IssueStory, NewsletterList
from .queries import stories_since
from .sending import issues_needing_a_sender, start_sending

logger = logging.getLogger("masthead.newsletter")


def fill_stories(issue: Issue, pages) -> None:
    """Replace the issue's stories with `pages`, in order."""
    issue.stories.all().delete()
    IssueStory.objects.bulk_create(
        [
            IssueStory(issue=issue, page_id=page.pk, sort_order=index)
            for index, page in enumerate(pages)
        ]
    )


def create_edition(newsletter_list: NewsletterList, user=None) -> Issue:
    """A draft for `newsletter_list` holding the stories since its previous issue."""
    with transaction.atomic():
        issue = Issue.objects.create(
            newsletter_list=newsletter_list,
            subject=default_subject(newsletter_list),
            created_by=user,
        )
        fill_stories(issue, stories_since(newsletter_list))
    return issue


def default_subject(newsletter_list: NewsletterList, when=None) -> str:
    when = timezone.localtime(when or timezone.now())
    return f"{site_name()} {newsletter_list.name}: {when:%-d %B %Y}"


def _editable(issue: Issue) -> Issue:
    if issue.status in (IssueStatus.SENDING, IssueStatus.SENT):
        raise NotSendable("This issue has already gone out and cannot be changed.")
    return issue


def schedule(issue: Issue, when: datetime) -> None:
    """Send the issue at `when` (the dispatcher checks every half minute)."""
    _editable(issue)
    if when <= timezone.now():
        raise NotSendable("Pick a time in the future, or send the issue now.")
    if not issue.stories.exists() and not issue.intro:
        raise NotSendable("An issue needs at least one story or an intro.")
    issue.scheduled_for = when
    issue.status = IssueStatus.SCHEDULED
    issue.save(update_fields=["scheduled_for", "status"])


def unschedule(issue: Issue) -> None:
    if issue.status == IssueStatus.SCHEDULED:
        issue.status = IssueStatus.DRAFT
        issue.scheduled_for = None
        issue.save(update_fields=["status", "scheduled_for"])


def send_now(issue: Issue) -> int:
    """Queue every delivery and start the senders; returns the recipient count."""
    from .tasks import start_senders

    _editable(issue)
    total = start_sending(issue)
    start_senders(issue.pk)
    return total


def digest_slot(newsletter_list: NewsletterList, now: datetime) -> datetime | None:
    """The list's most recent digest time at or before `now`, in site time."""
    if newsletter_list.schedule == DigestSchedule.MANUAL:
        return None
    local = timezone.localtime(now)
    slot = local.replace(
        hour=newsletter_list.send_time.hour,
        minute=newsletter_list.send_time.minute,
        second=0,
        microsecond=0,
    )
    if newsletter_list.schedule == DigestSchedule.DAILY:
        return slot if slot <= local else slot - timedelta(days=1)
    slot -= timedelta(days=(slot.weekday() - newsletter_list.weekday) % 7)
    return slot if slot <= local else slot - timedelta(days=7)


def make_due_digests(now=None) -> list[Issue]:
    """Create and start today's digests that are due and have new stories.

    A slot missed by more than a day (the worker was down) is skipped rather
    than sent late. The unique (list, slot) constraint makes a second run, or a
    second scheduler, a no-op.
    """
    now = now or timezone.now()
    made = []
    for newsletter_list in NewsletterList.objects.filter(active=True).exclude(
        schedule=DigestSchedule.MANUAL
    ):
        slot = digest_slot(newsletter_list, now)
        if slot is None or now - slot > timedelta(days=1):
            continue
        if Issue.objects.filter(
            newsletter_list=newsletter_list, digest_slot=slot
        ).exists():
            continue
        stories = list(stories_since(newsletter_list))
        if not stories:
            continue
        try:
            with transaction.atomic():
                issue = Issue.objects.create(
                    newsletter_list=newsletter_list,
                    kind=IssueKind.DIGEST,
                    subject=default_subject(newsletter_list, slot),
                    digest_slot=slot,
                )
                fill_stories(issue, stories)
                send_now(issue)
        except IntegrityError:
            continue  # another scheduler made it first
        made.append(issue)
        logger.info("newsletter digest %s made for %s", issue.pk, newsletter_list.slug)
    return made


def start_due_scheduled(now=None) -> list[int]:
    """Start the scheduled issues whose time has come."""
    now = now or timezone.now()
    started = []
    for issue in Issue.objects.filter(
        status=IssueStatus.SCHEDULED, scheduled_for__lte=now
    ):
        try:
            send_now(issue)
        except NotSendable as exc:
            logger.warning("newsletter issue %s not sent: %s", issue.pk, exc)
            continue
        started.append(issue.pk)
    return started


def dispatch(now=None) -> dict[str, list[int]]:
    """The periodic job: digests, scheduled issues, and senders that died."""
    from .tasks import start_senders

    now = now or timezone.now()
    digests = [issue.pk for issue in make_due_digests(now)]
    scheduled = start_due_scheduled(now)
    resumed = [
        pk
        for pk in issues_needing_a_sender(now)
        if pk not in digests and pk not in scheduled
    ]
    for pk in resumed:
        start_senders(pk)
    return {"digests": digests, "scheduled": scheduled, "resumed": resumed}
