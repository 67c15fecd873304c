import io
import os
import re
from dataclasses import asdict
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection
from modelsearch.backends import get_search_backend
from taggit.models import Tag
from wagtail.images import get_image_model
from wagtail.models import Page, ReferenceIndex, Site
from wagtail.search.models import IndexEntry

from masthead.core.models import MastheadSettings
from masthead.demo.generate import words
from masthead.demo.generate.bulk import ArticleWriter, Unsupported
from masthead.demo.generate.drafts import (
    ArticleDrafter,
    SlugRegistry,
    draft_authors,
    people_pool,
    plan_articles,
)
from masthead.demo.services import ILLUSTRATIONS, PICTURE_COLLECTION, generate_demo
from masthead.news.choices import SeriesKind
from masthead.news.models import (
    ArticleCorrection,
    ArticlePage,
    Author,
    HomePage,
    SectionPage,
    SeriesPage,
)

from .conftest import ARTICLES, SEED

BLOCK_TYPES = {
    "paragraph",
    "heading",
    "block_quote",
    "image",
    "pull_quote",
    "embed",
    "related_link",
    "divider",
}
YOUTUBE_WATCH = re.compile(r"^https://www\.youtube\.com/watch\?v=[A-Za-z0-9_-]{11}$")


def expected_drafts(seed=SEED, count=ARTICLES):
    """The stories the generator must write, computed without a database."""
    authors = draft_authors(seed)
    drafter = ArticleDrafter(
        seed,
        people_pool(seed),
        [author.name for author in authors],
        ILLUSTRATIONS,
        # The series pages hold these slugs before any story is written.
        slugs=SlugRegistry({"video": {"valley-in-ten"}, "analysis": {"the-back-room"}}),
    )
    return [drafter.draft(slot) for slot in plan_articles(count, seed)]


def articles():
    return list(ArticlePage.objects.order_by("pk"))


# --- determinism ----------------------------------------------------------------


def test_same_seed_drafts_the_same_stories():
    first = [asdict(draft) for draft in expected_drafts()]
    second = [asdict(draft) for draft in expected_drafts()]

    assert first == second
    assert [a.slug for a in draft_authors(SEED)] == [
        a.slug for a in draft_authors(SEED)
    ]


def test_another_seed_drafts_other_stories():
    ours = {draft.title for draft in expected_drafts(seed=SEED)}
    theirs = {draft.title for draft in expected_drafts(seed=SEED + 1)}

    assert len(ours & theirs) < ARTICLES // 3
    assert draft_authors(SEED)[0].name != draft_authors(SEED + 1)[0].name


def test_until_moves_the_dates_and_nothing_else():
    early = plan_articles(ARTICLES, SEED, until=date(2025, 3, 1))
    late = plan_articles(ARTICLES, SEED, until=date(2025, 6, 1))
    shift = date(2025, 6, 1) - date(2025, 3, 1)

    assert all(slot.published_at < datetime(2025, 3, 1, tzinfo=UTC) for slot in early)
    # Episodes keep their weekday; every other story moves by the same amount.
    assert sorted(s.published_at + shift for s in early if not s.series) == sorted(
        s.published_at for s in late if not s.series
    )


def test_generated_site_matches_the_drafts(demo):
    drafts = expected_drafts()
    pages = articles()
    image_ids = list(
        get_image_model()
        .objects.filter(title__startswith="Illustration")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    page_ids = [page.pk for page in pages]
    authors = draft_authors(SEED)

    assert len(pages) == len(drafts) == ARTICLES
    for page, draft in zip(pages, drafts, strict=True):
        assert (page.title, page.slug, page.standfirst) == (
            draft.title,
            draft.slug,
            draft.standfirst,
        )
        assert page.first_published_at == draft.published_at
        assert page.updated_at == draft.updated_at
        assert page.get_parent().slug == draft.slot.section
        assert [a.slug for a in page.authors] == [
            authors[i].slug for i in draft.authors
        ]
        assert set(page.tags.names()) == set(draft.tags)
        assert page.featured_image_id == image_ids[draft.featured_image]
        expected_body = []
        for block in draft.body:
            value = block["value"]
            if block["type"] == "image":
                value = {**value, "image": image_ids[value["image"]]}
            if block["type"] == "related_link" and not value["url"]:
                value = {**value, "page": page_ids[draft.related_index]}
            expected_body.append({**block, "value": value})
        assert list(page.body.raw_data) == expected_body


# --- what the demo contains -------------------------------------------------------


def test_demo_has_sections_authors_tags_and_identity(demo):
    assert demo.warnings == []  # the fast search and reference rows were used
    home = HomePage.objects.get()
    sections = SectionPage.objects.child_of(home).live().in_menu()
    settings = MastheadSettings.for_site(Site.objects.get(is_default_site=True))

    assert [s.title for s in sections.order_by("path")] == ["News", "Analysis", "Video"]
    assert ArticlePage.objects.live().count() == ARTICLES
    assert Author.objects.count() == 8
    assert all(a.photo and a.bio and a.job_title for a in Author.objects.all())
    assert Tag.objects.count() == len(words.ALL_TAGS) == 30
    assert Site.objects.get(is_default_site=True).site_name == words.NEWSROOM
    assert settings.donate_url == "/donate/"
    assert settings.patreon_url.startswith("https://www.patreon.com/")
    assert settings.supporter_cta_text.startswith("Liked it? Take a second")
    networks = [link.value["network"] for link in settings.social_links]
    assert networks == ["youtube", "x", "facebook", "telegram", "rss"]
    assert settings.channel_promo_url.startswith("https://www.youtube.com/@")


def test_every_story_has_a_byline_tags_and_a_picture(demo):
    for page in articles():
        assert len(page.authors) >= 1
        assert page.tags.exists()
        assert page.featured_image is not None
        assert page.first_published_at <= datetime(2026, 11, 1, tzinfo=UTC)


def test_bodies_use_every_block_type(demo):
    used = {block.block_type for page in articles() for block in page.body}
    block_quotes = [
        block.value
        for page in articles()
        for block in page.body
        if block.block_type == "block_quote"
    ]

    assert used == BLOCK_TYPES
    assert all(q["source"] and q["editorial_note"] for q in block_quotes)
    assert "lorem" not in str([page.body.raw_data for page in articles()]).lower()


def test_series_episodes_are_numbered_from_one(demo):
    video = SeriesPage.objects.get(kind=SeriesKind.VIDEO)
    podcast = SeriesPage.objects.get(kind=SeriesKind.PODCAST)

    for series in (video, podcast):
        numbers = sorted(series.episodes.values_list("episode_number", flat=True))
        assert numbers == list(range(1, len(numbers) + 1))
        assert len(numbers) >= 2
    for episode in video.episodes.all():
        assert episode.get_parent().slug == "video"
        embeds = [b.value["url"] for b in episode.body if b.block_type == "embed"]
        assert embeds and all(YOUTUBE_WATCH.match(url) for url in embeds)
    for episode in podcast.episodes.all():
        assert episode.audio_url.endswith(".mp3")


def test_syndicated_stories_credit_their_source(demo):
    syndicated = ArticlePage.objects.exclude(original_publication="")

    assert syndicated.exists()
    for page in syndicated:
        assert page.is_syndicated
        assert page.original_author and page.original_url and page.via_source
        assert page.via_url and page.licence_note
        assert page.canonical_url == page.original_url


def test_corrected_stories_say_when(demo):
    corrections = ArticleCorrection.objects.select_related("page")

    assert corrections.exists()
    for correction in corrections:
        assert correction.page.updated_at is not None
        assert correction.date >= correction.page.first_published_at.date()


def test_pictures_are_stored_images(demo):
    pictures = get_image_model().objects.filter(collection__name=PICTURE_COLLECTION)

    assert pictures.filter(title__startswith="Illustration").count() == ILLUSTRATIONS
    picture = pictures.first()
    with picture.open_file() as handle:
        assert handle.read(2) in (b"\xff\xd8", b"\x89P")
    assert picture.width and picture.height and picture.file_size


# --- the pages behave like Wagtail pages --------------------------------------------


def test_demo_pages_render(demo, client):
    article = ArticlePage.objects.filter(series__isnull=True).last()
    episode = ArticlePage.objects.filter(series__isnull=False).first()
    author = article.authors[0]
    tag = article.tags.first()

    for url, text in [
        ("/", article.title),
        ("/news/", "News"),
        ("/analysis/", "Analysis"),
        ("/video/", "Video"),
        (article.url, article.standfirst),
        (episode.url, episode.series.title),
        (episode.series.url, episode.title),
        (f"/authors/{author.slug}/", author.name),
        (f"/tags/{tag.slug}/", tag.name),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert text in response.content.decode(), url


def test_page_tree_is_valid(demo):
    out = io.StringIO()
    call_command("fixtree", "--noinput", stdout=out)

    assert all(not problems for problems in Page.find_problems())
    assert "Incorrect" not in out.getvalue()
    for section in SectionPage.objects.all():
        assert section.numchild == section.get_children().count()


def test_bulk_written_story_can_be_edited_and_republished(demo, admin_client):
    page = ArticlePage.objects.filter(series__isnull=True).first()

    assert admin_client.get(f"/admin/pages/{page.pk}/edit/").status_code == 200
    page.title = "A corrected headline"
    page.save_revision().publish()

    page.refresh_from_db()
    assert page.live and not page.has_unpublished_changes
    assert page.title == "A corrected headline"
    assert page.live_revision is not None
    assert Page.find_problems() == ([], [], [], [], [])


def sqlite_indexer(page, backend):
    # Importable only where the SQLite full-text index model exists.
    from modelsearch.backends.database.sqlite.sqlite import ObjectIndexer

    return ObjectIndexer(page, backend)


only_on_sqlite = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="the fast index path writes SQLite's full-text rows; others use Wagtail's",
)


def test_demo_stories_are_found_by_search(demo):
    story = ArticlePage.objects.first()

    assert story in ArticlePage.objects.live().search(story.title)


@only_on_sqlite
def test_search_entries_match_wagtails_own(demo):
    backend = get_search_backend()
    entries = {
        entry.object_id: entry
        for entry in IndexEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(ArticlePage)
        )
    }

    assert len(entries) == ARTICLES
    for page in ArticlePage.objects.prefetch_related("tags"):
        indexer = sqlite_indexer(page, backend)
        entry = entries[str(page.pk)]
        assert (entry.title, entry.autocomplete) == (
            indexer.title,
            indexer.autocomplete,
        )
        # Tags come last; their order is the database's and does not matter.
        tags = " ".join(tag.name for tag in page.tags.all())
        head = indexer.body[: len(indexer.body) - len(tags)]
        assert entry.body.startswith(head)
        assert sorted(entry.body[len(head) :].split()) == sorted(tags.split())
        assert entry.title_norm > 0


def test_reference_index_matches_wagtails_own(demo):
    page_type = ContentType.objects.get_for_model(Page)
    for page in ArticlePage.objects.prefetch_related("article_authors", "tagged_items"):
        stored = set(
            ReferenceIndex.objects.filter(
                base_content_type=page_type, object_id=str(page.pk)
            ).values_list(
                "to_content_type", "to_object_id", "model_path", "content_path"
            )
        )
        assert stored == set(ReferenceIndex._extract_references_from_object(page))
    picture = ArticlePage.objects.first().featured_image
    assert ReferenceIndex.get_references_to(picture).exists()


@only_on_sqlite
def test_unknown_model_details_fall_back_to_wagtails_indexing(db, monkeypatch):
    def unsupported(*args, **kwargs):
        raise Unsupported("a field the fast path does not know")

    monkeypatch.setattr(ArticleWriter, "_search_document", unsupported)
    monkeypatch.setattr(ArticleWriter, "_references", unsupported)
    report = generate_demo(12, seed=SEED, batch_size=5)

    assert len(report.warnings) == 2
    backend = get_search_backend()
    page_type = ContentType.objects.get_for_model(Page)
    for page in ArticlePage.objects.prefetch_related("tags", "tagged_items"):
        entry = IndexEntry.objects.get(
            content_type=ContentType.objects.get_for_model(ArticlePage),
            object_id=str(page.pk),
        )
        assert entry.body == sqlite_indexer(page, backend).body
        stored = ReferenceIndex.objects.filter(
            base_content_type=page_type, object_id=str(page.pk)
        ).values_list("to_content_type", "to_object_id", "model_path", "content_path")
        assert set(stored) == set(ReferenceIndex._extract_references_from_object(page))


# --- running it again, and the command itself -----------------------------------------


def test_second_run_adds_stories_to_the_same_sections(db):
    generate_demo(10, seed=SEED)
    Site.objects.filter(is_default_site=True).update(site_name="Our own name")
    generate_demo(10, seed=SEED)

    assert SectionPage.objects.count() == 3
    assert SeriesPage.objects.count() == 2
    assert ArticlePage.objects.count() == 20
    assert Author.objects.count() == 8
    assert Site.objects.get(is_default_site=True).site_name == "Our own name"
    for section in SectionPage.objects.all():
        slugs = list(section.get_children().values_list("slug", flat=True))
        assert len(slugs) == len(set(slugs))
    for series in SeriesPage.objects.all():
        numbers = sorted(series.episodes.values_list("episode_number", flat=True))
        assert numbers == list(range(1, len(numbers) + 1))
    assert Page.find_problems() == ([], [], [], [], [])


def test_progress_is_reported_per_batch(db):
    calls = []
    generate_demo(25, seed=1, progress=calls.append, batch_size=10)

    assert calls == [10, 10, 5]


def test_command_prints_a_summary(db):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "masthead_demo",
        articles=12,
        seed=3,
        until=date(2025, 6, 1),
        stdout=out,
        stderr=err,
    )

    assert "Added 12 demo stories" in out.getvalue()
    assert err.getvalue() == ""  # no progress bar when stderr is not a terminal
    assert (
        ArticlePage.objects.filter(
            first_published_at__gte=datetime(2025, 6, 1, tzinfo=UTC)
        ).count()
        == 0
    )


def test_quiet_command_prints_nothing(db):
    out = io.StringIO()
    call_command("masthead_demo", "--articles", "3", "--quiet", stdout=out)

    assert out.getvalue() == ""
    assert ArticlePage.objects.count() == 3


def test_command_without_a_home_page_says_what_to_do(db):
    Site.objects.all().delete()
    HomePage.objects.all().delete()

    with pytest.raises(CommandError, match="migrate"):
        call_command("masthead_demo", articles=3, stdout=io.StringIO())


def test_prose_shares_no_sentence_with_the_reference_page():
    reference = Path(
        os.environ.get(
            "MASTHEAD_REFERENCE_PAGE", "/work/shared/reference/reference-page.txt"
        )
    )
    if not reference.exists():
        pytest.skip("the reference page is not on this machine")

    def shingles(text):
        tokens = re.findall(r"[a-z’']+", text.lower())
        return {" ".join(tokens[i : i + 6]) for i in range(len(tokens) - 5)}

    ours = set()
    for draft in expected_drafts(count=200):
        ours |= shingles(f"{draft.title} {draft.standfirst} {draft.body}")
    assert not ours & shingles(reference.read_text(errors="ignore"))
