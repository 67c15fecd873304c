import re

import pytest
from playwright.sync_api import Page, expect

from masthead.news.tests.factories import ArticlePageFactory, SectionPageFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def ferry_story(db):
    section = SectionPageFactory(title="News", slug="news")
    ArticlePageFactory(parent=section, title="Council budget agreed")
    return ArticlePageFactory(
        parent=section,
        title="Ferry strike ends after three weeks",
        standfirst="Crews return to the island ferry on Monday.",
    )


def test_reader_searches_and_opens_a_story(
    page: Page, live_server, ferry_story, screenshot
):
    page.goto(live_server.url + "/search/")
    form = page.locator("main").get_by_role("search")
    form.get_by_label("Search stories").fill("ferry")
    form.get_by_role("button", name="Search").click()

    expect(page).to_have_title(re.compile(r"^Search: ferry · "))
    expect(page.locator(".search-count")).to_have_text("1 result for “ferry”")
    expect(form.get_by_label("Search stories")).to_have_value("ferry")
    result = page.locator(".teaser")
    expect(result).to_have_count(1)
    expect(result.locator(".teaser__headline mark")).to_have_text("Ferry")
    expect(result.locator(".teaser__standfirst mark")).to_have_text("ferry")
    screenshot("results")

    result.get_by_role("link", name="Ferry strike ends after three weeks").click()

    expect(page).to_have_url(live_server.url + ferry_story.url)
    expect(page.locator("h1")).to_have_text("Ferry strike ends after three weeks")
