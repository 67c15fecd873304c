import time

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from wagtail.models import Page

from masthead.comments import subscriptions, tokens
from masthead.comments.choices import SubscriptionStatus
from masthead.comments.models import Subscription
from masthead.comments.tests.fixtures import aged_form_token

pytestmark = pytest.mark.django_db

READER = "reader@example.org"
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def _form(article, **fields):
    data = {"email": READER, "kind": ["all"], "token": aged_form_token(article)}
    data.update(fields)
    return data


def _url(article):
    return f"/comments/{article.pk}/subscribe/"


def test_subscribe_form_sends_a_confirmation_mail(article, client, mailoutbox):
    response = client.post(_url(article), _form(article, kind=["all", "replies"]))

    assert response.status_code == 200
    assert b"Check your inbox" in response.content
    assert "no-store" in response["Cache-Control"]
    assert len(mailoutbox) == 1
    assert Subscription.objects.filter(email=READER).count() == 2


def test_subscribe_answers_json_when_asked(article, client, mailoutbox):
    response = client.post(_url(article), _form(article), **JSON)

    assert response.status_code == 200
    assert response.json() == {
        "ok": True,
        "message": "Check your inbox: we have sent you a link to confirm "
        "your subscription.",
    }


def test_subscribe_form_page_renders_with_a_token(article, client):
    response = client.get(_url(article))

    assert response.status_code == 200
    assert b'name="token"' in response.content
    assert b"New follow-up comments" in response.content
    assert b"<script>" not in response.content


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"email": ""}, "email", "Please give your email address."),
        ({"email": "not-an-address"}, "email", "Please check your email address"),
        ({"kind": []}, "kind", "Please choose which new comments"),
        ({"kind": ["everything"]}, "kind", "Please choose from the options shown."),
        ({"token": ""}, "token", "the form needed a moment"),
        ({"token": "forged:token"}, "token", "could not be verified"),
        ({"homepage": "http://spam.example"}, "homepage", "Please leave this field"),
    ],
)
def test_bad_subscribe_input_is_refused_with_a_message(
    article, client, mailoutbox, fields, field, message
):
    response = client.post(_url(article), _form(article, **fields), **JSON)

    assert response.status_code == 400
    body = response.json()
    assert body["ok"] is False
    assert message in body["errors"][field]
    # A fresh token comes back, so the reader can send again without losing anything.
    tokens.read_form_token(body["token"], article.pk, None, now=time.time() + 10)
    assert not Subscription.objects.exists()
    assert mailoutbox == []


def test_bad_subscribe_input_keeps_the_readers_input_on_the_page(article, client):
    response = client.post(
        _url(article), _form(article, email="not-an-address", kind=["replies"])
    )

    assert response.status_code == 400
    assert b"Please check your email address" in response.content
    assert b'value="not-an-address"' in response.content
    assert b'value="replies" checked' in response.content
    assert b'value="all" checked' not in response.content


def test_too_fresh_token_is_refused_with_a_fresh_one(article, client):
    token = tokens.issue_form_token(article.pk)

    response = client.post(_url(article), _form(article, token=token), **JSON)

    assert response.status_code == 400
    assert "quicker than anyone can type" in response.json()["errors"]["token"]
    assert response.json()["token"] != token
    with override_settings(MASTHEAD_COMMENTS_MIN_SECONDS=0):
        again = client.post(
            _url(article), _form(article, token=response.json()["token"]), **JSON
        )
    assert again.json()["ok"] is True


def test_token_of_another_article_is_refused(article, client):
    response = client.post(
        _url(article),
        _form(article, token=aged_form_token(article.get_parent())),
        **JSON,
    )

    assert response.status_code == 400
    assert "another page" in response.json()["errors"]["token"]


def test_subscribe_rate_limit_gives_a_clear_message(article, client, mailoutbox):
    with override_settings(MASTHEAD_COMMENTS_SUBSCRIBE_RATE_PER_IP=(2, 3600)):
        for n in range(2):
            ok = client.post(_url(article), _form(article, email=f"r{n}@example.org"))
            assert ok.status_code == 200
        refused = client.post(_url(article), _form(article, email="r9@example.org"))
        refused_json = client.post(
            _url(article), _form(article, email="r9@example.org"), **JSON
        )

    assert refused.status_code == 429
    assert b"Too many requests" in refused.content
    assert b'value="r9@example.org"' in refused.content
    assert refused_json.status_code == 429
    assert "try again in an hour" in refused_json.json()["errors"]["__all__"]
    for response in (refused, refused_json):
        assert 1 <= int(response["Retry-After"]) <= 3600
    assert len(mailoutbox) == 2


def test_subscribe_to_a_page_that_is_not_a_live_article_is_404(article, client):
    other = Page.objects.get(pk=article.get_parent().pk)
    assert client.post(_url(other), _form(article)).status_code == 404
    article.unpublish()
    assert client.post(_url(article), _form(article)).status_code == 404
    assert client.post("/comments/999999/subscribe/", {}).status_code == 404


def _confirm_path(mail):
    url = next(w for w in mail.body.split() if "/confirm/" in w)
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_confirm_link_asks_first_and_confirms_on_post(article, mailoutbox):
    client = Client(enforce_csrf_checks=True)
    subscriptions.subscribe(article, READER, ["all"])
    path = _confirm_path(mailoutbox[-1])

    page = client.get(path)
    assert page.status_code == 200
    assert b"Confirm subscription" in page.content
    assert "no-store" in page["Cache-Control"]
    assert Subscription.objects.get().status == SubscriptionStatus.PENDING

    token = page.cookies["csrftoken"].value
    done = client.post(path, {"csrfmiddlewaretoken": token})
    assert done.status_code == 200
    assert b"You're subscribed" in done.content
    assert article.url.encode() in done.content
    assert Subscription.objects.get().status == SubscriptionStatus.CONFIRMED


def test_unknown_confirm_link_is_a_clear_404(client, db):
    response = client.get("/comments/subscriptions/nope/confirm/")

    assert response.status_code == 404
    assert b"This confirmation link is not valid" in response.content


def test_unsubscribe_link_shows_a_button_then_unsubscribes(article, client):
    (row,) = subscriptions.subscribe(article, READER, ["all"])
    subscriptions.confirm(row.confirm_key)
    path = f"/comments/subscriptions/{row.token}/unsubscribe/"

    page = client.get(path)
    assert page.status_code == 200
    assert b'<button class="button" type="submit">Unsubscribe</button>' in page.content
    assert Subscription.objects.get().status == SubscriptionStatus.CONFIRMED

    done = client.post(path)
    assert b"unsubscribed" in done.content
    assert Subscription.objects.get().status == SubscriptionStatus.UNSUBSCRIBED


def test_unknown_unsubscribe_link_says_there_is_nothing_to_do(client, db):
    response = Client(enforce_csrf_checks=True).post(
        "/comments/subscriptions/nope/unsubscribe/",
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 404
    assert b"nothing to do" in response.content
