import time

import pytest
import time_machine
from django.core import signing
from django.test import override_settings
from django.utils import timezone

from masthead.comments import services, subscriptions, tokens
from masthead.comments.choices import CommentStatus, ModerationPolicy
from masthead.comments.models import Comment, PendingNotification, Subscription
from masthead.comments.tests.fixtures import post_comment

pytestmark = pytest.mark.django_db

READER = "reader@example.org"


@pytest.fixture
def publishing(article):
    settings = services.settings_for(article)
    settings.moderation = ModerationPolicy.PUBLISH
    settings.save()


def _main(response) -> bytes:
    """The page's own content, without the per-response CSP nonce in the head."""
    return response.content.split(b"<main", 1)[1].split(b"</main>", 1)[0]


def _erase_link(mail) -> str:
    url = next(
        w for w in mail.body.split() if "/comments/erase/" in w and w.count("/") > 5
    )
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_erasure_mail_reads_the_same_for_an_unknown_address(article, mailoutbox):
    post_comment(article, "Hello.", email=READER)

    subscriptions.request_erasure(READER)
    subscriptions.request_erasure("stranger@example.org")

    known, unknown = mailoutbox[-2:]
    assert known.to == [READER] and unknown.to == ["stranger@example.org"]
    assert known.subject == unknown.subject
    token_known = tokens.issue_erase_token(READER)
    token_unknown = tokens.issue_erase_token("stranger@example.org")
    assert known.body.replace(token_known, "T") == unknown.body.replace(
        token_unknown, "T"
    )


def test_erase_request_page_answers_the_same_for_any_address(
    article, client, mailoutbox
):
    post_comment(article, "Hello.", email=READER)

    known = client.post("/comments/erase/", {"email": READER, "homepage": ""})
    unknown = client.post("/comments/erase/", {"email": "nobody@example.org"})

    assert known.status_code == unknown.status_code == 200
    assert b"If that address has comments, we've sent a link" in known.content
    assert _main(known) == _main(unknown)
    assert len([m for m in mailoutbox if "Erase" in m.subject]) == 2


def test_erase_commenter_blanks_comments_and_deletes_subscriptions(
    article, publishing, mailoutbox, django_capture_on_commit_callbacks
):
    mine = post_comment(article, "My comment.", name="Fay", email=READER)
    reply = post_comment(article, "A reply.", email="bo@example.org", parent_id=mine.pk)
    other = subscriptions.subscribe(article, "bo@example.org", ["all"])
    subscriptions.confirm(other[0].token)
    for row in subscriptions.subscribe(article, READER, ["all", "replies"]):
        subscriptions.confirm(row.token)
    # Both were mailed a moment ago, so new comments wait for them.
    Subscription.objects.update(last_notified_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        waiting_for_bo = post_comment(article, "Still waiting.", email=READER)
        waiting_for_me = post_comment(article, "For Fay.", email="bo@example.org")
    assert PendingNotification.objects.filter(comment=waiting_for_bo).exists()
    assert PendingNotification.objects.filter(comment=waiting_for_me).exists()

    assert subscriptions.erase_commenter(" Reader@example.org") == 2

    mine.refresh_from_db()
    assert mine.status == CommentStatus.DELETED
    assert (mine.body, mine.author_name, mine.author_email) == ("", "", "")
    assert Comment.objects.get(pk=reply.pk).parent_id == mine.pk
    assert not Comment.objects.filter(author_email=READER).exists()
    assert not Subscription.objects.filter(email=READER).exists()
    assert Subscription.objects.filter(email="bo@example.org").exists()
    assert not PendingNotification.objects.exists()


def test_erase_link_erases_after_a_button_press(article, client, mailoutbox):
    comment = post_comment(article, "Hello.", email=READER)
    subscriptions.request_erasure(READER)
    link = _erase_link(mailoutbox[-1])

    page = client.get(link)
    assert page.status_code == 200
    assert b"1 comment will lose" in page.content
    assert Comment.objects.get(pk=comment.pk).status != CommentStatus.DELETED
    assert "private" in page["Cache-Control"] and "no-store" in page["Cache-Control"]

    done = client.post(link)
    assert done.status_code == 200
    assert b"We erased 1 comment" in done.content
    assert Comment.objects.get(pk=comment.pk).status == CommentStatus.DELETED


def test_expired_erase_link_gives_a_clear_error(article, client):
    comment = post_comment(article, "Hello.", email=READER)
    with time_machine.travel(time.time() - 3 * 24 * 3600):
        token = tokens.issue_erase_token(READER)

    response = client.post(f"/comments/erase/{token}/")

    assert response.status_code == 400
    assert b"expired or is not valid" in response.content
    assert b"Ask for a new link" in response.content
    assert Comment.objects.get(pk=comment.pk).status != CommentStatus.DELETED


def test_forged_erase_link_gives_a_clear_error(article, client):
    comment = post_comment(article, "Hello.", email=READER)
    forged = signing.dumps(READER, salt="somewhere-else")
    with override_settings(SECRET_KEY="someone-elses-key"):
        foreign = tokens.issue_erase_token(READER)

    for token in (forged, foreign, "garbage"):
        response = client.get(f"/comments/erase/{token}/")
        assert response.status_code == 400
        assert b"expired or is not valid" in response.content
    assert Comment.objects.get(pk=comment.pk).status != CommentStatus.DELETED


def test_erase_request_needs_a_valid_address(client, db):
    response = client.post("/comments/erase/", {"email": "not-an-address"})

    assert response.status_code == 400
    assert b"Please check your email address" in response.content
    assert b'value="not-an-address"' in response.content
