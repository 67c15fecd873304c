"""A reader gives in Chromium through the widget, in test mode (no money moves)."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from masthead.revenue.choices import DonationStatus
from masthead.revenue.models import Donation

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_reader_donates_from_the_story_in_test_mode(
    page: Page, live_server, article, screenshot, settings
):
    settings.SITE_URL = live_server.url
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.goto(live_server.url + article.url)
    widget = page.locator(".article .donate")
    expect(widget.get_by_text("Test mode: no money moves.")).to_be_visible()

    # The slider, the presets and the typed amount follow each other.
    widget.get_by_role("button", name="$25").click()
    expect(widget.get_by_label("Amount to donate in")).to_have_value("25")
    expect(widget.locator("[data-slider]")).to_have_value("25")
    widget.locator("[data-slider]").fill("40")
    expect(widget.get_by_label("Amount to donate in")).to_have_value("40")
    widget.get_by_label("Currency").select_option("EUR")
    expect(widget.locator("[data-currency-label]")).to_have_text("EUR€")
    widget.get_by_text("Monthly").click()
    widget.get_by_text("Name and email for the receipt").click()
    widget.get_by_label("Email").fill("ada@example.org")
    screenshot("widget")

    widget.get_by_role("button", name="Donate (test mode)").click()
    expect(page.get_by_role("heading", name="Test checkout")).to_be_visible()
    expect(page.get_by_text("€40 every month")).to_be_visible()
    page.get_by_role("button", name=re.compile("Pay €40")).click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    expect(page.get_by_text("monthly donation of €40 is complete")).to_be_visible()
    screenshot("thanks")

    donation = Donation.objects.get()
    assert donation.status == DonationStatus.COMPLETED
    assert (donation.amount_minor, donation.currency) == (4000, "EUR")
    assert donation.source_page_id == article.pk
    assert donation.gift is not None
    assert [m.to for m in mail.outbox] == [["ada@example.org"]]


def test_bad_amounts_are_explained_and_nothing_is_stored(
    page: Page, live_server, article, screenshot
):
    page.goto(live_server.url + "/donate/")
    widget = page.locator(".donate")
    widget.get_by_label("Amount to donate in").fill("500")
    widget.get_by_role("button", name="Donate (test mode)").click()
    expect(widget.get_by_text("Give between $5 and $100.")).to_be_visible()
    expect(widget.get_by_label("Amount to donate in")).to_have_value("500")
    screenshot("error")
    assert not Donation.objects.exists()


def test_quick_donate_is_one_click_to_checkout(page: Page, live_server, article):
    page.goto(live_server.url + "/donate/")
    page.get_by_role("button", name="Quick Donate €10").click()
    expect(page.get_by_role("heading", name="Test checkout")).to_be_visible()
    expect(page.get_by_text("€10", exact=True)).to_be_visible()
