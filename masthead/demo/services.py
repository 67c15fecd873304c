"""Fill a site with demo content: a fictional valley newsroom and its archive."""

import io
import logging
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from django.core.files.images import ImageFile
from django.db import connections, transaction
from django.db.models import Max
from django.utils.text import slugify
from taggit.models import Tag
from wagtail.images import get_image_model
from wagtail.models import Collection, Page, Site

from masthead.core.choices import SocialNetwork
from masthead.core.models import MastheadSettings
from masthead.news.models import ArticlePage, Author, HomePage, SectionPage, SeriesPage

from .exceptions import DemoError
from .generate import images, words
from .generate.bulk import ArticleWriter, Destination
from .generate.comments import write_demo_comments
from .generate.donations import write_demo_donations
from .generate.drafts import (
    DEFAULT_UNTIL,
    SECTIONS,
    SERIES,
    ArticleDrafter,
    AuthorDraft,
    SlugRegistry,
    block_id,
    draft_authors,
    people_pool,
    plan_articles,
)
from .generate.newsletter import write_demo_newsletter
from .generate.views import write_demo_views

logger = logging.getLogger("masthead.demo")

PICTURE_COLLECTION = "Demo pictures"
ILLUSTRATIONS = 18
BATCH_SIZE = 1000
DEMO_DONATIONS = 120


@dataclass
class DemoReport:
    """What a run added, for the command to print."""

    articles: int = 0
    comments: int = 0
    views: int = 0
    donations: int = 0
    newsletter_subscribers: int = 0
    sections_created: int = 0
    authors_created: int = 0
    tags: int = 0
    episodes: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def generate_demo(
    articles: int,
    seed: int,
    until: date = DEFAULT_UNTIL,
    progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> DemoReport:
    """Add `articles` demo stories, with the sections, people and pictures they need.

    Everything the content says depends on `seed` and `until` only. On a site that
    already has the demo sections they are reused and the stories are added to
    them; the site's identity is only written when the sections are first created.
    """
    if articles < 0:
        raise DemoError("--articles must be zero or more.")
    home = HomePage.objects.first()
    if home is None:
        raise DemoError(
            "There is no home page to put the demo under: run `manage.py migrate` "
            "first."
        )
    report = DemoReport()
    started = time.monotonic()
    with transaction.atomic():
        sections, report.sections_created = ensure_sections(home)
        if report.sections_created == len(SECTIONS):
            apply_site_identity(home)
        pictures = ensure_pictures(seed)
        author_drafts = draft_authors(seed)
        authors, report.authors_created = ensure_authors(author_drafts, seed)
        tag_ids = ensure_tags(words.ALL_TAGS)
        series = ensure_series(sections, seed)
    report.tags = len(tag_ids)
    report.seconds["setup"] = time.monotonic() - started

    started = time.monotonic()
    first_episode = {
        key: (
            ArticlePage.objects.filter(series=page).aggregate(n=Max("episode_number"))[
                "n"
            ]
            or 0
        )
        + 1
        for key, page in series.items()
    }
    slots = plan_articles(articles, seed, until, first_episode)
    drafter = ArticleDrafter(
        seed,
        people_pool(seed),
        [author.name for author in authors],
        len(pictures),
        until=until,
        slugs=SlugRegistry(
            {
                key: set(Page.objects.child_of(page).values_list("slug", flat=True))
                for key, page in sections.items()
            }
        ),
    )
    writer = ArticleWriter(
        Destination(
            sections=sections,
            series=series,
            author_ids=[author.pk for author in authors],
            tag_ids=tag_ids,
            image_ids=[picture.pk for picture in pictures],
            translation_salt=f"{seed}:{ArticlePage.objects.count()}",
        )
    )
    with _bulk_pragmas():
        for start in range(0, len(slots), batch_size):
            batch = [drafter.draft(slot) for slot in slots[start : start + batch_size]]
            writer.write(batch)
            if progress is not None:
                progress(len(batch))
    report.seconds["articles"] = time.monotonic() - started
    report.articles = len(slots)

    started = time.monotonic()
    report.comments = write_demo_comments(
        [
            (page_id, slot.published_at)
            for page_id, slot in zip(writer.to.page_ids, slots, strict=True)
        ],
        seed,
    )
    report.seconds["comments"] = time.monotonic() - started
    started = time.monotonic()
    report.views = write_demo_views(
        list(zip(writer.to.page_ids, [s.published_at for s in slots], strict=True)),
        seed,
    )
    report.seconds["views"] = time.monotonic() - started
    started = time.monotonic()
    if report.sections_created == len(SECTIONS):  # once, with the site's identity
        report.donations = write_demo_donations(DEMO_DONATIONS, seed)
        report.newsletter_subscribers = write_demo_newsletter(seed).subscribers
    report.seconds["donations"] = time.monotonic() - started
    report.episodes = {
        page.title: sum(1 for slot in slots if slot.series == key)
        for key, page in series.items()
    }
    report.warnings = writer.warnings
    return report


def ensure_sections(home: HomePage) -> tuple[dict[str, SectionPage], int]:
    """The News, Analysis and Video sections under `home`, created when missing."""
    sections, created = {}, 0
    for spec in SECTIONS:
        slug = slugify(spec.title)
        page = SectionPage.objects.child_of(home).filter(slug=slug).first()
        if page is None:
            page = home.add_child(
                instance=SectionPage(
                    title=spec.title, slug=slug, intro=spec.intro, show_in_menus=True
                )
            )
            page.save_revision().publish()
            created += 1
        sections[spec.key] = page
    return sections, created


def ensure_series(sections: dict[str, SectionPage], seed: int) -> dict[str, SeriesPage]:
    """The weekly video show and the podcast, each in its section."""
    found = {}
    for spec in SERIES:
        parent = sections[spec.section]
        page = SeriesPage.objects.child_of(parent).filter(slug=spec.slug).first()
        if page is None:
            page = parent.add_child(
                instance=SeriesPage(
                    title=spec.title,
                    slug=spec.slug,
                    kind=spec.kind,
                    description=spec.description,
                    channel_url=spec.channel_url,
                    cover_image=_save_image(
                        f"Cover: {spec.title}",
                        images.cover(seed, spec.title),
                        f"demo-cover-{spec.slug}.jpg",
                        _picture_collection(),
                    ),
                )
            )
            page.save_revision().publish()
        found[spec.key] = page
    return found


def ensure_pictures(seed: int) -> list:
    """The illustrations stories share, drawn once and kept in their own collection."""
    collection = _picture_collection()
    pictures = list(
        get_image_model()
        .objects.filter(collection=collection, title__startswith="Illustration")
        .order_by("pk")
    )
    for number in range(len(pictures), ILLUSTRATIONS):
        word = words.TOPICS[number % len(words.TOPICS)].word
        pictures.append(
            _save_image(
                f"Illustration {number + 1}: {word.title()}",
                images.illustration(seed, number, word),
                f"demo-illustration-{number + 1:02d}.jpg",
                collection,
            )
        )
    return pictures


def ensure_authors(drafts: list[AuthorDraft], seed: int) -> tuple[list[Author], int]:
    """The newsroom's staff as Author snippets, each with a drawn portrait."""
    authors, created = [], 0
    for draft in drafts:
        author = Author.objects.filter(slug=draft.slug).first()
        if author is None:
            author = Author(
                name=draft.name,
                slug=draft.slug,
                job_title=draft.job_title,
                bio=draft.bio,
                social_links=draft.social_links,
                photo=_save_image(
                    f"Portrait: {draft.name}",
                    images.portrait(draft.initials, draft.colour),
                    f"demo-portrait-{draft.slug}.png",
                    _picture_collection(),
                ),
            )
            author.save()
            created += 1
        authors.append(author)
    return authors, created


def ensure_tags(names: tuple[str, ...]) -> dict[str, int]:
    """Tag ids by name, creating the tags the demo needs."""
    tag_ids = {}
    for name in names:
        tag = Tag.objects.filter(name=name).first()
        if tag is None:
            tag = Tag.objects.create(name=name, slug=slugify(name))
        tag_ids[name] = tag.pk
    return tag_ids


def apply_site_identity(home: HomePage) -> None:
    """Name the site and fill its Masthead settings as the demo newsroom."""
    site = (
        Site.objects.filter(root_page=home).first()
        or Site.objects.filter(is_default_site=True).first()
    )
    if site is None:
        return
    site.site_name = words.NEWSROOM
    site.save(update_fields=["site_name"])
    rng = random.Random("identity")  # nosec B311 # seeded: the same demo on every run
    handle = words.SOCIAL_HANDLE
    youtube = f"https://www.youtube.com/@{handle}"
    links = [
        (SocialNetwork.YOUTUBE, youtube),
        (SocialNetwork.X, f"https://x.com/{handle}"),
        (SocialNetwork.FACEBOOK, f"https://www.facebook.com/{handle}"),
        (SocialNetwork.TELEGRAM, f"https://t.me/{handle}"),
        (SocialNetwork.RSS, f"https://{words.NEWSROOM_DOMAIN}/feeds/rss.xml"),
    ]
    settings = MastheadSettings.for_site(site)
    settings.tagline = words.TAGLINE
    settings.accent_colour = words.ACCENT_COLOUR
    settings.social_links = [
        {
            "type": "link",
            "value": {"network": str(network), "url": url, "label": ""},
            "id": block_id(rng),
        }
        for network, url in links
    ]
    settings.channel_promo_title = "Watch Valley in Ten on YouTube"
    settings.channel_promo_text = (
        "Every Thursday: ten minutes on what the valley decided this week, and who "
        "decided it."
    )
    settings.channel_promo_url = youtube
    settings.supporter_cta_text = (
        f"Liked it? Take a second to support {words.NEWSROOM} and keep it free."
    )
    settings.donate_url = "/donate/"
    settings.patreon_url = f"https://www.patreon.com/{handle}"
    settings.save()


def _picture_collection() -> Collection:
    collection = Collection.objects.filter(name=PICTURE_COLLECTION).first()
    if collection is None:
        collection = Collection.get_first_root_node().add_child(name=PICTURE_COLLECTION)
    return collection


def _save_image(title: str, data: bytes, filename: str, collection: Collection):
    image = get_image_model()(
        title=title,
        collection=collection,
        file=ImageFile(io.BytesIO(data), name=filename),
    )
    image._set_image_file_metadata()
    image.save()
    return image


@contextmanager
def _bulk_pragmas() -> Iterator[None]:
    """A bigger page cache while SQLite grows its indexes; other databases: nothing."""
    connection = connections["default"]
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (previous,) = cursor.fetchone()
        cursor.execute("PRAGMA cache_size = -262144")  # 256 MiB
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            # nosemgrep: sql-built-by-formatting -- PRAGMA binds no values; int() only
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")
