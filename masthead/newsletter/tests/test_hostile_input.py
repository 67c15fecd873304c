"""Inputs found by the fuzz suite (tests/fuzz/) that once caused a server error."""

import base64
import hashlib
import hmac
import json
import time

import pytest

from masthead.newsletter.models import Suppression

pytestmark = pytest.mark.django_db

SECRET = "hooks:s3cret"
SIGNING_KEY = "mailgun-signing-key"
AUTH = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(SECRET.encode()).decode()}


@pytest.fixture(autouse=True)
def anymail_settings(settings):
    settings.ANYMAIL = {
        "WEBHOOK_SECRET": SECRET,
        "MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY,
    }


@pytest.fixture
def postmark(settings):
    settings.ANYMAIL_ESP = "postmark"


@pytest.fixture
def mailgun(settings):
    settings.ANYMAIL_ESP = "mailgun"


@pytest.mark.parametrize("body", [b"", b"not json", b"\xff\xfe", b"[1, 2]", b"7"])
def test_an_authenticated_webhook_with_a_malformed_body_is_refused(
    client, postmark, body
):
    # anymail's Postmark parser let these escape as 500s, which ESPs retry.
    response = client.post(
        "/newsletter/anymail/postmark/tracking/",
        body,
        content_type="application/json",
        **AUTH,
    )
    assert response.status_code == 400
    assert response.content == b"malformed webhook body"


def test_a_signed_mailgun_event_that_is_not_an_object_is_refused(client, mailgun):
    timestamp, token = str(int(time.time())), "tok-hostile"
    signature = hmac.new(
        SIGNING_KEY.encode(), f"{timestamp}{token}".encode(), hashlib.sha256
    ).hexdigest()
    body = {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature},
        "event-data": [1, 2],
    }
    response = client.post(
        "/newsletter/anymail/mailgun/tracking/",
        json.dumps(body),
        content_type="application/json",
        **AUTH,
    )
    assert response.status_code == 400
    assert not Suppression.objects.exists()


def test_a_wrong_secret_is_still_refused_before_any_parsing(client, postmark):
    response = client.post(
        "/newsletter/anymail/postmark/tracking/",
        b"not json",
        content_type="application/json",
        HTTP_AUTHORIZATION="Basic " + base64.b64encode(b"hooks:wrong").decode(),
    )
    assert response.status_code == 400
    assert response.content != b"malformed webhook body"


@pytest.mark.parametrize(
    "path",
    [
        "/newsletter/preferences/%00/",
        "/newsletter/preferences/a%00b/erase/",
        "/newsletter/unsubscribe/%00/daily/",
    ],
)
def test_a_key_with_a_nul_byte_is_not_found(client, path):
    # PostgreSQL refuses NUL in a text lookup: these once answered 500.
    method = client.post if path.endswith("erase/") else client.get
    assert method(path).status_code == 404


def test_a_signed_mailgun_event_from_beyond_time_t_is_refused(client, mailgun):
    timestamp, token = str(int(time.time())), "tok-far-future"
    signature = hmac.new(
        SIGNING_KEY.encode(), f"{timestamp}{token}".encode(), hashlib.sha256
    ).hexdigest()
    body = {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature},
        "event-data": {"event": "failed", "timestamp": 67768036191676796},
    }
    response = client.post(
        "/newsletter/anymail/mailgun/tracking/",
        json.dumps(body),
        content_type="application/json",
        **AUTH,
    )
    assert response.status_code == 400


def test_a_list_id_past_64_bits_is_refused_with_the_form(client, daily_list):
    # SQLite raised OverflowError on the IN lookup of the chosen lists.
    response = client.post(
        "/newsletter/subscribe/",
        {"email": "ada@example.org", "lists": [str(daily_list.pk), "9" * 20]},
    )
    assert response.status_code == 400
    assert b"form-error" in response.content
