"""`manage.py masthead_send_issue ID`: send an issue from this process, now.

For an operator who wants to watch a large issue go out, or to finish one whose
workers are gone. It is one more sender next to any worker tasks (the delivery
rows keep every mail to one copy), and it resumes where any earlier sender
stopped: rows a dead sender had claimed are taken over after --claim-seconds.
"""

import signal
import sys
import threading
import time
from contextlib import contextmanager, nullcontext

from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings
from tqdm import tqdm

from masthead.newsletter import queries, sending
from masthead.newsletter.choices import IssueStatus
from masthead.newsletter.exceptions import NotSendable
from masthead.newsletter.models import Issue

# Exit status after Ctrl-C, as a shell reports a process stopped by SIGINT.
INTERRUPTED = 130


class Command(BaseCommand):
    help = (
        "Send a newsletter issue from this process with a progress bar, starting "
        "it if it is a draft or scheduled, or resuming it if it is half sent. "
        "Ctrl-C stops after the mail in hand; run the command again to resume."
    )

    def add_arguments(self, parser):
        parser.add_argument("issue_id", type=int, help="The issue's id.")
        parser.add_argument(
            "--claim-seconds",
            type=float,
            help=(
                "Take over rows a dead sender claimed this many seconds ago "
                "(default: MASTHEAD_NEWSLETTER_CLAIM_SECONDS). Keep it above the "
                "time one batch takes, or live senders lose rows to each other."
            ),
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="No progress bar on stderr."
        )

    def handle(self, *args, issue_id, claim_seconds, no_progress, **options):
        settings = {}
        if claim_seconds is not None:
            if claim_seconds <= 0:
                raise CommandError("--claim-seconds must be more than 0.")
            settings["MASTHEAD_NEWSLETTER_CLAIM_SECONDS"] = claim_seconds
        issue = Issue.objects.filter(pk=issue_id).first()
        if issue is None:
            raise CommandError(f"There is no newsletter issue {issue_id}.")
        if issue.status == IssueStatus.SENT:
            raise CommandError(
                f'Issue {issue.pk} "{issue.subject}" was already sent '
                f"({issue.total} deliveries); nothing to do."
            )
        stream = None if no_progress else options.get("stderr") or sys.stderr
        with override_settings(**settings) if settings else nullcontext():
            self._send(issue, stream)

    def _send(self, issue: Issue, stream) -> None:
        started = time.monotonic()
        if issue.status in (IssueStatus.DRAFT, IssueStatus.SCHEDULED):
            try:
                sending.start_sending(issue)
            except NotSendable as exc:
                raise CommandError(f"Issue {issue.pk} cannot be sent: {exc}") from exc
            self.stdout.write(f'Issue {issue.pk} "{issue.subject}" started.')
        issue.refresh_from_db()
        before = queries.progress(issue)
        bar = None
        if stream is not None:
            bar = tqdm(
                total=before.total,
                initial=before.done,
                unit="mail",
                desc=f"issue {issue.pk}",
                file=stream,
                dynamic_ncols=True,
                mininterval=0.5,
            )

        def on_batch(report: sending.SendReport) -> None:
            if bar is not None:
                # This process's own count: counting the rows instead would scan
                # all of a 100,000-row issue after every batch.
                bar.update(before.done + report.sent + report.failed - bar.n)

        with _stop_on_interrupt() as stopping:
            try:
                report = sending.send_issue(
                    issue.pk, on_batch=on_batch, stop=stopping.is_set
                )
            finally:
                if bar is not None:
                    bar.close()
        self._summary(issue, before, report, time.monotonic() - started)
        if stopping.is_set() and not report.finished:
            raise CommandError(
                "Interrupted: run the command again to send the rest.",
                returncode=INTERRUPTED,
            )
        if report.errors and not report.finished:
            raise CommandError(
                f"The mail server kept failing ({report.errors[-1]}); "
                "run the command again to send the rest."
            )

    def _summary(self, issue, before, report, elapsed: float) -> None:
        issue.refresh_from_db()
        after = queries.progress(issue)
        rate = report.sent / elapsed if elapsed else 0.0
        self.stdout.write(
            f"This run: {report.sent} sent, {report.failed} failed, "
            f"{after.skipped - before.skipped} skipped, {report.retried} to retry, "
            f"in {elapsed:.1f} s ({rate:.1f} mails/s)."
        )
        state = {
            IssueStatus.SENT: "sent",
            IssueStatus.SENDING: f"still sending, {after.waiting} waiting",
        }.get(issue.status, issue.status)
        self.stdout.write(
            f"Issue {issue.pk}: {after.done} of {after.total} done "
            f"({after.sent} sent, {after.failed} failed, {after.skipped} skipped); "
            f"{state}."
        )
        if issue.status == IssueStatus.SENDING and not report.errors:
            self.stdout.write(
                "Another sender holds the waiting rows; it finishes them, or run "
                "this command again once their claim has expired."
            )


class _Flag:
    def __init__(self):
        self.value = False

    def set(self, *_):
        self.value = True

    def is_set(self) -> bool:
        return self.value


@contextmanager
def _stop_on_interrupt():
    """Ctrl-C (or SIGTERM) asks send_issue to stop after the mail in hand.

    The sender then frees the rest of its batch, so no row is left claimed and
    the next run picks up at once instead of waiting for the claims to expire.
    A second Ctrl-C stops straight away.
    """
    flag = _Flag()
    if threading.current_thread() is not threading.main_thread():
        # Signals reach the main thread only (a command run from a test server).
        yield flag
        return

    def first(signum, frame):
        flag.set()
        signal.signal(signal.SIGINT, signal.default_int_handler)

    previous = {
        signum: signal.signal(signum, first)
        for signum in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        yield flag
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
