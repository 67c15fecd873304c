import io
import os
import re
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Count, Q

from masthead.comments import conf
from masthead.comments.choices import CommentStatus
from masthead.comments.models import Comment, Thread
from masthead.comments.rendering import content_hash, render_body
from masthead.demo.generate.comments import (
    COMMENTED_STORIES,
    commenter_pool,
    draft_comments,
)
from masthead.news.models import ArticlePage

from .conftest import ARTICLES, SEED


def stories(count=120):
    """(page id, first published) pairs, one story every six hours."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    return [(pk, start + timedelta(hours=6 * pk)) for pk in range(1, count + 1)]


def shingles(text):
    tokens = re.findall(r"[a-z’']+", text.lower())
    return {" ".join(tokens[i : i + 6]) for i in range(len(tokens) - 5)}


# --- without a database -------------------------------------------------------------


def test_same_seed_drafts_the_same_discussion():
    first = [asdict(draft) for draft in draft_comments(stories(), SEED)]
    second = [asdict(draft) for draft in draft_comments(stories(), SEED)]

    assert first == second
    assert commenter_pool(SEED) == commenter_pool(SEED)


def test_another_seed_drafts_another_discussion():
    ours = {draft.body for draft in draft_comments(stories(), SEED)}
    theirs = {draft.body for draft in draft_comments(stories(), SEED + 1)}

    assert ours != theirs


def test_only_the_newest_stories_get_comments_and_the_newest_always_does():
    pairs = stories()
    drafts = draft_comments(pairs, SEED)
    newest_ids = {pk for pk, _ in pairs[-COMMENTED_STORIES:]}

    assert {draft.page_id for draft in drafts} <= newest_ids
    assert sum(d.page_id == pairs[-1][0] for d in drafts) >= 5
    per_story = {}
    for draft in drafts:
        per_story[draft.page_id] = per_story.get(draft.page_id, 0) + 1
    assert max(per_story.values()) <= 9


def test_comments_vary_in_shape():
    drafts = draft_comments(stories(), SEED)
    replies = [d for d in drafts if d.reply_to is not None]
    pool = commenter_pool(SEED)

    assert 0.15 < len(replies) / len(drafts) < 0.45
    assert any("\n\n" in d.body for d in drafts)
    assert any("https://example.org/" in d.body for d in drafts)
    assert any(d.upvotes for d in drafts) and any(d.downvotes for d in drafts)
    assert any(c.url for c in pool) and any(not c.url for c in pool)
    assert all(c.email.endswith(("@example.org", "@example.net")) for c in pool)
    assert 3 <= sum(d.status == CommentStatus.PENDING for d in drafts) <= 6


def test_comments_share_no_six_words_with_the_reference_page():
    reference = Path(
        os.environ.get(
            "MASTHEAD_REFERENCE_PAGE", "/work/shared/reference/reference-page.txt"
        )
    )
    if not reference.exists():
        pytest.skip("the reference page is not on this machine")

    ours = set()
    for seed in range(1, 6):
        for draft in draft_comments(stories(), seed):
            ours |= shingles(draft.body)
        for commenter in commenter_pool(seed):
            ours |= shingles(f"{commenter.name} {commenter.email} {commenter.url}")
    assert ours
    assert not ours & shingles(reference.read_text(errors="ignore"))


# --- the stored discussion ------------------------------------------------------------


def test_demo_run_stores_the_drafted_comments(demo):
    pairs = list(
        ArticlePage.objects.order_by("pk").values_list("pk", "first_published_at")
    )
    drafts = draft_comments(pairs, SEED)
    stored = list(Comment.objects.order_by("pk"))

    assert demo.comments == len(stored) == len(drafts) > 0
    assert [(c.page_id, c.body, c.author_name) for c in stored] == [
        (d.page_id, d.body, d.author.name) for d in drafts
    ]
    for comment in stored:
        assert comment.body_html == render_body(comment.body)
        assert comment.content_hash == content_hash(comment.page_id, comment.body)
        assert comment.avatar_seed and comment.submission_key is None


def test_thread_counts_match_approved_comments(demo):
    counts = dict(
        Comment.objects.values_list("page_id")
        .annotate(n=Count("pk", filter=Q(status=CommentStatus.APPROVED)))
        .values_list("page_id", "n")
    )

    assert dict(Thread.objects.values_list("page_id", "visible_count")) == counts


def test_replies_follow_the_posting_rules(demo):
    max_depth = conf.get("MASTHEAD_COMMENTS_MAX_DEPTH")
    replies = Comment.objects.filter(reply_to__isnull=False).select_related(
        "parent", "reply_to"
    )

    assert replies.exists()
    assert Comment.objects.filter(depth__gte=2).exists()
    assert not Comment.objects.filter(parent__isnull=True, depth__gt=0).exists()
    for reply in replies:
        parent, answered = reply.parent, reply.reply_to
        assert parent.page_id == answered.page_id == reply.page_id
        assert parent.status == answered.status == CommentStatus.APPROVED
        assert reply.depth == min(parent.depth + 1, max_depth - 1)
        if answered.depth >= max_depth - 1:
            assert parent.pk == answered.parent_id
        else:
            assert parent.pk == answered.pk
        assert reply.created_at > answered.created_at


def test_comments_are_approved_except_a_few_waiting(demo):
    pending = Comment.objects.filter(status=CommentStatus.PENDING)

    assert 3 <= pending.count() <= 6
    assert not pending.filter(published_at__isnull=False).exists()
    assert not Comment.objects.filter(reply_to__in=pending).exists()
    assert not (
        Comment.objects.filter(status=CommentStatus.APPROVED)
        .filter(published_at__isnull=True)
        .exists()
    )
    assert set(Comment.objects.values_list("status", flat=True)) == {
        CommentStatus.APPROVED,
        CommentStatus.PENDING,
    }
    for comment in Comment.objects.select_related("page"):
        assert comment.created_at > comment.page.first_published_at


def test_newest_story_shows_its_discussion(demo, client):
    article = ArticlePage.objects.order_by("-first_published_at", "-pk").first()
    comment = Comment.objects.filter(
        page=article, status=CommentStatus.APPROVED
    ).first()

    response = client.get(article.url)

    assert response.status_code == 200
    html = response.content.decode()
    assert comment.author_name in html
    assert "comments" in html
    assert f"{Thread.objects.get(page=article).visible_count} comments" in html


def test_teasers_show_comment_counts(demo, client):
    html = client.get("/").content.decode()

    assert re.search(r"\d+ comments?</a>", html)


def test_command_prints_the_comment_count(db):
    out = io.StringIO()
    call_command("masthead_demo", articles=ARTICLES, seed=SEED, stdout=out)

    assert f"{Comment.objects.count():,} reader comments" in out.getvalue()
