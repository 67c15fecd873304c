"""The newsletter's mails: confirmation, issues, and an editor's test copy.

HTML goes through css-inline once per issue (mail clients drop <style> blocks;
the dark-mode media query stays in one), with a plain-text part beside it. An
issue is rendered once; each subscriber's copy only swaps in their own links,
which is what lets one process send hundreds of mails a second.
"""

import re
from dataclasses import dataclass
from email.utils import make_msgid
from html import unescape
from urllib.parse import urlsplit

import css_inline
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import strip_tags
from wagtail.rich_text import expand_db_html

from masthead.core.links import absolute_links, absolute_url, page_url
from masthead.core.queries import site_name

from . import conf, tokens
from .models import Issue, NewsletterList, PendingSignup

KEY_SLOT = "SUBSCRIBERKEYSLOT"
_INLINER = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)


def inline_css(html: str) -> str:
    return _INLINER.inline(html)


_LINK = re.compile(r'<a\b[^>]*\bhref="([^"]*)"[^>]*>(.*?)</a>', re.S)
_BREAK = re.compile(r"</p>|<br\s*/?>", re.I)


def rich_text_to_plain(html: str) -> str:
    """Rich text as plain text: paragraphs on their own lines, links as "text (url)"."""
    html = absolute_links(expand_db_html(html))
    html = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", html)
    text = unescape(strip_tags(_BREAK.sub("\n\n", html)))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def preferences_url(key: str) -> str:
    return absolute_url(reverse("newsletter:preferences", kwargs={"key": key}))


def unsubscribe_url(
    key: str, newsletter_list: NewsletterList, issue_id: int | None = None
) -> str:
    """An unsubscribe link; naming the issue keeps an issue's link from undoing a
    later re-subscription (see views.unsubscribe)."""
    kwargs = {"key": key, "list_slug": newsletter_list.slug}
    if issue_id is None:
        return absolute_url(reverse("newsletter:unsubscribe", kwargs=kwargs))
    return absolute_url(
        reverse("newsletter:unsubscribe_issue", kwargs={**kwargs, "issue_id": issue_id})
    )


def _domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def list_headers(
    key: str, newsletter_list: NewsletterList, issue_id: int
) -> dict[str, str]:
    """RFC 2369 / RFC 8058: the mail client's own one-click unsubscribe button."""
    return {
        "List-Id": f"{newsletter_list.name} <{newsletter_list.slug}.{_domain()}>",
        "List-Unsubscribe": f"<{unsubscribe_url(key, newsletter_list, issue_id)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def _message(subject, text, html, to, headers=None, connection=None):
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=conf.from_email(),
        to=[to],
        headers=headers or {},
        connection=connection,
    )
    message.attach_alternative(html, "text/html")
    return message


def confirmation_email(
    pending: PendingSignup, lists: list[NewsletterList]
) -> EmailMultiAlternatives:
    """Ask the address's owner to confirm `lists` (or, if already in, to add them)."""
    subscriber = pending.subscriber
    context = {
        "site_name": site_name(),
        "site_url": absolute_url("/"),
        "lists": lists,
        "already_confirmed": subscriber.status == "confirmed",
        "confirm_url": absolute_url(
            reverse(
                "newsletter:confirm",
                kwargs={"token": tokens.pending_signup_token(pending)},
            )
        ),
        "preferences_url": preferences_url(subscriber.key),
        "max_age_days": max(
            1, conf.get("MASTHEAD_NEWSLETTER_CONFIRM_MAX_AGE") // 86400
        ),
    }
    return _message(
        f"Confirm your subscription to {site_name()}",
        render_to_string("newsletter/email/confirm.txt", context),
        inline_css(render_to_string("newsletter/email/confirm.html", context)),
        subscriber.email,
        headers={"Auto-Submitted": "auto-generated"},
    )


@dataclass(frozen=True)
class RenderedIssue:
    """An issue rendered once, with KEY_SLOT where each subscriber's key goes."""

    issue_id: int
    subject: str
    html: str
    text: str
    headers: dict[str, str]

    def message_for(self, subscriber_id: int, key: str, email: str, connection=None):
        headers = {k: v.replace(KEY_SLOT, key) for k, v in self.headers.items()}
        # A stable Message-ID per delivery: a resend after a failure is the same
        # message to every system downstream.
        headers["Message-ID"] = f"<issue-{self.issue_id}.{subscriber_id}@{_domain()}>"
        return _message(
            self.subject,
            self.text.replace(KEY_SLOT, key),
            self.html.replace(KEY_SLOT, key),
            email,
            headers=headers,
            connection=connection,
        )


def issue_context(issue: Issue) -> dict:
    from .queries import issue_stories

    return {
        "site_name": site_name(),
        "site_url": absolute_url("/"),
        "issue": issue,
        "newsletter_list": issue.newsletter_list,
        "stories": [
            {
                "title": page.title,
                "standfirst": page.standfirst,
                "url": page_url(page),
                "section": getattr(page, "section_title", ""),
                "published_on": page.published_on,
            }
            for page in issue_stories(issue)
        ],
        "preferences_url": preferences_url(KEY_SLOT),
        "unsubscribe_url": unsubscribe_url(KEY_SLOT, issue.newsletter_list, issue.pk),
    }


def render_issue(issue: Issue) -> RenderedIssue:
    context = issue_context(issue)
    return RenderedIssue(
        issue_id=issue.pk,
        subject=issue.subject,
        html=inline_css(
            absolute_links(render_to_string("newsletter/email/issue.html", context))
        ),
        text=render_to_string("newsletter/email/issue.txt", context),
        headers=list_headers(KEY_SLOT, issue.newsletter_list, issue.pk),
    )


def test_email(issue: Issue, to: str) -> EmailMultiAlternatives:
    """An editor's test copy: the real mail, marked, with links that do nothing."""
    rendered = render_issue(issue)
    message = rendered.message_for(0, "test-copy", to)
    message.subject = f"[Test] {rendered.subject}"
    del message.extra_headers["Message-ID"]
    message.extra_headers["Message-ID"] = make_msgid(domain=_domain())
    return message
