import re

import pytest
from django.urls import reverse
from wagtail.search.backends import get_search_backend

from masthead.news.tests.factories import ArticlePageFactory

URL = reverse("search:search")


def results(response) -> list[str]:
    """The headlines on a results page, without their <mark> tags."""
    html = response.content.decode()
    headlines = re.findall(r'class="teaser__headline"><a [^>]*>(.*?)</a>', html)
    return [re.sub(r"</?mark>", "", headline) for headline in headlines]


@pytest.fixture
def ferry_stories(story):
    return [
        story(title="Ferry strike ends", standfirst="Crews return on Monday."),
        story(title="Harbour dues rise", standfirst="The ferry operator objects."),
        story(
            title="Bridge plan revived",
            standfirst="The council looks again.",
            body=[("paragraph", "<p>Some said a ferry would be cheaper.</p>")],
        ),
    ]


def test_search_finds_stories_by_headline_standfirst_and_body(client, ferry_stories):
    response = client.get(URL, {"q": "ferry"})

    assert response.status_code == 200
    assert set(results(response)) == {
        "Ferry strike ends",
        "Harbour dues rise",
        "Bridge plan revived",
    }
    assert "3 results for “ferry”" in response.content.decode()


def test_search_finds_stories_by_tag(client, story):
    tagged = story(title="Quiet week", standfirst="Nothing happened.")
    tagged.tags.add("lighthouses")
    tagged.save()
    get_search_backend().add(tagged)

    response = client.get(URL, {"q": "lighthouses"})

    assert results(response) == ["Quiet week"]
    assert "1 result for “lighthouses”" in response.content.decode()


def test_drafts_never_appear(client, story, section):
    story(title="Ferry timetable published")
    ArticlePageFactory(parent=section, title="Ferry secret draft", live=False)

    response = client.get(URL, {"q": "ferry"})

    assert results(response) == ["Ferry timetable published"]


def test_a_headline_match_ranks_above_a_body_only_match(client, story):
    story(
        title="Budget round-up",
        body=[("paragraph", "<p>Elsewhere, the lighthouse keeper retired.</p>")],
    )
    story(title="Lighthouse keeper retires", standfirst="After forty years.")

    response = client.get(URL, {"q": "lighthouse"})

    assert results(response) == ["Lighthouse keeper retires", "Budget round-up"]


def test_terms_are_highlighted_in_headline_and_standfirst(client, ferry_stories):
    html = client.get(URL, {"q": "FERRY crews"}).content.decode()

    assert "<mark>Ferry</mark> strike ends" in html
    assert "<mark>Crews</mark> return on Monday." in html


def test_a_query_with_markup_is_escaped_everywhere(client, story):
    story(title="Script kiddies arrested", standfirst="A <script> tag was found.")

    found = client.get(URL, {"q": "<script>"}).content.decode()
    missed = client.get(URL, {"q": "<script>alert(1)</script>"}).content.decode()

    assert "1 result for “&lt;script&gt;”" in found
    assert "A &lt;<mark>script</mark>&gt; tag was found." in found
    assert "<script>alert" not in missed
    assert "No stories match “&lt;script&gt;alert(1)&lt;/script&gt;”." in missed


def test_the_query_is_echoed_in_the_search_input(client, ferry_stories):
    html = client.get(URL, {"q": '  ferry "strike" '}).content.decode()

    assert 'name="q" value="ferry &quot;strike&quot;"' in html
    assert "<title>Search: ferry &quot;strike&quot; · " in html
    assert '<meta name="robots" content="noindex">' in html


def test_pagination_keeps_the_query(client, story):
    for number in range(45):
        story(title=f"Ferry report {number}")

    first = client.get(URL, {"q": "ferry report"}).content.decode()
    second = client.get(URL, {"q": "ferry report", "page": "2"})
    last = client.get(URL, {"q": "ferry report", "page": "3"}).content.decode()

    assert len(results(second)) == 20
    assert 'rel="next" href="?q=ferry%20report&amp;page=2"' in first
    assert 'rel="prev"' not in first
    html = second.content.decode()
    assert 'rel="prev" href="?q=ferry%20report&amp;page=1"' in html
    assert 'rel="next" href="?q=ferry%20report&amp;page=3"' in html
    assert "Page 3 of 3" in last and 'rel="next"' not in last
    assert not set(results(second)) & set(results(client.get(URL, {"q": "ferry"})))


@pytest.mark.parametrize("page", ["0", "-1", "abc", "", "1e9", "9" * 40])
def test_junk_page_numbers_never_fail(client, ferry_stories, page):
    response = client.get(URL, {"q": "ferry", "page": page})

    assert response.status_code == 200
    assert len(results(response)) == 3


@pytest.mark.parametrize("q", [None, "", "   ", "\t\n", "\x00"])
def test_without_a_query_the_page_offers_the_form_and_a_hint(client, db, q):
    response = client.get(URL, {} if q is None else {"q": q})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1" in html and ">Search</h1>" in html
    assert '<label class="search-form__label" for="search-q">' in html
    assert '<input class="search-form__input" type="search" id="search-q"' in html
    assert 'type="submit"' in html
    assert "Search headlines, summaries" in html
    assert "<title>Search · " in html
    assert "noindex" not in html


def test_no_results_says_so_and_suggests_what_to_try(client, ferry_stories):
    html = client.get(URL, {"q": "zeppelin"}).content.decode()

    assert "No stories match “zeppelin”." in html
    assert "Try fewer words" in html
    assert 'class="teaser"' not in html


@pytest.mark.parametrize(
    "q",
    [
        "ferry\x00strike",
        "\x00",
        "x" * 10_000,
        "' OR 1=1 --",
        "%",
        "_",
        '"',
        'ferry "',
        "ferry*",
        "-ferry",
        "ferry OR strike",
        "ferry AND NOT strike",
        "(ferry",
        "title:ferry",
        "NEAR(ferry strike)",
        "^ferry",
        "ferry\\",
        "'; DROP TABLE wagtailcore_page; --",
        "😀 ferry",
        "ﬀerry ß",
    ],
)
def test_hostile_queries_never_fail(client, ferry_stories, q):
    response = client.get(URL, {"q": q, "page": "2"})

    assert response.status_code == 200


def test_query_count_does_not_grow_with_results(
    client, story, django_assert_max_num_queries, settings
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # Counts the search's queries: the second request must not be a cached page
    # (the factory's stories do not move the page cache's content version).
    settings.MASTHEAD_PAGE_CACHE = False

    for number in range(3):
        story(title=f"Ferry {number}")
    client.get(URL, {"q": "ferry"})  # warm per-process caches
    with CaptureQueriesContext(connection) as three:
        assert len(results(client.get(URL, {"q": "ferry"}))) == 3
    for number in range(3, 12):
        story(title=f"Ferry {number}")
    with django_assert_max_num_queries(len(three)):
        assert len(results(client.get(URL, {"q": "ferry"}))) == 12
    assert len(three) <= 15


def test_the_page_says_when_more_stories_match_than_are_counted(
    client, story, monkeypatch, settings
):
    from masthead.search import queries

    settings.MASTHEAD_PAGE_CACHE = False
    monkeypatch.setattr(queries, "RANK_POOL", 2)
    for number in range(3):
        story(title=f"Ferry {number}")
    capped = client.get(URL, {"q": "ferry"})
    assert capped.context["count_is_capped"]
    assert "More than 2 results" in capped.content.decode()
    monkeypatch.setattr(queries, "RANK_POOL", 5)
    exact = client.get(URL, {"q": "ferry"})
    assert not exact.context["count_is_capped"]
    assert "3 results for" in exact.content.decode()


def test_stories_in_a_private_section_are_never_found(
    client, story, section, settings, django_capture_on_commit_callbacks
):
    from wagtail.models import PageViewRestriction

    settings.MASTHEAD_PAGE_CACHE = False
    story(title="Ferry strike ends")
    assert results(client.get(URL, {"q": "ferry"})) == ["Ferry strike ends"]
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(
            page=section,
            restriction_type=PageViewRestriction.PASSWORD,
            password="s3cret",
        )
    response = client.get(URL, {"q": "ferry"})
    assert results(response) == []
    assert response.context["stories"].paginator.count == 0
