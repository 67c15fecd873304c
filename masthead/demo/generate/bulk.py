"""Write article pages in batches, as Wagtail would have saved them one by one.

`Page.add_child()` costs a dozen queries per page (the parent's last child, the
numchild update, url_path, search and reference-index tasks), which is hours for
100,000 stories. A batch here is one transaction holding:

- one bulk insert of `wagtailcore_page` rows whose treebeard paths we number
  ourselves (the sections' next free steps, read once);
- one executemany of the `news_articlepage` rows (Django's bulk_create refuses
  multi-table children);
- bulk inserts of bylines, tags and corrections;
- the search-index entries and reference-index rows that the save signals would
  have queued, computed from the drafts instead of reloading every page;
- the sections' numchild, so a run stopped halfway leaves a valid tree.

Pages get no revision: Wagtail treats a page without one as its own latest
version, and the first edit in the admin creates it.
"""

import logging
import uuid
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Count, F, Sum
from django.db.models.functions import Length
from modelsearch.backends import get_search_backends
from modelsearch.index import AutocompleteField, FilterField, RelatedFields, SearchField
from taggit.models import Tag
from wagtail import blocks
from wagtail.images import get_image_model
from wagtail.models import Page, ReferenceIndex

from masthead.news.models import (
    ArticleAuthor,
    ArticleCorrection,
    ArticlePage,
    ArticleTag,
    Author,
)

from ..exceptions import DemoError
from .drafts import ArticleDraft

logger = logging.getLogger("masthead.demo")

FAST_PATH_SAMPLE = 10
TRANSLATION_NAMESPACE = uuid.UUID("6f1c9d4e-3b52-4c1a-9a57-2f0e8d7c1b33")

try:  # only importable where SQLite has FTS5
    from modelsearch.backends.database.sqlite.sqlite import (
        ObjectIndexer,
        SQLiteSearchBackend,
    )
except (ImportError, LookupError):  # another database: its index model is absent
    ObjectIndexer = SQLiteSearchBackend = None


class Unsupported(Exception):
    """A model detail the fast path does not mirror; use Wagtail's own code."""


@dataclass
class Destination:
    """Where a run's stories go and what they may point at."""

    sections: dict[str, Page]
    series: dict[str, Page]
    author_ids: list[int]
    tag_ids: dict[str, int]
    image_ids: list[int]
    translation_salt: str
    page_ids: list[int] = field(default_factory=list)  # by story index


class ArticleWriter:
    """Writes batches of drafts as live ArticlePages under their sections."""

    def __init__(self, destination: Destination):
        self.to = destination
        self.page_type = ContentType.objects.get_for_model(ArticlePage)
        self.base_page_type = ContentType.objects.get_for_model(Page)
        self.body_block = ArticlePage._meta.get_field("body").stream_block
        self.next_step = {
            key: _next_step(page) for key, page in self.to.sections.items()
        }
        self.fields = [
            f
            for f in ArticlePage._meta.local_concrete_fields
            if f.attname != "page_ptr_id"
        ]
        self.insert_sql = self._insert_sql()
        self.search_backends = list(get_search_backends(with_auto_update=True))
        self.fast_search = all(_is_sqlite_backend(b) for b in self.search_backends)
        self.index_references = ReferenceIndex.is_indexed(ArticlePage)
        self.fast_references = True
        self.title_lengths: dict = {}
        self.checked = False
        self.warnings: list[str] = []

    def write(self, drafts: list[ArticleDraft]) -> None:
        with transaction.atomic():
            pages = self._insert_pages(drafts)
            bodies = [self._resolved_body(draft) for draft in drafts]
            self._insert_articles(drafts, pages, bodies)
            bylines = self._insert_bylines(drafts, pages)
            taggings = self._insert_tags(drafts, pages)
            self._insert_corrections(drafts, pages)
            if not self.checked:
                self._check_fast_paths(drafts, pages, bodies, bylines, taggings)
            self._index_search(drafts, pages, bodies)
            if self.index_references:
                self._index_references(drafts, pages, bodies, bylines, taggings)
            for key, page in self.to.sections.items():
                added = sum(1 for draft in drafts if draft.slot.section == key)
                if added:
                    Page.objects.filter(pk=page.pk).update(
                        numchild=F("numchild") + added
                    )
                    page.numchild += added

    # --- rows -------------------------------------------------------------------

    def _insert_pages(self, drafts: list[ArticleDraft]) -> list[Page]:
        pages = []
        for draft in drafts:
            parent = self.to.sections[draft.slot.section]
            step = self.next_step[draft.slot.section]
            self.next_step[draft.slot.section] = step + 1
            if step >= len(Page.alphabet) ** Page.steplen:
                raise DemoError(f"The {parent.title} section cannot hold more pages.")
            published = draft.published_at
            last_published = draft.updated_at or published
            pages.append(
                Page(
                    path=Page._get_path(parent.path, parent.depth + 1, step),
                    depth=parent.depth + 1,
                    numchild=0,
                    translation_key=uuid.uuid5(
                        TRANSLATION_NAMESPACE,
                        f"{self.to.translation_salt}:{draft.slot.index}",
                    ),
                    locale_id=parent.locale_id,
                    live=True,
                    has_unpublished_changes=False,
                    first_published_at=published,
                    last_published_at=last_published,
                    latest_revision_created_at=last_published,
                    title=draft.title,
                    draft_title=draft.title,
                    slug=draft.slug,
                    content_type_id=self.page_type.pk,
                    url_path=f"{parent.url_path}{draft.slug}/",
                    show_in_menus=False,
                )
            )
        Page.objects.bulk_create(pages)
        for draft, page in zip(drafts, pages, strict=True):
            index = draft.slot.index
            if index != len(self.to.page_ids):
                raise DemoError(
                    "Stories must be written in the order they were planned."
                )
            self.to.page_ids.append(page.pk)
        return pages

    def _resolved_body(self, draft: ArticleDraft) -> list[dict]:
        body = []
        for block in draft.body:
            if block["type"] == "image":
                value = {
                    **block["value"],
                    "image": self.to.image_ids[block["value"]["image"]],
                }
                block = {**block, "value": value}
            elif block["type"] == "related_link" and draft.related_index is not None:
                if not block["value"]["url"]:
                    page_id = self.to.page_ids[draft.related_index]
                    block = {**block, "value": {**block["value"], "page": page_id}}
            body.append(block)
        return body

    def _article_values(self, draft: ArticleDraft, body: list[dict]) -> dict:
        series = self.to.series.get(draft.slot.series)
        return {
            "standfirst": draft.standfirst,
            "body": body,
            "featured_image_id": self.to.image_ids[draft.featured_image],
            "featured_image_caption": draft.featured_image_caption,
            "updated_at": draft.updated_at,
            "series_id": series.pk if series else None,
            "episode_number": draft.slot.episode_number,
            "audio_url": draft.audio_url,
            **draft.syndication,
        }

    def _insert_sql(self) -> str:
        quote = connection.ops.quote_name
        columns = ["page_ptr_id"] + [f.column for f in self.fields]
        # Table and column names come from the model; values go in as parameters.
        return "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608  # nosec B608
            quote(ArticlePage._meta.db_table),
            ", ".join(quote(column) for column in columns),
            ", ".join(["%s"] * len(columns)),
        )

    def _insert_articles(self, drafts, pages, bodies) -> None:
        rows = []
        for draft, page, body in zip(drafts, pages, bodies, strict=True):
            values = self._article_values(draft, body)
            row = [page.pk]
            for f in self.fields:
                value = values[f.attname] if f.attname in values else f.get_default()
                row.append(f.get_db_prep_save(value, connection))
            rows.append(row)
        with connection.cursor() as cursor:
            cursor.executemany(self.insert_sql, rows)

    def _insert_bylines(self, drafts, pages) -> list[list[ArticleAuthor]]:
        bylines = [
            [
                ArticleAuthor(
                    page_id=page.pk,
                    author_id=self.to.author_ids[position],
                    sort_order=order,
                )
                for order, position in enumerate(draft.authors)
            ]
            for draft, page in zip(drafts, pages, strict=True)
        ]
        ArticleAuthor.objects.bulk_create([link for links in bylines for link in links])
        return bylines

    def _insert_tags(self, drafts, pages) -> list[list[ArticleTag]]:
        taggings = [
            [
                ArticleTag(content_object_id=page.pk, tag_id=self.to.tag_ids[name])
                for name in draft.tags
            ]
            for draft, page in zip(drafts, pages, strict=True)
        ]
        ArticleTag.objects.bulk_create(
            [tagging for items in taggings for tagging in items]
        )
        return taggings

    def _insert_corrections(self, drafts, pages) -> None:
        ArticleCorrection.objects.bulk_create(
            ArticleCorrection(
                page_id=page.pk,
                sort_order=order,
                date=correction.date,
                kind=correction.kind,
                text=correction.text,
            )
            for draft, page in zip(drafts, pages, strict=True)
            for order, correction in enumerate(draft.corrections)
        )

    # --- search and references ----------------------------------------------------

    def _check_fast_paths(self, drafts, pages, bodies, bylines, taggings) -> None:
        """Compare the first stories' fast rows with what Wagtail computes for them.

        The mirrors below know this model's fields and blocks; if someone adds a
        searchable field or a chooser they do not know, the run falls back to
        Wagtail's own (slower) code instead of writing wrong rows. Ten stories
        cover every block type (story 0 has them all) and a link to a page.
        """
        self.checked = True
        sample = slice(0, FAST_PATH_SAMPLE)
        articles = ArticlePage.objects.prefetch_related(
            "tags", "article_authors", "tagged_items"
        ).in_bulk([page.pk for page in pages[sample]])
        for draft, page, body, byline, tagging in zip(
            drafts[sample],
            pages[sample],
            bodies[sample],
            bylines[sample],
            taggings[sample],
            strict=True,
        ):
            article = articles[page.pk]
            if self.fast_search and not self._same_search_document(
                draft, body, article
            ):
                self.fast_search = False
                self.warnings.append(
                    "Search entries were built by Wagtail, story by story: the "
                    "model's search fields have changed."
                )
            if self.index_references and self.fast_references:
                try:
                    mine = set(self._references(draft, body, byline, tagging))
                except Unsupported:
                    mine = None
                if mine != set(ReferenceIndex._extract_references_from_object(article)):
                    self.fast_references = False
                    self.warnings.append(
                        "The reference index was built by Wagtail, story by story: "
                        "the model's references have changed."
                    )

    def _same_search_document(self, draft, body, article) -> bool:
        # The stored order of tags is the database's; search does not care.
        tags = [tag.name for tag in article.tags.all()]
        try:
            mine = self._search_document(draft, body, tags)
        except Unsupported:
            return False
        for backend in self.search_backends:
            indexer = ObjectIndexer(article, backend)
            if mine != (indexer.title, indexer.autocomplete, indexer.body):
                return False
        return True

    def _search_document(
        self, draft: ArticleDraft, body: list[dict], tags: list[str] | None = None
    ) -> tuple[str, str, str]:
        title, autocomplete, rest = [], [], []
        for search_field in ArticlePage.get_search_fields():
            if isinstance(search_field, FilterField):
                continue
            if isinstance(search_field, RelatedFields):
                names = [f.field_name for f in search_field.fields]
                if search_field.field_name != "tags" or names != ["name"]:
                    raise Unsupported(search_field.field_name)
                if not isinstance(search_field.fields[0], SearchField):
                    raise Unsupported(search_field.field_name)
                rest.extend(draft.tags if tags is None else tags)
                continue
            name = search_field.field_name
            if name == "title":
                value = draft.title
            elif name == "standfirst":
                value = draft.standfirst
            elif name == "body":
                value = ", ".join(_searchable(self.body_block, body))
            else:
                raise Unsupported(name)
            if isinstance(search_field, AutocompleteField):
                autocomplete.append(value)
            elif isinstance(search_field, SearchField):
                (title if name == "title" else rest).append(value)
        return (" ".join(title), " ".join(autocomplete), " ".join(rest))

    def _index_search(self, drafts, pages, bodies) -> None:
        if not self.search_backends:
            return
        if self.fast_search:
            documents = [
                self._search_document(draft, body)
                for draft, body in zip(drafts, bodies, strict=True)
            ]
            for backend in self.search_backends:
                index = backend.get_index_for_model(ArticlePage)
                titles = [title for title, _, _ in documents]
                norms = self._title_norms(backend, index, titles)
                index.entries.bulk_create(
                    index.entries.model(
                        content_type_id=self.page_type.pk,
                        object_id=str(page.pk),
                        title=title,
                        autocomplete=autocomplete,
                        body=text,
                        title_norm=norm,
                    )
                    for page, (title, autocomplete, text), norm in zip(
                        pages, documents, norms, strict=True
                    )
                )
            return
        articles = list(
            ArticlePage.get_indexed_objects().filter(pk__in=[page.pk for page in pages])
        )
        for backend in self.search_backends:
            backend.add_bulk(ArticlePage, articles)

    def _title_norms(self, backend, index, titles: list[str]) -> list[float]:
        """The weight SQLiteIndex.add_items gives new titles: average length / own.

        Wagtail writes the rows and then updates them, which makes SQLite re-index
        every new row's full text a second time; the weight is computed up front
        here, from a running average that starts from the rows already indexed.
        """
        totals = self.title_lengths.get(backend)
        if totals is None:
            lengths = (
                index.entries.annotate(length=Length("title"))
                .filter(length__gt=0)
                .aggregate(total=Sum("length"), count=Count("pk"))
            )
            totals = [lengths["total"] or 0, lengths["count"]]
        for title in titles:
            if title:
                totals[0] += len(title)
                totals[1] += 1
        self.title_lengths[backend] = totals
        average = totals[0] / totals[1] if totals[1] else 1.0
        return [average / len(title) if title else 1.0 for title in titles]

    def _references(self, draft, body, byline, tagging):
        image_type = ReferenceIndex._get_base_content_type(get_image_model()).pk
        page_type = self.base_page_type.pk
        yield (
            image_type,
            str(self.to.image_ids[draft.featured_image]),
            "featured_image",
            "featured_image",
        )
        series = self.to.series.get(draft.slot.series)
        if series is not None:
            yield page_type, str(series.pk), "series", "series"
        for block in body:
            for to_type, to_id, name in _chooser_values(self.body_block, block):
                yield (
                    to_type,
                    to_id,
                    f"body.{block['type']}.{name}",
                    f"body.{block['id']}.{name}",
                )
        author_type = ReferenceIndex._get_base_content_type(Author).pk
        for link in byline:
            yield (
                author_type,
                str(link.author_id),
                "article_authors.item.author",
                f"article_authors.{link.pk}.author",
            )
        tag_type = ReferenceIndex._get_base_content_type(Tag).pk
        for tagged in tagging:
            yield (
                tag_type,
                str(tagged.tag_id),
                "tagged_items.item.tag",
                f"tagged_items.{tagged.pk}.tag",
            )

    def _index_references(self, drafts, pages, bodies, bylines, taggings) -> None:
        if not self.fast_references:
            articles = ArticlePage.objects.filter(
                pk__in=[page.pk for page in pages]
            ).prefetch_related("article_authors", "tagged_items")
            for article in articles:
                ReferenceIndex.create_or_update_for_object(article)
            return
        rows = []
        for draft, page, body, byline, tagging in zip(
            drafts, pages, bodies, bylines, taggings, strict=True
        ):
            for to_type, to_id, model_path, content_path in self._references(
                draft, body, byline, tagging
            ):
                rows.append(
                    ReferenceIndex(
                        content_type_id=self.page_type.pk,
                        base_content_type_id=self.base_page_type.pk,
                        object_id=str(page.pk),
                        to_content_type_id=to_type,
                        to_object_id=to_id,
                        model_path=model_path,
                        content_path=content_path,
                        content_path_hash=ReferenceIndex._get_content_path_hash(
                            content_path
                        ),
                    )
                )
        ReferenceIndex.objects.bulk_create(rows)


def _next_step(parent: Page) -> int:
    last = (
        Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)
        .order_by("-path")
        .values_list("path", flat=True)
        .first()
    )
    return Page._str2int(last[-Page.steplen :]) + 1 if last else 1


def _is_sqlite_backend(backend) -> bool:
    return SQLiteSearchBackend is not None and isinstance(backend, SQLiteSearchBackend)


def _searchable(block: blocks.Block, raw) -> list[str]:
    """`block.get_searchable_content()` for raw JSON data, without loading choosers.

    Wagtail's own walk converts the stream to Python first, which costs a query per
    chooser block; a chooser contributes no text, so it is skipped here.
    """
    if isinstance(block, blocks.ChooserBlock) or not getattr(block, "search_index", 1):
        return []
    if isinstance(block, blocks.StreamBlock):
        return [
            text
            for item in raw
            for text in _searchable(block.child_blocks[item["type"]], item["value"])
        ]
    if isinstance(block, blocks.StructBlock):
        return [
            text
            for name, child in block.child_blocks.items()
            for text in _searchable(child, raw.get(name, child.get_default()))
        ]
    if isinstance(block, blocks.RichTextBlock) and "linktype=" in (raw or ""):
        raise Unsupported("rich text with internal links")
    return block.get_searchable_content(block.to_python(raw))


def _chooser_values(stream_block: blocks.StreamBlock, item: dict):
    """(content type id, object id, field name) for each chooser in a struct block."""
    block = stream_block.child_blocks[item["type"]]
    if isinstance(block, blocks.ChooserBlock):
        raise Unsupported(item["type"])
    if not isinstance(block, blocks.StructBlock):
        if isinstance(block, blocks.RichTextBlock) and "linktype=" in item["value"]:
            raise Unsupported("rich text with internal links")
        return
    for name, child in block.child_blocks.items():
        if isinstance(child, blocks.RichTextBlock):
            if "linktype=" in (item["value"].get(name) or ""):
                raise Unsupported("rich text with internal links")
        elif isinstance(child, blocks.ChooserBlock):
            value = item["value"].get(name)
            if value is not None:
                target = ReferenceIndex._get_base_content_type(child.model_class)
                yield target.pk, str(value), name
        elif isinstance(
            child, (blocks.StructBlock, blocks.StreamBlock, blocks.ListBlock)
        ):
            raise Unsupported(f"{item['type']}.{name}")
