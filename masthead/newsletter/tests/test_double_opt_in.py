"""The whole reader journey against a real SMTP server: sign up, confirm from the
mail, receive an issue, leave with the mail client's one-click button."""

import re
from urllib.parse import urlsplit

import pytest
from django.test import override_settings

from masthead.newsletter import issues
from masthead.newsletter.choices import SubscriberStatus
from masthead.newsletter.models import Subscriber
from masthead.newsletter.tests.smtp_sink import running_sink

pytestmark = pytest.mark.django_db


def _path(url: str) -> str:
    return urlsplit(url).path


def test_double_opt_in_then_an_issue_then_one_click_unsubscribe(
    client, daily_list, breaking_list, article
):
    with running_sink() as sink, override_settings(**sink.settings()):
        response = client.post(
            "/newsletter/subscribe/",
            {"email": "ana@example.org", "name": "Ana", "lists": [daily_list.pk]},
        )
        assert response.status_code in (302, 303)
        assert Subscriber.objects.get().status == SubscriberStatus.PENDING

        (confirmation,) = sink.messages
        assert confirmation["To"] == "ana@example.org"
        text = confirmation.get_body(("plain",)).get_content()
        confirm_url = re.search(r"https?://\S+/newsletter/confirm/\S+", text).group(0)

        # Opening the link (as a mail scanner would) confirms nothing.
        assert client.get(_path(confirm_url)).status_code == 200
        assert Subscriber.objects.get().status == SubscriberStatus.PENDING
        response = client.post(_path(confirm_url))
        assert response.status_code == 302
        assert Subscriber.objects.get().status == SubscriberStatus.CONFIRMED

        issues.send_now(issues.create_edition(daily_list))

        issue_mail = sink.messages[-1]
        assert issue_mail["To"] == "ana@example.org"
        assert article.title in issue_mail.get_body(("html",)).get_content()
        assert issue_mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        unsubscribe_url = str(issue_mail["List-Unsubscribe"]).strip().strip("<>")

    # RFC 8058: the mail provider POSTs this body, with no cookie and no token.
    response = client.post(
        _path(unsubscribe_url),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert Subscriber.objects.get().status == SubscriberStatus.UNSUBSCRIBED
