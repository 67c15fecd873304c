"""No copy of a reader outlives their erasure in the task queue's table.

django-tasks' database backend keeps every task's arguments, return value and
traceback for days after it ran (core.tasks prunes them), out of reach of the
apps' own erasure. So tasks take ids of rows that erasure deletes or empties,
and their results name nobody.
"""

import inspect
import json
import re
import smtplib
from importlib import import_module
from pathlib import Path

import pytest
from django.core.mail import EmailMessage
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

from masthead.comments import subscriptions as comment_subscriptions
from masthead.comments.tests.fixtures import post_comment
from masthead.core.tests.queued_tasks import DATABASE_TASKS
from masthead.core.tests.queued_tasks import run_queued_tasks as run_tasks
from masthead.newsletter import services as newsletter_services
from masthead.privacy import services as privacy_services
from masthead.revenue import services as revenue_services
from masthead.revenue.providers.test_mode import TestModeProvider
from masthead.revenue.tests.fixtures import ask

READER = "fay.lindqvist@example.org"
NAME = "Fay Lindqvist"
SURNAME = "lindqvist"
OTHER = "bo@example.org"
# Every task a reader's visit queues; a flow that stops queuing one fails here.
MAIL_TASKS = {
    "send_subscription_confirmation_task",
    "queue_comment_notifications_task",
    "send_confirmation_task",
    "send_receipt_task",
    "send_my_data_link_task",
}
SOURCE = Path(__file__).resolve().parent.parent / "masthead"
# Parts of a parameter's name that say it carries a person: an id does not.
PERSONAL_WORDS = {
    "email",
    "emails",
    "mail",
    "address",
    "addresses",
    "recipient",
    "recipients",
    "name",
    "names",
    "phone",
    "ip",
    "url",
    "website",
}


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = DATABASE_TASKS
    # Enough of a share of mail for every flow to reach the queue.
    settings.MASTHEAD_MAIL_PER_ADDRESS = ((100, 3600), (100, 24 * 3600))


def run_queued_tasks() -> None:
    run_tasks("audit")


def visit_every_mailing_form(article, newsletter_list, capture_on_commit):
    """The reader comments asking to hear of replies, follows the thread, signs
    up for a newsletter, gives, and asks for their data; Bo answers them."""
    with capture_on_commit(execute=True):
        comment = post_comment(
            article,
            "The bridge dates from 1998.",
            name=NAME,
            email=READER,
            notify_replies=True,
        )
        comment_subscriptions.subscribe(article, READER, ["all", "replies"])
        newsletter_services.signup(READER, [newsletter_list.pk], NAME)
        donation = revenue_services.create_pending(ask(email=READER, name=NAME))
        revenue_services.apply_event("test_mode", TestModeProvider.paid(donation))
        privacy_services.request_link(READER)
    run_queued_tasks()
    with capture_on_commit(execute=True):
        post_comment(
            article, "Thanks, Fay.", name="Bo", email=OTHER, parent_id=comment.pk
        )
    run_queued_tasks()


def rows_naming_the_reader() -> list[str]:
    """Each task row that holds the reader, with the columns that hold them."""
    named = []
    for row in DBTaskResult.objects.order_by("enqueued_at"):
        columns = {
            "args_kwargs": json.dumps(row.args_kwargs, ensure_ascii=False),
            "return_value": json.dumps(row.return_value, ensure_ascii=False),
            "exception_class_path": row.exception_class_path,
            "traceback": row.traceback,
        }
        holding = [
            column
            for column, stored in columns.items()
            if READER in stored.lower() or SURNAME in stored.lower()
        ]
        if holding:
            named.append(f"{row.task_path} ({row.status}): {', '.join(holding)}")
    return named


def queued_task_names() -> set[str]:
    return {
        path.rsplit(".", 1)[1]
        for path in DBTaskResult.objects.values_list("task_path", flat=True)
    }


@pytest.mark.django_db
def test_an_erased_reader_leaves_no_copy_in_the_task_queue(
    database_tasks,
    article,
    publish_at_once,
    daily_list,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    visit_every_mailing_form(article, daily_list, django_capture_on_commit_callbacks)
    assert MAIL_TASKS <= queued_task_names()
    assert any(READER in message.to for message in mailoutbox)

    privacy_services.erase(READER)

    named = rows_naming_the_reader()
    assert not named, "\n".join(named)


@pytest.mark.django_db
def test_a_mail_server_refusing_the_reader_leaves_no_copy_in_the_task_queue(
    database_tasks,
    article,
    publish_at_once,
    daily_list,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    send = EmailMessage.send

    def refuse_the_reader(message, fail_silently=False):
        if READER in message.recipients():
            answer = f"5.1.1 <{READER}>: Recipient address rejected".encode()
            raise smtplib.SMTPRecipientsRefused({READER: (550, answer)})
        return send(message, fail_silently)

    monkeypatch.setattr(EmailMessage, "send", refuse_the_reader)
    visit_every_mailing_form(article, daily_list, django_capture_on_commit_callbacks)
    assert DBTaskResult.objects.filter(status="FAILED").exists()

    privacy_services.erase(READER)

    named = rows_naming_the_reader()
    assert not named, "\n".join(named)


def all_tasks() -> list[Task]:
    """Every task defined anywhere in masthead/, found by its decorator."""
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        if "/tests/" in path.as_posix() or "@task(" not in path.read_text():
            continue
        module = import_module(
            ".".join(path.relative_to(SOURCE.parent).with_suffix("").parts)
        )
        found += [value for value in vars(module).values() if isinstance(value, Task)]
    return found


def personal_parameters(function) -> list[str]:
    return [
        name
        for name in inspect.signature(function).parameters
        if not re.search(r"_ids?$", name)
        and PERSONAL_WORDS & set(name.lower().split("_"))
    ]


def test_no_task_takes_personal_data_as_an_argument():
    tasks = all_tasks()
    assert {task.name for task in tasks} >= MAIL_TASKS

    offenders = {
        task.module_path: personal_parameters(task.func)
        for task in tasks
        if personal_parameters(task.func)
    }

    assert offenders == {}, (
        "these tasks store personal data in the task queue, which erasure does "
        "not reach: pass the id of a row that erasure deletes instead"
    )


def test_the_guard_recognises_personal_parameters():
    def mail_reader(page_id, email, list_ids, author_name, attempt=0):
        """Stand-in signature: the guard must flag `email` and `author_name`."""

    assert personal_parameters(mail_reader) == ["email", "author_name"]
