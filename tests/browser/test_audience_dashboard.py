import re
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from playwright.sync_api import Page, expect

from masthead.analytics.storage import add_counts
from masthead.core.tests.fixtures import member_of
from masthead.news.tests.factories import ArticlePageFactory
from tests.browser.conftest import PASSWORD, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def month_of_views(article, section):
    """A month of readers: the bridge story every day, a tram story this week."""
    tram = ArticlePageFactory(parent=section, title="Tram line opens", slug="tram")
    this_hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    hourly, referrers = Counter(), Counter()
    for days_ago in range(30):
        hour = this_hour - timedelta(days=days_ago)
        hourly[(article.pk, hour)] = 40 + (days_ago * 37) % 90
        if days_ago < 7:
            hourly[(tram.pk, hour)] = 25 * (7 - days_ago)
        referrers[(hour.date(), "search.example")] = 30
        referrers[(hour.date(), "")] = 12
    referrers[(this_hour.date(), "social.example")] = 9
    with transaction.atomic():
        add_counts(hourly, referrers)
    return article


@pytest.fixture
def editor_page(page: Page, live_server, django_user_model):
    member_of(django_user_model, "eddie", "Editors", password=PASSWORD)
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "eddie")
    return page


def test_editor_reads_the_audience_dashboard_and_an_articles_tab(
    month_of_views, editor_page, live_server, screenshot, offline
):
    page = editor_page
    expect(page.locator("#audience-section")).to_contain_text("views today")
    screenshot("home")

    page.get_by_role("link", name="Audience").first.click()
    expect(page).to_have_url(re.compile("/admin/audience/$"))
    chart = page.get_by_role("img", name=re.compile("Views per day"))
    expect(chart).to_be_visible()
    expect(chart.locator("rect.audience-chart__bar")).to_have_count(30)
    top_today = page.locator("#tab-today")
    expect(top_today).to_be_visible()
    expect(top_today.locator("tbody tr").first).to_contain_text("Tram line opens")
    page.get_by_role("tab", name="30 days").click()
    expect(page.locator("#tab-month tbody tr").first).to_contain_text(
        "Bridge repairs start"
    )
    screenshot("dashboard")
    referrers = page.get_by_role("heading", name=re.compile("Where readers came from"))
    referrers.scroll_into_view_if_needed()
    expect(page.get_by_text("Direct or unknown")).to_be_visible()
    screenshot("referrers", full_page=False)

    page.locator("#tab-month").get_by_role("link", name="Bridge repairs start").click()
    expect(page.locator("#tab-audience")).to_be_visible()
    article_chart = page.locator("#tab-audience").get_by_role(
        "img", name=re.compile("Views per day")
    )
    expect(article_chart).to_be_visible()
    expect(page.locator("#tab-audience")).to_contain_text("since publication")
    screenshot("article-tab")
    assert offline == []
