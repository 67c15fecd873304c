"""The full-page cache against real pages: hits, 304s, gzip, and exact purges."""

import gzip
from unittest import mock

import pytest
from wagtail.models import Site

from masthead.comments import services as comment_services
from masthead.comments.tests.fixtures import post_comment
from masthead.core.models import MastheadSettings
from masthead.news.tests.factories import ArticlePageFactory, home_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what a commit would run: the purges wait for it."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def get(client, url, **headers):
    return client.get(url, headers=headers)


def test_second_read_is_served_stored_with_shared_cache_headers(client, article):
    first = get(client, article.url)
    second = get(client, article.url)
    assert first["X-Page-Cache"] == "miss" and second["X-Page-Cache"] == "hit"
    assert first.content == second.content
    assert "s-maxage=" in second["Cache-Control"]
    assert "stale-while-revalidate=" in second["Cache-Control"]
    assert second["ETag"] == first["ETag"]
    assert "Cookie" not in second.get("Vary", "")
    assert not second.cookies
    # A stored page carries the headers the render set: security and CSP.
    assert "Content-Security-Policy" in second
    assert second["X-Content-Type-Options"] == "nosniff"


def test_a_stored_page_needs_no_database(client, article, django_assert_num_queries):
    get(client, article.url)
    with django_assert_num_queries(0):
        assert get(client, article.url)["X-Page-Cache"] == "hit"


def test_a_current_copy_is_answered_304_without_a_body(client, article):
    etag = get(client, article.url)["ETag"]
    for _ in range(2):  # the miss-then-store and the stored page agree
        response = get(client, article.url, if_none_match=etag)
        assert response.status_code == 304 and response.content == b""
    assert get(client, article.url, if_none_match='W/"other"').status_code == 200


def test_gzip_for_readers_who_accept_it(client, article):
    plain = get(client, article.url)
    for _ in range(2):
        zipped = get(client, article.url, accept_encoding="gzip, br")
        assert zipped["Content-Encoding"] == "gzip"
        assert gzip.decompress(zipped.content) == plain.content
        assert int(zipped["Content-Length"]) == len(zipped.content)
    assert "Accept-Encoding" in zipped["Vary"]


def test_head_answers_headers_only(client, article):
    get(client, article.url)
    response = client.head(article.url)
    assert response.status_code == 200 and response.content == b""
    assert int(response["Content-Length"]) > 1000


def test_tracking_parameters_share_the_stored_page(client, article):
    get(client, article.url)
    tracked = get(client, article.url + "?utm_source=mail&fbclid=abc")
    assert tracked["X-Page-Cache"] == "hit"
    sorted_comments = get(client, article.url + "?sort=newest")
    assert sorted_comments["X-Page-Cache"] == "miss"  # a parameter the page reads


def test_editors_and_writes_are_never_served_a_stored_page(client, article, editor):
    get(client, article.url)
    client.force_login(editor)
    response = get(client, article.url)
    assert "X-Page-Cache" not in response
    assert "s-maxage" not in response.get("Cache-Control", "")


def test_page_cache_off_renders_every_time_but_keeps_the_headers(
    client, article, settings
):
    settings.MASTHEAD_PAGE_CACHE = False
    first, second = get(client, article.url), get(client, article.url)
    assert first["X-Page-Cache"] == second["X-Page-Cache"] == "off"
    assert "s-maxage=" in second["Cache-Control"] and second["ETag"]


class _BrokenCache:
    def __getattr__(self, name):
        raise ConnectionError("the cache is down")


def test_without_the_cache_pages_still_render(client, article):
    broken = mock.Mock(return_value=_BrokenCache())
    with (
        mock.patch("masthead.caching.generations.page_cache", broken),
        mock.patch("masthead.caching.fragments.page_cache", broken),
    ):
        for _ in range(2):
            response = get(client, article.url)
            assert response.status_code == 200
            assert b"Bridge repairs start" in response.content


def _stored(client, url) -> bool:
    return get(client, url)["X-Page-Cache"] == "hit"


def test_publishing_an_edit_purges_the_story_and_its_lists_only(
    client, article, section, author, committed
):
    home = home_page()
    other = ArticlePageFactory(parent=section, title="Ferry timetable changes")
    article.tags.add("budget")
    article.save_revision().publish()
    places = [
        article.url,
        home.url,
        section.url,
        home.url + home.reverse_subpage("author", kwargs={"slug": author.slug}),
        home.url + home.reverse_subpage("tag", kwargs={"slug": "budget"}),
        "/feeds/rss.xml",
        "/feeds/section/news/rss.xml",
    ]
    for url in [*places, other.url]:
        get(client, url)
        assert _stored(client, url), url

    article.title = "Bridge repairs finish early"
    with committed():
        article.save_revision().publish()

    for url in places:
        response = get(client, url)
        assert response["X-Page-Cache"] == "miss", url
        assert b"Bridge repairs finish early" in response.content, url
    assert _stored(client, other.url)  # a story that did not change stays stored


def test_a_removed_tag_or_author_page_drops_the_story(
    client, article, author, committed
):
    home = home_page()
    article.tags.add("budget")
    article.save_revision().publish()
    tag_url = home.url + home.reverse_subpage("tag", kwargs={"slug": "budget"})
    assert b"Bridge repairs start" in get(client, tag_url).content

    article.tags.clear()
    with committed():
        article.save_revision().publish()

    assert b"Bridge repairs start" not in get(client, tag_url).content


def test_unpublishing_removes_the_story_everywhere(client, article, section, committed):
    for url in (article.url, section.url):
        get(client, url)
    with committed():
        article.unpublish()
    assert get(client, article.url).status_code == 404
    assert b"Bridge repairs start" not in get(client, section.url).content


def test_an_approved_comment_purges_only_its_story(
    client, article, section, comment_settings, committed
):
    other = ArticlePageFactory(parent=section, title="Ferry timetable changes")
    for url in (article.url, section.url, other.url):
        get(client, url)
    comment = post_comment(article, "Finally, the bridge!", name="Sam Guest")
    assert b"Finally, the bridge!" not in get(client, article.url).content

    with committed():
        comment_services.approve(comment)

    shown = get(client, article.url)
    assert shown["X-Page-Cache"] == "miss" and b"Finally, the bridge!" in shown.content
    assert _stored(client, section.url) and _stored(client, other.url)


def test_site_settings_purge_every_page(client, article, section, committed):
    for url in (article.url, section.url):
        get(client, url)
    settings = MastheadSettings.for_site(Site.objects.get(is_default_site=True))
    settings.supporter_cta_text = "Keep local news alive: chip in."
    settings.donate_url = "https://example.org/give"
    with committed():
        settings.save()
    response = get(client, article.url)
    assert response["X-Page-Cache"] == "miss"
    assert b"Keep local news alive" in response.content
    assert get(client, section.url)["X-Page-Cache"] == "miss"
