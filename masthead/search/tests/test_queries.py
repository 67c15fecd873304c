import pytest

from masthead.search.queries import (
    MAX_QUERY_LENGTH,
    clean_query,
    search_articles,
    search_terms,
)
from masthead.search.templatetags.search_tags import highlight


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("  ferry  ", "ferry"),
        ("ferry\x00 strike", "ferry strike"),
        ("ferry\u200b\tstrike\r\n", "ferry strike"),
        ("   \t\n ", ""),
        ("x" * 10_000, "x" * MAX_QUERY_LENGTH),
    ],
)
def test_queries_are_cleaned_before_anything_sees_them(raw, cleaned):
    assert clean_query(raw) == cleaned


def test_search_terms_are_words_without_query_syntax():
    assert search_terms('"Ferry" -strike OR ferry* %_ (C++) AND') == [
        "ferry",
        "strike",
        "or",
        "c",
        "and",
    ]


def test_highlight_escapes_first_and_marks_whole_words_in_any_case():
    html = highlight("Ferry <b>strike</b> & ferryman: FERRY", ["ferry", "b"])
    assert html == (
        "<mark>Ferry</mark> &lt;<mark>b</mark>&gt;strike&lt;/<mark>b</mark>&gt; "
        "&amp; ferryman: <mark>FERRY</mark>"
    )


def test_highlight_never_marks_inside_an_escaped_entity():
    assert highlight("Fish & chips", ["amp"]) == "Fish &amp; chips"


def test_highlight_treats_regex_metacharacters_literally():
    assert highlight("a.b (c) a+b", [".", "(", "+"]) == "a.b (c) a+b"
    assert highlight("a.b", ["a"]) == "<mark>a</mark>.b"


def test_relevance_order_is_wagtails_own(story):
    from masthead.news.models import ArticlePage

    for number in range(6):
        story(
            title=f"Story {number}" + (" about the ferry" if number % 2 else ""),
            standfirst="The ferry " * number + "sails.",
        )
    ours = [article.pk for article in search_articles("ferry", 1)]
    wagtails = [
        article.pk for article in ArticlePage.objects.live().public().search("ferry")
    ]
    assert ours == wagtails
    assert len(ours) == 5


def test_sqlite_ranks_in_one_pass_rather_than_through_wagtails_slow_path(db):
    from django.db import connection

    from masthead.search.queries import _RankedArticles

    if connection.vendor != "sqlite":
        pytest.skip("the one-pass ranking is for Wagtail's SQLite FTS5 backend")
    assert _RankedArticles(["ferry"])._sqlite_fts is not None
