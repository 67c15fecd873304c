"""The reader's search: cleaning the query, ranking stories, one page of teasers."""

import logging
import re
import unicodedata
from functools import cached_property

from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Exists, F, IntegerField, OuterRef, Q
from django.db.models.functions import Cast

from masthead.news.models import ArticlePage
from masthead.news.queries import public, teasers

PAGE_SIZE = 20
logger = logging.getLogger("masthead.search")

MAX_QUERY_LENGTH = 200
# The stories ranked for a query are at most the newest this many that match
# (15 pages). A word in most stories ("council" is in 81,000 of 100,000 demo
# stories) would otherwise have every match ranked and counted on each request:
# 1.2 s on SQLite, over 1 s on PostgreSQL. On 100,000 stories PostgreSQL needs
# 25-50 ms to find and rank a pool of 300 against 40-110 ms for 1,000, mostly
# reading the newest entries until enough match. Fewer matches are all ranked,
# in Wagtail's order.
RANK_POOL = 300
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

    Only the newest RANK_POOL matches are ranked and counted;
    `page.paginator.object_list.capped` says when more match. Junk page numbers
    give page 1 and numbers past the end the last page. The stories come with
    their section title and authors, like every teaser list.
    """
    return Paginator(_RankedArticles(search_terms(query)), PAGE_SIZE).get_page(
        page_number
    )


class _RankedArticles:
    """Matching stories in relevance order, sliced and counted like a queryset.

    The pool is the newest RANK_POOL matching index entries, in the order they
    were first indexed (newest stories last), with their relevance score from
    Wagtail's own match and rank expressions, less drafts and private stories;
    it is sorted here, and a page then costs only its teasers. The count is
    the pool's size, so `capped` tells when more stories match.

    On SQLite we cannot let Wagtail's FTS5 backend sort: it ranks with a
    correlated subquery that re-runs the full text match once per hit, hits²
    work (on 20,000 demo stories a word in 9,346 of them took 155 s). The pool
    is newest by FTS rowid, the order in which stories were first indexed,
    which FTS5 reads natively. The query hides the index entry's content type
    from SQLite's planner (`+ 0`), or it walks every index entry and runs the
    match once per entry, and checks that a hit is live and public row by row
    (EXISTS), where `IN (live pages)` built a list of all 100,000 first (140 ms
    against 6 ms). On PostgreSQL, for a common word the database walks the
    entries newest first and stops at the pool's size; for a rare one it finds
    them through the GIN index on title || body that our migration adds. Other
    backends (Elasticsearch, OpenSearch) rank and count by themselves: there
    this is Wagtail's search.
    """

    def __init__(self, terms: list[str]):
        self.text = " ".join(terms)
        self._matched = 0  # matching entries read into the pool

    @cached_property
    def _live_public(self):
        # Not Wagtail's .public(): it queries the view restrictions on each call,
        # joined to every page (12-24 ms on 100,000 stories once SQLite has
        # statistics); ours reads them once per content version.
        return public(ArticlePage.objects.live())

    def _wagtail_search(self):
        return self._live_public.search(self.text)

    @cached_property
    def _pool(self) -> list[int] | None:
        """Ids of the pool, best first; None where Wagtail's search is used."""
        if not self.text:
            return []
        scored = self._sqlite_pool()
        self._matched = len(scored or ())
        if scored is not None:
            # BM25 is negative, best first; ties newest page first, as Wagtail.
            return [pk for pk, _ in sorted(scored, key=lambda hit: (hit[1], -hit[0]))]
        scored = self._postgres_pool()
        if scored is not None:
            return [pk for pk, _ in sorted(scored, key=lambda hit: (-hit[1], -hit[0]))]
        return None

    def _sqlite_pool(self) -> list[tuple[int, float]] | None:
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
                Exists(self._live_public.filter(pk=OuterRef("page_id"))),
                content_type_id__in=get_descendants_content_types_pks(ArticlePage),
            )
        )
        return list(
            hits.annotate(score=rank, article_id=F("page_id"))
            .order_by("-pk")
            .values_list("article_id", "score")[:RANK_POOL]
        )

    def _postgres_pool(self) -> list[tuple[int, float]] | None:
        results = self._wagtail_search()
        if type(results).__name__ != "PostgresSearchResults":
            return None
        from wagtail.search.models import IndexEntry
        from wagtail.search.utils import get_descendants_content_types_pks

        compiler = results.query_compiler
        try:
            config = compiler.get_config(results.backend)
            query = compiler.build_tsquery(compiler.query, config=config)
            # Wagtail's index vectors (get_index_vectors), read from the entries
            # themselves rather than through the page's generic relation, whose
            # join casts every page id to text: PostgreSQL then read all 100,000
            # stories (90 ms) to match a rare word.
            rank = compiler._build_rank_expression(
                [(F("title"), F("title_norm")), (F("body"), 1.0)], config
            )
        except (AttributeError, TypeError):
            logger.warning("PostgreSQL pooled ranking unavailable", exc_info=True)
            return None
        several_words = len(self.text.split()) > 1
        if several_words:
            # The expression Wagtail matches, and our GIN index is built on.
            matching = Q(vector=query)
        else:
            # One word is in title || body when it is in either: no vectors to
            # join for each entry read (half the time on 100,000 stories), and
            # Wagtail's GIN indexes on each serve a rare word.
            matching = Q(title=query) | Q(body=query)
        hits = (
            IndexEntry.objects.alias(vector=F("title")._combine(F("body"), "||", False))
            .filter(matching)
            .filter(content_type_id__in=get_descendants_content_types_pks(ArticlePage))
        )
        # The newest matching entries are chosen first; only they are ranked,
        # then checked for being live and public. In one query PostgreSQL
        # ranked and checked every match before keeping the newest (110-150 ms
        # for a word in a fifth of 100,000 stories); the check inside the
        # ranking query became a hash of every live page (90 ms). Drafts and
        # private stories are few: the pool loses them rather than reaching
        # further back.
        newest_first = F("pk").desc()
        if several_words:
            # All words together are rarer than PostgreSQL reckons (it takes
            # them as independent): walking entries newest first for "harrow
            # end policing" read 33,000 of them (280 ms). Ordering by an
            # expression no index serves makes it collect the matches through
            # the GIN index instead.
            newest_first = (F("pk") + 0).desc()
        newest = hits.order_by(newest_first).values("pk")[:RANK_POOL]
        scored = list(
            IndexEntry.objects.filter(pk__in=newest)
            .annotate(score=rank, article_id=Cast("object_id", IntegerField()))
            .values_list("article_id", "score")
        )
        self._matched = len(scored)
        shown = set(
            self._live_public.filter(pk__in=[pk for pk, _ in scored]).values_list(
                "pk", flat=True
            )
        )
        return [(pk, score) for pk, score in scored if pk in shown]

    @cached_property
    def _count(self) -> int:
        if self._pool is not None:
            return len(self._pool)
        return self._wagtail_search().count()

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    @property
    def capped(self) -> bool:
        """Whether more stories match than are ranked and counted."""
        return self._pool is not None and self._matched >= RANK_POOL

    def __getitem__(self, key: slice) -> list[ArticlePage]:
        if not isinstance(key, slice):
            raise TypeError("Search results are read a page at a time.")
        if not self.text:
            return []
        if self._pool is not None:
            ids = self._pool[key]
        else:
            ids = [article.pk for article in self._wagtail_search()[key]]
        if not ids:
            return []
        articles = {
            article.pk: article
            for article in teasers(ArticlePage.objects.filter(pk__in=ids))
        }
        return [articles[pk] for pk in ids if pk in articles]
