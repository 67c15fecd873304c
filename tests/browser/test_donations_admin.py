import csv
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from playwright.sync_api import Page, expect

from masthead.core.roles import FINANCE
from masthead.core.tests.fixtures import member_of
from masthead.revenue.choices import DonationStatus, GiftStatus, Interval
from masthead.revenue.models import Donation, Donor, MonthlyGift
from tests.browser.conftest import PASSWORD, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def a_month_of_donations(article):
    """Three donors over a month, in euros and dollars, one refund, one pending."""
    now = datetime.now(UTC)
    ada = Donor.objects.create(email="ada@example.org", name="Ada Reyes")
    bo = Donor.objects.create(email="bo@example.org", name="Bo Lindqvist")
    cy = Donor.objects.create(email="cy@example.org", name="Cy Okafor")
    gift = MonthlyGift.objects.create(
        donor=ada,
        provider="stripe",
        subscription_ref="sub_ada",
        amount_minor=1000,
        currency="EUR",
        status=GiftStatus.ACTIVE,
    )
    for days_ago in range(0, 30, 3):
        who = (ada, bo, cy)[days_ago % 3 if days_ago % 2 else (days_ago // 3) % 3]
        _donation(now - timedelta(days=days_ago, hours=2), who, 500 + days_ago * 150)
    _donation(now - timedelta(days=4), ada, 1000, interval=Interval.MONTHLY, gift=gift)
    _donation(now - timedelta(days=6), bo, 2500, currency="USD", provider="paypal")
    _donation(
        now - timedelta(days=9),
        cy,
        4000,
        status=DonationStatus.REFUNDED,
        refunded_at=now - timedelta(days=2),
    )
    _donation(now, cy, 1500, status=DonationStatus.PENDING)
    return article


def _donation(when, who, amount_minor, currency="EUR", provider="stripe", **fields):
    from masthead.news.models import ArticlePage

    status = fields.pop("status", DonationStatus.COMPLETED)
    with time_machine.travel(when, tick=False):
        return Donation.objects.create(
            donor=who,
            email=who.email,
            name=who.name,
            amount_minor=amount_minor,
            currency=currency,
            provider=provider,
            status=status,
            payment_ref=f"pi_{who.pk}_{amount_minor}",
            source_page=ArticlePage.objects.first(),
            completed_at=None if status == DonationStatus.PENDING else when,
            **fields,
        )


@pytest.fixture
def finance_page(page: Page, live_server, django_user_model):
    member_of(django_user_model, "fin", FINANCE, password=PASSWORD)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "fin")
    return page


def test_finance_filters_exports_and_reads_the_revenue_report(
    a_month_of_donations, finance_page, live_server, screenshot, offline, tmp_path
):
    page = finance_page
    page.get_by_role("button", name="Donations").click()
    page.get_by_role("link", name="Donations", exact=True).click()
    expect(page).to_have_url(re.compile("/admin/donations/$"))
    expect(page.locator("table.listing tbody tr")).to_have_count(14)
    screenshot("donations")

    page.goto(live_server.url + "/admin/donations/?status=completed")
    rows = page.locator("table.listing tbody tr")
    expect(rows).to_have_count(12)
    expect(rows.first).to_contain_text("Completed")
    expect(page.get_by_role("link", name="Bridge repairs start").first).to_be_visible()
    screenshot("donations-completed")

    page.get_by_role("button", name="Actions").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename == "donations.csv"
    saved = tmp_path / "donations.csv"
    download.save_as(saved)
    with saved.open(newline="") as handle:
        exported = list(csv.DictReader(handle))
    assert len(exported) == 12
    assert {row["Status"] for row in exported} == {"completed"}
    assert {row["Currency"] for row in exported} == {"EUR", "USD"}

    page.goto(live_server.url + "/admin/donors/")
    expect(page.get_by_role("row", name=re.compile("ada@example.org"))).to_be_visible()
    screenshot("donors")

    page.goto(live_server.url + "/admin/monthly-supporters/")
    expect(page.locator("table.listing tbody tr")).to_have_count(1)
    screenshot("monthly")

    page.get_by_role("button", name="Donations").click()
    page.get_by_role("link", name="Revenue report").click()
    expect(page).to_have_url(re.compile("/admin/revenue/$"))
    chart = page.get_by_role("img", name=re.compile("Net donations per day in EUR"))
    expect(chart).to_be_visible()
    expect(chart.locator("rect.audience-chart__bar")).to_have_count(30)
    expect(page.get_by_role("img", name=re.compile("in USD"))).to_be_visible()
    expect(page.get_by_text("1 monthly supporter")).to_be_visible()
    screenshot("report")
    assert offline == []
