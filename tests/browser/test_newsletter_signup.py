"""A reader signs up from an article, confirms from the mail, and manages the lists."""

import re
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from masthead.newsletter.choices import SubscriberStatus
from masthead.newsletter.emails import unsubscribe_url
from masthead.newsletter.models import Subscriber
from masthead.newsletter.tests.fixtures import make_list

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CONFIRM_LINK = re.compile(r"https?://\S+/newsletter/confirm/\S+/")


@pytest.fixture
def weekly_list(db):
    return make_list(
        "The Weekly",
        "weekly",
        description="Friday morning: the week's best reporting.",
        schedule="weekly",
        weekday=4,
    )


@pytest.fixture
def three_lists(daily_list, weekly_list, breaking_list):
    return [daily_list, weekly_list, breaking_list]


def on_site(live_server, url: str) -> str:
    """A link from a mail (made for SITE_URL), on the test server."""
    parts = urlsplit(url)
    return f"{live_server.url}{parts.path}"


def axe_violations(page: Page) -> list[str]:
    return [
        f"{v['impact']} {v['id']}: {v['help']} ({len(v['nodes'])}x)"
        for v in Axe().run(page).response["violations"]
    ]


def test_reader_signs_up_from_an_article_confirms_and_manages_lists(
    page: Page, live_server, article, three_lists, mailoutbox, screenshot
):
    daily, weekly, breaking = three_lists
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + article.url)
    sidebar = page.locator(".newsletter-signup--sidebar")
    expect(sidebar).to_be_visible()
    expect(page.locator(".newsletter-signup--article")).to_have_count(1)
    sidebar.scroll_into_view_if_needed()
    screenshot("article-desktop", full_page=False)
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator(".newsletter-signup--article").scroll_into_view_if_needed()
    screenshot("article-phone", full_page=False)
    # One column: the sidebar's copy would repeat the form just above it.
    expect(sidebar).to_be_hidden()
    page.set_viewport_size({"width": 1280, "height": 900})

    sidebar.get_by_label("Email address").fill("Reader@Example.org")
    sidebar.get_by_label("Name").fill("Rita Reader")
    expect(sidebar.get_by_label("Daily digest")).to_be_checked()
    sidebar.get_by_label("Breaking news").check()
    sidebar.get_by_role("button", name="Subscribe").click()

    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    screenshot("check-inbox")
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["reader@example.org"]
    assert "Daily digest" in mail.body and "Breaking news" in mail.body
    assert "The Weekly" not in mail.body

    page.goto(on_site(live_server, CONFIRM_LINK.search(mail.body).group(0)))
    expect(
        page.get_by_role("heading", name="Confirm your subscription")
    ).to_be_visible()
    assert Subscriber.objects.get().status == SubscriberStatus.PENDING
    page.get_by_role("button", name="Yes, subscribe me").click()

    expect(page.get_by_role("heading", name="Your newsletters")).to_be_visible()
    expect(page.get_by_text("Your subscription is confirmed.")).to_be_visible()
    expect(page.get_by_label("Daily digest")).to_be_checked()
    expect(page.get_by_label("Breaking news")).to_be_checked()
    expect(page.get_by_label("The Weekly")).not_to_be_checked()
    expect(page.get_by_label("Name")).to_have_value("Rita Reader")
    screenshot("preferences")
    assert axe_violations(page) == []

    page.get_by_label("Breaking news").uncheck()
    page.get_by_role("button", name="Save my choices").click()

    expect(page.get_by_text("Your choices are saved.")).to_be_visible()
    expect(page.get_by_label("Daily digest")).to_be_checked()
    expect(page.get_by_label("Breaking news")).not_to_be_checked()
    subscriber = Subscriber.objects.get()
    assert set(subscriber.lists.values_list("slug", flat=True)) == {"daily"}

    page.goto(on_site(live_server, unsubscribe_url(subscriber.key, daily)))
    expect(
        page.get_by_role("heading", name="Unsubscribe from Daily digest?")
    ).to_be_visible()
    page.get_by_role("button", name="Unsubscribe").click()

    expect(page.get_by_role("heading", name="You are unsubscribed")).to_be_visible()
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
    assert not subscriber.lists.exists()
    assert len(mailoutbox) == 1  # nothing but the confirmation was ever mailed


def test_signup_page_and_its_errors_pass_axe(
    page: Page, live_server, three_lists, mailoutbox, screenshot
):
    page.goto(live_server.url + "/newsletter/")
    expect(page.get_by_role("heading", name="Our newsletters")).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_label("Email address").fill("not an address")
    page.get_by_label("Daily digest").uncheck()
    page.get_by_role("button", name="Subscribe").click()

    expect(page.locator("#email-error")).to_have_text("Enter a valid email address.")
    expect(page.locator("#lists-error")).to_have_text("Pick at least one newsletter.")
    expect(page.get_by_label("Email address")).to_have_value("not an address")
    screenshot("signup-errors")
    assert axe_violations(page) == []
    assert mailoutbox == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_widget_screenshots_in_both_schemes(
    page: Page, live_server, article, three_lists, screenshot, scheme
):
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + article.url)
    widget = page.locator(".newsletter-signup--article")
    widget.scroll_into_view_if_needed()
    box = widget.bounding_box()
    assert box and box["height"] > 200
    for checkbox in widget.locator("label.checkbox").all():
        assert checkbox.bounding_box()["height"] >= 44  # DESIGN.md touch targets
    screenshot(f"article-end-{scheme}", full_page=False)
    assert axe_violations(page) == []
