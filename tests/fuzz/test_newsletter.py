"""Fuzzing the newsletter: signup, confirm, preferences, erase, bounce webhooks."""

import base64
import hashlib
import hmac
import json
import time

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.html import escape
from hypothesis import given
from hypothesis import strategies as st

from masthead.newsletter.models import Subscriber

from .conftest import (
    EMAILS,
    FUZZ,
    as_server_reads,
    assert_clean_mail_headers,
    assert_clear_answer,
    encodings,
    extra_fields,
    fresh_limits,
    get_raw,
    hostile_text,
    hostile_value,
    post_raw,
)
from .test_comments import path_segment

pytestmark = pytest.mark.django_db

WEBHOOK_SECRET = "hooks:s3cret"
MAILGUN_KEY = "mailgun-signing-key"
list_choices = st.lists(
    st.one_of(
        st.just("daily"),
        st.sampled_from(["0", "-1", "99999999999999999999", "1.0", "1 OR 1=1"]),
        hostile_value,
    ),
    max_size=3,
)


@pytest.fixture(autouse=True)
def anymail_settings(settings):
    settings.ANYMAIL = {
        "WEBHOOK_SECRET": WEBHOOK_SECRET,
        "MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_KEY,
    }


def _lists(chosen, daily_list) -> list:
    return [str(daily_list.pk) if value == "daily" else value for value in chosen]


@FUZZ
@given(
    email=st.one_of(st.sampled_from(EMAILS), hostile_text),
    name=st.one_of(st.just(""), hostile_text),
    lists=list_choices,
    website=st.one_of(st.just(""), hostile_text),
    extra=extra_fields,
    encoding=encodings,
)
def test_signing_up_answers_clearly_and_mails_only_clean_headers(
    client, daily_list, email, name, lists, website, extra, encoding
):
    fresh_limits()
    mail.outbox.clear()
    sent = {
        **extra,
        "email": email,
        "name": name,
        "lists": _lists(lists, daily_list),
        "website": website,
    }
    response = post_raw(client, reverse("newsletter:subscribe"), sent, encoding)
    assert_clear_answer(response, form=True)
    assert_clean_mail_headers()
    if response.status_code == 302 and not as_server_reads(website).strip():
        (message,) = mail.outbox
        assert message.to == [as_server_reads(email).strip().lower()]
        cleaned = " ".join(as_server_reads(name).split())
        if cleaned:
            html = message.alternatives[0][0] if message.alternatives else ""
            assert cleaned not in html or escape(cleaned) == cleaned


@FUZZ
@given(query=extra_fields)
def test_the_signup_pages_take_any_query_string(client, daily_list, query):
    for url in (reverse("newsletter:signup"), reverse("newsletter:check_inbox")):
        assert_clear_answer(get_raw(client, url, query))


@FUZZ
@given(
    token=hostile_value,
    key=hostile_value,
    slug=st.sampled_from(["daily", "x", "a-b"]),
    method=st.sampled_from(["get", "post"]),
)
def test_mailed_links_with_garbage_tokens_and_keys_answer_clearly(
    client, subscriber, token, key, slug, method
):
    token, key = path_segment(token), path_segment(key)
    urls = [
        f"/newsletter/confirm/{token}/",
        f"/newsletter/preferences/{key}/",
        f"/newsletter/preferences/{key}/erase/",
        f"/newsletter/unsubscribe/{key}/{slug}/",
    ]
    for url in urls:
        assert_clear_answer(getattr(client, method)(url))
    assert Subscriber.objects.filter(pk=subscriber.pk).exists()


@FUZZ
@given(name=hostile_text, lists=list_choices, extra=extra_fields, encoding=encodings)
def test_preferences_store_the_name_as_typed_and_show_it_escaped(
    client, subscriber, daily_list, name, lists, extra, encoding
):
    url = reverse("newsletter:preferences", args=[subscriber.key])
    sent = {**extra, "name": name, "lists": _lists(lists, daily_list)}
    response = post_raw(client, url, sent, encoding)
    assert_clear_answer(response)
    subscriber.refresh_from_db()
    if response.status_code == 200 and response.context["saved"]:
        cleaned = " ".join(as_server_reads(name).split())
        assert subscriber.name == cleaned[:200]
        page = client.get(url).content.decode()
        assert escape(subscriber.name) in page
        assert "<script>" not in subscriber.name or "<script>alert" not in page


def _basic(secret: str) -> str:
    return "Basic " + base64.b64encode(secret.encode()).decode()


webhook_bodies = st.one_of(
    st.binary(max_size=200),
    hostile_text.map(lambda text: text.encode("utf-8", "surrogatepass")),
    st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), hostile_text),
        lambda inner: st.one_of(
            st.lists(inner, max_size=3),
            st.dictionaries(
                st.sampled_from(
                    ["event", "recipient", "event-data", "RecordType", "Email", "Type"]
                ),
                inner,
                max_size=4,
            ),
        ),
        max_leaves=8,
    ).map(lambda data: json.dumps(data).encode()),
)


def _mailgun_signed(event_data) -> bytes:
    timestamp, token = str(int(time.time())), f"tok-{time.monotonic_ns()}"
    signature = hmac.new(
        MAILGUN_KEY.encode(), f"{timestamp}{token}".encode(), hashlib.sha256
    ).hexdigest()
    return json.dumps(
        {
            "signature": {
                "timestamp": timestamp,
                "token": token,
                "signature": signature,
            },
            "event-data": event_data,
        }
    ).encode()


@FUZZ
@given(
    body=webhook_bodies,
    esp=st.sampled_from(["mailgun", "postmark", "sendgrid", "nonesuch"]),
    auth=st.sampled_from([WEBHOOK_SECRET, "", "hooks:wrong", "\x00:\x00"]),
    content_type=st.sampled_from(
        ["application/json", "text/plain", "application/x-www-form-urlencoded"]
    ),
)
def test_tracking_webhooks_answer_garbage_without_a_server_error(
    client, subscriber, body, esp, auth, content_type
):
    headers = {"HTTP_AUTHORIZATION": _basic(auth)} if auth else {}
    response = client.generic(
        "POST",
        f"/newsletter/anymail/{esp}/tracking/",
        body,
        content_type=content_type,
        **headers,
    )
    assert response.status_code < 500, response.content[:500]


@FUZZ
@given(
    event_data=st.one_of(
        st.dictionaries(
            st.sampled_from(
                ["event", "recipient", "severity", "reason", "timestamp", "message"]
            ),
            st.one_of(st.none(), st.integers(), hostile_text, st.just("failed")),
            max_size=6,
        ),
        st.lists(st.integers(), max_size=2),
        hostile_text,
    )
)
def test_signed_mailgun_events_with_odd_fields_answer_without_a_server_error(
    client, subscriber, event_data
):
    response = client.post(
        "/newsletter/anymail/mailgun/tracking/",
        _mailgun_signed(event_data),
        content_type="application/json",
        HTTP_AUTHORIZATION=_basic(WEBHOOK_SECRET),
    )
    assert response.status_code < 500, response.content[:500]
