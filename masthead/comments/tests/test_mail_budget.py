"""Mail to an address a stranger typed: within its shared budget, ids in the queue."""

import json

import pytest
from django.core.cache import cache
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from masthead.comments import subscriptions
from masthead.comments.choices import SubscriptionStatus
from masthead.comments.models import Subscription
from masthead.comments.tasks import send_subscription_confirmation_task
from masthead.comments.tests.fixtures import aged_form_token
from masthead.core import mail_quota

pytestmark = pytest.mark.django_db

VICTIM = "victim@example.org"
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def _to(outbox, address=VICTIM):
    return [m for m in outbox if address in m.to]


def test_notify_me_from_many_comments_mails_the_address_three_times_an_hour(
    client, article, publish_at_once, mailoutbox, settings
):
    # Many connections, each within its own limits: only the address is shared.
    settings.MASTHEAD_COMMENTS_RATE_PER_EMAIL = (1000, 60)
    answers = []
    for n in range(8):
        response = client.post(
            reverse("comments:post", args=[article.pk]),
            {
                "body": f"Comment number {n}, with notify on.",
                "name": "Mallory",
                "email": VICTIM,
                "notify_replies": "1",
                "token": aged_form_token(article),
            },
            REMOTE_ADDR=f"198.51.100.{n}",
            **JSON,
        )
        answers.append((response.status_code, response.json()["message"]))

    assert len(_to(mailoutbox)) == 3
    assert set(answers) == {(200, "Thank you. Your comment is published.")}


def test_the_follow_form_and_notify_me_share_one_budget(
    client, article, publish_at_once, mailoutbox, settings
):
    settings.MASTHEAD_COMMENTS_SUBSCRIBE_RATE_PER_IP = (100, 3600)
    for _ in range(3):
        subscriptions.unsubscribe(
            subscriptions.subscribe(article, VICTIM, ["replies"])[0].token
        )
    answers = set()
    for n in range(3):
        response = client.post(
            reverse("comments:subscribe", args=[article.pk]),
            {"email": VICTIM, "kind": "all", "token": aged_form_token(article)},
            REMOTE_ADDR=f"203.0.113.{n}",
            **JSON,
        )
        answers.add((response.status_code, json.dumps(response.json())))

    assert len(_to(mailoutbox)) == 3
    assert len(answers) == 1 and answers.pop()[0] == 200
    # A refused mail leaves the rows waiting; another address is not affected.
    assert Subscription.objects.filter(email=VICTIM, kind="all").get().status == (
        SubscriptionStatus.PENDING
    )
    subscriptions.subscribe(article, "someone@example.org", ["all"])
    assert len(_to(mailoutbox, "someone@example.org")) == 1


def test_a_refused_mail_is_not_queued(article, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    for _ in range(3):
        assert mail_quota.reserve(VICTIM, "newsletter-confirm")

    subscriptions.subscribe(article, VICTIM, ["all"])

    assert not DBTaskResult.objects.exists()


def test_the_confirmation_task_holds_an_id_not_the_address(
    article, settings, mailoutbox
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    (row,) = subscriptions.subscribe(article, VICTIM, ["all", "replies"])[:1]

    task = DBTaskResult.objects.get()
    assert task.args_kwargs == {"args": [row.pk], "kwargs": {}}
    assert "victim" not in json.dumps(task.args_kwargs).lower()

    subscriptions.erase_commenter(VICTIM)
    send_subscription_confirmation_task.call(row.pk)
    assert mailoutbox == []
