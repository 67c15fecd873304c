"""What a reader's browser and a search engine get from the article and list pages."""

import base64
import datetime
import hashlib
import json

import extruct
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Site

from masthead.core.models import MastheadSettings

from .factories import ArticlePageFactory, AuthorFactory


@pytest.fixture
def image(db):
    return Image.objects.create(title="Quay", file=get_test_image_file())


@pytest.fixture
def identity(db, image):
    site = Site.objects.get(is_default_site=True)
    site.site_name = "The Quay Courier"
    site.save()
    settings = MastheadSettings.for_site(site)
    settings.logo = image
    settings.tagline = "News from the quay"
    settings.social_links = [
        ("link", {"network": "x", "url": "https://x.example/q", "label": ""})
    ]
    settings.save()
    return settings


def structured(html: str) -> dict[str, dict]:
    data = extruct.extract(html, syntaxes=["json-ld"], uniform=True)["json-ld"]
    return {item["@type"]: item for item in data}


@pytest.mark.django_db
def test_article_carries_news_article_data_google_requires(
    client, section, author, image, identity
):
    article = ArticlePageFactory(
        parent=section,
        authors=[author],
        featured_image=image,
        title="Quay wall repaired",
        updated_at=timezone.now(),
    )

    data = structured(client.get(article.url).content.decode())

    news = data["NewsArticle"]
    assert news["headline"] == "Quay wall repaired"
    assert news["image"][0].startswith("http://localhost/")
    assert news["datePublished"] and news["dateModified"]
    assert news["author"] == [
        {
            "@type": "Person",
            "name": "Ada Reyes",
            "url": "http://localhost/authors/ada-reyes/",
        }
    ]
    assert news["publisher"]["name"] == "The Quay Courier"
    assert news["publisher"]["logo"]["url"].startswith("http://localhost/")
    crumbs = [item["name"] for item in data["BreadcrumbList"]["itemListElement"]]
    assert crumbs == ["Home", "News", "Quay wall repaired"]


@pytest.mark.django_db
def test_syndicated_article_is_based_on_the_original(client, section, author):
    article = ArticlePageFactory(
        parent=section,
        authors=[author],
        original_author="Jo Marsh",
        original_publication="The Ledger",
        original_url="https://ledger.example/a",
    )

    news = structured(client.get(article.url).content.decode())["NewsArticle"]

    assert news["isBasedOn"] == "https://ledger.example/a"
    assert news["author"] == [{"@type": "Person", "name": "Jo Marsh"}]


@pytest.mark.django_db
def test_home_page_describes_the_organisation(client, identity):
    org = structured(client.get("/").content.decode())["NewsMediaOrganization"]

    assert org["name"] == "The Quay Courier"
    assert org["sameAs"] == ["https://x.example/q"]


@pytest.mark.django_db
def test_a_headline_cannot_break_out_of_the_json_ld(client, section, author):
    article = ArticlePageFactory(
        parent=section, authors=[author], title="</script><script>alert(1)</script>"
    )

    html = client.get(article.url).content.decode()

    assert "<script>alert(1)" not in html
    news = structured(html)["NewsArticle"]
    assert news["headline"] == "</script><script>alert(1)</script>"


@pytest.mark.django_db
def test_open_graph_and_share_links(client, section, author, image):
    article = ArticlePageFactory(
        parent=section,
        authors=[author],
        featured_image=image,
        title="Ferry & bus merger",
        slug="ferry-bus",
    )

    html = client.get(article.url).content.decode()

    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:title" content="Ferry &amp; bus merger">' in html
    assert '<meta property="og:url" content="http://localhost/news/ferry-bus/">' in html
    assert 'name="twitter:card" content="summary_large_image"' in html
    encoded = "http%3A%2F%2Flocalhost%2Fnews%2Fferry-bus%2F"
    assert f"https://www.facebook.com/sharer/sharer.php?u={encoded}" in html
    assert f"https://t.me/share/url?url={encoded}" in html
    assert '<script src="https://' not in html


@pytest.mark.django_db
def test_next_and_related_stories(client, section, author):
    now = timezone.now()
    older = ArticlePageFactory(
        parent=section,
        title="Older budget story",
        first_published_at=now - datetime.timedelta(days=2),
    )
    older.tags.add("budget")
    older.save()
    unrelated = ArticlePageFactory(
        parent=section,
        title="Unrelated weather story",
        first_published_at=now - datetime.timedelta(days=5),
    )
    article = ArticlePageFactory(
        parent=section, title="Budget passes", first_published_at=now
    )
    article.tags.add("budget")
    article.save()

    html = client.get(article.url).content.decode()

    assert "Next: <a" in html and "Older budget story" in html
    related = html[html.index("Related stories") :]
    assert "Older budget story" in related
    assert unrelated.title not in related


@pytest.mark.django_db
def test_empty_slots_render_nothing(client, article):
    html = client.get(article.url).content.decode()

    assert "Slot:" not in html
    assert "Advertisement" not in html
    assert "Views" not in html


@pytest.mark.django_db
def test_home_leads_with_the_newest_story(client, section):
    now = timezone.now()
    ArticlePageFactory(
        parent=section,
        title="Yesterday's story",
        first_published_at=now - datetime.timedelta(days=1),
    )
    ArticlePageFactory(parent=section, title="Today's story", first_published_at=now)

    html = client.get("/").content.decode()

    lead = html[html.index('class="lead-story"') : html.index('class="river-title"')]
    assert "Today&#x27;s story" in lead and "Yesterday" not in lead


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/", "/news/", "/news/bridge-repairs/", "/authors/ada-reyes/", "/latest/"]
)
def test_reader_pages_send_security_headers(client, article, path):
    response = client.get(path)

    policy = response["Content-Security-Policy"]
    script_src = next(
        d for d in policy.split(";") if d.strip().startswith("script-src")
    )
    assert response.status_code == 200
    assert script_src.split() == ["script-src", "'self'"]
    assert "frame-ancestors 'self'" in policy
    assert "object-src 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert not response.cookies


@pytest.mark.django_db
def test_the_accent_style_is_allowed_by_its_hash(client, article):
    response = client.get(article.url)
    html = response.content.decode()
    css = html.split("<style>")[1].split("</style>")[0]
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    style_src = next(
        d
        for d in response["Content-Security-Policy"].split(";")
        if d.strip().startswith("style-src")
    )

    assert "--accent-light" in css
    assert style_src.split() == ["style-src", "'self'", f"'sha256-{digest}'"]


@pytest.mark.django_db
def test_a_page_is_the_same_bytes_and_policy_for_every_reader(client, article):
    # No nonce, token or cookie: what a cache keeps is right for everyone.
    first, second = client.get(article.url), client.get(article.url)

    assert first.content == second.content
    assert first["Content-Security-Policy"] == second["Content-Security-Policy"]
    assert "nonce" not in first["Content-Security-Policy"]


@pytest.mark.django_db
def test_web_app_manifest_and_favicon(client, identity):
    manifest = json.loads(client.get("/manifest.webmanifest").content)

    assert manifest["name"] == "The Quay Courier"
    assert manifest["icons"][0]["type"] == "image/svg+xml"
    favicon = client.get("/favicon.ico")
    assert favicon.status_code == 301 and favicon["Location"].endswith("favicon.svg")


@pytest.mark.django_db
def test_article_queries_do_not_grow_with_tags_authors_or_related(client, section):
    def queries_for(page):
        client.get(page.url)  # warm renditions and caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page.url).status_code == 200
        return len(queries)

    small = ArticlePageFactory(parent=section, authors=[AuthorFactory()])
    small.tags.add("one")
    small.save()
    big = ArticlePageFactory(
        parent=section, authors=[AuthorFactory() for _ in range(4)]
    )
    big.tags.add("one", "two", "three", "four", "five")
    big.save()
    for _ in range(4):
        other = ArticlePageFactory(parent=section)
        other.tags.add("two", "three")
        other.save()

    assert queries_for(big) == queries_for(small)
