import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

from masthead.news.models import ArticleCorrection

from .factories import ArticlePageFactory, AuthorFactory, SeriesPageFactory


@pytest.fixture
def image(db):
    return Image.objects.create(title="Harbour", file=get_test_image_file())


@pytest.fixture
def full_article(section, author, image):
    body = [
        ("paragraph", "<p>Opening paragraph with <b>bold</b>.</p>"),
        ("heading", {"text": "What happened", "level": "h2"}),
        (
            "block_quote",
            {
                "quote": "<p>We will rebuild.</p>",
                "source": "The mayor",
                "source_url": "https://example.org/speech",
                "editorial_note": "(emphasis added)",
            },
        ),
        (
            "image",
            {
                "image": image,
                "caption": "The harbour at dawn",
                "credit": "Photo: Sam Lee",
            },
        ),
        ("pull_quote", {"text": "Nobody saw it coming.", "attribution": "A resident"}),
        ("embed", {"url": "https://youtu.be/dQw4w9WgXcQ", "title": "The interview"}),
        ("embed", {"url": "https://vimeo.com/1234", "title": "Elsewhere"}),
        (
            "related_link",
            {
                "page": None,
                "url": "https://example.org/more",
                "title": "Background reading",
            },
        ),
        ("divider", None),
    ]
    article = ArticlePageFactory(
        parent=section,
        title="Harbour reopens",
        body=body,
        authors=[author],
        featured_image=image,
        featured_image_caption="Boats return",
        updated_at=datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC),
    )
    article.tags.add("harbour", "economy")
    article.save()
    ArticleCorrection.objects.create(
        page=article,
        date=datetime.date(2026, 3, 2),
        text="An earlier version misspelled the quay.",
    )
    return article


@pytest.mark.django_db
def test_every_body_block_renders(client, full_article):
    html = client.get(full_article.url).content.decode()

    assert "<h2>What happened</h2>" in html
    assert "We will rebuild." in html and "The mayor" in html
    assert "(emphasis added)" in html
    assert "The harbour at dawn" in html and "Photo: Sam Lee" in html
    assert "Nobody saw it coming." in html
    assert 'data-player="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ' in html
    assert 'href="https://vimeo.com/1234"' in html
    assert "Background reading" in html
    assert '<hr class="divider">' in html


@pytest.mark.django_db
def test_article_shows_updated_date_corrections_and_tags(client, full_article):
    html = client.get(full_article.url).content.decode()

    assert "Updated" in html and 'datetime="2026-03-02T09:30:00+00:00"' in html
    assert "An earlier version misspelled the quay." in html
    assert 'href="/tags/harbour/"' in html


@pytest.mark.django_db
def test_rendering_makes_no_network_request(client, full_article, monkeypatch):
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("rendering must not touch the network")

    monkeypatch.setattr(socket, "create_connection", refuse)

    assert client.get(full_article.url).status_code == 200


@pytest.mark.django_db
def test_syndicated_piece_credits_original_and_via(client, section, author):
    article = ArticlePageFactory(
        parent=section,
        authors=[author],
        original_author="Jo Marsh",
        original_publication="The Valley Ledger",
        original_url="https://ledger.example/story",
        via_source="Wire Digest",
        via_url="https://wire.example/",
        canonical_url="https://ledger.example/story",
        licence_note="Republished under CC BY 4.0.",
    )

    html = client.get(article.url).content.decode()

    assert "Authored by Jo Marsh via" in html
    assert (
        '<a href="https://ledger.example/story" rel="noopener">The Valley Ledger</a>'
        in html
    )
    assert 'Via <a href="https://wire.example/"' in html
    assert '<link rel="canonical" href="https://ledger.example/story">' in html
    assert "Republished under CC BY 4.0." in html


@pytest.mark.django_db
def test_river_pages_list_stories(client, section, article):
    other = ArticlePageFactory(parent=section, title="Second story")
    other.tags.add("budget")
    other.save()

    for url in ["/", "/latest/", section.url]:
        html = client.get(url).content.decode()
        assert "Bridge repairs start" in html and "Second story" in html, url

    tag_html = client.get("/tags/budget/").content.decode()
    assert "Second story" in tag_html and "Bridge repairs start" not in tag_html


@pytest.mark.django_db
def test_author_page_lists_only_their_stories(client, section, article):
    someone_else = AuthorFactory(name="Other Person")
    ArticlePageFactory(parent=section, title="Not hers", authors=[someone_else])

    response = client.get("/authors/ada-reyes/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Ada Reyes" in html and "Bridge repairs start" in html
    assert "Not hers" not in html
    assert client.get("/authors/nobody/").status_code == 404


@pytest.mark.django_db
def test_series_page_lists_episodes_by_number(client, section):
    series = SeriesPageFactory(title="Quick Look", parent=section)
    for number in (1, 3, 2):
        ArticlePageFactory(
            parent=section, series=series, episode_number=number, title=f"Part {number}"
        )

    html = client.get(series.url).content.decode()

    assert html.index("Part 3") < html.index("Part 2") < html.index("Part 1")
    assert "Quick Look: Episode 3" in html


@pytest.mark.django_db
def test_drafts_are_not_listed(client, section, article):
    ArticlePageFactory(parent=section, title="Secret draft", live=False)

    assert "Secret draft" not in client.get("/").content.decode()


@pytest.mark.django_db
def test_page_number_junk_falls_back(client, article):
    assert client.get("/?page=abc").status_code == 200
    assert client.get("/?page=999").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/", "/latest/", "/news/", "/authors/ada-reyes/", "/tags/budget/"]
)
def test_list_queries_are_bounded_and_do_not_grow_with_stories(
    client, section, author, image, path, django_assert_max_num_queries
):
    def add_stories(count):
        for _ in range(count):
            story = ArticlePageFactory(
                parent=section, featured_image=image, authors=[author, AuthorFactory()]
            )
            story.tags.add("budget")
            story.save()
        client.get(path)  # renditions are created on the first view

    def queries_for_path():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    add_stories(2)
    few = queries_for_path()
    add_stories(8)

    with django_assert_max_num_queries(30):
        assert queries_for_path() == few
