"""Every POST endpoint against oversized and malformed bodies: never a 500."""

import pytest

from masthead.comments.tests.fixtures import aged_form_token

from .conftest import BOUNDARY, assert_clear_answer, fresh_limits, urlencoded

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "comments:post",
    "comments:vote",
    "comments:edit",
    "comments:delete",
    "comments:subscribe",
    "/comments/erase/",
    "/newsletter/subscribe/",
    "newsletter:preferences",
    "/donate/start/",
    "/donate/webhooks/stripe/",
    "/views/{page}/",
    "/admin/login/",
]


def _url(name, article, comment, subscriber) -> str:
    paths = {
        "comments:post": f"/comments/{article.pk}/post/",
        "comments:vote": f"/comments/{comment.pk}/vote/",
        "comments:edit": f"/comments/{comment.pk}/edit/",
        "comments:delete": f"/comments/{comment.pk}/delete/",
        "comments:subscribe": f"/comments/{article.pk}/subscribe/",
        "newsletter:preferences": f"/newsletter/preferences/{subscriber.key}/",
    }
    return paths.get(name) or name.format(page=article.pk)


def _bodies(article) -> dict:
    token = aged_form_token(article)
    return {
        "10,000 fields": (
            urlencoded({f"f{n}": "x" for n in range(10_000)}),
            "application/x-www-form-urlencoded",
        ),
        "a 1 MB field": (
            urlencoded({"body": "x" * 1_000_000, "token": token, "email": "a@b.org"}),
            "application/x-www-form-urlencoded",
        ),
        "a 3 MB body": (
            urlencoded({"body": "é" * 600_000, "name": "Ada"}),
            "application/x-www-form-urlencoded",
        ),
        "invalid UTF-8": (
            b"body=\xff\xfe\xed\xa0\x80&name=\xc3\x28&email=\x80@example.org&token="
            + token.encode(),
            "application/x-www-form-urlencoded",
        ),
        "NUL bytes": (
            b"body=a%00b&name=%00&email=a%00@example.org&\x00=\x00",
            "application/x-www-form-urlencoded",
        ),
        "broken multipart": (
            b"--" + BOUNDARY.encode() + b"\r\nContent-Disposition: form-data; name=",
            f"multipart/form-data; boundary={BOUNDARY}",
        ),
        "multipart without a boundary": (b"x", "multipart/form-data"),
        "JSON where a form is expected": (b'{"body": [1, 2]}', "application/json"),
    }


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_oversized_and_malformed_bodies_get_a_clear_answer(
    client, article, guest_comment, subscriber, endpoint
):
    url = _url(endpoint, article, guest_comment, subscriber)
    for what, (body, content_type) in _bodies(article).items():
        fresh_limits()
        response = client.generic("POST", url, body, content_type=content_type)
        assert response.status_code < 500, (what, response.status_code)
        assert_clear_answer(response)
