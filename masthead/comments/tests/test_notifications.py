from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from masthead.comments import services, subscriptions
from masthead.comments.choices import ModerationPolicy
from masthead.comments.models import PendingNotification, Subscription
from masthead.comments.tests.fixtures import post_comment
from masthead.core.links import page_url

pytestmark = pytest.mark.django_db

FOLLOWER = "follower@example.org"


@pytest.fixture
def publishing(article):
    settings = services.settings_for(article)
    settings.moderation = ModerationPolicy.PUBLISH
    settings.save()
    return settings


@pytest.fixture
def publish(article, publishing, django_capture_on_commit_callbacks):
    """Post a comment that is visible at once, running its on-commit tasks."""

    def publish(body, **fields):
        with django_capture_on_commit_callbacks(execute=True):
            return post_comment(article, body, **fields)

    return publish


def follow(article, email=FOLLOWER, kinds=("all",)) -> list[Subscription]:
    rows = subscriptions.subscribe(article, email, list(kinds))
    subscriptions.confirm(rows[0].confirm_key)
    return rows


def mails_to(outbox, address=FOLLOWER):
    return [m for m in outbox if address in m.to and "Confirm" not in m.subject]


def test_no_notification_before_the_subscription_is_confirmed(
    article, publish, mailoutbox
):
    subscriptions.subscribe(article, FOLLOWER, ["all"])

    publish("Nobody confirmed yet.", name="Bo", email="bo@example.org")

    assert mails_to(mailoutbox) == []
    assert not PendingNotification.objects.exists()


def test_confirmed_follower_hears_of_a_new_comment(article, publish, mailoutbox):
    (row,) = follow(article)

    comment = publish("The bridge is late again.", name="Bo", email="bo@example.org")

    (mail,) = mails_to(mailoutbox)
    assert mail.subject == f"Bo commented on “{article.title}”"
    assert "The bridge is late again." in mail.body
    assert f"#comment-{comment.pk}" in mail.body
    assert page_url(article) in mail.body
    assert mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert (
        f"/comments/subscriptions/{row.token}/unsubscribe/"
        in (mail.extra_headers["List-Unsubscribe"])
    )
    assert not PendingNotification.objects.exists()


def test_held_comment_notifies_nobody_until_approved(
    article, mailoutbox, django_capture_on_commit_callbacks
):
    follow(article)
    with django_capture_on_commit_callbacks(execute=True):
        comment = post_comment(article, "Waiting.", name="Bo", email="bo@example.org")
    assert mails_to(mailoutbox) == []

    with django_capture_on_commit_callbacks(execute=True):
        services.approve(comment)

    assert len(mails_to(mailoutbox)) == 1


def test_busy_thread_sends_one_mail_per_fifteen_minutes(article, publish, mailoutbox):
    follow(article)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        publish("First.", name="Bo", email="bo@example.org")
        traveller.shift(timedelta(minutes=2))
        publish("Second.", name="Cy", email="cy@example.org")
        traveller.shift(timedelta(minutes=5))
        publish("Third.", name="Di", email="di@example.org")

        assert len(mails_to(mailoutbox)) == 1
        assert PendingNotification.objects.count() == 2
        traveller.shift(timedelta(minutes=5))
        assert subscriptions.deliver_due_notifications() == 0

        traveller.shift(timedelta(minutes=4))
        assert subscriptions.deliver_due_notifications() == 1

    first, batch = mails_to(mailoutbox)
    assert batch.subject == f"2 new comments on “{article.title}”"
    assert "Second." in batch.body and "Third." in batch.body
    assert "First." not in batch.body
    assert not PendingNotification.objects.exists()


def test_deferred_comments_go_out_with_the_next_comment_after_the_window(
    article, publish, mailoutbox
):
    follow(article)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        publish("First.", name="Bo", email="bo@example.org")
        traveller.shift(timedelta(minutes=1))
        publish("Second.", name="Cy", email="cy@example.org")
        traveller.shift(timedelta(minutes=16))
        publish("Third.", name="Di", email="di@example.org")

    first, batch = mails_to(mailoutbox)
    assert "Second." in batch.body and "Third." in batch.body


def test_delivery_twice_in_a_row_sends_one_mail(article, publish, mailoutbox):
    follow(article)
    publish("First.", name="Bo", email="bo@example.org")
    publish("Second.", name="Cy", email="cy@example.org")
    later = timezone.now() + timedelta(minutes=20)

    assert subscriptions.deliver_due_notifications(now=later) == 1
    assert subscriptions.deliver_due_notifications(now=later) == 0
    assert len(mails_to(mailoutbox)) == 2


def test_queueing_a_comment_twice_stores_it_once(article, publish, mailoutbox):
    follow(article)
    publish("First.", name="Bo", email="bo@example.org")
    second = publish("Second.", name="Cy", email="cy@example.org")

    assert subscriptions.queue_notifications(second.pk) == 0
    assert PendingNotification.objects.filter(comment=second).count() == 1


def test_comment_removed_before_delivery_is_not_mailed(article, publish, mailoutbox):
    follow(article)
    publish("First.", name="Bo", email="bo@example.org")
    spam = publish("Buy now.", name="Cy", email="cy@example.org")
    services.mark_spam(spam)

    later = timezone.now() + timedelta(minutes=20)
    assert subscriptions.deliver_due_notifications(now=later) == 0

    assert len(mails_to(mailoutbox)) == 1
    assert not PendingNotification.objects.exists()


def test_commenter_is_not_notified_of_their_own_comment(article, publish, mailoutbox):
    follow(article)

    publish("My own words.", name="Fay", email="Follower@Example.org")

    assert mails_to(mailoutbox) == []
    assert not PendingNotification.objects.exists()


def test_replies_follower_hears_only_of_replies_to_their_comments(
    article, publish, mailoutbox
):
    follow(article, kinds=["replies"])
    mine = publish("My comment.", name="Fay", email=FOLLOWER)
    other = publish("Someone else's.", name="Bo", email="bo@example.org")

    publish("A reply to Bo.", name="Cy", email="cy@example.org", parent_id=other.pk)
    assert mails_to(mailoutbox) == []

    publish("A reply to Fay.", name="Di", email="di@example.org", parent_id=mine.pk)
    (mail,) = mails_to(mailoutbox)
    assert "A reply to Fay." in mail.body
    assert "Di replied to you" in mail.body


def test_following_both_ways_gives_one_mail_per_comment(article, publish, mailoutbox):
    follow(article, kinds=["all", "replies"])
    mine = publish("My comment.", name="Fay", email=FOLLOWER)

    publish("A reply to Fay.", name="Di", email="di@example.org", parent_id=mine.pk)

    (mail,) = mails_to(mailoutbox)
    assert mail.body.count("A reply to Fay.") == 1
    assert PendingNotification.objects.count() == 0


def test_notify_me_of_replies_on_the_comment_form_subscribes_after_confirming(
    article, publish, mailoutbox
):
    mine = publish("My comment.", name="Fay", email=FOLLOWER, notify_replies=True)
    row = Subscription.objects.get(email=FOLLOWER)
    assert row.kind == "replies" and row.status == "pending"
    publish("Early reply.", name="Di", email="di@example.org", parent_id=mine.pk)
    assert mails_to(mailoutbox) == []

    subscriptions.confirm(row.confirm_key)
    publish("Later reply.", name="Ed", email="ed@example.org", parent_id=mine.pk)

    (mail,) = mails_to(mailoutbox)
    assert "Later reply." in mail.body and "Early reply." not in mail.body


def test_unsubscribing_stops_mails_and_drops_waiting_ones(article, publish, mailoutbox):
    (row,) = follow(article)
    publish("First.", name="Bo", email="bo@example.org")
    publish("Second.", name="Cy", email="cy@example.org")
    assert PendingNotification.objects.count() == 1

    subscriptions.unsubscribe(row.token)
    publish("Third.", name="Di", email="di@example.org")

    later = timezone.now() + timedelta(minutes=20)
    assert subscriptions.deliver_due_notifications(now=later) == 0
    assert len(mails_to(mailoutbox)) == 1
    assert not PendingNotification.objects.exists()


def test_one_click_unsubscribe_link_in_a_notification_works(
    article, publish, mailoutbox
):
    client = Client(enforce_csrf_checks=True)  # a mail provider has no CSRF cookie
    follow(article)
    publish("First.", name="Bo", email="bo@example.org")
    (mail,) = mails_to(mailoutbox)
    url = mail.extra_headers["List-Unsubscribe"].strip("<>")
    path = url.split("://", 1)[1].split("/", 1)[1]

    response = client.post(
        f"/{path}",
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert Subscription.objects.get(email=FOLLOWER).status == "unsubscribed"
    publish("Second.", name="Cy", email="cy@example.org")
    later = timezone.now() + timedelta(minutes=20)
    subscriptions.deliver_due_notifications(now=later)
    assert len(mails_to(mailoutbox)) == 1
