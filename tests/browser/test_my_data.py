"""A reader asks what we hold, downloads it, erases it, sees the comment anonymous."""

import json
import re

import pytest
from playwright.sync_api import Page, expect

from masthead.comments import subscriptions
from masthead.comments.services import ANONYMOUS_AUTHOR
from masthead.comments.tests.fixtures import post_comment
from masthead.newsletter.models import Subscriber
from masthead.revenue import services as revenue
from masthead.revenue.providers.test_mode import TestModeProvider
from masthead.revenue.tests.fixtures import ask

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

READER = "fay@example.org"


@pytest.fixture
def fay(article, publish_at_once, mailoutbox):
    """Fay commented, follows the discussion and gave once."""
    comment = post_comment(
        article, "The bridge was last repaired in 1998.", name="Fay", email=READER
    )
    for row in subscriptions.subscribe(article, READER, ["replies"]):
        subscriptions.confirm(row.confirm_key)
    donation = revenue.create_pending(ask(email=READER, name="Fay Lindqvist"))
    revenue.apply_event("test_mode", TestModeProvider.paid(donation))
    mailoutbox.clear()
    return comment


def test_reader_downloads_and_erases_their_data(
    page: Page, live_server, settings, article, fay, mailoutbox, screenshot, offline
):
    settings.SITE_URL = live_server.url  # the mailed link must lead here

    # The footer of every page leads to the form.
    page.goto(live_server.url + article.url)
    expect(page.locator(f"#comment-{fay.pk} .comment__author")).to_have_text("Fay")
    page.get_by_role("link", name="Your data: see, download or erase it").click()
    expect(page).to_have_url(live_server.url + "/my-data/")

    # A typo first: the form says what is wrong and sends nothing.
    page.get_by_label("Your email address").fill("fay@example")
    page.get_by_role("button", name="Mail me the link").click()
    expect(page.locator("#my-data-email-error")).to_contain_text(
        "check your email address"
    )
    assert mailoutbox == []
    page.get_by_label("Your email address").fill(READER)
    page.get_by_role("button", name="Mail me the link").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()

    # The mail's link opens the list of what we hold.
    [mail] = mailoutbox
    link = re.search(r"http://\S+/my-data/\S+/", mail.body).group(0)
    assert link.startswith(live_server.url)
    page.goto(link)
    holdings = page.locator("[data-holdings]")
    expect(holdings.locator("[data-kind=comments]")).to_have_text("1 comment")
    expect(holdings.locator("[data-kind=comment_subscriptions]")).to_have_text(
        "1 comment subscription"
    )
    expect(holdings.locator("[data-kind=donations]")).to_have_text("1 donation")
    screenshot("holdings")

    # Download: one JSON file with the comment, the subscription and the gift.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download my data (JSON)").click()
    assert download.value.suggested_filename.startswith("my-data-")
    document = json.loads(open(download.value.path()).read())
    assert document["email"] == READER
    assert [c["body"] for c in document["comments"]] == [
        "The bridge was last repaired in 1998."
    ]
    assert document["comments"][0]["article_url"].endswith(f"#comment-{fay.pk}")
    assert [s["kind"] for s in document["comment_subscriptions"]] == ["replies"]
    [donation] = document["donations"]
    assert (donation["amount_minor"], donation["currency"]) == (1250, "EUR")
    assert donation["name"] == "Fay Lindqvist" and donation["payment_reference"]

    # Erase: the box must be ticked first.
    page.get_by_role("button", name="Erase my data").click()
    expect(page.locator("#privacy-confirm-error")).to_contain_text("Tick the box")
    page.get_by_label("Keep their text, without my name").check()
    page.get_by_label("Yes, erase my data.").check()
    page.get_by_role("button", name="Erase my data").click()
    expect(page.get_by_role("heading", name="Your data is erased")).to_be_visible()
    expect(page.locator("[data-erased]")).to_contain_text(
        "1 comment now without your name"
    )
    screenshot("erased")

    # On the article the words stay, without Fay's name.
    page.goto(live_server.url + article.url)
    comment = page.locator(f"#comment-{fay.pk}")
    expect(comment.locator(".comment__author")).to_have_text(ANONYMOUS_AUTHOR)
    expect(comment.locator("[data-comment-body]")).to_contain_text("repaired in 1998")
    expect(page.locator("body")).not_to_contain_text("Fay")
    assert offline == []
    assert not Subscriber.objects.filter(email=READER).exists()
