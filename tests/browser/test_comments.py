"""A reader's comment journey in Chromium, and the mail round trip through SMTP."""

import email
import re
import socket
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import Page, expect

from masthead.comments.choices import CommentStatus
from masthead.comments.models import Comment, Subscription

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def quick_forms(settings):
    # Playwright types faster than any person; the too-fast check has its own tests.
    settings.MASTHEAD_COMMENTS_MIN_SECONDS = 0


class Inbox:
    def __init__(self):
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def to(self, address: str) -> list[email.message.Message]:
        return [m for m in self.messages if address in m["To"]]


@pytest.fixture
def smtp_inbox(settings):
    """A real SMTP server on loopback; Django sends to it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield inbox
    controller.stop()


def text_of(message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode()
    return ""


def write_comment(page: Page, body: str, name: str, mail: str):
    form = page.locator("form.comment-form")
    form.get_by_label("Comment", exact=True).fill(body)
    form.get_by_label("Name", exact=False).first.fill(name)
    form.get_by_label("Email").fill(mail)
    form.get_by_role("button", name="Post Comment").click()


def test_guest_posts_replies_sorts_votes_and_edits(
    page: Page, live_server, article, publish_at_once, quick_forms, screenshot, offline
):
    page.goto(live_server.url + article.url)
    expect(page.locator("#comments-heading")).to_have_text("No comments yet")
    write_comment(
        page,
        "The budget numbers do not add up.\n\nSee https://example.org/budget",
        "Maya",
        "maya@example.org",
    )
    expect(page.locator(".comment-form__status")).to_contain_text("published")
    first = page.locator(".comment").first
    expect(first.locator(".comment__author")).to_have_text("Maya")
    expect(first.locator(".badge--guest")).to_have_text("Guest")
    expect(first.locator(".comment__body a")).to_have_attribute(
        "rel", "nofollow ugc noopener"
    )

    # The author may change their words for ten minutes.
    first.get_by_role("button", name="Edit").click()
    first.get_by_label("Edit your comment").fill(
        "The budget numbers still do not add up."
    )
    first.get_by_role("button", name="Save").click()
    expect(first.locator("[data-comment-body]")).to_contain_text("still do not add up")

    # Someone else replies in place.
    first.get_by_role("link", name="Reply").click()
    expect(page.locator("[data-replying]")).to_contain_text("Replying to Maya")
    write_comment(
        page, "They add up if you include the reserve fund.", "Jon", "jon@example.org"
    )
    reply = page.locator(".comment-list--replies .comment").first
    expect(reply.locator(".comment__author")).to_have_text("Jon")

    page.reload()
    expect(page.locator("#comments-heading")).to_have_text("2 comments")
    reply = page.locator(".comment-list--replies .comment").first
    reply.get_by_role("button", name="Vote up").click()
    expect(reply.locator("[data-count=up]")).to_have_text("1")
    page.locator("[data-sort=newest]").click()
    expect(page.locator("[data-sort=newest]")).to_have_attribute("aria-current", "true")
    screenshot("thread")
    assert offline == []
    stored = Comment.objects.get(author_name="Jon")
    assert stored.upvotes == 1 and stored.parent.author_name == "Maya"


def test_bad_input_keeps_the_text_and_says_what_is_wrong(
    page: Page, live_server, article, quick_forms, screenshot
):
    page.goto(live_server.url + article.url)
    write_comment(
        page, "A careful argument I do not want to lose.", "Pat", "not-an-email"
    )
    expect(page.locator("#comment-email-error")).to_contain_text("check your email")
    expect(page.get_by_label("Comment", exact=True)).to_have_value(
        "A careful argument I do not want to lose."
    )
    screenshot("error")
    page.locator("form.comment-form").get_by_label("Email").fill("pat@example.org")
    page.get_by_role("button", name="Post Comment").click()
    expect(page.locator(".comment-form__status")).to_contain_text("awaiting moderation")
    assert Comment.objects.get().status == CommentStatus.PENDING


def test_without_javascript_a_guest_can_still_comment(
    browser, live_server, article, quick_forms
):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + article.url)
    write_comment(page, "Posted the old-fashioned way.", "Lee", "lee@example.org")
    # No token without JavaScript: the form comes back with the text, ready to send.
    expect(page.locator(".form-error").first).to_contain_text("needed a moment")
    expect(page.get_by_label("Comment", exact=True)).to_have_value(
        "Posted the old-fashioned way."
    )
    page.get_by_role("button", name="Post Comment").click()
    expect(page.locator("h1")).to_contain_text("awaiting moderation")
    assert Comment.objects.count() == 1
    context.close()


def test_reply_notification_reaches_a_confirmed_subscriber_by_smtp(
    page: Page,
    browser,
    live_server,
    article,
    publish_at_once,
    quick_forms,
    smtp_inbox,
    screenshot,
):
    # A guest posts.
    page.goto(live_server.url + article.url)
    write_comment(page, "Who pays for the new bridge?", "Ines", "ines@example.org")
    expect(page.locator(".comment-form__status")).to_contain_text("published")

    # She subscribes to replies and confirms through the mail she receives.
    page.locator(".comments__subscribe summary").click()
    subscribe = page.locator("form.subscribe-form")
    subscribe.get_by_label("New follow-up comments").uncheck()
    subscribe.get_by_label("New replies to my comments").check()
    subscribe.get_by_label("Email").fill("ines@example.org")
    subscribe.get_by_role("button", name="Subscribe").click()
    expect(subscribe.locator("[data-form-status]")).to_contain_text("inbox")
    [confirmation] = smtp_inbox.to("ines@example.org")
    link = re.search(r"https?://\S+/confirm/", text_of(confirmation)).group(0)
    page.goto(live_server.url + urlsplit(link).path)
    page.get_by_role("button", name=re.compile("Confirm")).click()
    expect(page.locator("main")).to_contain_text("subscribed")
    assert Subscription.objects.get(email="ines@example.org").status == "confirmed"

    # Another reader replies to her.
    other = browser.new_context().new_page()
    other.goto(live_server.url + article.url)
    other.locator(".comment").first.get_by_role("link", name="Reply").click()
    write_comment(
        other, "The county does, from the road fund.", "Omar", "omar@example.org"
    )
    expect(other.locator(".comment-form__status")).to_contain_text("published")

    # The notification arrives, with a one-click unsubscribe.
    mails = smtp_inbox.to("ines@example.org")
    assert len(mails) == 2
    notification = mails[1]
    assert "The county does, from the road fund." in text_of(notification)
    assert notification["List-Unsubscribe"].strip().startswith("<http")
    assert notification["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    screenshot("subscribed")
    other.context.close()
