import re

import pytest
from playwright.sync_api import Page, expect

from masthead.demo.services import generate_demo
from masthead.news.models import ArticlePage

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def demo_site(db):
    generate_demo(12, seed=3)


def test_reader_goes_from_the_river_to_a_story_and_its_author(
    page: Page, live_server, demo_site, screenshot, offline
):
    page.goto(live_server.url + "/")
    first = page.locator(".teaser").first
    headline = first.locator(".teaser__headline").inner_text()
    screenshot("home")
    first.get_by_role("link", name="Continue Reading").click()

    expect(page.locator("h1")).to_have_text(headline)
    expect(page.locator(".dateline")).to_contain_text("Published on")
    byline = page.locator(".byline a").first
    author = byline.inner_text()
    screenshot("article")
    byline.click()

    expect(page.locator("h1")).to_have_text(author)
    expect(page.locator(".teaser__headline", has_text=headline)).to_be_visible()
    assert offline == []


def test_video_loads_from_the_provider_only_after_a_click(
    page: Page, live_server, demo_site, offline
):
    episode = ArticlePage.objects.filter(series__isnull=False).first()
    page.goto(live_server.url + episode.url)
    poster = page.locator(".media-embed__poster").first
    expect(poster).to_contain_text("loads from YouTube")
    assert page.locator("iframe").count() == 0

    with page.expect_request(re.compile(r"youtube-nocookie\.com")):
        poster.click()

    frame = page.locator(".media-embed iframe").first
    expect(frame).to_have_attribute(
        "src", re.compile(r"^https://www\.youtube-nocookie\.com/embed/")
    )
    assert offline and all("youtube-nocookie.com" in url for url in offline)


def test_sections_navigation_and_series_page(page: Page, live_server, demo_site):
    page.goto(live_server.url + "/")
    page.get_by_role("navigation", name="Sections", exact=True).get_by_role(
        "link", name="Video"
    ).click()

    expect(page.locator("h1")).to_have_text("Video")
    episode = ArticlePage.objects.filter(series__isnull=False).first()
    page.goto(live_server.url + episode.series.url)
    expect(page.locator(".episodes li").first).to_contain_text("Episode")


def test_the_accent_colour_applies_under_the_policy_without_a_violation(
    page: Page, live_server, article
):
    from wagtail.models import Site

    from masthead.core.models import MastheadSettings

    identity = MastheadSettings.for_site(Site.objects.get(is_default_site=True))
    identity.accent_colour = "#123456"
    identity.save()
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )

    page.goto(live_server.url + article.url)

    accent = page.evaluate(
        "getComputedStyle(document.documentElement)"
        ".getPropertyValue('--accent-light').trim()"
    )
    assert accent == "#123456"
    assert violations == []
