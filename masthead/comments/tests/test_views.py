import pytest
from django.test import override_settings
from django.urls import reverse

from masthead.comments import services, tokens
from masthead.comments.choices import CommentStatus
from masthead.comments.models import Comment
from masthead.comments.tests.fixtures import aged_form_token, post_comment

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


def form(article, **fields):
    data = {
        "body": "I think the council got this wrong.",
        "name": "Ada Reader",
        "email": "ada@example.org",
        "url": "",
        "parent": "",
        "homepage": "",
        "token": aged_form_token(article),
    }
    data.update(fields)
    return data


def test_article_page_shows_the_form_without_any_token_or_cookie(client, article):
    response = client.get(article.url)
    html = response.content.decode()
    assert "Leave a Reply" in html and 'name="token" value=""' in html
    assert "csrfmiddlewaretoken" not in html
    assert not response.cookies


def test_token_endpoint_is_never_cached(client, article):
    response = client.get(reverse("comments:token", args=[article.pk]))
    assert "no-store" in response["Cache-Control"]
    data = response.json()
    assert data["token"] and tokens.voter_key(data["voter"]) and not data["signed_in"]


def test_guest_posts_and_gets_an_edit_token(client, article, publish_at_once):
    response = client.post(
        reverse("comments:post", args=[article.pk]), form(article), **JSON
    )
    data = response.json()
    assert response.status_code == 200 and data["ok"] and data["visible"]
    comment = Comment.objects.get()
    assert data["comment_id"] == comment.pk and "Ada Reader" in data["html"]
    assert "ada@example.org" not in data["html"]
    tokens.check_edit_token(data["edit_token"], comment)


def test_without_javascript_a_post_shows_the_received_page(client, article):
    response = client.post(reverse("comments:post", args=[article.pk]), form(article))
    assert response.status_code == 200
    assert b"awaiting moderation" in response.content
    assert b"Delete my comment" in response.content


def test_retrying_the_same_form_stores_one_comment(client, article):
    data = form(article)
    for _ in range(3):
        client.post(reverse("comments:post", args=[article.pk]), data, **JSON)
    assert Comment.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"body": ""}, "body", "Please write a comment"),
        ({"body": "x" * 5001}, "body", "5,000"),
        ({"email": "nope"}, "email", "check your email"),
        ({"parent": "424242"}, "parent", "not there to answer"),
        ({"homepage": "http://spam.example"}, "homepage", "empty"),
        ({"token": ""}, "__all__", "moment to get ready"),
        ({"token": "forged:token"}, "__all__", "could not be verified"),
    ],
)
def test_bad_input_gets_a_message_and_keeps_the_text(
    client, article, fields, field, message
):
    data = form(article, **fields)
    response = client.post(reverse("comments:post", args=[article.pk]), data, **JSON)
    payload = response.json()
    assert response.status_code == 400 and message in payload["errors"][field]
    assert payload["token"]  # a fresh token so the reader can send again
    assert Comment.objects.count() == 0
    page = client.post(reverse("comments:post", args=[article.pk]), data)
    assert page.status_code == 400
    html = page.content.decode()
    assert message in html
    if data["body"]:
        assert data["body"][:50] in html  # the reader's text is in the form again


def test_too_fast_submission_is_refused_clearly(client, article):
    data = form(article, token=tokens.issue_form_token(article.pk))
    response = client.post(reverse("comments:post", args=[article.pk]), data, **JSON)
    assert "quicker than anyone can type" in response.json()["errors"]["__all__"]


def test_a_closed_thread_refuses_posts(client, article):
    services.close_thread(article)
    response = client.post(
        reverse("comments:post", args=[article.pk]), form(article), **JSON
    )
    assert "closed" in response.json()["errors"]["__all__"]
    assert (
        "Comments on this article are closed"
        in client.get(article.url).content.decode()
    )


@override_settings(MASTHEAD_COMMENTS_RATE_PER_IP=(2, 60))
def test_posting_is_rate_limited_per_ip(client, article):
    url = reverse("comments:post", args=[article.pk])
    for n in range(2):
        client.post(
            url, form(article, body=f"Comment {n}", email=f"r{n}@example.org"), **JSON
        )
    response = client.post(
        url, form(article, body="Third", email="r9@example.org"), **JSON
    )
    assert response.status_code == 429
    assert "wait a minute" in response.json()["errors"]["__all__"]
    assert 1 <= int(response["Retry-After"]) <= 60
    assert Comment.objects.count() == 2
    page = client.post(url, form(article, body="Fourth", email="r8@example.org"))
    assert page.status_code == 429 and 1 <= int(page["Retry-After"]) <= 60


@override_settings(MASTHEAD_COMMENTS_RATE_PER_EMAIL=(1, 60))
def test_posting_is_rate_limited_per_email(client, article):
    url = reverse("comments:post", args=[article.pk])
    client.post(url, form(article, body="One"), **JSON)
    response = client.post(url, form(article, body="Two"), **JSON)
    assert response.status_code == 429 and Comment.objects.count() == 1
    assert 1 <= int(response["Retry-After"]) <= 60


@override_settings(MASTHEAD_COMMENTS_VOTE_RATE_PER_IP=(1, 60))
def test_too_many_votes_say_when_to_come_back(client, article, guest_comment):
    url = reverse("comments:vote", args=[guest_comment.pk])
    voter = tokens.issue_voter_token()
    assert client.post(url, {"voter": voter, "value": "up"}).status_code == 200

    response = client.post(url, {"voter": voter, "value": "down"})

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60


def test_signed_in_user_token_does_not_work_for_a_guest(
    client, article, django_user_model
):
    user = django_user_model.objects.create_user("reader", "r@example.org", "x")
    data = form(article, token=aged_form_token(article, user_id=user.pk))
    response = client.post(reverse("comments:post", args=[article.pk]), data, **JSON)
    assert "another page or session" in response.json()["errors"]["__all__"]


def test_signed_in_reader_posts_without_guest_badge(
    client, article, django_user_model, publish_at_once
):
    user = django_user_model.objects.create_user(
        "reader", "r@example.org", "x", first_name="Rita"
    )
    client.force_login(user)
    data = form(
        article, name="", email="", token=aged_form_token(article, user_id=user.pk)
    )
    response = client.post(reverse("comments:post", args=[article.pk]), data, **JSON)
    assert response.json()["ok"]
    comment = Comment.objects.get()
    assert comment.user == user and comment.author_name == "Rita"
    assert "Guest" not in response.json()["html"]


def test_list_shows_guest_badge_avatar_and_no_email(client, article, guest_comment):
    html = client.get(reverse("comments:list", args=[article.pk])).content.decode()
    assert (
        "Sam Guest" in html and "Guest</span>" in html and '<svg class="avatar"' in html
    )
    assert guest_comment.author_email not in html and "gravatar" not in html
    assert 'rel="nofollow ugc noopener"' in html


@override_settings(MASTHEAD_COMMENTS_GRAVATAR=True)
def test_gravatar_only_when_the_site_turns_it_on(client, article, publish_at_once):
    post_comment(article, "Hello with gravatar", email="g@example.org")
    html = client.get(reverse("comments:list", args=[article.pk])).content.decode()
    assert "https://www.gravatar.com/avatar/" in html


def test_counts_show_on_teasers_and_the_article(
    client, article, section, guest_comment
):
    assert "1 comment" in client.get(section.url).content.decode()
    assert "1 comment</h2>" in client.get(article.url).content.decode()
    services.trash(guest_comment)
    assert "Click to comment" in client.get(section.url).content.decode()


def test_list_is_cached_until_the_thread_changes(
    client, article, guest_comment, django_assert_num_queries
):
    url = reverse("comments:list", args=[article.pk])
    client.get(url)
    # page, its view restrictions, thread, site, settings; never the comments
    with django_assert_num_queries(5):
        client.get(url)
    services.edit_comment(guest_comment, "Edited words")
    assert "Edited words" in client.get(url).content.decode()


def test_votes_need_a_signed_voter_id(client, article, guest_comment):
    url = reverse("comments:vote", args=[guest_comment.pk])
    assert client.post(url, {"voter": "made-up", "value": "up"}).status_code == 400
    voter = tokens.issue_voter_token()
    assert client.post(url, {"voter": voter, "value": "up"}).json()["upvotes"] == 1
    assert client.post(url, {"voter": voter, "value": "up"}).json()["upvotes"] == 1


def test_author_edits_and_deletes_within_the_window(client, article, guest_comment):
    token = tokens.issue_edit_token(guest_comment)
    edit = reverse("comments:edit", args=[guest_comment.pk])
    assert (
        client.post(edit, {"body": "New text", "token": "bad"}, **JSON).status_code
        == 403
    )
    response = client.post(edit, {"body": "New text", "token": token}, **JSON)
    assert response.json()["body_html"] == "<p>New text</p>"
    with override_settings(MASTHEAD_COMMENTS_EDIT_SECONDS=-1):
        late = client.post(edit, {"body": "Too late", "token": token}, **JSON)
        assert "has passed" in late.json()["errors"]["__all__"]
    delete = reverse("comments:delete", args=[guest_comment.pk])
    assert client.post(delete, {"token": token}, **JSON).json()["ok"]
    guest_comment.refresh_from_db()
    assert (
        guest_comment.status == CommentStatus.DELETED
        and guest_comment.author_name == ""
    )


def test_unknown_articles_are_404(client):
    assert client.get(reverse("comments:token", args=[999999])).status_code == 404
    assert client.post(reverse("comments:post", args=[999999]), {}).status_code == 404
