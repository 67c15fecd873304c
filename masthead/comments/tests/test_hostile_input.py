"""Inputs found by the fuzz suite (tests/fuzz/) that once caused a server error."""

import pytest
from django.urls import reverse

from masthead.comments.models import Comment
from masthead.comments.tests.fixtures import aged_form_token

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


def test_a_parent_given_as_a_superscript_digit_is_refused_with_the_text_kept(
    client, article, publish_at_once
):
    # "²".isdigit() is true but int("²") raises: the view once answered 500, and
    # then stored the reply as a top-level comment.
    response = client.post(
        reverse("comments:post", args=[article.pk]),
        {
            "body": "A reply to nobody in particular.",
            "name": "Ada",
            "email": "ada@example.org",
            "parent": "²",
            "token": aged_form_token(article),
        },
    )
    assert response.status_code == 400
    assert "not there to answer" in response.content.decode()
    assert "A reply to nobody in particular." in response.content.decode()
    assert not Comment.objects.exists()


@pytest.mark.parametrize("suffix", ["", "token/", "subscribe/"])
def test_a_page_id_past_64_bits_is_not_found(client, db, suffix):
    # SQLite raised OverflowError looking such an id up through page_ptr.
    response = client.get(f"/comments/99999999999999999999/{suffix}")
    assert response.status_code == 404


def test_posting_to_a_page_id_past_64_bits_is_not_found(client, db):
    response = client.post("/comments/99999999999999999999/post/", {"body": "x"})
    assert response.status_code == 404


def test_urls_still_name_ordinary_ids(article):
    assert reverse("comments:list", args=[article.pk]) == f"/comments/{article.pk}/"


# Valid by EmailValidator, yet longer than an EmailField's 254-character column:
# PostgreSQL refused to store it and the reader got a 500.
LONG_EMAIL = "a" * 64 + "@" + ".".join(["b" * 63] * 3) + ".org"


def test_a_comment_with_an_address_too_long_to_store_is_refused(client, article):
    response = client.post(
        reverse("comments:post", args=[article.pk]),
        {
            "body": "Hello there.",
            "name": "Ada",
            "email": LONG_EMAIL,
            "token": aged_form_token(article),
        },
        **JSON,
    )
    assert response.status_code == 400
    assert "at most 254 characters" in response.json()["errors"]["email"]
    assert not Comment.objects.exists()


def test_following_with_an_address_too_long_to_store_is_refused(client, article):
    response = client.post(
        reverse("comments:subscribe", args=[article.pk]),
        {"email": LONG_EMAIL, "kind": "all", "token": aged_form_token(article)},
        **JSON,
    )
    assert response.status_code == 400
    assert "at most 254 characters" in response.json()["errors"]["email"]


@pytest.mark.parametrize("action", ["confirm", "unsubscribe"])
def test_a_subscription_link_with_a_nul_byte_is_not_found(client, db, action):
    # PostgreSQL refuses NUL in a text lookup: these once answered 500.
    assert client.get(f"/comments/subscriptions/%00/{action}/").status_code == 404
    assert client.post(f"/comments/subscriptions/a%00/{action}/").status_code == 404


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.org", "x")


def test_the_queue_filtered_by_an_article_id_past_64_bits_answers(client, superuser):
    # The article filter looked the id up through page_ptr: OverflowError on SQLite.
    client.force_login(superuser)
    response = client.get("/admin/comments/", {"page": "9" * 26})
    assert response.status_code == 200


@pytest.mark.parametrize("action", ["close", "reopen"])
def test_closing_an_article_id_past_64_bits_is_not_found(client, superuser, action):
    client.force_login(superuser)
    response = client.post(f"/admin/comments/article/{'9' * 20}/{action}/")
    assert response.status_code == 404
