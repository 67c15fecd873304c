from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from masthead.comments import services
from masthead.comments.choices import CommentStatus, ModerationPolicy
from masthead.comments.exceptions import CommentRejected
from masthead.comments.models import Comment, Thread
from masthead.comments.queries import thread_tree
from masthead.comments.tests.fixtures import post_comment

pytestmark = pytest.mark.django_db


def test_first_time_guest_waits_for_a_moderator(article):
    comment = post_comment(article)
    assert comment.status == CommentStatus.PENDING
    assert comment.is_guest
    assert Thread.objects.get(page=article).visible_count == 0


def test_known_commenter_is_published_at_once(article, comment_settings):
    first = post_comment(article, "My first comment.")
    services.approve(first)
    second = post_comment(article, "And a second one.")
    assert second.status == CommentStatus.APPROVED
    assert second.published_at is not None
    assert Thread.objects.get(page=article).visible_count == 2


def test_hold_all_holds_even_known_commenters(article, comment_settings):
    services.approve(post_comment(article, "Known."))
    comment_settings.moderation = ModerationPolicy.HOLD_ALL
    comment_settings.save()
    assert post_comment(article, "Held.").status == CommentStatus.PENDING


def test_moderator_comments_skip_the_queue(article, django_user_model):
    user = django_user_model.objects.create_user("mod", "mod@example.org", "x")
    user.groups.add(Group.objects.get(name="Moderators"))
    comment = post_comment(article, "From the desk.", user=user, name="", email="")
    assert comment.status == CommentStatus.APPROVED
    assert not comment.is_guest
    assert comment.author_email == "mod@example.org"


def test_a_retried_form_stores_one_comment(article):
    first = post_comment(article, "Once only.", submission_key="same")
    again = post_comment(article, "Once only.", submission_key="same")
    assert again.pk == first.pk
    assert Comment.objects.count() == 1


def test_a_replayed_token_with_other_text_is_refused(article):
    post_comment(article, "Original.", submission_key="same")
    with pytest.raises(CommentRejected, match="already been used"):
        post_comment(article, "Something else.", submission_key="same")
    assert Comment.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"body": "   "}, "body", "Please write a comment"),
        ({"body": "x" * 5001}, "body", "under 5,000 characters"),
        ({"name": ""}, "name", "Please give a name"),
        ({"email": ""}, "email", "never shown"),
        ({"email": "not-an-email"}, "email", "check your email"),
        ({"url": "javascript:alert(1)"}, "url", "web address"),
        (
            {"body": "a http://a.example b http://b.example c http://c.example"},
            "body",
            "at most 2 links",
        ),
        ({"parent_id": 999999}, "parent", "not there to answer"),
    ],
)
def test_bad_input_is_refused_per_field_and_nothing_is_stored(
    article, fields, field, message
):
    values = {"body": "Fine text.", **fields}
    with pytest.raises(CommentRejected) as refused:
        post_comment(article, values.pop("body"), **values)
    assert message in refused.value.errors[field]
    assert Comment.objects.count() == 0


def test_a_parent_on_another_article_is_refused(article, section, publish_at_once):
    from masthead.news.tests.factories import ArticlePageFactory

    other = ArticlePageFactory(parent=section, title="Another story")
    parent = post_comment(other, "Elsewhere.")
    with pytest.raises(CommentRejected, match="not there to answer"):
        post_comment(article, "Reply.", parent_id=parent.pk)


def test_a_reply_to_a_held_comment_is_refused(article):
    held = post_comment(article, "Waiting.")
    with pytest.raises(CommentRejected, match="not there to answer"):
        post_comment(article, "Reply.", parent_id=held.pk, email="b@example.org")


def test_closed_threads_refuse_comments(article):
    services.close_thread(article)
    with pytest.raises(CommentRejected, match="closed"):
        post_comment(article)
    services.close_thread(article, closed=False)
    assert post_comment(article).pk


def test_threads_close_automatically_after_n_days(article, comment_settings):
    comment_settings.close_after_days = 3
    comment_settings.save()
    assert services.comments_are_open(article)
    article.first_published_at = timezone.now() - timedelta(days=4)
    article.save()
    with pytest.raises(CommentRejected, match="closed"):
        post_comment(article)


def test_duplicate_content_is_refused(article, publish_at_once):
    post_comment(article, "Same words here.")
    with pytest.raises(CommentRejected, match="already been posted"):
        post_comment(article, "  same WORDS   here. ", email="other@example.org")


@pytest.mark.parametrize(
    ("rule", "value", "draft"),
    [
        ("blocked_words", "casino", {"body": "Best CASINO deals"}),
        ("blocked_emails", "@spam.example", {"email": "x@spam.example"}),
        ("blocked_emails", "bad@example.org", {"email": "BAD@example.org"}),
        ("blocked_ip_ranges", "203.0.113.0/24\nnot-a-range", {"ip": "203.0.113.9"}),
    ],
)
def test_blocklists_send_comments_to_spam(article, publish_at_once, rule, value, draft):
    setattr(publish_at_once, rule, value)
    publish_at_once.save()
    body = draft.pop("body", "Ordinary text.")
    assert post_comment(article, body, **draft).status == CommentStatus.SPAM


def test_replies_nest_to_the_configured_depth_then_stay_there(
    article, publish_at_once, settings
):
    settings.MASTHEAD_COMMENTS_MAX_DEPTH = 3
    top = post_comment(article, "Level 0", name="A")
    one = post_comment(article, "Level 1", name="B", parent_id=top.pk)
    two = post_comment(article, "Level 2", name="C", parent_id=one.pk)
    deeper = post_comment(article, "Answer to C", name="D", parent_id=two.pk)
    assert (top.depth, one.depth, two.depth, deeper.depth) == (0, 1, 2, 2)
    assert deeper.parent_id == one.pk
    assert deeper.reply_to_id == two.pk


def test_tree_sorts_top_level_and_keeps_replies_oldest_first(article, publish_at_once):
    old = post_comment(article, "Old", name="A")
    new = post_comment(article, "New", name="B")
    reply_1 = post_comment(article, "R1", name="C", parent_id=old.pk)
    reply_2 = post_comment(article, "R2", name="D", parent_id=old.pk)
    services.vote(new.pk, "voter-1", 1)
    newest = thread_tree(article.pk, "newest", "placeholder")
    assert [n.comment.pk for n in newest] == [new.pk, old.pk]
    assert [n.comment.pk for n in newest[1].children] == [reply_1.pk, reply_2.pk]
    assert [n.comment.pk for n in thread_tree(article.pk, "oldest", "placeholder")] == [
        old.pk,
        new.pk,
    ]
    assert thread_tree(article.pk, "votes", "placeholder")[0].comment.pk == new.pk


def test_erased_comments_keep_their_replies_or_hide_per_setting(
    article, publish_at_once
):
    parent = post_comment(article, "Parent", name="A")
    reply = post_comment(article, "Reply", name="B", parent_id=parent.pk)
    lonely = post_comment(article, "Lonely", name="C")
    services.erase_comment(parent)
    services.erase_comment(lonely)
    tree = thread_tree(article.pk, "oldest", "placeholder")
    assert [n.comment.pk for n in tree] == [parent.pk]
    assert tree[0].comment.body == "" and tree[0].children[0].comment.pk == reply.pk
    hidden = thread_tree(article.pk, "oldest", "hide")
    assert [n.comment.pk for n in hidden] == [reply.pk]
    assert Thread.objects.get(page=article).visible_count == 1


def test_votes_count_once_per_reader_and_can_change(article, guest_comment):
    services.vote(guest_comment.pk, "reader-a", 1)
    services.vote(guest_comment.pk, "reader-a", 1)
    services.vote(guest_comment.pk, "reader-b", -1)
    comment = services.vote(guest_comment.pk, "reader-a", -1)
    assert (comment.upvotes, comment.downvotes) == (0, 2)
    assert comment.votes.count() == 2


def test_votes_on_hidden_comments_are_refused(article):
    held = post_comment(article)
    with pytest.raises(CommentRejected):
        services.vote(held.pk, "reader-a", 1)


def test_moderation_recounts_the_thread_and_moves_its_cache_key(article, guest_comment):
    before = Thread.objects.get(page=article)
    assert before.visible_count == 1
    assert services.trash(guest_comment) == 1
    after = Thread.objects.get(page=article)
    assert after.visible_count == 0 and after.changed_at > before.changed_at
    assert services.set_status([guest_comment.pk], CommentStatus.APPROVED) == 1
    assert Thread.objects.get(page=article).visible_count == 1


def test_editing_re_renders_and_refuses_empty_text(article, guest_comment):
    services.edit_comment(guest_comment, "Changed, see www.example.com")
    guest_comment.refresh_from_db()
    assert "Changed" in guest_comment.body_html and guest_comment.edited_at
    with pytest.raises(CommentRejected, match="Please write"):
        services.edit_comment(guest_comment, "  ")
    guest_comment.refresh_from_db()
    assert "Changed" in guest_comment.body
