import socket
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.test import override_settings

from masthead.comments import subscriptions
from masthead.comments.choices import SubscriptionKind, SubscriptionStatus
from masthead.comments.exceptions import LinkNotValid
from masthead.comments.models import Subscription

pytestmark = pytest.mark.django_db

READER = "reader@example.org"


def _mails_to(outbox, address):
    return [m for m in outbox if address in m.to]


def _confirm_token(mail) -> str:
    line = next(w for w in mail.body.split() if "/confirm/" in w)
    return line.rstrip("/").split("/")[-2]


def test_subscribing_sends_one_confirmation_mail_for_both_kinds(article, mailoutbox):
    rows = subscriptions.subscribe(article, " Reader@Example.org ", ["all", "replies"])

    assert [r.kind for r in rows] == ["all", "replies"]
    assert {r.status for r in rows} == {SubscriptionStatus.PENDING}
    assert {r.email for r in rows} == {READER}
    (mail,) = _mails_to(mailoutbox, READER)
    assert article.title in mail.subject
    assert "New follow-up comments" in mail.body
    assert "New replies to my comments" in mail.body
    assert "/comments/subscriptions/" in mail.body
    assert mail.alternatives[0].mimetype == "text/html"


def test_confirmation_mail_carries_one_click_unsubscribe_headers(article, mailoutbox):
    (row,) = subscriptions.subscribe(article, READER, ["all"])

    (mail,) = _mails_to(mailoutbox, READER)
    assert mail.extra_headers["List-Unsubscribe"] == (
        f"<{settings.SITE_URL}/comments/subscriptions/{row.token}/unsubscribe/>"
    )
    assert mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_confirmed_subscription_is_kept_and_sends_no_second_mail(article, mailoutbox):
    (row,) = subscriptions.subscribe(article, READER, ["all"])
    subscriptions.confirm(row.confirm_key)
    mailoutbox.clear()

    (again,) = subscriptions.subscribe(article, READER, ["all"])

    assert again.pk == row.pk
    assert again.status == SubscriptionStatus.CONFIRMED
    assert again.token == row.token
    assert _mails_to(mailoutbox, READER) == []


def test_asking_again_before_confirming_mails_the_link_again(article, mailoutbox):
    subscriptions.subscribe(article, READER, ["all"])
    subscriptions.subscribe(article, READER, ["all"])

    first, second = _mails_to(mailoutbox, READER)
    assert _confirm_token(first) == _confirm_token(second)
    assert Subscription.objects.count() == 1


def test_confirm_link_confirms_every_kind_asked_for(article, mailoutbox):
    subscriptions.subscribe(article, READER, ["all", "replies"])
    token = _confirm_token(mailoutbox[-1])

    rows = subscriptions.confirm(token)

    assert {row.status for row in rows} == {SubscriptionStatus.CONFIRMED}
    assert set(Subscription.objects.values_list("kind", "status")) == {
        ("all", "confirmed"),
        ("replies", "confirmed"),
    }


@pytest.mark.parametrize("key", ["not-a-token", ""])
def test_unknown_confirm_token_confirms_nothing(article, key):
    subscriptions.subscribe(article, READER, ["all"])
    with pytest.raises(LinkNotValid):
        subscriptions.confirm(key)
    assert Subscription.objects.get().status == SubscriptionStatus.PENDING


def test_unsubscribe_ends_both_kinds_on_the_article(article):
    rows = subscriptions.subscribe(article, READER, ["all", "replies"])
    subscriptions.confirm(rows[0].confirm_key)

    row = subscriptions.unsubscribe(rows[1].token)

    assert row.status == SubscriptionStatus.UNSUBSCRIBED
    assert set(Subscription.objects.values_list("status", flat=True)) == {
        SubscriptionStatus.UNSUBSCRIBED
    }
    # Clicking the link again still answers, and still changes nothing.
    assert subscriptions.unsubscribe(rows[1].token).status == "unsubscribed"


def test_subscribing_after_unsubscribing_needs_a_new_confirmation(article, mailoutbox):
    (row,) = subscriptions.subscribe(article, READER, ["all"])
    subscriptions.confirm(row.confirm_key)
    subscriptions.unsubscribe(row.token)
    mailoutbox.clear()

    (again,) = subscriptions.subscribe(article, READER, ["all"])

    assert again.pk == row.pk
    assert again.status == SubscriptionStatus.PENDING
    assert again.token != row.token
    assert len(_mails_to(mailoutbox, READER)) == 1
    # The old link is dead: it belonged to the ended subscription.
    with pytest.raises(LinkNotValid):
        subscriptions.confirm(row.confirm_key)


def test_subscribe_refuses_unknown_kinds(article):
    with pytest.raises(ValueError):
        subscriptions.subscribe(article, READER, ["everything"])
    assert not Subscription.objects.exists()


def test_confirmation_mail_reaches_a_real_smtp_server(article):
    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            received.append(envelope)
            return "250 Message accepted for delivery"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
        ):
            (row,) = subscriptions.subscribe(
                article, READER, [SubscriptionKind.REPLIES]
            )
    finally:
        controller.stop()

    (envelope,) = received
    assert envelope.rcpt_tos == [READER]
    message = message_from_bytes(envelope.content)
    assert message["List-Unsubscribe"].endswith(
        f"/comments/subscriptions/{row.token}/unsubscribe/>"
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.get_content_type() == "multipart/alternative"
    assert "Confirm" in message["Subject"]
