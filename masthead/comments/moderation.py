"""Who moderates comments, what waits for them, and the moderators' digest mail."""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from masthead.core.queries import site_name
from masthead.core.roles import MODERATORS

from . import services
from .choices import CommentStatus
from .models import Comment

logger = logging.getLogger("masthead.comments")

MODERATE_PERMISSION = "comments.moderate_comment"
DIGEST_EVERY = timedelta(hours=24)
# The digest lists this many comments and links to the queue for the rest.
DIGEST_MAX_LISTED = 50
# When the last digest went out. Kept in the cache rather than a model: losing
# it (a cache flush, or the in-process cache of a single-process deployment
# restarting) costs at most one early digest, which is cheaper than a table
# for one timestamp. With Redis every process shares it.
DIGEST_SENT_KEY = "masthead:comments:moderator-digest:sent-at"
# Held while a digest is being sent, so that two workers running the periodic
# job at the same moment do not both mail.
DIGEST_LOCK_KEY = "masthead:comments:moderator-digest:lock"


def can_moderate(user) -> bool:
    return bool(user and user.is_active and user.has_perm(MODERATE_PERMISSION))


def pending_comments() -> QuerySet[Comment]:
    return Comment.objects.filter(status=CommentStatus.PENDING)


def digest_recipients() -> list[str]:
    """Active members of the Moderators group and superusers, with an email."""
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__name=MODERATORS) | Q(is_superuser=True))
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    return sorted({email.strip().lower() for email in users if email.strip()})


def _admin_url(name: str, *args) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse(name, args=args)


def send_moderator_digest() -> int:
    """Mail each moderator the pending comments; returns how many mails went out.

    Nothing is sent when the site setting is off, when the last digest is less
    than 24 hours old, or when no comment has started waiting since then: a
    queue the moderators already heard about is not news.
    """
    if not services.settings_for().moderator_digest:
        return 0
    now = timezone.now()
    sent_at = cache.get(DIGEST_SENT_KEY)
    if sent_at is not None and now - sent_at < DIGEST_EVERY:
        return 0
    pending = pending_comments().select_related("page").order_by("created_at")
    new = pending.filter(created_at__gt=sent_at) if sent_at else pending
    if not new.exists():
        return 0
    recipients = digest_recipients()
    if not recipients:
        logger.warning("comments wait for moderation but no moderator has an email")
        return 0
    if not cache.add(DIGEST_LOCK_KEY, True, timeout=300):
        return 0
    try:
        count = pending.count()
        comments = list(pending[:DIGEST_MAX_LISTED])
        body = render_to_string(
            "comments/email/moderator_digest.txt",
            {
                "count": count,
                "new_count": new.count(),
                "more": count - len(comments),
                "site_name": site_name(),
                "queue_url": _admin_url("comment_moderation:index"),
                "items": [
                    {
                        "comment": comment,
                        "article": comment.page.title,
                        "excerpt": _excerpt(comment.body),
                        "url": _admin_url("comment_moderation:edit", comment.pk),
                    }
                    for comment in comments
                ],
            },
        )
        noun = "comment waits" if count == 1 else "comments wait"
        subject = f"[{site_name()}] {count} {noun} for moderation"
        mails = [
            EmailMultiAlternatives(subject, body, to=[email]) for email in recipients
        ]
        sent = get_connection().send_messages(mails) or 0
        cache.set(DIGEST_SENT_KEY, now, timeout=None)
    finally:
        cache.delete(DIGEST_LOCK_KEY)
    logger.info("moderator digest of %s comment(s) sent to %s", count, sent)
    return sent


def _excerpt(body: str, length: int = 200) -> str:
    text = " ".join(body.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"
