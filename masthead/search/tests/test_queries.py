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
    assert _RankedArticles(["ferry"])._sqlite_pool() is not None


def _postgres_only():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's search backend only")


def test_only_the_newest_matches_are_ranked_when_a_word_is_everywhere(
    story, monkeypatch
):
    from datetime import timedelta

    from django.utils import timezone

    from masthead.search import queries

    monkeypatch.setattr(queries, "RANK_POOL", 3)
    now = timezone.now()
    # The oldest story is the best match: it is outside the pool of three.
    oldest = story(title="Ferry ferry ferry", first_published_at=now - timedelta(5))
    newer = [
        story(
            title=f"Story {days}",
            standfirst="A ferry " + "and more words " * days,
            first_published_at=now - timedelta(days),
        )
        for days in (4, 3, 2, 1)
    ]
    page = search_articles("ferry", 1)
    found = [article.pk for article in page]
    assert page.paginator.count == 3
    assert page.paginator.object_list.capped
    assert oldest.pk not in found
    assert newer[0].pk not in found
    # Within the pool, relevance order: the shortest standfirst first.
    assert found == [newer[3].pk, newer[2].pk, newer[1].pk]


def test_small_result_sets_are_counted_exactly_and_not_capped(story):
    for number in range(4):
        story(title=f"Ferry {number}")
    page = search_articles("ferry", 1)
    assert page.paginator.count == 4
    assert not page.paginator.object_list.capped


def test_postgres_matches_through_the_title_body_gin_index(story):
    from django.db import connection
    from wagtail.search.models import IndexEntry

    from masthead.news.models import ArticlePage

    _postgres_only()
    story(title="Ferry strike ends")
    table = connection.ops.quote_name(IndexEntry._meta.db_table)
    vector = f'({table}."title" || {table}."body")'
    # The expression Wagtail matches is the one the index is built on...
    matching = ArticlePage.objects.live().search("ferry").get_queryset()
    assert f"{vector} @@" in str(matching.query)
    with connection.cursor() as cursor:
        # ...and the index serves it (tiny tables are read whole unless told).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            f"EXPLAIN SELECT id FROM {table} WHERE {vector} @@ to_tsquery('ferry')"  # noqa: S608 - names from the model, no input
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "masthead_search_title_body_gin" in plan
