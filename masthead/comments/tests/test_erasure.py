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


def test_the_old_erase_request_page_leads_to_my_data(client, db, mailoutbox):
    # "Erase my comments" is now the site-wide /my-data/ (masthead.privacy).
    assert client.get("/comments/erase/").headers["Location"] == "/my-data/"
    response = client.post("/comments/erase/", {"email": READER})

    assert response.headers["Location"] == "/my-data/"
    assert mailoutbox == []


def test_erase_commenter_blanks_comments_and_deletes_subscriptions(
    article, publishing, mailoutbox, django_capture_on_commit_callbacks
):
    mine = post_comment(article, "My comment.", name="Fay", email=READER)
    reply = post_comment(article, "A reply.", email="bo@example.org", parent_id=mine.pk)
    other = subscriptions.subscribe(article, "bo@example.org", ["all"])
    subscriptions.confirm(other[0].confirm_key)
    mine_rows = subscriptions.subscribe(article, READER, ["all", "replies"])
    subscriptions.confirm(mine_rows[0].confirm_key)
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


def test_a_mailed_erase_link_opens_my_data_for_its_address(article, client):
    # Links mailed before /my-data/ existed still prove the address.
    comment = post_comment(article, "Hello.", email=READER)
    link = f"/comments/erase/{tokens.issue_erase_token(READER)}/"

    page = client.get(link, follow=True)

    assert page.redirect_chain[0][0].startswith("/my-data/")
    assert page.status_code == 200
    assert READER.encode() in page.content
    assert b"1 comment<" in page.content
    assert Comment.objects.get(pk=comment.pk).status != CommentStatus.DELETED
    assert "no-store" in page["Cache-Control"]


def test_expired_or_forged_erase_links_lead_to_a_new_request(article, client):
    comment = post_comment(article, "Hello.", email=READER)
    with time_machine.travel(time.time() - 3 * 24 * 3600):
        expired = tokens.issue_erase_token(READER)
    forged = signing.dumps(READER, salt="somewhere-else")
    with override_settings(SECRET_KEY="someone-elses-key"):
        foreign = tokens.issue_erase_token(READER)

    for token in (expired, forged, foreign, "garbage"):
        for method in (client.get, client.post):
            response = method(f"/comments/erase/{token}/")
            assert response.status_code == 302
            assert response.headers["Location"] == "/my-data/"
    assert Comment.objects.get(pk=comment.pk).status != CommentStatus.DELETED
