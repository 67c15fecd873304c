"""The reader's search: cleaning the query, ranking stories, one page of teasers."""

import logging
import re
import unicodedata
from functools import cached_property

from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import F, IntegerField
from django.db.models.functions import Cast

from masthead.news.models import ArticlePage
from masthead.news.queries import teasers

PAGE_SIZE = 20
logger = logging.getLogger("masthead.search")

MAX_QUERY_LENGTH = 200
# More words than this make a slower search and no better one.
MAX_TERMS = 10

# Letters and digits only: punctuation and the backends' query syntax (quotes,
# operators, wildcards) never reach the search index, on any backend.
_TERM = re.compile(r"[^\W_]+")


def clean_query(raw: str) -> str:
    """The query as typed, minus control characters, trimmed and capped."""
    text = "".join(
        " " if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") else char
        for char in raw[: MAX_QUERY_LENGTH * 4]
    )
    return " ".join(text.split())[:MAX_QUERY_LENGTH].strip()


def search_terms(query: str) -> list[str]:
    """The words that are searched for and highlighted, lower-cased, no repeats."""
    terms: list[str] = []
    for term in _TERM.findall(query.lower()):
        if term not in terms:
            terms.append(term)
    return terms[:MAX_TERMS]


def search_articles(query: str, page_number) -> PaginatorPage:
    """Page `page_number` of the live, public stories matching `query`, best first.

    Junk page numbers give page 1 and numbers past the end the last page. The
    stories come with their section title and authors, like every teaser list.
    """
    return Paginator(_RankedArticles(search_terms(query)), PAGE_SIZE).get_page(
        page_number
    )


class _RankedArticles:
    """Matching stories in relevance order, sliced and counted like a queryset.

    On PostgreSQL (and any other backend) this is Wagtail's own search. On SQLite
    Wagtail's FTS5 backend ranks with a correlated subquery that re-runs the full
    text match once per hit, so ordering by relevance costs hits² work: on 20,000
    demo stories a word in 781 of them took 10 s, one in 9,346 took 155 s and
    one in 16,362 took 333 s, even for a 20-row page. There we run the same match
    and the same BM25 rank expression once, in a single query that sorts all hits
    and returns one page of ids (0.01-0.06 s on those words, same order as
    Wagtail's). The query hides the index entry's content type from SQLite's
    planner (`+ 0`): otherwise, for the count, it walks every index entry and runs
    the match once per entry (1.5-5 s instead of 0.01-0.07 s).
    """

    def __init__(self, terms: list[str]):
        self.text = " ".join(terms)

    def _wagtail_search(self):
        return ArticlePage.objects.live().public().search(self.text)

    @cached_property
    def _sqlite_fts(self):
        """Our match and rank expressions, when SQLite's FTS5 backend is in use."""
        if connection.vendor != "sqlite":
            return None
        try:
            from wagtail.search.backends.database.sqlite.query import (
                MatchExpression,
                SQLiteFTSIndexEntry,
                normalize,
            )
            from wagtail.search.backends.database.sqlite.sqlite import (
                SQLiteSearchQueryCompiler,
            )
            from wagtail.search.utils import get_descendants_content_types_pks
        except ImportError:  # pragma: no cover - SQLite built without FTS5
            return None
        compiler = self._wagtail_search().query_compiler
        if not isinstance(compiler, SQLiteSearchQueryCompiler):
            return None
        try:
            search_query = compiler.build_search_query(normalize(compiler.query))
            rank = compiler._build_rank_expression(compiler.get_search_vectors(), None)
        except (AttributeError, TypeError):
            # Wagtail changed the internals we borrow: rank its own (slower) way.
            logger.warning("SQLite one-pass search ranking unavailable", exc_info=True)
            return None
        hits = (
            SQLiteFTSIndexEntry.objects.filter(
                MatchExpression(compiler.FTS_TABLE_FIELDS, search_query)
            )
            .alias(
                page_id=Cast("index_entry__object_id", IntegerField()),
                content_type_id=F("index_entry__content_type_id") + 0,
            )
            .filter(
                content_type_id__in=get_descendants_content_types_pks(ArticlePage),
                page_id__in=ArticlePage.objects.live().public().values("pk"),
            )
        )
        return hits, rank

    @cached_property
    def _count(self) -> int:
        if not self.text:
            return 0
        if self._sqlite_fts is not None:
            hits, _ = self._sqlite_fts
            return hits.count()
        return self._wagtail_search().count()

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def _ranked_ids(self, start: int, stop: int) -> list[int]:
        if self._sqlite_fts is not None:
            hits, rank = self._sqlite_fts
            return list(
                hits.annotate(score=rank, article_id=F("page_id"))
                # BM25 is negative, best first; ties newest page first, as Wagtail.
                .order_by("score", "-article_id")
                .values_list("article_id", flat=True)[start:stop]
            )
        return [article.pk for article in self._wagtail_search()[start:stop]]

    def __getitem__(self, key: slice) -> list[ArticlePage]:
        if not isinstance(key, slice):
            raise TypeError("Search results are read a page at a time.")
        if not self.text:
            return []
        ids = self._ranked_ids(key.start or 0, key.stop)
        if not ids:
            return []
        articles = {
            article.pk: article
            for article in teasers(ArticlePage.objects.filter(pk__in=ids))
        }
        return [articles[pk] for pk in ids if pk in articles]
