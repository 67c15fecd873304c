"""Mailed subscription links: used once, for days, never against a later choice."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from masthead.comments import subscriptions
from masthead.comments.choices import SubscriptionStatus
from masthead.comments.exceptions import LinkExpired, LinkNotValid
from masthead.comments.models import Subscription

pytestmark = pytest.mark.django_db

READER = "reader@example.org"


def _statuses():
    return dict(Subscription.objects.values_list("kind", "status"))


def _confirm_path(key: str) -> str:
    return f"/comments/subscriptions/{key}/confirm/"


def test_a_confirmation_link_works_once(article, client):
    (row,) = subscriptions.subscribe(article, READER, ["all"])

    first = client.post(_confirm_path(row.confirm_key))
    subscriptions.unsubscribe(row.token)
    replayed = client.post(_confirm_path(row.confirm_key))

    assert first.status_code == 200 and b"You're subscribed" in first.content
    assert replayed.status_code == 404
    assert b"already used" in replayed.content
    assert _statuses() == {"all": SubscriptionStatus.UNSUBSCRIBED}


def test_a_confirmation_link_expires_after_three_days(article, client):
    (row,) = subscriptions.subscribe(article, READER, ["all"])

    with time_machine.travel(timezone.now() + timedelta(days=3, minutes=1)):
        with pytest.raises(LinkExpired):
            subscriptions.confirm(row.confirm_key)
        page = client.get(_confirm_path(row.confirm_key))
        sent = client.post(_confirm_path(row.confirm_key))

    assert page.status_code == sent.status_code == 410
    assert b"This confirmation link has expired" in sent.content
    assert _statuses() == {"all": SubscriptionStatus.PENDING}


def test_a_link_mailed_before_unsubscribing_cannot_subscribe_again(article, client):
    (row,) = subscriptions.subscribe(article, READER, ["all"])
    subscriptions.unsubscribe(row.token)

    response = client.post(_confirm_path(row.confirm_key))

    assert response.status_code == 404
    assert _statuses() == {"all": SubscriptionStatus.UNSUBSCRIBED}
    # Even once the reader (or anyone) asks again, the old mail stays dead.
    (again,) = subscriptions.subscribe(article, READER, ["all"])
    assert again.confirm_key != row.confirm_key
    with pytest.raises(LinkNotValid):
        subscriptions.confirm(row.confirm_key)
    assert _statuses() == {"all": SubscriptionStatus.PENDING}


def test_an_unsubscribe_link_cannot_confirm(article):
    # The confirmation link used to carry the unsubscribe token, which every
    # notification mail repeats: a forwarded mail confirmed kinds asked for later.
    (first,) = subscriptions.subscribe(article, READER, ["all"])
    subscriptions.confirm(first.confirm_key)
    subscriptions.subscribe(article, READER, ["replies"])

    with pytest.raises(LinkNotValid):
        subscriptions.confirm(first.token)
    assert _statuses()["replies"] == SubscriptionStatus.PENDING


def test_asking_for_another_kind_replaces_the_link_that_listed_fewer(article):
    (first,) = subscriptions.subscribe(article, READER, ["all"])
    _all, replies = subscriptions.subscribe(article, READER, ["all", "replies"])

    assert replies.confirm_key != first.confirm_key
    with pytest.raises(LinkNotValid):
        subscriptions.confirm(first.confirm_key)
    subscriptions.confirm(replies.confirm_key)
    assert set(_statuses().values()) == {SubscriptionStatus.CONFIRMED}


def test_an_old_unsubscribe_link_does_not_undo_a_later_subscription(article):
    all_row, replies_row = subscriptions.subscribe(article, READER, ["all", "replies"])
    subscriptions.confirm(all_row.confirm_key)
    subscriptions.unsubscribe(all_row.token)
    (again,) = subscriptions.subscribe(article, READER, ["all"])
    subscriptions.confirm(again.confirm_key)

    # The replies mail's link, clicked or one-click POSTed by a mail client later.
    subscriptions.unsubscribe(replies_row.token)

    assert _statuses() == {
        "all": SubscriptionStatus.CONFIRMED,
        "replies": SubscriptionStatus.UNSUBSCRIBED,
    }


def test_a_used_link_shows_a_clear_page_on_get_too(article, client):
    (row,) = subscriptions.subscribe(article, READER, ["all"])
    subscriptions.confirm(row.confirm_key)

    response = client.get(_confirm_path(row.confirm_key))

    assert response.status_code == 404
    assert b"This confirmation link is not valid" in response.content
    assert b"nothing more to do" in response.content
