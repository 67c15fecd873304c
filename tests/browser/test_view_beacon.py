"""The view beacon sent by a real page in Chromium, fresh and from a cache."""

import time

import pytest
from django.test import Client
from playwright.sync_api import Browser, expect

from masthead.analytics.queries import view_count
from masthead.analytics.services import flush_counters
from masthead.news.tests.factories import ArticlePageFactory
from tests.browser.conftest import SCREENSHOTS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

READER_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/{version}.0.0.0 Safari/537.36"
)
# Playwright's Chromium admits automation (navigator.webdriver); a reader's does not.
AS_A_READER = "Object.defineProperty(navigator, 'webdriver', {get: () => false})"


def reader_page(browser: Browser, version: int):
    context = browser.new_context(user_agent=READER_UA.format(version=version))
    context.add_init_script(AS_A_READER)
    return context, context.new_page()


def views_after_flush(page_id: int, expected: int, seconds: float = 5) -> int:
    """The stored count once it reaches `expected` (the beacon is asynchronous)."""
    deadline = time.monotonic() + seconds
    while True:
        flush_counters()
        count = view_count(page_id)
        if count >= expected or time.monotonic() > deadline:
            return count
        time.sleep(0.1)


@pytest.fixture
def story(section, author):
    return ArticlePageFactory(
        parent=section,
        title="Harbour wall gets its repairs",
        slug="harbour-wall",
        authors=[author],
    )


def test_a_reader_opening_a_story_is_counted_once(browser, live_server, story):
    context, page = reader_page(browser, 131)
    with page.expect_request(f"**/views/{story.pk}/") as sent:
        page.goto(live_server.url + story.url)
    assert sent.value.method == "POST"
    assert views_after_flush(story.pk, 1) == 1

    page.reload()
    page.wait_for_load_state("networkidle")
    assert views_after_flush(story.pk, 2, seconds=1) == 1  # same reader, same day
    page.reload()
    expect(page.locator(".article .view-count")).to_have_text("1 View")
    # The screenshot fixture shoots the headless page; this is the reader's.
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "view-beacon-article.png"))
    context.close()


def test_headless_chromium_as_it_comes_is_not_counted(page, live_server, story):
    with page.expect_request(f"**/views/{story.pk}/"):
        page.goto(live_server.url + story.url)
    page.wait_for_load_state("networkidle")
    assert views_after_flush(story.pk, 1, seconds=1) == 0


def test_a_page_served_from_a_cache_still_counts(browser, live_server, story):
    # What a CDN stored: the page as Django rendered it once, headers and all.
    stored = Client(HTTP_HOST=live_server.url.split("//")[1]).get(story.url)
    assert stored.status_code == 200
    served_by_django = []

    def from_cache(route):
        served_by_django.append(False)
        route.fulfill(
            status=200,
            headers=dict(stored.items()),
            body=stored.content,
        )

    for version in (130, 131, 132):  # three readers, one stored page
        context, page = reader_page(browser, version)
        page.route(live_server.url + story.url, from_cache)
        # Closing a context can cancel a beacon still on its way: wait for the 204.
        with page.expect_response(f"**/views/{story.pk}/") as answered:
            page.goto(live_server.url + story.url)
        assert answered.value.status == 204
        context.close()
    assert len(served_by_django) == 3
    assert views_after_flush(story.pk, 3) == 3
