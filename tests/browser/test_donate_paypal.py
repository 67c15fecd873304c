"""A reader gives through PayPal in Chromium: our widget, a fake PayPal, and back."""

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import Page, expect

from masthead.revenue.choices import DonationStatus
from masthead.revenue.models import Donation
from masthead.revenue.tests.paypal_fixtures import (
    fake_paypal_fixture,  # noqa: F401  (the fake_paypal fixture)
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def paypal_site(settings, live_server, fake_paypal):
    """The site on live_server, taking money only through the fake PayPal."""
    settings.SITE_URL = live_server.url  # PayPal sends the reader back here
    cache.clear()  # the rate limit and the cached plans
    yield fake_paypal
    cache.clear()


def held(page: Page, pattern) -> list:
    """Hold requests matching `pattern` until the test lets each go (route.continue_).

    The widget's progress messages last as long as a request, far too short to
    see; holding the request keeps each on screen.
    """
    routes = []
    page.route(pattern, lambda route: routes.append(route))
    return routes


def wait_for(page: Page, seen: list, item=None) -> None:
    """Until `seen` has anything (or `item`); Playwright delivers only while it runs."""
    for _ in range(100):
        if (item in seen) if item is not None else seen:
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"never came: {item or 'a request'}; saw {seen}")


def status_messages(page: Page) -> list[str]:
    """Every text the widget's status line shows, in order, as the reader saw it.

    Reported through a binding: while the page navigates to PayPal, Playwright
    cannot read the DOM, yet the last message is on screen then.
    """
    seen = []
    page.expose_function("reportDonateStatus", lambda text: seen.append(text))
    page.add_init_script(
        """addEventListener("DOMContentLoaded", () => {
          document.querySelectorAll("[data-donate-status]").forEach((status) => {
            new MutationObserver(() => {
              if (status.textContent) reportDonateStatus(status.textContent);
            }).observe(status, {childList: true, characterData: true, subtree: true});
          });
        });"""
    )
    return seen


def test_reader_donates_with_paypal_and_comes_back_thanked(
    page: Page, live_server, paypal_site, screenshot, mailoutbox
):
    fake = paypal_site
    start_requests = held(page, "**/donate/start/")
    approval_requests = held(page, re.compile(re.escape(fake.url) + r"/checkoutnow\?"))
    statuses = status_messages(page)
    page.goto(live_server.url + "/donate/")
    widget = page.locator(".donate__form")
    widget.get_by_label("One-time").check()
    widget.get_by_label("Currency").select_option("EUR")
    widget.locator("[data-amount]").fill("12.50")
    widget.get_by_role("button", name="Donate with PayPal").click()

    status = widget.locator("[data-donate-status]")
    expect(status).to_have_text("Validating payment information...")
    screenshot("validating")
    wait_for(page, start_requests)
    start_requests.pop().continue_()

    # No screenshot here: Chromium takes none while a navigation is pending.
    wait_for(page, statuses, "Waiting for PayPal...")
    wait_for(page, approval_requests)
    approval_requests.pop().continue_()

    expect(page).to_have_title("PayPal (fake) checkout")
    assert statuses == ["Validating payment information...", "Waiting for PayPal..."]
    expect(page.locator("[data-amount]")).to_have_text("12.50 EUR")
    screenshot("paypal")
    page.get_by_role("link", name=re.compile("Pay with PayPal")).click()

    expect(page.locator("h1")).to_have_text("Thank you")
    expect(page.locator(".donate-result__lead")).to_have_text(
        "Your donation of €12.50 is complete."
    )
    screenshot("thanks")
    donation = Donation.objects.get()
    assert donation.status == DonationStatus.COMPLETED
    assert page.url == (
        f"{live_server.url}/donate/thanks/{donation.public_id}/"
        f"?token={donation.checkout_ref}&PayerID=FAKEPAYER1"
    )
    capture = f"/v2/checkout/orders/{donation.checkout_ref}/capture"
    assert len(fake.calls("POST", capture)) == 1
    assert [m.to for m in mailoutbox] == [["payer@example.com"]]


def test_paypal_failing_shows_a_clear_error_and_charges_nothing(
    page: Page, live_server, paypal_site, screenshot
):
    fake = paypal_site
    fake.fail_paths.add("/v2/checkout/orders")  # PayPal answers 500
    page.goto(live_server.url + "/donate/")
    widget = page.locator(".donate__form")
    widget.locator("[data-amount]").fill("20")
    widget.get_by_role("button", name="Donate with PayPal").click()

    error = widget.locator("[data-error-for=form]")
    expect(error).to_have_text(
        "PayPal is not answering; nothing was charged. Please try again in a moment."
    )
    expect(widget.locator("[data-donate-status]")).to_be_hidden()
    expect(widget.get_by_role("button", name="Donate with PayPal")).to_be_enabled()
    screenshot("error")
    assert page.url == live_server.url + "/donate/"
    assert Donation.objects.get().status == DonationStatus.PENDING
    assert Donation.objects.get().checkout_ref == ""
    assert len(fake.calls("POST", "/v2/checkout/orders")) == 1
    assert not [r for r in fake.requests if r["path"].endswith("/capture")]
