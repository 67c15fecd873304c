import json
from datetime import timedelta

import feedparser
import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from taggit.models import Tag
from wagtail.documents import get_document_model
from wagtail.models import Page, Site

from masthead.demo.services import generate_demo
from masthead.news import queries
from masthead.news.feeds import FEED_ITEMS, absolutize_html, stored_size
from masthead.news.models import Author, SectionPage, SeriesPage

from .factories import ArticlePageFactory, SeriesPageFactory

ROOT = "http://localhost"  # the test database's default Wagtail site
FORMATS = ("rss.xml", "atom.xml")


@pytest.fixture
def demo(db):
    generate_demo(12, seed=11)


def parse(response):
    assert response.status_code == 200, response.content[:300]
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    return feed


def titles(articles) -> list[str]:
    return [article.title for article in articles[:FEED_ITEMS]]


@pytest.mark.django_db
@pytest.mark.parametrize("filename", FORMATS)
def test_site_feed_has_every_story_in_full_with_image_authors_and_tags(
    client, demo, filename
):
    feed = parse(client.get(f"/feeds/{filename}"))

    latest = list(queries.latest_articles())
    assert [entry.title for entry in feed.entries] == titles(latest)
    assert feed.feed.title == "The Lamplight Dispatch"
    entry, article = feed.entries[0], latest[0]
    assert entry.link == f"{ROOT}{article.url}"
    assert "<p>" in entry.content[0].value
    assert entry.summary == article.standfirst
    assert {author.name for author in article.authors} <= {
        author.name for author in entry.authors
    }
    assert [tag.term for tag in entry.tags] == [tag.name for tag in article.tags.all()]
    assert entry.published_parsed is not None
    if filename == "atom.xml":
        assert entry.updated_parsed is not None
    (enclosure,) = entry.enclosures
    assert enclosure.href.startswith(f"{ROOT}/media/images/")
    assert ".width-1200." in enclosure.href
    assert enclosure.type == "image/jpeg"
    assert int(enclosure.length) > 0


@pytest.mark.django_db
def test_feed_bodies_link_pictures_and_pages_absolutely(client, demo):
    feed = parse(client.get("/feeds/rss.xml"))

    bodies = [entry.content[0].value for entry in feed.entries]
    assert any(f'src="{ROOT}/media/images/' in body for body in bodies)
    assert not any('src="/' in body or 'href="/' in body for body in bodies)


def test_absolutize_html_leaves_external_and_protocol_relative_links():
    html = '<a href="/news/x/">x</a><img src="//cdn.example/a.jpg"><a href="https://e.org/">'

    assert absolutize_html(html, ROOT) == (
        f'<a href="{ROOT}/news/x/">x</a><img src="//cdn.example/a.jpg">'
        '<a href="https://e.org/">'
    )


@pytest.mark.django_db
def test_json_feed_is_version_1_1_with_html_content(client, demo):
    response = client.get("/feeds/feed.json")

    assert response["Content-Type"].startswith("application/feed+json")
    data = json.loads(response.content)
    latest = list(queries.latest_articles())
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    assert data["feed_url"] == f"{ROOT}/feeds/feed.json"
    assert [item["title"] for item in data["items"]] == titles(latest)
    item = data["items"][0]
    assert item["id"] == item["url"] == f"{ROOT}{latest[0].url}"
    assert "<p>" in item["content_html"]
    assert item["image"].startswith(f"{ROOT}/media/images/")
    assert item["authors"][0]["name"] == latest[0].authors[0].name
    assert item["date_published"].startswith(str(latest[0].published_on.year))


def _section_articles(slug):
    return queries.latest_articles(section=SectionPage.objects.get(slug=slug))


def _busiest_author():
    return max(
        Author.objects.all(), key=lambda a: queries.articles_by_author(a).count()
    )


def _busiest_tag():
    return max(Tag.objects.all(), key=lambda tag: queries.articles_by_tag(tag).count())


@pytest.mark.django_db
@pytest.mark.parametrize("filename", [*FORMATS, "feed.json"])
@pytest.mark.parametrize("scope", ["section", "author", "tag", "series"])
def test_scoped_feeds_list_only_their_stories(client, demo, scope, filename):
    if scope == "section":
        slug, expected = "news", _section_articles("news")
    elif scope == "author":
        author = _busiest_author()
        slug, expected = author.slug, queries.articles_by_author(author)
    elif scope == "tag":
        tag = _busiest_tag()
        slug, expected = tag.slug, queries.articles_by_tag(tag)
    else:
        series = SeriesPage.objects.get(slug="valley-in-ten")
        slug, expected = series.slug, queries.series_episodes(series)

    response = client.get(f"/feeds/{scope}/{slug}/{filename}")

    if filename == "feed.json":
        got = [item["title"] for item in json.loads(response.content)["items"]]
    else:
        got = [entry.title for entry in parse(response).entries]
    assert got == titles(list(expected))
    assert got  # the demo gives every scope at least one story


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/feeds/section/nowhere/rss.xml",
        "/feeds/author/nobody/atom.xml",
        "/feeds/tag/nothing/feed.json",
        "/feeds/series/no-show/rss.xml",
        "/feeds/podcast/no-show.xml",
        "/feeds/podcast/valley-in-ten.xml",  # a video series has no podcast feed
    ],
)
def test_unknown_slugs_are_not_found(client, demo, url):
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_podcast_feed_has_itunes_elements_and_audio_enclosures(client, demo):
    response = client.get("/feeds/podcast/the-back-room.xml")

    feed = parse(response)
    xml = response.content.decode()
    series = SeriesPage.objects.get(slug="the-back-room")
    episodes = list(queries.series_episodes(series))
    assert 'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"' in xml
    assert "<itunes:explicit>false</itunes:explicit>" in xml
    assert feed.feed.author == "The Lamplight Dispatch"
    assert feed.feed.image.href.startswith(f"{ROOT}/media/images/")
    assert "<itunes:category " in xml
    assert [entry.itunes_episode for entry in feed.entries] == [
        str(episode.episode_number) for episode in episodes
    ]
    for entry, episode in zip(feed.entries, episodes, strict=True):
        (enclosure,) = entry.enclosures
        assert enclosure.href == episode.audio_url
        assert enclosure.type == "audio/mpeg"
        assert entry.summary == episode.standfirst


@pytest.mark.django_db
def test_podcast_feed_serves_an_uploaded_audio_file_and_skips_silent_episodes(
    client, section
):
    series = SeriesPageFactory(parent=section, slug="late-shift", kind="podcast")
    audio = get_document_model().objects.create(
        title="Episode 1", file=ContentFile(b"ID3" + b"\0" * 997, name="ep1.mp3")
    )
    audio.file_size = 1000
    audio.save()
    ArticlePageFactory(
        parent=section,
        title="With audio",
        series=series,
        episode_number=1,
        audio_file=audio,
    )
    ArticlePageFactory(
        parent=section, title="No audio yet", series=series, episode_number=2
    )

    feed = parse(client.get("/feeds/podcast/late-shift.xml"))

    (entry,) = feed.entries
    assert entry.title == "With audio"
    assert entry.itunes_episode == "1"
    (enclosure,) = entry.enclosures
    assert enclosure.href == f"{ROOT}{audio.url}"
    assert enclosure.length == "1000"
    assert enclosure.type == "audio/mpeg"


@pytest.mark.django_db
def test_feeds_show_the_latest_thirty_stories(client, section):
    now = timezone.now()
    for n in range(FEED_ITEMS + 2):
        ArticlePageFactory(
            parent=section,
            title=f"Story {n}",
            first_published_at=now - timedelta(hours=n),
        )

    feed = parse(client.get("/feeds/section/news/rss.xml"))

    assert len(feed.entries) == FEED_ITEMS
    assert feed.entries[0].title == "Story 0"


# --- Query counts -----------------------------------------------------------------


def _measure(client, url) -> tuple[int, int]:
    """(queries, entries) of a warm request: the first one draws the renditions."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    if url.endswith(".json"):
        entries = len(json.loads(response.content)["items"])
    else:
        entries = len(parse(response).entries)
    return len(captured), entries


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/feeds/rss.xml", "/feeds/section/news/rss.xml", "/feeds/feed.json"]
)
def test_feed_queries_do_not_grow_with_the_stories(client, db, url):
    generate_demo(3, seed=5)
    few_queries, few_entries = _measure(client, url)
    generate_demo(20, seed=6)
    many_queries, many_entries = _measure(client, url)

    assert many_entries > few_entries
    assert many_queries == few_queries


@pytest.mark.django_db
def test_site_and_section_feeds_stay_under_a_query_budget(
    client, demo, django_assert_max_num_queries
):
    client.get("/feeds/rss.xml")
    client.get("/feeds/section/news/rss.xml")

    # 11 and 12 when written: site, home, settings or section, restrictions,
    # stories, bylines, tags, featured renditions, body pictures and their renditions.
    with django_assert_max_num_queries(12):
        client.get("/feeds/rss.xml")
    with django_assert_max_num_queries(13):
        client.get("/feeds/section/news/rss.xml")


# --- Discovery ----------------------------------------------------------------------


def alternates(html: str) -> list[str]:
    head = html[: html.index("</head>")]
    return [
        line.split('href="')[1].split('"')[0]
        for line in head.splitlines()
        if '<link rel="alternate" type="application/' in line
    ]


SITE_FEEDS = ["/feeds/rss.xml", "/feeds/atom.xml", "/feeds/feed.json"]


@pytest.mark.django_db
def test_every_page_links_the_site_feeds(client, demo):
    article = queries.latest_articles().first()

    for url in ["/", "/latest/", article.url]:
        links = alternates(client.get(url).content.decode())
        assert links == SITE_FEEDS, url


@pytest.mark.django_db
def test_section_author_tag_and_series_pages_link_their_own_feeds(client, demo):
    author = _busiest_author()
    tag = _busiest_tag()
    expected = {
        "/news/": "/feeds/section/news/",
        f"/authors/{author.slug}/": f"/feeds/author/{author.slug}/",
        f"/tags/{tag.slug}/": f"/feeds/tag/{tag.slug}/",
        "/video/valley-in-ten/": "/feeds/series/valley-in-ten/",
    }
    for url, prefix in expected.items():
        links = alternates(client.get(url).content.decode())
        own = [f"{prefix}rss.xml", f"{prefix}atom.xml", f"{prefix}feed.json"]
        assert links == SITE_FEEDS + own, url
        for link in own:
            assert client.get(link).status_code == 200, link


@pytest.mark.django_db
def test_a_podcast_page_links_its_podcast_feed(client, demo):
    links = alternates(client.get("/analysis/the-back-room/").content.decode())

    assert "/feeds/podcast/the-back-room.xml" in links


@pytest.mark.django_db
def test_feed_links_read_only_what_the_page_already_loaded(
    rf, demo, django_assert_num_queries
):
    request = rf.get("/news/")
    request._wagtail_site = Site.objects.get(is_default_site=True)
    section = Page.objects.get(slug="news").specific  # as Wagtail's serve does

    with django_assert_num_queries(0):
        html = render_to_string(
            "components/feed_links.html", {"page": section, "request": request}
        )

    assert 'href="/feeds/section/news/atom.xml"' in html


class _SizelessFile:
    @property
    def size(self):
        raise NotImplementedError("this storage cannot tell a file's size")


def test_a_size_the_storage_cannot_tell_is_zero():
    assert stored_size(_SizelessFile()) == 0
    assert stored_size(ContentFile(b"12345")) == 5


@pytest.mark.django_db
def test_a_rendition_whose_file_went_missing_keeps_its_enclosure(client, demo):
    article = queries.latest_articles().first()
    rendition = article.featured_image.get_rendition("width-1200")
    rendition.file.storage.delete(rendition.file.name)
    feed = parse(client.get("/feeds/rss.xml"))
    (enclosure,) = feed.entries[0].enclosures
    assert enclosure.href.endswith(rendition.file.name.rsplit("/", 1)[-1])
    assert enclosure.length == "0"
