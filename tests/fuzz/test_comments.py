"""Fuzzing comments: list, token, post, vote, edit, delete, follow, erase."""

import urllib.parse

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils.html import escape
from hypothesis import event, given
from hypothesis import strategies as st

from masthead.comments import tokens
from masthead.comments.models import Comment
from masthead.comments.rendering import clean_text, render_body
from masthead.comments.tests.fixtures import aged_form_token, post_comment

from .conftest import (
    EMAILS,
    FUZZ,
    JSON_ACCEPT,
    as_server_reads,
    assert_clean_mail_headers,
    assert_clear_answer,
    assert_no_markup_from_readers,
    encodings,
    extra_fields,
    fresh_limits,
    get_raw,
    hostile_text,
    hostile_value,
    post_raw,
    to_bytes,
)

pytestmark = pytest.mark.django_db

bodies = st.one_of(
    hostile_text,
    hostile_text.map(lambda text: f"I disagree: {text}"),
    st.just("A plain, thoughtful reply."),
)
names = st.one_of(hostile_text, st.just("Ada Reader"))
emails = st.one_of(st.sampled_from(EMAILS), hostile_text)
urls = st.one_of(
    st.just(""),
    st.sampled_from(
        [
            "example.org",
            "https://example.org/a?b=<c>",
            "javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "http://[::1]/",
            "https://" + "a" * 400 + ".org",
        ]
    ),
    hostile_text,
)
parents = st.one_of(
    st.just(""),
    st.sampled_from(["0", "-1", "1.5", "99999999999999999999", "١", "²"]),
    hostile_text,
)
json_or_html = st.sampled_from([JSON_ACCEPT, {}])


def path_segment(value) -> str:
    """A path segment of any bytes: empty becomes a lone "-"."""
    return urllib.parse.quote_from_bytes(to_bytes(value), safe=b"") or "-"


def assert_stored_literally(comment: Comment, sent: dict):
    assert comment.body == clean_text(as_server_reads(sent["body"]))
    assert comment.body_html == render_body(comment.body)
    name = " ".join(clean_text(as_server_reads(sent["name"])).split())
    if not name and comment.user is not None:
        # A signed-in reader who leaves the name out is shown by their account's.
        name = comment.user.get_full_name() or comment.user.get_username()
    assert comment.author_name == name


def assert_shown_escaped(client, article, comment: Comment):
    html = client.get(reverse("comments:list", args=[article.pk])).content.decode()
    assert escape(comment.author_name) in html
    assert comment.body_html in html
    assert_no_markup_from_readers(html)
    if "{{" in comment.body:
        assert "{{" in html  # shown as typed, never evaluated


def _post_and_check(client, article, sent, encoding, headers, user=None):
    # Each example starts from an empty thread, so that a failure replays.
    Comment.objects.all().delete()
    fresh_limits()
    mail.outbox.clear()
    response = post_raw(
        client, reverse("comments:post", args=[article.pk]), sent, encoding, **headers
    )
    assert_clear_answer(response, form=True)
    assert_clean_mail_headers()
    event(f"answered {response.status_code}")
    if response.status_code != 200:
        return
    if headers:
        comment = Comment.objects.get(pk=response.json()["comment_id"])
    else:
        comment = Comment.objects.order_by("-pk").first()
    assert comment.user == user
    assert_stored_literally(comment, sent)
    assert_shown_escaped(client, article, comment)


every_field_hostile = st.fixed_dictionaries(
    {
        "body": bodies,
        "name": names,
        "email": emails,
        "url": urls,
        "parent": parents,
        "homepage": st.one_of(st.just(""), hostile_text),
        "notify_replies": st.sampled_from(["", "1", "on", "\x00"]),
    }
)
# Half the examples keep the checks happy, so that hostile text gets stored.
shown_fields_hostile = st.fixed_dictionaries(
    {
        "body": bodies,
        "name": names,
        "email": st.just("ada@example.org"),
        "url": st.sampled_from(["", "example.org/?q=<b>&x='y'"]),
        "parent": st.just(""),
        "homepage": st.just(""),
        "notify_replies": st.sampled_from(["", "1"]),
    }
)


@FUZZ
@given(
    fields=st.one_of(every_field_hostile, shown_fields_hostile),
    extra=extra_fields,
    encoding=encodings,
    headers=json_or_html,
)
def test_a_guest_comment_is_stored_as_typed_or_refused_clearly(
    client, article, publish_at_once, fields, extra, encoding, headers
):
    sent = {**extra, **fields, "token": aged_form_token(article)}
    _post_and_check(client, article, sent, encoding, headers)


@FUZZ
@given(
    body=bodies,
    name=st.one_of(st.just(""), hostile_text),
    email=st.one_of(st.just(""), emails),
    extra=extra_fields,
    headers=json_or_html,
)
def test_a_signed_in_reader_comment_is_stored_as_typed_or_refused_clearly(
    client,
    article,
    publish_at_once,
    django_user_model,
    body,
    name,
    email,
    extra,
    headers,
):
    user = django_user_model.objects.filter(username="reader").first()
    if user is None:
        user = django_user_model.objects.create_user(
            "reader", "reader@example.org", first_name="Rea<b>"
        )
    client.force_login(user)
    sent = {
        **extra,
        "body": body,
        "name": name or "Ada Reader",
        "email": email,
        "token": aged_form_token(article, user.pk),
    }
    _post_and_check(client, article, sent, "urlencoded", headers, user=user)


@FUZZ
@given(token=hostile_value, headers=json_or_html, extra=extra_fields)
def test_a_forged_form_token_is_refused_with_a_message(
    client, article, token, headers, extra
):
    fresh_limits()
    sent = {**extra, "body": "Hello", "name": "Ada", "email": "ada@example.org"}
    sent["token"] = token
    response = post_raw(
        client, reverse("comments:post", args=[article.pk]), sent, **headers
    )
    assert response.status_code == 400
    assert_clear_answer(response, form=True)
    assert not Comment.objects.exists()


@FUZZ
@given(
    page_id=st.sampled_from(["0", "99999999999999999999", "-1", "1e3", "%00"]),
    query=extra_fields,
)
def test_list_and_token_take_any_page_and_query(client, article, page_id, query):
    for name in ("list", "token"):
        url = reverse(f"comments:{name}", args=[article.pk])
        assert_clear_answer(get_raw(client, url, {**query, "sort": query.get("", "")}))
        weird = url.replace(f"/{article.pk}/", f"/{page_id}/")
        assert_clear_answer(client.get(weird))


@FUZZ
@given(
    sort=hostile_value,
    voter=st.one_of(hostile_value, st.just("valid")),
    value=st.one_of(st.sampled_from(["up", "down"]), hostile_value),
    comment_id=st.one_of(
        st.just("own"), st.integers(min_value=0, max_value=10**30).map(str)
    ),
)
def test_votes_answer_clearly_whatever_is_sent(
    client, guest_comment, sort, voter, value, comment_id
):
    fresh_limits()
    if voter == "valid":
        voter = tokens.issue_voter_token()
    target = guest_comment.pk if comment_id == "own" else comment_id
    response = post_raw(
        client, f"/comments/{target}/vote/", {"voter": voter, "value": value}
    )
    assert_clear_answer(response)
    listing = get_raw(client, f"/comments/{guest_comment.page_id}/", {"sort": sort})
    assert_clear_answer(listing)


@FUZZ
@given(
    body=bodies,
    token=st.one_of(hostile_value, st.just("valid")),
    action=st.sampled_from(["edit", "delete"]),
    headers=json_or_html,
)
def test_edits_and_deletes_answer_clearly_and_store_text_literally(
    client, article, publish_at_once, body, token, action, headers
):
    comment = post_comment(article, f"Original {Comment.objects.count()}")
    if token == "valid":
        token = tokens.issue_edit_token(comment)
    response = post_raw(
        client,
        reverse(f"comments:{action}", args=[comment.pk]),
        {"body": body, "token": token},
        **headers,
    )
    assert_clear_answer(response, form=bool(headers) is False and action == "edit")
    comment.refresh_from_db()
    if response.status_code in (200, 302) and action == "edit":
        assert comment.body == clean_text(as_server_reads(body))
        assert comment.body_html == render_body(comment.body)
        assert_shown_escaped(client, article, comment)


@FUZZ
@given(
    email=emails,
    kinds=st.lists(
        st.one_of(st.sampled_from(["all", "replies", "all_comments"]), hostile_value),
        max_size=3,
    ),
    homepage=st.one_of(st.just(""), hostile_text),
    token=st.one_of(st.just("valid"), hostile_value),
    headers=json_or_html,
)
def test_following_a_discussion_answers_clearly_and_mails_cleanly(
    client, article, email, kinds, homepage, token, headers
):
    fresh_limits()
    mail.outbox.clear()
    if token == "valid":
        token = aged_form_token(article)
    url = reverse("comments:subscribe", args=[article.pk])
    sent = {"email": email, "kind": kinds, "homepage": homepage, "token": token}
    response = post_raw(client, url, sent, **headers)
    assert_clear_answer(response, form=True)
    assert_clean_mail_headers()


@FUZZ
@given(token=hostile_value, method=st.sampled_from(["get", "post"]))
def test_mailed_links_with_garbage_tokens_answer_clearly(client, db, token, method):
    segment = path_segment(token)
    for url in (
        f"/comments/subscriptions/{segment}/confirm/",
        f"/comments/subscriptions/{segment}/unsubscribe/",
        f"/comments/erase/{segment}/",
    ):
        response = getattr(client, method)(url)
        assert_clear_answer(response)


@FUZZ
@given(email=emails, homepage=st.one_of(st.just(""), hostile_text), extra=extra_fields)
def test_asking_to_erase_comments_answers_clearly_and_mails_cleanly(
    client, guest_comment, email, homepage, extra
):
    fresh_limits()
    mail.outbox.clear()
    sent = {**extra, "email": email, "homepage": homepage}
    response = post_raw(client, reverse("comments:erase_request"), sent)
    assert_clear_answer(response, form=True)
    assert_clean_mail_headers()
    if response.status_code == 200 and b"form-error" not in response.content:
        # Sent whatever the address: a header the mailer refused would lose it.
        assert len(mail.outbox) == 1


@override_settings(
    MASTHEAD_COMMENTS_VOTE_RATE_PER_IP=(2, 60),
    MASTHEAD_COMMENTS_SUBSCRIBE_RATE_PER_IP=(1, 3600),
)
def test_a_rate_limited_reader_gets_a_429_with_a_message(client, guest_comment):
    votes = [
        client.post(
            reverse("comments:vote", args=[guest_comment.pk]),
            {"voter": tokens.issue_voter_token(), "value": "up"},
        )
        for _ in range(3)
    ]
    assert [v.status_code for v in votes] == [200, 200, 429]
    assert "Too many votes" in votes[2].json()["error"]
    url = reverse("comments:subscribe", args=[guest_comment.page_id])
    follows = [
        client.post(
            url,
            {
                "email": f"ada{n}@example.org",
                "kind": "all",
                "token": aged_form_token(guest_comment.page),
            },
        )
        for n in range(2)
    ]
    assert [f.status_code for f in follows] == [200, 429]
    assert_clear_answer(follows[1], form=True)
