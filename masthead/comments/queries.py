"""Reads of comments: the thread tree an article shows, and counts for teasers."""

from dataclasses import dataclass, field

from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from .choices import CommentSort, CommentStatus, ErasedCommentDisplay
from .models import Comment, Thread


@dataclass
class Node:
    comment: Comment
    children: list["Node"] = field(default_factory=list)


def visible_count(queryset_or_page_id) -> int:
    thread = Thread.objects.filter(page_id=queryset_or_page_id).first()
    return thread.visible_count if thread else 0


def with_comment_counts(queryset):
    """Annotate articles with `comment_count` in the same query (no N+1)."""
    count = Thread.objects.filter(page_id=OuterRef("pk")).values("visible_count")[:1]
    return queryset.annotate(comment_count=Coalesce(Subquery(count), Value(0)))


def thread_tree(page_id: int, sort: str, erased_display: str) -> list[Node]:
    """An article's visible comments as a tree, top level in the chosen order.

    Replies always read oldest first under their parent. An erased comment is a
    placeholder only when it still has visible replies; with the "hide" display
    its replies move up to the nearest shown ancestor.
    """
    rows = list(
        Comment.objects.filter(
            page_id=page_id,
            status__in=[CommentStatus.APPROVED, CommentStatus.DELETED],
        )
        .select_related("reply_to")
        .only(
            "pk",
            "parent_id",
            "reply_to__author_name",
            "reply_to__status",
            "depth",
            "user_id",
            "author_name",
            "author_url",
            "avatar_seed",
            "body_html",
            "status",
            "upvotes",
            "downvotes",
            "created_at",
            "edited_at",
            "author_email",
        )
        .order_by("created_at", "pk")
    )
    nodes = {row.pk: Node(row) for row in rows}
    roots: list[Node] = []
    for row in rows:
        parent = nodes.get(row.parent_id)
        (parent.children if parent else roots).append(nodes[row.pk])

    def prune(items: list[Node]) -> list[Node]:
        kept = []
        for node in items:
            node.children = prune(node.children)
            if node.comment.status == CommentStatus.DELETED:
                if erased_display == ErasedCommentDisplay.HIDE or not node.children:
                    kept.extend(node.children)
                    continue
            kept.append(node)
        return kept

    roots = prune(roots)
    if sort == CommentSort.NEWEST:
        roots.sort(key=lambda n: (n.comment.created_at, n.comment.pk), reverse=True)
    elif sort == CommentSort.MOST_VOTED:
        roots.sort(key=lambda n: (-n.comment.score, n.comment.created_at))
    else:
        roots.sort(key=lambda n: (n.comment.created_at, n.comment.pk))
    return roots
