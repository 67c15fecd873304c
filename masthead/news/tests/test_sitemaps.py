import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from taggit.models import Tag

from masthead.demo.services import generate_demo
from masthead.news import sitemaps
from masthead.news.models import ArticlePage, Author

from .factories import ArticlePageFactory

ROOT = "http://localhost"  # the test database's default Wagtail site
NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}


@pytest.fixture
def demo(db):
    generate_demo(12, seed=11)


def xml(response) -> ET.Element:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/xml")
    return ET.fromstring(response.content)  # noqa: S314 (our own response)


def locations(root: ET.Element, tag: str = "url") -> list[str]:
    return [
        node.findtext("sm:loc", namespaces=NS)
        for node in root.iterfind(f"sm:{tag}", NS)
    ]


@pytest.mark.django_db
def test_sitemap_index_lists_every_section_with_lastmod(client, demo):
    root = xml(client.get("/sitemap.xml"))

    assert locations(root, "sitemap") == [
        f"{ROOT}/sitemap-pages.xml",
        f"{ROOT}/sitemap-articles.xml",
        f"{ROOT}/sitemap-authors.xml",
        f"{ROOT}/sitemap-tags.xml",
    ]
    lastmods = [node.findtext("sm:lastmod", namespaces=NS) for node in root]
    assert all(lastmods), lastmods


@pytest.mark.django_db
def test_sitemaps_list_every_live_page_story_author_and_tag(client, demo):
    pages = locations(xml(client.get("/sitemap-pages.xml")))
    stories = xml(client.get("/sitemap-articles.xml"))
    authors = locations(xml(client.get("/sitemap-authors.xml")))
    tags = locations(xml(client.get("/sitemap-tags.xml")))

    assert pages[:2] == [f"{ROOT}/", f"{ROOT}/news/"]
    assert f"{ROOT}/analysis/the-back-room/" in pages
    assert sorted(locations(stories)) == sorted(
        f"{ROOT}{article.url}"
        for article in ArticlePage.objects.live().filter(canonical_url="")
    )
    assert all(
        node.findtext("sm:lastmod", namespaces=NS)
        for node in stories.iterfind("sm:url", NS)
    )
    writers = Author.objects.filter(article_links__isnull=False).distinct()
    assert sorted(authors) == sorted(f"{ROOT}/authors/{a.slug}/" for a in writers)
    used = Tag.objects.filter(news_articletag_items__isnull=False).distinct()
    assert sorted(tags) == sorted(f"{ROOT}/tags/{tag.slug}/" for tag in used)
    assert len(tags) < Tag.objects.count()  # the demo makes tags nobody uses


@pytest.mark.django_db
def test_drafts_and_stories_canonical_elsewhere_stay_out(client, section):
    ArticlePageFactory(parent=section, slug="ours")
    ArticlePageFactory(
        parent=section, slug="theirs", canonical_url="https://elsewhere.example/a"
    )
    draft = ArticlePageFactory(parent=section, slug="draft")
    draft.unpublish()

    stories = locations(xml(client.get("/sitemap-articles.xml")))

    assert stories == [f"{ROOT}/news/ours/"]


@pytest.mark.django_db
def test_the_index_pages_a_section_past_its_limit(client, demo, monkeypatch):
    stories = locations(xml(client.get("/sitemap-articles.xml")))
    assert len(stories) == 11  # the demo's twelve less one syndicated piece
    monkeypatch.setattr(sitemaps.SiteSitemap, "limit", 5)

    index = locations(xml(client.get("/sitemap.xml")), "sitemap")
    pages = [
        locations(xml(client.get(f"/sitemap-articles.xml?p={number}")))
        for number in (1, 2, 3)
    ]

    assert [loc for loc in index if "articles" in loc] == [
        f"{ROOT}/sitemap-articles.xml",
        f"{ROOT}/sitemap-articles.xml?p=2",
        f"{ROOT}/sitemap-articles.xml?p=3",
    ]
    assert [len(page) for page in pages] == [5, 5, 1]
    assert [loc for page in pages for loc in page] == stories
    assert client.get("/sitemap-articles.xml?p=4").status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404


@pytest.mark.django_db
def test_sitemap_queries_do_not_grow_with_the_stories(client, db):
    def measure():
        client.get("/sitemap-articles.xml")  # fills Wagtail's site caches
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/sitemap-articles.xml")
        return len(captured), len(locations(xml(response)))

    generate_demo(3, seed=5)
    few_queries, few_urls = measure()
    generate_demo(12, seed=6)
    many_queries, many_urls = measure()

    assert many_urls > few_urls
    assert many_queries == few_queries <= 5


@pytest.mark.django_db
def test_news_sitemap_has_the_last_two_days(client, section):
    now = timezone.now()
    fresh = ArticlePageFactory(
        parent=section,
        slug="fresh",
        title="Flood warning for the valley",
        first_published_at=now - timedelta(hours=1),
    )
    ArticlePageFactory(
        parent=section, slug="stale", first_published_at=now - timedelta(days=3)
    )

    response = client.get("/news-sitemap.xml")

    root = xml(response)
    assert 'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"' in (
        response.content.decode()
    )
    (url,) = root.iterfind("sm:url", NS)
    assert url.findtext("sm:loc", namespaces=NS) == f"{ROOT}/news/fresh/"
    news = url.find("news:news", NS)
    assert news.findtext("news:publication/news:name", namespaces=NS) == "Masthead"
    assert news.findtext("news:publication/news:language", namespaces=NS) == "en"
    assert news.findtext("news:title", namespaces=NS) == fresh.title
    published = news.findtext("news:publication_date", namespaces=NS)
    assert published == fresh.first_published_at.isoformat()


@pytest.mark.django_db
def test_robots_txt_allows_all_but_the_admin_and_names_the_sitemaps(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert lines[:3] == ["User-agent: *", "Allow: /", "Disallow: /admin/"]
    assert f"Sitemap: {ROOT}/sitemap.xml" in lines
    assert f"Sitemap: {ROOT}/news-sitemap.xml" in lines
