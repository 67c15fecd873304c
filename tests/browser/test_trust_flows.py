"""Issue 17 as a reader meets it: links and forms used twice, replies to removed
comments. Each test clicks through Chromium and checks what is stored."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from masthead.comments import services as comments
from masthead.comments.choices import CommentStatus
from masthead.comments.models import Comment
from masthead.comments.services import ANONYMOUS_AUTHOR
from masthead.comments.tests.fixtures import post_comment
from masthead.newsletter.choices import SubscriberStatus
from masthead.newsletter.emails import unsubscribe_url
from masthead.newsletter.models import Subscriber
from masthead.revenue.choices import DonationStatus
from masthead.revenue.models import Donation

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

REPLY = "They add up if you count the reserve fund.\n\nPage 14 of the report."
CONFIRM_LINK = re.compile(r"https?://\S+/newsletter/confirm/\S+/")
MY_DATA_LINK = re.compile(r"http://\S+/my-data/\S+/")
READER = "fay@example.org"


@pytest.fixture
def quick_forms(settings):
    # Playwright types faster than any person; the too-fast check has its own tests.
    settings.MASTHEAD_COMMENTS_MIN_SECONDS = 0


@pytest.fixture
def maya_comment(article, publish_at_once):
    """An approved top-level comment a reader will answer."""
    return post_comment(
        article, "The budget numbers do not add up.", name="Maya", email="maya@m.org"
    )


def fill_reply(page: Page) -> None:
    form = page.locator("form.comment-form")
    form.get_by_label("Comment", exact=True).fill(REPLY)
    form.get_by_label("Name", exact=False).first.fill("Jon")
    form.get_by_label("Email").fill("jon@example.org")


def on_site(live_server, url: str) -> str:
    """A link from a mail (made for SITE_URL), on the test server."""
    return live_server.url + urlsplit(url).path


# --- 1. A reply to a comment removed while the reader was writing ----------------


def test_reply_to_a_comment_removed_meanwhile_keeps_the_text_and_posts_top_level(
    page: Page,
    live_server,
    article,
    maya_comment,
    quick_forms,
    screenshot,
    offline,
):
    page.goto(live_server.url + article.url)
    page.locator(f"#comment-{maya_comment.pk}").get_by_role(
        "link", name="Reply"
    ).click()
    form = page.locator("form.comment-form")
    expect(form.locator("[data-replying]")).to_contain_text("Replying to Maya")
    fill_reply(page)
    screenshot("writing")

    # A moderator trashes Maya's comment before Jon sends.
    assert comments.trash(maya_comment, by="moderator") == 1
    form.get_by_role("button", name="Post Comment").click()

    expect(form.locator("[data-error-for=parent]")).to_contain_text(
        "not there to answer"
    )
    expect(form.get_by_label("Comment", exact=True)).to_have_value(REPLY)
    expect(form.get_by_label("Name", exact=False).first).to_have_value("Jon")
    # No longer "Replying to Maya": sending again posts a new comment.
    expect(form.locator("[data-replying]")).to_be_hidden()
    screenshot("refused")
    assert not Comment.objects.filter(author_name="Jon").exists()

    # Sending again posts the same words as a new comment.
    form.get_by_role("button", name="Post Comment").click()
    expect(page.locator(".comment-form__status")).to_contain_text("published")
    expect(form.locator("[data-error-for=parent]")).to_be_hidden()
    screenshot("posted")
    [stored] = Comment.objects.filter(author_name="Jon")
    assert stored.parent_id is None and stored.depth == 0
    assert stored.status == CommentStatus.APPROVED
    assert stored.body.split() == REPLY.split()
    assert offline == []


@pytest.mark.browser_context_args(java_script_enabled=False)
def test_without_javascript_a_refused_reply_comes_back_and_posts_top_level(
    page: Page, live_server, article, maya_comment, quick_forms, screenshot
):
    page.goto(f"{live_server.url}{article.url}?replyto={maya_comment.pk}#respond")
    fill_reply(page)
    page.get_by_role("button", name="Post Comment").click()
    # Without JavaScript the first send only fetches a form token.
    expect(page.locator(".form-error").first).to_contain_text("needed a moment")
    expect(page.locator("input[name=parent]")).to_have_value(str(maya_comment.pk))

    comments.trash(maya_comment, by="moderator")
    page.get_by_role("button", name="Post Comment").click()

    expect(page.locator("[data-error-for=parent]")).to_contain_text(
        "not there to answer"
    )
    expect(page.get_by_label("Comment", exact=True)).to_have_value(REPLY)
    expect(page.locator("input[name=parent]")).to_have_value("")
    screenshot("refused")
    assert not Comment.objects.filter(author_name="Jon").exists()

    page.get_by_role("button", name="Post Comment").click()
    expect(page.locator("h1")).to_contain_text("published")
    [stored] = Comment.objects.filter(author_name="Jon")
    assert stored.parent_id is None


# --- 2. A newsletter confirmation link used twice ---------------------------------


def sign_up(page: Page, live_server) -> None:
    page.goto(live_server.url + "/newsletter/")
    page.get_by_label("Email address").fill("rita@example.org")
    page.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()


def test_a_used_or_voided_confirmation_link_never_subscribes_again(
    page: Page, live_server, daily_list, mailoutbox, screenshot, offline
):
    # Rita signs up twice (the first mail seemed lost) and gets two links.
    sign_up(page, live_server)
    sign_up(page, live_server)
    older, newer = (
        on_site(live_server, CONFIRM_LINK.search(mail.body).group(0))
        for mail in mailoutbox
    )
    assert older != newer

    page.goto(newer)
    page.get_by_role("button", name="Yes, subscribe me").click()
    expect(page.get_by_text("Your subscription is confirmed.")).to_be_visible()
    rita = Subscriber.objects.get()
    assert rita.status == SubscriberStatus.CONFIRMED

    # The same link again: a page of the site that says it is spent.
    response = page.goto(newer)
    assert response.status == 400
    expect(page.get_by_role("heading", name="This link did not work")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("no longer valid")
    expect(page.get_by_role("button", name="Yes, subscribe me")).to_have_count(0)
    screenshot("used-link")

    # The older mail's link is open in another tab when she leaves.
    stale_tab = page.context.new_page()
    stale_tab.goto(older)
    expect(stale_tab.get_by_role("button", name="Yes, subscribe me")).to_be_visible()
    page.goto(on_site(live_server, unsubscribe_url(rita.key, daily_list)))
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", name="You are unsubscribed")).to_be_visible()

    # Neither the open tab's button nor the link itself brings her back.
    stale_tab.get_by_role("button", name="Yes, subscribe me").click()
    expect(stale_tab.get_by_role("alert")).to_contain_text("no longer valid")
    page.goto(older)
    expect(page.get_by_role("alert")).to_contain_text("no longer valid")
    screenshot("older-link")
    rita.refresh_from_db()
    assert rita.status == SubscriberStatus.UNSUBSCRIBED
    assert not rita.lists.exists()
    assert offline == []


# --- 3. Donate clicked twice -------------------------------------------------------

TWO_SUBMITS = """async (form) => {
    const send = () => {
        const data = new FormData(form);
        data.set("provider", "test_mode");
        return fetch(form.action, {
            method: "POST", body: data, headers: {Accept: "application/json"},
        }).then((response) => response.json());
    };
    const answers = await Promise.all([send(), send()]);
    return answers.map((answer) => answer.redirect);
}"""


def test_one_showing_of_the_donate_form_makes_one_donation(
    page: Page, live_server, article, screenshot, offline
):
    page.goto(live_server.url + "/donate/")
    form = page.locator(".donate__form")
    expect(form.locator("[data-attempt]")).to_have_value(re.compile(r"^[0-9a-f-]{36}$"))
    form.get_by_label("Amount to donate in").fill("30")

    # Two sends of the same form at once (a resent request, a second tab).
    first, second = form.evaluate(TWO_SUBMITS)
    assert first and first == second
    # And a double click on the button itself.
    form.get_by_role("button", name="Donate (test mode)").dblclick()
    expect(page.get_by_role("heading", name="Test checkout")).to_be_visible()
    assert page.url == live_server.url + urlsplit(first).path
    screenshot("checkout")
    [donation] = Donation.objects.all()
    assert donation.status == DonationStatus.PENDING
    assert donation.amount_minor == 3000 and donation.attempt_key

    # A new showing of the form is a new gift.
    page.goto(live_server.url + "/donate/")
    page.locator(".donate__form").get_by_label("Amount to donate in").fill("30")
    page.get_by_role("button", name="Donate (test mode)").click()
    expect(page.get_by_role("heading", name="Test checkout")).to_be_visible()
    assert Donation.objects.count() == 2
    assert page.url != live_server.url + urlsplit(first).path
    assert offline == []


# --- 4. A my-data erase link used twice -------------------------------------------


@pytest.fixture
def fay_comment(article, publish_at_once, mailoutbox):
    comment = post_comment(
        article, "The bridge was last repaired in 1998.", name="Fay", email=READER
    )
    mailoutbox.clear()
    return comment


def test_a_used_erase_link_opens_nothing_and_changes_nothing(
    page: Page,
    live_server,
    settings,
    article,
    fay_comment,
    mailoutbox,
    screenshot,
    offline,
):
    settings.SITE_URL = live_server.url  # the mailed link must lead here
    page.goto(live_server.url + "/my-data/")
    page.get_by_label("Your email address").fill(READER)
    page.get_by_role("button", name="Mail me the link").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    [mail] = mailoutbox
    link = MY_DATA_LINK.search(mail.body).group(0)

    page.goto(link)
    page.get_by_label("Yes, erase my data.").check()
    page.get_by_role("button", name="Erase my data").click()
    expect(page.get_by_role("heading", name="Your data is erased")).to_be_visible()
    fay_comment.refresh_from_db()
    assert fay_comment.author_name == ANONYMOUS_AUTHOR

    # Fay comments again later under the same address.
    later = post_comment(article, "Still not repaired.", name="Fay", email=READER)

    response = page.goto(link)
    assert response.status == 410
    expect(page.get_by_role("heading", name="This link does not work")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("already been used")
    expect(page.get_by_role("button", name="Erase my data")).to_have_count(0)
    screenshot("used-link")
    # Neither the download nor a resent erase form does anything with it.
    assert page.request.get(link + "export.json").status == 410
    resent = page.request.post(
        link + "erase/", form={"confirm": "yes", "comment_text": "remove"}
    )
    assert resent.status == 410
    later.refresh_from_db()
    assert (later.author_name, later.body) == ("Fay", "Still not repaired.")
    assert later.status == CommentStatus.APPROVED
    assert offline == []
