"""Mail sent from a task: a mail server that hangs or refuses for a while costs a
later retry, never the mail.

django-tasks does not retry a failed task by itself. A task that mails calls
`send_or_retry`: on a transient failure (a timeout, a refused or dropped
connection, a 4xx answer) it enqueues itself again with a growing delay and
reports False, so the worker moves on. A permanent refusal (5xx), or the last
attempt, raises as before and the task is recorded as failed with the reason.
The reason names no address: the task table keeps a failed task's traceback for
days, where erasing a reader does not reach.
"""

import logging
import re
import smtplib
from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

logger = logging.getLogger("masthead.core")

# Seconds before each retry: a few minutes for a blip, hours for an outage.
RETRY_DELAYS = (60, 300, 900, 3600, 6 * 3600)
ADDRESS = re.compile(rb"[^\s<>()\[\]@'\"]+@[^\s<>()\[\]'\"]+")


def is_transient(error: BaseException) -> bool:
    """Whether trying again later may succeed."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return bool(codes) and all(code < 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code < 500
    return isinstance(error, smtplib.SMTPException | OSError)


def naming_nobody(error: BaseException) -> BaseException:
    """The same refusal, its codes kept (they decide a retry), its addresses not."""

    def scrub(answer) -> bytes:
        text = answer if isinstance(answer, bytes) else str(answer).encode()
        return ADDRESS.sub(b"<address>", text)

    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return smtplib.SMTPRecipientsRefused(
            {
                f"<recipient {number}>": (code, scrub(answer))
                for number, (code, answer) in enumerate(error.recipients.values(), 1)
            }
        )
    if isinstance(error, smtplib.SMTPResponseException) and not isinstance(
        error, smtplib.SMTPSenderRefused
    ):
        return type(error)(error.smtp_code, scrub(error.smtp_error))
    return error


def send_or_retry(send: Callable[[], object], task, *args, attempt: int = 0) -> bool:
    """Run `send()`; on a transient failure enqueue `task(*args)` again, later.

    Returns True when sent, False when a retry was queued. Raises the error when
    it is permanent, the attempts are used up, or the task backend cannot defer
    (the immediate backend of the tests).
    """
    try:
        send()
    except Exception as caught:
        error = naming_nobody(caught)
        if (
            not is_transient(error)
            or attempt >= len(RETRY_DELAYS)
            or not task.get_backend().supports_defer
        ):
            raise error from None
        run_after = timezone.now() + timedelta(seconds=RETRY_DELAYS[attempt])
        task.using(run_after=run_after).enqueue(*args, attempt=attempt + 1)
        logger.warning(
            "%s: mail not sent (%s: %s); retry %s at %s",
            task.name,
            type(error).__name__,
            error,
            attempt + 1,
            run_after.isoformat(timespec="seconds"),
        )
        return False
    return True
