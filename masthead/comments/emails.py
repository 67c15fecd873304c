"""The comment app's mails to readers: confirm a subscription, new comments, erasure.

Each is a text mail with a simple HTML alternative, rendered from
templates/comments/email/. Links are absolute and built on SITE_URL
(masthead.core.links), never on a request's Host header.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.text import Truncator

from masthead.core.links import absolute_url, page_url
from masthead.core.queries import site_name

from .choices import SubscriptionKind

EXCERPT_CHARS = 300


def article_url(page) -> str:
    """The article's address on the public site."""
    return page_url(page)


def unsubscribe_url(subscription) -> str:
    return absolute_url(
        reverse("comments:unsubscribe", kwargs={"token": subscription.token})
    )


def unsubscribe_headers(subscription) -> dict[str, str]:
    """RFC 2369 and RFC 8058 headers: mail clients show an unsubscribe button."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(subscription)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
    }


def _build(template: str, subject: str, to: str, context: dict, headers=None):
    context = {"site_name": site_name(), **context}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"comments/email/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers or {},
    )
    message.attach_alternative(
        render_to_string(f"comments/email/{template}.html", context), "text/html"
    )
    return message


def confirmation_email(page, subscriptions: list) -> EmailMultiAlternatives:
    """Ask the reader to confirm the pending `subscriptions` (one article, one address).

    The link confirms them all: they share its key.
    """
    first = subscriptions[0]
    return _build(
        "subscription_confirm",
        f"Confirm your subscription to comments on “{page.title}”",
        first.email,
        {
            "article_title": page.title,
            "article_url": article_url(page),
            "kinds": [SubscriptionKind(s.kind).label for s in subscriptions],
            "confirm_url": absolute_url(
                reverse(
                    "comments:subscription_confirm",
                    kwargs={"token": first.confirm_key},
                )
            ),
            "unsubscribe_url": unsubscribe_url(first),
        },
        headers=unsubscribe_headers(first),
    )


def notification_email(subscription, comments: list) -> EmailMultiAlternatives:
    """One mail listing the new `comments` on the subscription's article."""
    page = subscription.page
    url = article_url(page)
    items = [
        {
            "author": comment.author_name or "A reader",
            "excerpt": Truncator(" ".join(comment.body.split())).chars(EXCERPT_CHARS),
            "url": f"{url}#comment-{comment.pk}",
            "is_reply_to_you": bool(
                comment.reply_to_id
                and comment.reply_to
                and comment.reply_to.author_email.lower() == subscription.email
            ),
        }
        for comment in comments
    ]
    if len(items) == 1:
        subject = f"{items[0]['author']} commented on “{page.title}”"
    else:
        subject = f"{len(items)} new comments on “{page.title}”"
    return _build(
        "notification",
        subject,
        subscription.email,
        {
            "article_title": page.title,
            "article_url": url,
            "comments": items,
            "unsubscribe_url": unsubscribe_url(subscription),
        },
        headers=unsubscribe_headers(subscription),
    )
