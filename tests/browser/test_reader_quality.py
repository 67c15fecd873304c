"""The quality bars of the reader site, checked in Debian's Chromium."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from masthead.demo.services import generate_demo
from masthead.news.models import ArticlePage, Author, SectionPage

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def reader_paths(db):
    generate_demo(14, seed=11)
    article = ArticlePage.objects.live().filter(featured_image__isnull=False).first()
    return {
        "home": "/",
        "section": SectionPage.objects.get(slug="news").url,
        "article": article.url,
        "author": f"/authors/{Author.objects.first().slug}/",
        "search": "/search/?q=council",
    }


def test_no_third_party_request_and_no_cookie(page: Page, live_server, reader_paths):
    outside = []
    page.on(
        "request",
        lambda request: (
            None
            if request.url.startswith((live_server.url, "data:"))
            else outside.append(request.url)
        ),
    )
    for path in reader_paths.values():
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        page.mouse.wheel(0, 4000)  # let the river load more stories

    assert outside == []
    assert page.context.cookies() == []


def test_axe_finds_no_violation(page: Page, live_server, reader_paths):
    # The bar is "no serious or critical"; the pages are clean of every impact, so
    # hold them there.
    found = {}
    for name, path in reader_paths.items():
        page.goto(live_server.url + path)
        violations = Axe().run(page).response["violations"]
        if violations:
            found[name] = [
                f"{v['impact']} {v['id']}: {v['help']} ({len(v['nodes'])}x)"
                for v in violations
            ]

    assert found == {}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [390, 1280])
def test_screenshots_of_home_and_article(
    page: Page, live_server, reader_paths, screenshot, width, scheme
):
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size({"width": width, "height": 900})
    for name in ("home", "article"):
        page.goto(live_server.url + reader_paths[name])
        assert page.locator("h1").count() == 1
        screenshot(f"{name}-{width}-{scheme}", full_page=False)


def test_river_loads_more_stories_as_the_reader_scrolls(page: Page, live_server, db):
    generate_demo(45, seed=4)
    page.goto(live_server.url + "/latest/")
    before = page.locator(".teaser").count()

    page.locator(".pagination").scroll_into_view_if_needed()
    expect(page.locator(".teaser").nth(before)).to_be_attached()

    assert page.locator(".teaser").count() == 2 * before
    assert page.locator(".pagination a[rel=next]").count() == 1  # page 3 still linked
