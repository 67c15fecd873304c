"""A reply names a comment readers can see on the same article, or it is refused."""

import pytest
from django.urls import reverse

from masthead.comments import services
from masthead.comments.choices import CommentStatus
from masthead.comments.models import Comment
from masthead.comments.tests.fixtures import aged_form_token, post_comment
from masthead.news.tests.factories import ArticlePageFactory

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}
REPLY = "I see it differently, and here is why."


def _reply(client, article, parent, **headers):
    return client.post(
        reverse("comments:post", args=[article.pk]),
        {
            "body": REPLY,
            "name": "Bo",
            "email": "bo@example.org",
            "parent": parent,
            "token": aged_form_token(article),
        },
        **headers,
    )


@pytest.mark.parametrize(
    "parent",
    [
        "abc",
        "1 OR 1=1",
        "1; DROP TABLE comments_comment",
        "'",
        "²",
        "١٢",
        "-1",
        "0",
        "1.0",
        "0x1",
        "99999999999999999999",
        "1,2",
    ],
)
def test_a_parent_that_is_not_an_id_is_refused_not_stored_top_level(
    client, article, guest_comment, parent
):
    response = _reply(client, article, parent, **JSON)

    assert response.status_code == 400
    assert "not there to answer" in response.json()["errors"]["parent"]
    assert list(Comment.objects.all()) == [guest_comment]


def _deleted_by_author(comment):
    services.erase_comment(comment)


def _removed_by_moderator(comment):
    services.trash(comment)


def _marked_spam(comment):
    services.mark_spam(comment)


def _held(comment):
    services.set_status([comment], CommentStatus.PENDING)


@pytest.mark.parametrize(
    "hide", [_deleted_by_author, _removed_by_moderator, _marked_spam, _held]
)
def test_a_reply_to_a_comment_readers_cannot_see_is_refused(
    client, article, guest_comment, hide
):
    hide(guest_comment)

    response = _reply(client, article, str(guest_comment.pk))

    assert response.status_code == 400
    html = response.content.decode()
    assert "not there to answer" in html and REPLY in html
    # Sending the form again posts the text as a new comment, as the message says.
    assert 'name="parent" value=""' in html
    assert Comment.objects.count() == 1


def test_a_reply_to_another_articles_comment_is_refused(
    client, article, section, publish_at_once
):
    other = ArticlePageFactory(parent=section, title="Another story")
    elsewhere = post_comment(other, "Elsewhere.")

    response = _reply(client, article, str(elsewhere.pk), **JSON)

    assert response.status_code == 400
    assert not Comment.objects.filter(page=article).exists()


def test_a_reply_to_a_visible_comment_is_attached_to_it(client, article, guest_comment):
    response = _reply(client, article, f" {guest_comment.pk} ", **JSON)

    assert response.status_code == 200
    reply = Comment.objects.get(pk=response.json()["comment_id"])
    assert reply.parent_id == guest_comment.pk and reply.reply_to_id == guest_comment.pk
