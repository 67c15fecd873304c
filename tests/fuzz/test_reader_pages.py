"""Fuzzing what any reader can reach: pages, search, feeds, sitemaps, view beacons."""

import urllib.parse

import pytest
from hypothesis import given
from hypothesis import strategies as st

from masthead.analytics.tests.fixtures import beacon_headers

from .conftest import (
    FUZZ,
    TEMPLATE_SYNTAX,
    assert_clear_answer,
    assert_no_markup_from_readers,
    extra_fields,
    fresh_limits,
    get_raw,
    hostile_text,
    hostile_value,
    post_raw,
    to_bytes,
)

pytestmark = pytest.mark.django_db

FIXED_URLS = [
    "/",
    "/news/",
    "/news/bridge-repairs/",
    "/robots.txt",
    "/sitemap.xml",
    "/sitemap-news.xml",
    "/news-sitemap.xml",
    "/feeds/rss.xml",
    "/feeds/atom.xml",
    "/feeds/feed.json",
    "/feeds/section/news/rss.xml",
    "/feeds/author/ada-reyes/feed.json",
    "/search/",
    "/healthz",
    "/manifest.webmanifest",
]
path_parts = st.one_of(
    st.sampled_from(
        ["..", ".", "%2e%2e", "%00", "%ff", "%ed%a0%80", "_util", "news", "a" * 300]
    ),
    hostile_value.map(lambda v: urllib.parse.quote_from_bytes(to_bytes(v), safe=b"")),
)


@FUZZ
@given(url=st.sampled_from(FIXED_URLS), query=extra_fields)
def test_known_urls_take_any_query_string(client, article, url, query):
    fresh_limits()
    response = get_raw(client, url, {**query, "page": query.get("", "")})
    assert_clear_answer(response)


@FUZZ
@given(parts=st.lists(path_parts, min_size=1, max_size=4), slash=st.booleans())
def test_any_path_is_a_page_or_a_clear_404(client, article, parts, slash):
    path = "/" + "/".join(part or "-" for part in parts) + ("/" if slash else "")
    response = client.get(path)
    assert_clear_answer(response)
    assert response.status_code in (200, 301, 302, 400, 404), path


@FUZZ
@given(
    q=st.one_of(hostile_value, st.sampled_from(["bridge", *TEMPLATE_SYNTAX])),
    page=st.one_of(
        st.sampled_from(["", "0", "-1", "2", "last", "1e9", "99999999999999999999"]),
        hostile_value,
    ),
    sort=hostile_value,
    extra=extra_fields,
)
def test_search_takes_any_query_and_shows_it_escaped(
    client, article, q, page, sort, extra
):
    response = get_raw(
        client, "/search/", {**extra, "q": q, "page": page, "sort": sort}
    )
    assert_clear_answer(response)
    html = response.content.decode()
    assert_no_markup_from_readers(html.split("<main", 1)[-1].split("</main>")[0])
    if isinstance(q, str) and q.strip() == "{{ 7|add:7 }}":
        assert "{{ 7|add:7 }}" in html  # shown as typed, never evaluated


@FUZZ
@given(
    fields=st.dictionaries(st.sampled_from(["r", "a", "t", "x"]), hostile_value),
    headers=st.sampled_from(["browser", "none", "hostile"]),
    origin=hostile_text,
    page_id=st.one_of(st.just("article"), st.sampled_from(["0", "123456789012"])),
)
def test_view_beacons_answer_at_once_whatever_is_sent(
    client, article, fields, headers, origin, page_id
):
    extra = {
        "browser": beacon_headers(),
        "none": {},
        "hostile": {
            "HTTP_ORIGIN": origin.encode("utf-8", "surrogatepass").decode("latin-1"),
            "HTTP_USER_AGENT": origin.encode("utf-8", "surrogatepass").decode(
                "latin-1"
            ),
            "HTTP_SEC_FETCH_DEST": "image",
        },
    }[headers]
    target = article.pk if page_id == "article" else page_id
    beacon = post_raw(client, f"/views/{target}/", fields, **extra)
    assert beacon.status_code == 204
    pixel = get_raw(client, f"/views/{target}/seen.gif", fields, **extra)
    assert pixel.status_code == 200 and pixel["Content-Type"] == "image/gif"


@pytest.mark.parametrize(
    "url",
    [
        "/views/99999999999999999999/",
        "/views/99999999999999999999/seen.gif",
        "/comments/99999999999999999999/",
        "/comments/99999999999999999999/token/",
        "/comments/99999999999999999999/subscribe/",
    ],
)
def test_ids_past_64_bits_are_not_found(client, db, url):
    assert client.get(url).status_code == 404
