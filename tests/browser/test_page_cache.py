"""A reader who keeps a story open sees an editor's correction at the next load."""

import re

import pytest
from playwright.sync_api import Page, expect

from masthead.news.tests.factories import ArticlePageFactory, SectionPageFactory
from tests.browser.conftest import PASSWORD, SCREENSHOTS, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_published_correction_reaches_readers_of_the_cached_page(
    page: Page, browser, live_server, django_user_model, offline, settings
):
    settings.MASTHEAD_PAGE_CACHE = True
    news = SectionPageFactory(title="News", slug="news")
    story = ArticlePageFactory(parent=news, title="Ferry fares rise by a fifth")
    reader = browser.new_context().new_page()
    for url in ("/", story.url):
        reader.goto(live_server.url + url)
        stored = reader.reload()  # the second load is the stored page
        assert stored.headers["x-page-cache"] == "hit"
    expect(reader.locator("h1")).to_have_text("Ferry fares rise by a fifth")

    django_user_model.objects.create_superuser("chief", "chief@example.org", PASSWORD)
    log_in(page, live_server, "chief")
    page.goto(f"{live_server.url}/admin/pages/{story.pk}/edit/")
    page.fill("#id_title", "Ferry fares rise by a tenth")
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".messages")).to_contain_text("published")

    response = reader.goto(live_server.url + story.url)
    expect(reader.locator("h1")).to_have_text("Ferry fares rise by a tenth")
    assert response.headers["x-page-cache"] == "miss"
    assert "s-maxage" in response.headers["cache-control"]
    reader.goto(live_server.url + "/")
    expect(
        reader.get_by_role("link", name=re.compile("rise by a tenth"))
    ).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    reader.screenshot(path=SCREENSHOTS / "page-cache-reader-after-correction.png")
    # The editor, signed in, is never served a stored page.
    editor_view = page.goto(live_server.url + story.url)
    assert "x-page-cache" not in editor_view.headers
