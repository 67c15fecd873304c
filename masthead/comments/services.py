"""Changes to comments: posting, moderating, editing, voting, closing threads.

Views, admin actions, tasks and tests all come through here. Every change that
alters what readers see goes through `_thread_changed`, which recounts the
article's visible comments and moves the cache key of its comment list.
"""

import ipaddress
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from masthead.core.queries import default_site

from . import conf, signals
from .choices import CommentStatus, ModerationPolicy
from .exceptions import CommentRejected, EditNotAllowed
from .models import Comment, CommentSettings, Thread, Vote
from .rendering import avatar_seed, clean_text, content_hash, count_links, render_body
from .spam import akismet_says_spam

logger = logging.getLogger("masthead.comments")

DUPLICATE_WINDOW = timedelta(days=1)
PARENT_REFUSED = (
    "The comment you are replying to is not there to answer: it was removed, "
    "is not public yet, or belongs to another article. Your text is kept: "
    "send it again to post it as a new comment."
)


@dataclass
class CommentDraft:
    """What a reader sent, before any checks."""

    page_id: int
    body: str
    name: str = ""
    email: str = ""
    url: str = ""
    parent_id: int | None = None
    user: object = None  # a signed-in user, or None for a guest
    ip: str = ""
    user_agent: str = ""
    notify_replies: bool = False


def settings_for(page=None) -> CommentSettings:
    """The comment rules of the page's site (or the default site's).

    With no site at all, the model's defaults, unsaved.
    """
    site = (page.get_site() if page is not None else None) or default_site()
    return CommentSettings.for_site(site) if site else CommentSettings()


def comments_are_open(
    page, settings: CommentSettings | None = None, thread: Thread | None = None
) -> bool:
    """Closed by a moderator, or automatically N days after publication.

    Pass the article's `thread` when it is already loaded to save a query.
    """
    settings = settings or settings_for(page)
    if thread is not None:
        if thread.is_closed:
            return False
    elif Thread.objects.filter(page_id=page.pk, is_closed=True).exists():
        return False
    days = settings.close_after_days
    if days and page.first_published_at:
        return timezone.now() < page.first_published_at + timedelta(days=days)
    return True


def _lines(text: str) -> list[str]:
    return [line.strip().lower() for line in text.splitlines() if line.strip()]


def _is_blocked(draft: CommentDraft, settings: CommentSettings) -> bool:
    body = draft.body.lower()
    if any(
        word in body or word in draft.name.lower()
        for word in _lines(settings.blocked_words)
    ):
        return True
    email = draft.email.lower()
    for entry in _lines(settings.blocked_emails):
        if email == entry or (entry.startswith("@") and email.endswith(entry)):
            return True
    if draft.ip:
        try:
            address = ipaddress.ip_address(draft.ip)
        except ValueError:
            return False
        for entry in _lines(settings.blocked_ip_ranges):
            try:
                if address in ipaddress.ip_network(entry, strict=False):
                    return True
            except ValueError:
                continue  # a typo in the list must not stop comments
    return False


def _validate(draft: CommentDraft, page, settings: CommentSettings) -> dict:
    """Cleaned fields, or CommentRejected with one message per bad field."""
    errors = {}
    body = clean_text(draft.body)
    name = " ".join(clean_text(draft.name).split())
    email = clean_text(draft.email).lower()
    url = clean_text(draft.url)
    max_length = conf.get("MASTHEAD_COMMENTS_MAX_LENGTH")
    if draft.user is not None:
        name = name or draft.user.get_full_name() or draft.user.get_username()
        email = email or (draft.user.email or "").lower()
    if not body:
        errors["body"] = "Please write a comment."
    elif len(body) > max_length:
        errors["body"] = (
            f"Please keep it under {max_length:,} characters "
            f"(this one has {len(body):,})."
        )
    elif count_links(body) > settings.max_links:
        errors["body"] = f"Please include at most {settings.max_links} links."
    if not name:
        errors["name"] = "Please give a name to show with your comment."
    elif len(name) > 80:
        errors["name"] = "Please use a name of at most 80 characters."
    if not email and draft.user is None:
        errors["email"] = "Please give your email address (it is never shown)."
    elif len(email) > 254:
        # The column's length: PostgreSQL refuses a longer value with a 500.
        errors["email"] = "Please use an email address of at most 254 characters."
    elif email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = "Please check your email address, e.g. name@example.org."
    if url:
        if "://" not in url:
            url = f"https://{url}"
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            errors["url"] = "Please give a web address starting with https://, or none."
        if len(url) > 300:
            errors["url"] = "Please use a web address of at most 300 characters."
    parent = None
    if draft.parent_id is not None:
        # Only what readers can see may be answered: one message for every other
        # case, so that the answer tells nothing about hidden or deleted comments.
        parent = (
            Comment.objects.filter(
                pk=draft.parent_id, page_id=page.pk, status=CommentStatus.APPROVED
            )
            .only("pk", "page_id", "depth", "parent_id", "status", "author_name")
            .first()
        )
        if parent is None:
            errors["parent"] = PARENT_REFUSED
    if errors:
        raise CommentRejected(errors)
    return {"body": body, "name": name, "email": email, "url": url, "parent": parent}


def _initial_status(draft, email: str, settings: CommentSettings) -> str:
    if draft.user is not None and draft.user.has_perm("comments.moderate_comment"):
        return CommentStatus.APPROVED
    if settings.moderation == ModerationPolicy.HOLD_ALL:
        return CommentStatus.PENDING
    if settings.moderation == ModerationPolicy.HOLD_FIRST_TIME:
        known = Comment.objects.filter(
            author_email=email, status=CommentStatus.APPROVED
        ).exists()
        return CommentStatus.APPROVED if known else CommentStatus.PENDING
    return CommentStatus.APPROVED


def post_comment(draft: CommentDraft, *, submission_key: str) -> tuple[Comment, bool]:
    """Store a reader's comment once; returns (comment, created).

    A second call with the same submission key (a retried or replayed form)
    returns the stored comment and creates nothing. Raises CommentRejected with
    a message per field when the comment cannot be taken.
    """
    from masthead.news.models import ArticlePage

    existing = Comment.objects.filter(submission_key=submission_key).first()
    if existing is not None:
        return _same_submission(existing, draft)
    page = ArticlePage.objects.live().filter(pk=draft.page_id).first()
    if page is None:
        raise CommentRejected({"__all__": "This article is not open for comments."})
    settings = settings_for(page)
    if not comments_are_open(page, settings):
        raise CommentRejected({"__all__": "Comments on this article are closed."})
    fields = _validate(draft, page, settings)
    digest = content_hash(page.pk, fields["body"])
    status = _initial_status(draft, fields["email"], settings)
    # Outside the lock below: the spam service is a network call.
    if _is_blocked(draft, settings) or akismet_says_spam(page, draft, fields):
        status = CommentStatus.SPAM
    parent = fields["parent"]
    reply_to = parent
    max_depth = conf.get("MASTHEAD_COMMENTS_MAX_DEPTH")
    if parent is not None and parent.depth >= max_depth - 1:
        # The thread is as deep as it goes: answer beside the parent, naming it.
        parent = Comment.objects.filter(pk=parent.parent_id).first() or parent
    comment = Comment(
        page=page,
        parent=parent,
        reply_to=reply_to,
        depth=0 if parent is None else min(parent.depth + 1, max_depth - 1),
        user=draft.user,
        author_name=fields["name"],
        author_email=fields["email"],
        author_url=fields["url"],
        avatar_seed=avatar_seed(fields["email"], fields["name"]),
        body=fields["body"],
        body_html=render_body(fields["body"]),
        status=status,
        submission_key=submission_key,
        content_hash=digest,
    )
    try:
        with transaction.atomic():
            # Posts to one article wait here for each other: the duplicate check
            # and the insert must be one step, or two forms with the same text
            # both find no duplicate and both store it. (The thread exists from
            # the first comment, shown or not, so that moderators can close it.)
            Thread.objects.select_for_update().get_or_create(page_id=page.pk)
            resent = Comment.objects.filter(submission_key=submission_key).first()
            if resent is not None:
                return _same_submission(resent, draft)
            if _is_duplicate(page.pk, digest):
                raise CommentRejected(
                    {"body": "This comment has already been posted on this article."}
                )
            comment.save()
            if status == CommentStatus.APPROVED:
                _became_visible(comment)
                _thread_changed(page.pk)
    except IntegrityError:
        # A concurrent retry of the same form won the race; it stored the comment.
        existing = Comment.objects.filter(submission_key=submission_key).first()
        if existing is None:
            raise
        return _same_submission(existing, draft)
    if draft.notify_replies and fields["email"]:
        from .subscriptions import subscribe

        subscribe(page, fields["email"], kinds=["replies"])
    logger.info("comment %s on page %s is %s", comment.pk, page.pk, status)
    transaction.on_commit(lambda: signals.comment_posted.send(Comment, comment=comment))
    return comment, True


def _is_duplicate(page_id: int, digest: str) -> bool:
    return (
        Comment.objects.filter(
            page_id=page_id,
            content_hash=digest,
            created_at__gte=timezone.now() - DUPLICATE_WINDOW,
        )
        .exclude(status=CommentStatus.DELETED)
        .exists()
    )


def _same_submission(existing: Comment, draft: CommentDraft) -> tuple[Comment, bool]:
    if existing.page_id != draft.page_id or clean_text(draft.body) != existing.body:
        raise CommentRejected(
            {
                "__all__": "This form has already been used. We have renewed it: "
                "please send your comment again."
            }
        )
    return existing, False


def _became_visible(comment: Comment) -> None:
    """Inside the transaction that approved `comment`; the caller recounts."""
    if comment.published_at is None:
        comment.published_at = timezone.now()
        Comment.objects.filter(pk=comment.pk).update(published_at=comment.published_at)
        # Subscribers hear of a comment once: when it is first shown.
        from .tasks import queue_comment_notifications_task

        comment_id = comment.pk
        transaction.on_commit(
            lambda: queue_comment_notifications_task.enqueue(comment_id)
        )


def _thread_changed(page_id: int, *, recount: bool = True) -> None:
    """Move the list's cache key; recount visible comments unless none came or went."""
    changes = {"changed_at": timezone.now()}
    if recount:
        changes["visible_count"] = Comment.objects.filter(
            page_id=page_id, status=CommentStatus.APPROVED
        ).count()
    if not Thread.objects.filter(page_id=page_id).update(**changes):
        Thread.objects.get_or_create(page_id=page_id, defaults=changes)
    transaction.on_commit(lambda: signals.thread_changed.send(Thread, page_id=page_id))


def set_status(comments, status: str, *, by=None) -> int:
    """Approve, hold, spam or trash comments (one or many); returns how many changed."""
    if status not in CommentStatus.values or status == CommentStatus.DELETED:
        raise ValueError(f"not a moderation status: {status!r}")
    changed = 0
    pages = set()
    with transaction.atomic():
        ids = [c.pk if isinstance(c, Comment) else int(c) for c in comments]
        # no_key: a reply being stored takes a key-share lock on its parent while
        # holding its thread's lock; a full FOR UPDATE here would wait on that
        # thread in turn, and the two would deadlock.
        for comment in (
            Comment.objects.select_for_update(no_key=True)
            .filter(pk__in=ids)
            .order_by("pk")
        ):
            if comment.status in (status, CommentStatus.DELETED):
                continue
            was_visible = comment.status == CommentStatus.APPROVED
            comment.status = status
            comment.save(update_fields=["status"])
            changed += 1
            if status == CommentStatus.APPROVED:
                _became_visible(comment)
            if status == CommentStatus.APPROVED or was_visible:
                pages.add(comment.page_id)
        for page_id in pages:
            _thread_changed(page_id)
    if changed:
        logger.info("%s set %s comment(s) to %s", by or "system", changed, status)
    return changed


def approve(comment, *, by=None) -> int:
    return set_status([comment], CommentStatus.APPROVED, by=by)


def mark_spam(comment, *, by=None) -> int:
    return set_status([comment], CommentStatus.SPAM, by=by)


def trash(comment, *, by=None) -> int:
    return set_status([comment], CommentStatus.TRASH, by=by)


def edit_comment(
    comment: Comment, body: str, *, by_author_token: str | None = None
) -> Comment:
    """Change a comment's text: by a moderator, or by its author with their token."""
    from .tokens import check_edit_token

    if by_author_token is not None:
        check_edit_token(by_author_token, comment)
        if comment.status == CommentStatus.DELETED:
            raise EditNotAllowed("This comment has been deleted.")
    body = clean_text(body)
    max_length = conf.get("MASTHEAD_COMMENTS_MAX_LENGTH")
    if not body:
        raise CommentRejected({"body": "Please write a comment."})
    if len(body) > max_length:
        raise CommentRejected(
            {
                "body": f"Please keep it under {max_length:,} characters "
                f"(this one has {len(body):,})."
            }
        )
    with transaction.atomic():
        comment.body = body
        comment.body_html = render_body(body)
        comment.content_hash = content_hash(comment.page_id, body)
        comment.edited_at = timezone.now()
        comment.save(update_fields=["body", "body_html", "content_hash", "edited_at"])
        if comment.status == CommentStatus.APPROVED:
            _thread_changed(comment.page_id, recount=False)
    return comment


def erase_comment(comment: Comment) -> None:
    """Blank a comment's text and identity; the row keeps its replies in place."""
    with transaction.atomic():
        was_visible = comment.status == CommentStatus.APPROVED
        comment.status = CommentStatus.DELETED
        comment.author_name = ""
        comment.author_email = ""
        comment.author_url = ""
        comment.avatar_seed = ""
        comment.body = ""
        comment.body_html = ""
        comment.user = None
        comment.erased_at = timezone.now()
        comment.save()
        if was_visible or comment.published_at:
            _thread_changed(comment.page_id)


ANONYMOUS_AUTHOR = "Anonymous reader"


def anonymise_comment(comment: Comment) -> None:
    """Strip a comment of who wrote it and keep its text in the discussion.

    What "erase my data" does by default: name, address, website, avatar and
    account link go; the words stay, so replies to them still make sense.
    """
    if comment.status == CommentStatus.DELETED or comment.erased_at:
        return  # already erased or anonymised: a second run changes nothing
    with transaction.atomic():
        comment.author_name = ANONYMOUS_AUTHOR
        comment.author_email = ""
        comment.author_url = ""
        comment.avatar_seed = ""
        comment.user = None
        comment.erased_at = timezone.now()
        comment.save(
            update_fields=[
                "author_name",
                "author_email",
                "author_url",
                "avatar_seed",
                "user",
                "erased_at",
            ]
        )
        if comment.status == CommentStatus.APPROVED:
            _thread_changed(comment.page_id, recount=False)


def delete_own_comment(comment: Comment, token: str) -> None:
    from .tokens import check_edit_token

    check_edit_token(token, comment)
    erase_comment(comment)


def vote(comment_id: int, voter: str, value: int) -> Comment:
    """Record one reader's vote; voting again the other way changes it."""
    if value not in (1, -1):
        raise ValueError("a vote is 1 or -1")
    comment = Comment.objects.filter(
        pk=comment_id, status=CommentStatus.APPROVED
    ).first()
    if comment is None:
        raise CommentRejected({"__all__": "This comment cannot be voted on."})
    column = {1: "upvotes", -1: "downvotes"}
    with transaction.atomic():
        existing = (
            Vote.objects.select_for_update()
            .filter(comment=comment, voter=voter)
            .first()
        )
        if existing is not None and existing.value == value:
            return comment
        try:
            with transaction.atomic():
                if existing is None:
                    Vote.objects.create(comment=comment, voter=voter, value=value)
                    changes = {column[value]: F(column[value]) + 1}
                else:
                    Vote.objects.filter(pk=existing.pk).update(value=value)
                    changes = {
                        column[value]: F(column[value]) + 1,
                        column[-value]: F(column[-value]) - 1,
                    }
        except IntegrityError:
            # The same reader's other tab voted at the same moment: one vote stands.
            return comment
        Comment.objects.filter(pk=comment.pk).update(**changes)
        _thread_changed(comment.page_id, recount=False)
    comment.refresh_from_db(fields=["upvotes", "downvotes"])
    return comment


def close_thread(page, closed: bool = True) -> None:
    """Close (or reopen) an article's comments without touching the page itself."""
    with transaction.atomic():
        Thread.objects.update_or_create(page_id=page.pk, defaults={"is_closed": closed})
        _thread_changed(page.pk, recount=False)
