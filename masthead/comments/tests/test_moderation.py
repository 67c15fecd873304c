"""The moderators' queue in the Wagtail admin: listing, actions, rights, badge."""

import datetime
import itertools

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from masthead.comments import services
from masthead.comments.choices import CommentStatus, ModerationPolicy
from masthead.comments.exceptions import CommentRejected
from masthead.comments.models import Comment, Thread
from masthead.news.tests.factories import ArticlePageFactory

pytestmark = pytest.mark.django_db

QUEUE = "/admin/comments/"
_keys = itertools.count(1)


def post(article, body, name="Ada Reader", email="ada@example.org") -> Comment:
    """A reader's comment, through the same service as the reader site."""
    draft = services.CommentDraft(page_id=article.pk, body=body, name=name, email=email)
    comment, _ = services.post_comment(
        draft, submission_key=f"moderation-{next(_keys)}"
    )
    return comment


@pytest.fixture
def hold_all(article):
    settings = services.settings_for(article)
    settings.moderation = ModerationPolicy.HOLD_ALL
    settings.save()
    return settings


@pytest.fixture
def other_article(section, author):
    return ArticlePageFactory(
        parent=section, title="Ferry timetable changes", slug="ferry", authors=[author]
    )


@pytest.fixture
def pending(article, other_article, hold_all):
    """Three comments waiting on the bridge story and one on the ferry story."""
    return [
        post(article, "The bridge was overdue.", "Ada Reader", "ada@example.org"),
        post(article, "What about cyclists?", "Ben Rider", "ben@bikes.example"),
        post(article, "Buy cheap watches now", "Spammer", "spam@junk.example"),
        post(other_article, "Fewer ferries again.", "Cleo Sailor", "cleo@example.org"),
    ]


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client


def statuses(comments) -> list[str]:
    return [Comment.objects.get(pk=c.pk).status for c in comments]


def visible_count(article) -> int:
    return Thread.objects.get(page_id=article.pk).visible_count


def set_status_url(comment, status) -> str:
    return reverse("comment_moderation:set_status", args=[comment.pk, status])


def bulk_url(action: str, comments=(), **params) -> str:
    url = reverse("wagtail_bulk_action", args=["comments", "comment", action])
    query = [("id", c.pk) for c in comments] + list(params.items())
    return url + "?" + "&".join(f"{k}={v}" for k, v in query)


# --- The queue ----------------------------------------------------------------------


def test_queue_opens_on_pending_comments_newest_first(moderator_client, pending):
    services.approve(pending[0])

    response = moderator_client.get(QUEUE)

    assert response.status_code == 200
    listed = list(response.context["object_list"])
    assert listed == [pending[3], pending[2], pending[1]]
    html = response.content.decode()
    assert "The bridge was overdue." not in html
    for text in ("What about cyclists?", "ben@bikes.example", "Bridge repairs start"):
        assert text in html


def test_queue_shows_every_status_when_asked(moderator_client, pending):
    services.mark_spam(pending[2])

    spam = moderator_client.get(QUEUE, {"status": "spam"}).context["object_list"]
    everything = moderator_client.get(QUEUE, {"status": "any"}).context["object_list"]

    assert list(spam) == [pending[2]]
    assert len(everything) == 4


def test_queue_filters_by_article(moderator_client, pending, other_article):
    response = moderator_client.get(QUEUE, {"page": other_article.pk})

    assert list(response.context["object_list"]) == [pending[3]]


def test_queue_filters_by_email(moderator_client, pending):
    response = moderator_client.get(QUEUE, {"author_email": "bikes.example"})

    assert list(response.context["object_list"]) == [pending[1]]


def test_queue_filters_by_date(moderator_client, article, hold_all):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=10)):
        old = post(article, "Posted long ago.")
    new = post(article, "Posted today.", email="new@example.org")
    since = (timezone.localdate() - datetime.timedelta(days=2)).isoformat()
    until = (timezone.localdate() - datetime.timedelta(days=5)).isoformat()

    recent = moderator_client.get(QUEUE, {"created_at_from": since})
    earlier = moderator_client.get(QUEUE, {"created_at_to": until})

    assert list(recent.context["object_list"]) == [new]
    assert list(earlier.context["object_list"]) == [old]


def test_queue_searches_the_text(moderator_client, pending):
    response = moderator_client.get(QUEUE, {"q": "cyclists"})

    assert list(response.context["object_list"]) == [pending[1]]


# --- Acting on one comment ----------------------------------------------------------


def test_moderator_approves_a_comment_and_the_thread_counts_it(
    moderator_client, pending, article
):
    response = moderator_client.post(
        set_status_url(pending[0], "approved"), {"next": QUEUE + "?page=1"}
    )

    assert response.status_code == 302
    assert response["Location"] == QUEUE + "?page=1"
    assert statuses(pending) == ["approved", "pending", "pending", "pending"]
    assert visible_count(article) == 1


@pytest.mark.parametrize("status", ["spam", "trash"])
def test_spam_and_trash_take_an_approved_comment_off_the_page(
    moderator_client, pending, article, status
):
    services.approve(pending[0])
    assert visible_count(article) == 1

    moderator_client.post(set_status_url(pending[0], status))

    assert statuses(pending[:1]) == [status]
    assert visible_count(article) == 0


def test_status_changes_only_by_post(moderator_client, pending):
    response = moderator_client.get(set_status_url(pending[0], "approved"))

    assert response.status_code == 405
    assert statuses(pending[:1]) == ["pending"]


def test_queue_row_offers_approve_spam_and_trash(moderator_client, pending):
    html = moderator_client.get(QUEUE).content.decode()

    for status in ("approved", "spam", "trash"):
        assert set_status_url(pending[1], status) in html


def test_moderator_edits_the_text_through_the_service(moderator_client, pending):
    comment = pending[2]
    url = reverse("comment_moderation:edit", args=[comment.pk])

    form = moderator_client.get(url)
    response = moderator_client.post(url, {"body": "Removed a link.\n\nSee www.x.org"})

    assert form.status_code == 200
    assert set_status_url(comment, "approved") in form.content.decode()
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body == "Removed a link.\n\nSee www.x.org"
    assert comment.body_html.startswith("<p>Removed a link.</p>")
    assert 'href="https://www.x.org"' in comment.body_html
    assert comment.edited_at is not None


def test_editing_an_approved_comment_moves_the_threads_cache_key(
    moderator_client, pending, article
):
    services.approve(pending[0])
    before = Thread.objects.get(page=article).changed_at
    url = reverse("comment_moderation:edit", args=[pending[0].pk])

    moderator_client.post(url, {"body": "Edited by the desk."})

    assert Thread.objects.get(page=article).changed_at > before


def test_edit_refuses_an_empty_comment(moderator_client, pending):
    url = reverse("comment_moderation:edit", args=[pending[0].pk])

    response = moderator_client.post(url, {"body": "   "})

    assert response.status_code == 200
    assert Comment.objects.get(pk=pending[0].pk).body == "The bridge was overdue."


def test_queue_has_no_add_or_delete(moderator_client, admin_client, pending):
    html = admin_client.get(QUEUE).content.decode()

    assert "/admin/comments/new/" not in html
    assert "/admin/comments/delete/" not in html
    assert admin_client.get("/admin/comments/new/").status_code == 404


# --- Bulk actions -------------------------------------------------------------------


def test_bulk_approve_changes_status_and_thread_counts(
    moderator_client, pending, article, other_article
):
    url = bulk_url("approve", [pending[0], pending[1], pending[3]], next=QUEUE)

    confirm = moderator_client.get(url)
    response = moderator_client.post(url)

    assert confirm.status_code == 200
    assert "What about cyclists?" in confirm.content.decode()
    assert response.status_code == 302
    assert statuses(pending) == ["approved", "approved", "pending", "approved"]
    assert visible_count(article) == 2
    assert visible_count(other_article) == 1


def test_bulk_trash_and_spam(moderator_client, pending, article):
    services.approve(pending[0])

    moderator_client.post(bulk_url("trash", pending[:2]))
    moderator_client.post(bulk_url("spam", pending[2:3]))

    assert statuses(pending) == ["trash", "trash", "spam", "pending"]
    assert visible_count(article) == 0


def test_bulk_select_all_keeps_the_listings_filters(
    moderator_client, pending, other_article
):
    services.approve(pending[0])

    moderator_client.post(bulk_url("trash", id="all", page=pending[0].page_id))

    # The approved comment was not in the (pending) listing, the ferry story's
    # comment not in the filtered one.
    assert statuses(pending) == ["approved", "trash", "trash", "pending"]


def test_queue_offers_bulk_actions(moderator_client, pending):
    html = moderator_client.get(QUEUE).content.decode()

    assert "data-bulk-action-checkbox" in html
    for action in ("approve", "spam", "trash"):
        assert f"/admin/bulk/comments/comment/{action}/" in html
    assert "/admin/bulk/comments/comment/delete/" not in html


# --- Closing an article's comments --------------------------------------------------


def test_moderator_closes_an_article_and_readers_cannot_comment(
    moderator_client, pending, article
):
    listing = moderator_client.get(QUEUE, {"page": article.pk}).content.decode()
    close_url = reverse("comment_moderation:close_thread", args=[article.pk])
    assert close_url in listing

    moderator_client.post(close_url)

    assert Thread.objects.get(page=article).is_closed
    with pytest.raises(CommentRejected) as refused:
        post(article, "Too late?")
    assert "closed" in refused.value.errors["__all__"]
    listing = moderator_client.get(QUEUE, {"page": article.pk}).content.decode()
    assert reverse("comment_moderation:reopen_thread", args=[article.pk]) in listing


def test_moderator_reopens_an_article(moderator_client, pending, article):
    services.close_thread(article, True)

    moderator_client.post(
        reverse("comment_moderation:reopen_thread", args=[article.pk])
    )

    assert not Thread.objects.get(page=article).is_closed
    assert post(article, "Open again.").status == CommentStatus.PENDING


def test_article_closes_automatically_after_the_configured_days(article, hold_all):
    hold_all.close_after_days = 7
    hold_all.save()
    article.first_published_at = timezone.now() - datetime.timedelta(days=8)
    article.save()

    with pytest.raises(CommentRejected):
        post(article, "A week later.")


# --- Who may moderate ---------------------------------------------------------------


def refused(response) -> bool:
    """Wagtail answers an admin user without the right by sending them home."""
    if response.status_code == 302:
        return response["Location"] == "/admin/"
    return response.status_code == 403


def test_writers_cannot_open_or_act_on_the_queue(client, writer, pending):
    client.force_login(writer)

    assert refused(client.get(QUEUE))
    assert refused(client.post(set_status_url(pending[0], "approved")))
    client.post(bulk_url("approve", pending[:1]))
    url = reverse("comment_moderation:close_thread", args=[pending[0].page_id])
    assert refused(client.post(url))

    assert statuses(pending[:1]) == ["pending"]
    assert not Thread.objects.get(page_id=pending[0].page_id).is_closed
    assert '"name": "comments"' not in client.get("/admin/").content.decode()


def test_moderators_and_editors_get_the_queue_and_the_menu(
    client, moderator, editor, pending
):
    for user in (moderator, editor):
        client.force_login(user)
        assert client.get(QUEUE).status_code == 200
        assert '"name": "comments"' in client.get("/admin/").content.decode()


def test_the_migration_grants_moderation_to_moderators_and_editors():
    def codenames(group):
        return set(
            Permission.objects.filter(
                group__name=group, content_type__app_label="comments"
            ).values_list("codename", flat=True)
        )

    moderation = {"view_comment", "change_comment", "moderate_comment"}
    assert codenames("Moderators") == moderation
    assert codenames("Editors") == moderation | {"change_commentsettings"}
    assert codenames("Writers") == set()


def test_editors_change_the_comment_rules_in_settings(
    client, editor, moderator, article
):
    url = reverse("wagtailsettings:edit", args=["comments", "commentsettings"])
    client.force_login(editor)
    assert (
        "/admin/settings/comments/commentsettings/"
        in client.get("/admin/").content.decode()
    )

    form = client.get(url, follow=True)
    assert form.status_code == 200
    edit_url = form.redirect_chain[-1][0] if form.redirect_chain else url
    data = {
        "moderation": "hold_all",
        "max_links": "0",
        "blocked_words": "casino",
        "blocked_emails": "",
        "blocked_ip_ranges": "",
        "close_after_days": "30",
        "erased_comments": "placeholder",
        "moderator_digest": "on",
    }
    response = client.post(edit_url, data)
    assert response.status_code == 302
    rules = services.settings_for(article)
    assert (rules.moderation, rules.max_links, rules.close_after_days) == (
        "hold_all",
        0,
        30,
    )

    client.force_login(moderator)
    assert refused(client.get(edit_url))


# --- The menu badge -----------------------------------------------------------------


def test_menu_badge_shows_the_pending_count(moderator_client, pending):
    services.approve(pending[0])

    html = moderator_client.get("/admin/").content.decode()

    assert '"data-comments-pending": "3"' in html
    assert '"aria-label": "Comments, 3 pending"' in html


def test_menu_has_no_badge_when_nothing_waits(moderator_client, pending):
    services.set_status(pending, CommentStatus.APPROVED)

    html = moderator_client.get("/admin/").content.decode()

    assert '"name": "comments"' in html
    assert '"data-comments-pending"' not in html
