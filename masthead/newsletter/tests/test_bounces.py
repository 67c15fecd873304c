"""Bounces and complaints through anymail's real webhook views (Mailgun, Postmark)."""

import base64
import hashlib
import hmac
import json
import time

import pytest
from django.test import override_settings

from masthead.newsletter import issues, sending, services
from masthead.newsletter.choices import SubscriberStatus, SuppressionReason
from masthead.newsletter.models import Subscriber, Suppression

pytestmark = pytest.mark.django_db

SIGNING_KEY = "mailgun-signing-key"
BASIC = "hooks:s3cret"
MAILGUN_URL = "/newsletter/anymail/mailgun/tracking/"
POSTMARK_URL = "/newsletter/anymail/postmark/tracking/"


@pytest.fixture(autouse=True)
def anymail_settings(settings):
    settings.ANYMAIL = {
        "WEBHOOK_SECRET": BASIC,
        "MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY,
    }


def _auth(secret=BASIC) -> dict:
    token = base64.b64encode(secret.encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}"}


def _mailgun(client, event: dict, key=SIGNING_KEY, auth=BASIC):
    timestamp, token = str(int(time.time())), f"tok-{time.monotonic_ns()}"
    signature = hmac.new(
        key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256
    ).hexdigest()
    body = {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature},
        "event-data": {"timestamp": time.time(), **event},
    }
    with override_settings(ANYMAIL_ESP="mailgun"):
        return client.post(
            MAILGUN_URL,
            json.dumps(body),
            content_type="application/json",
            **_auth(auth),
        )


def _postmark(client, payload: dict, auth=BASIC):
    with override_settings(ANYMAIL_ESP="postmark"):
        return client.post(
            POSTMARK_URL,
            json.dumps(payload),
            content_type="application/json",
            **_auth(auth),
        )


def test_a_permanent_bounce_suppresses_the_address_for_good(
    client, subscriber, daily_list, article, mailoutbox
):
    response = _mailgun(
        client,
        {
            "event": "failed",
            "severity": "permanent",
            "reason": "bounce",
            "recipient": subscriber.email.upper(),
        },
    )

    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.SUPPRESSED
    assert subscriber.suppressed_reason == SuppressionReason.BOUNCED
    # Never mailed again: not by an issue, not by signing up, not after an import.
    issue = issues.create_edition(daily_list)
    sending.start_sending(issue)
    sending.send_issue(issue.pk)
    services.signup(subscriber.email, [daily_list.pk])
    assert mailoutbox == []


def test_a_temporary_failure_changes_nothing(client, subscriber):
    response = _mailgun(
        client,
        {"event": "failed", "severity": "temporary", "recipient": subscriber.email},
    )
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED
    assert not Suppression.objects.exists()


def test_a_spam_complaint_suppresses(client, subscriber):
    _mailgun(client, {"event": "complained", "recipient": subscriber.email})
    subscriber.refresh_from_db()
    assert subscriber.suppressed_reason == SuppressionReason.COMPLAINED


def test_an_unsubscribe_in_the_esps_footer_unsubscribes(client, subscriber):
    _mailgun(client, {"event": "unsubscribed", "recipient": subscriber.email})
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
    assert not Suppression.objects.exists()


@pytest.mark.parametrize(
    "forgery",
    [
        {"key": "not-the-key"},  # a wrong signature
        {"auth": "hooks:guess"},  # a wrong shared secret
    ],
)
def test_a_forged_webhook_changes_nothing(client, subscriber, forgery):
    response = _mailgun(
        client,
        {"event": "failed", "severity": "permanent", "recipient": subscriber.email},
        **forgery,
    )
    assert response.status_code in (400, 401, 403)
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED
    assert not Suppression.objects.exists()


def test_a_hard_bounce_from_postmark_suppresses(client, subscriber):
    response = _postmark(
        client,
        {
            "RecordType": "Bounce",
            "Type": "HardBounce",
            "TypeCode": 1,
            "ID": 42,
            "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
            "Email": subscriber.email,
            "BouncedAt": "2026-11-27T07:00:01Z",
            "Description": "The server was unable to deliver your message.",
        },
    )
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.SUPPRESSED


def test_events_for_unknown_addresses_still_suppress_them(client):
    _mailgun(client, {"event": "complained", "recipient": "stranger@example.org"})
    assert services.is_suppressed("stranger@example.org")
    assert not Subscriber.objects.exists()


def test_a_replayed_event_is_harmless(client, subscriber):
    event = {"event": "complained", "recipient": subscriber.email}
    assert _mailgun(client, event).status_code == 200
    assert _mailgun(client, event).status_code == 200
    assert Suppression.objects.count() == 1


HARD_BOUNCE = {
    "RecordType": "Bounce",
    "Type": "HardBounce",
    "TypeCode": 1,
    "ID": 43,
    "Email": "",
    "BouncedAt": "2026-11-27T07:00:01Z",
}


def _unsigned_postmark(client, email: str, **headers):
    body = json.dumps({**HARD_BOUNCE, "Email": email})
    return client.post(POSTMARK_URL, body, content_type="application/json", **headers)


@pytest.mark.parametrize(
    "backend",
    [
        "django.core.mail.backends.smtp.EmailBackend",
        "django.core.mail.backends.filebased.EmailBackend",
    ],
)
def test_no_bounce_webhook_answers_when_mail_goes_out_by_smtp_or_the_outbox(
    client, subscriber, settings, backend
):
    settings.ANYMAIL_ESP = ""
    settings.EMAIL_BACKEND = backend
    assert _unsigned_postmark(client, subscriber.email, **_auth()).status_code == 404
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED
    assert not Suppression.objects.exists()


def test_only_the_configured_esps_webhook_answers(client, subscriber, settings):
    settings.ANYMAIL_ESP = "mailgun"
    assert _unsigned_postmark(client, subscriber.email, **_auth()).status_code == 404
    assert client.post("/newsletter/anymail/mandrill/").status_code == 404
    assert not Suppression.objects.exists()


@pytest.mark.parametrize(
    "anymail",
    [{}, {"WEBHOOK_SECRET": ""}, {"MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}],
)
def test_without_its_secret_the_webhook_refuses_everything(
    client, subscriber, settings, anymail
):
    # The attack of issue 17: an unsigned Postmark HardBounce answered 200.
    settings.ANYMAIL = anymail
    settings.ANYMAIL_ESP = "postmark"
    response = _unsigned_postmark(client, subscriber.email)
    assert response.status_code == 403
    assert b"accepts nothing" in response.content
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED


@pytest.mark.parametrize("esp", ["mailgun", "mandrill"])
def test_an_esp_without_its_signing_key_answers_403_not_500(
    client, subscriber, settings, esp
):
    settings.ANYMAIL = {"WEBHOOK_SECRET": BASIC}
    settings.ANYMAIL_ESP = esp
    response = client.post(
        f"/newsletter/anymail/{esp}/tracking/",
        json.dumps({"event-data": {"event": "failed", "recipient": subscriber.email}}),
        content_type="application/json",
        **_auth(),
    )
    assert response.status_code == 403
    assert not Suppression.objects.exists()
