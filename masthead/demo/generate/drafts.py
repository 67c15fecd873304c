"""The demo's content as plain data, decided by the seed alone.

Nothing here reads the clock or the database: the same seed and `until` date give
the same authors, headlines, bodies and dates on any machine, which is what the
tests and bug reports ("seed 7, the third story") rely on.
"""

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from django.utils.text import slugify
from faker import Faker

from masthead.news.choices import CorrectionKind, SeriesKind

from . import words
from .prose import ANALYSIS, NEWS, VIDEO, Writer, capitalise

#: The newest story is dated the day before this; --until moves it.
DEFAULT_UNTIL = date(2026, 11, 1)
SLUG_LENGTH = 80
PEOPLE_LOCALES = (
    "en_GB",
    "en_IE",
    "es_ES",
    "pt_PT",
    "pl_PL",
    "fr_FR",
    "de_DE",
    "it_IT",
)
YOUTUBE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
PHOTO_COLOURS = (
    "#1d6a7a",
    "#8a3b12",
    "#4b5d16",
    "#6b2f6b",
    "#2f4b8a",
    "#9a6a00",
    "#7a1d3b",
    "#245c45",
)


@dataclass(frozen=True)
class SectionSpec:
    key: str
    title: str
    intro: str
    share: float  # of the stories that are not series episodes


SECTIONS = (
    SectionSpec(
        NEWS,
        "News",
        "What happened in the valley today, reported by people who live here.",
        0.6,
    ),
    SectionSpec(
        ANALYSIS,
        "Analysis",
        "Arguments, explainers and the numbers behind the week's decisions.",
        0.28,
    ),
    SectionSpec(
        VIDEO,
        "Video",
        "Films and shows from the Lamplight video desk.",
        0.12,
    ),
)


@dataclass(frozen=True)
class SeriesSpec:
    key: str
    title: str
    kind: str
    section: str
    description: str
    channel_url: str
    weekday: int  # 0 is Monday
    hour: int

    @property
    def slug(self) -> str:
        return slugify(self.title)


SERIES = (
    SeriesSpec(
        key="show",
        title="Valley in Ten",
        kind=SeriesKind.VIDEO,
        section=VIDEO,
        description=(
            "Every Thursday, ten minutes on the week in the Ferrow Valley: what "
            "was decided, who decided it, and what it means for you."
        ),
        channel_url=f"https://www.youtube.com/@{words.SOCIAL_HANDLE}",
        weekday=3,
        hour=17,
    ),
    SeriesSpec(
        key="podcast",
        title="The Back Room",
        kind=SeriesKind.PODCAST,
        section=ANALYSIS,
        description=(
            "A weekly conversation with the people who know how the valley "
            "really works, recorded on Mondays before the council sits."
        ),
        channel_url=f"https://soundcloud.com/{words.SOCIAL_HANDLE}",
        weekday=0,
        hour=6,
    ),
)
SERIES_BY_KEY = {spec.key: spec for spec in SERIES}


@dataclass(frozen=True)
class AuthorDraft:
    name: str
    slug: str
    job_title: str
    bio: str
    social_links: list[dict]
    colour: str

    @property
    def initials(self) -> str:
        return "".join(part[0] for part in self.name.split()[:2]).upper()


@dataclass(frozen=True)
class Slot:
    """Where and when one story appears; the plan fixes these before any prose."""

    index: int
    published_at: datetime
    section: str
    series: str | None = None
    episode_number: int | None = None


@dataclass(frozen=True)
class CorrectionDraft:
    date: date
    kind: str
    text: str


@dataclass
class ArticleDraft:
    slot: Slot
    title: str
    slug: str
    standfirst: str
    # StreamField data; an image block's "image" is a position in the picture pool
    # and the related_link block's page is filled in once page ids are known.
    body: list[dict]
    featured_image: int
    featured_image_caption: str
    authors: tuple[int, ...]  # positions in the author list, in byline order
    tags: tuple[str, ...]
    updated_at: datetime | None = None
    corrections: tuple[CorrectionDraft, ...] = ()
    syndication: dict[str, str] = field(default_factory=dict)
    audio_url: str = ""
    related_index: int | None = None  # the earlier story the related link names

    @property
    def published_at(self) -> datetime:
        return self.slot.published_at


def people_pool(seed: int, size: int = 160) -> tuple[str, ...]:
    """Names for the people quoted in stories: invented by Faker, seeded."""
    fakers = [_faker(locale, seed) for locale in PEOPLE_LOCALES]
    rng = random.Random(f"people:{seed}")  # nosec B311 # seeded: the same demo on every run
    names = []
    while len(names) < size:
        faker = rng.choice(fakers)
        name = f"{faker.first_name()} {faker.last_name()}"
        if name not in names:
            names.append(name)
    return tuple(names)


@lru_cache(maxsize=len(PEOPLE_LOCALES))
def _locale_faker(locale: str) -> Faker:
    return Faker(locale)  # slow to build, so built once per process


def _faker(locale: str, seed: int) -> Faker:
    faker = _locale_faker(locale)
    faker.seed_instance(seed)
    return faker


def draft_authors(seed: int, count: int = 8) -> list[AuthorDraft]:
    """The newsroom's staff: the first is the editor, the last hosts the podcast."""
    rng = random.Random(f"authors:{seed}")  # nosec B311 # seeded: the same demo on every run
    fakers = {locale: _faker(locale, seed) for locale in PEOPLE_LOCALES[:4]}
    authors: list[AuthorDraft] = []
    for position in range(count):
        while True:
            locale_faker = fakers[rng.choice(PEOPLE_LOCALES[:4])]
            name = f"{locale_faker.first_name()} {locale_faker.last_name()}"
            slug = slugify(name)
            if slug and all(author.slug != slug for author in authors):
                break
        first = name.split()[0]
        handle = slug.replace("-", "")[:12] + "demo"
        job_title, beat = words.STAFF[position % len(words.STAFF)]
        bio = (
            f"{first} covers {beat} for {words.NEWSROOM}, and joined in "
            f"{rng.randrange(2014, 2025)} after {rng.randrange(2, 12)} years at "
            f"{rng.choice(words.PREVIOUS_JOBS)}. Tips are welcome at "
            f"{handle}@{words.NEWSROOM_DOMAIN}."
        )
        links = [_social_link(rng, "x", f"https://x.com/{handle}")]
        if rng.random() < 0.6:
            links.append(
                _social_link(
                    rng, "bluesky", f"https://bsky.app/profile/{handle}.bsky.social"
                )
            )
        else:
            links.append(
                _social_link(rng, "mastodon", f"https://mastodon.social/@{handle}")
            )
        authors.append(
            AuthorDraft(
                name=name,
                slug=slug,
                job_title=job_title,
                bio=bio,
                social_links=links,
                colour=PHOTO_COLOURS[position % len(PHOTO_COLOURS)],
            )
        )
    return authors


def _social_link(rng: random.Random, network: str, url: str) -> dict:
    return {
        "type": "link",
        "value": {"network": network, "url": url, "label": ""},
        "id": block_id(rng),
    }


def block_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def span_days(count: int) -> int:
    """How far back the stories go: a few weeks for a small demo, two years at most."""
    return max(45, min(730, count // 6))


def episode_counts(count: int, days: int) -> dict[str, int]:
    if count < 10:
        return {spec.key: 0 for spec in SERIES}
    weeks = days // 7
    return {
        "show": min(weeks, max(2, count // 25)),
        "podcast": min(weeks, max(2, count // 40)),
    }


def plan_articles(
    count: int,
    seed: int,
    until: date = DEFAULT_UNTIL,
    first_episode: dict[str, int] | None = None,
) -> list[Slot]:
    """Dates, sections and episode numbers for `count` stories, oldest first.

    Stories fall between 06:00 and 22:00 UTC on the `span_days(count)` days before
    `until`; each series has one episode a week on its own day, numbered from
    `first_episode[series]` (1 on a fresh site).
    """
    first_episode = first_episode or {}
    rng = random.Random(f"plan:{seed}")  # nosec B311 # seeded: the same demo on every run
    end = datetime.combine(until, time(0), tzinfo=UTC)
    days = span_days(count)
    entries: list[tuple[datetime, int, str, str | None, int | None]] = []
    for spec in SERIES:
        episodes = episode_counts(count, days)[spec.key]
        last = end - timedelta(days=1)
        while last.weekday() != spec.weekday:
            last -= timedelta(days=1)
        last = last.replace(hour=spec.hour)
        start_number = first_episode.get(spec.key, 1)
        for number in range(episodes):
            published = last - timedelta(weeks=episodes - 1 - number)
            entries.append(
                (published, len(entries), spec.section, spec.key, start_number + number)
            )
    sections = [spec.key for spec in SECTIONS]
    shares = [spec.share for spec in SECTIONS]
    for _ in range(count - len(entries)):
        day = rng.randrange(days)
        second = rng.randrange(6 * 3600, 22 * 3600)
        published = end - timedelta(days=day + 1) + timedelta(seconds=second)
        section = rng.choices(sections, shares)[0]
        entries.append((published, len(entries), section, None, None))
    entries.sort()
    return [
        Slot(
            index=index,
            published_at=published,
            section=section,
            series=series,
            episode_number=number,
        )
        for index, (published, _, section, series, number) in enumerate(entries)
    ]


class SlugRegistry:
    """Slugs in use under each section, so a repeated headline gets `-2`, `-3`..."""

    def __init__(self, taken: dict[str, set[str]] | None = None):
        self.taken = {key: set(slugs) for key, slugs in (taken or {}).items()}

    def claim(self, section: str, title: str) -> str:
        taken = self.taken.setdefault(section, set())
        base = slugify(title)
        if len(base) > SLUG_LENGTH:
            # Cut at a word boundary: "...-to-answer" rather than "...-to-ans".
            base = base[: SLUG_LENGTH + 1].rsplit("-", 1)[0]
        base = base.strip("-") or "story"
        slug, suffix = base, 1
        while slug in taken:
            suffix += 1
            slug = f"{base}-{suffix}"
        taken.add(slug)
        return slug


class ArticleDrafter:
    """Writes the story for each planned slot.

    A story's words depend on the seed and its slot alone, so any batch of slots
    can be drafted in any process; only its slug also depends on the earlier ones.
    """

    def __init__(
        self,
        seed: int,
        people: tuple[str, ...],
        author_names: list[str],
        image_count: int,
        until: date = DEFAULT_UNTIL,
        slugs: SlugRegistry | None = None,
    ):
        self.seed = seed
        self.latest = datetime.combine(until, time(0), tzinfo=UTC) - timedelta(
            minutes=1
        )
        self.people = people
        self.author_names = author_names
        self.image_count = image_count
        self.slugs = slugs or SlugRegistry()

    def draft(self, slot: Slot) -> ArticleDraft:
        rng = random.Random(f"article:{self.seed}:{slot.index}")  # nosec B311 # seeded: the same demo on every run
        topic = rng.choice(words.TOPICS)
        authors = self._authors(rng, slot)
        writer = Writer(rng, topic, self.people, self.author_names[authors[0]])
        series = SERIES_BY_KEY.get(slot.series)
        if series is not None and series.kind == SeriesKind.PODCAST:
            title = writer.fill(rng.choice(words.PODCAST_EPISODE_HEADLINES))
            standfirst = writer.fill(rng.choice(words.EPISODE_STANDFIRSTS))
        elif series is not None:
            title = writer.fill(rng.choice(words.VIDEO_EPISODE_HEADLINES))
            standfirst = writer.fill(rng.choice(words.EPISODE_STANDFIRSTS))
        elif slot.section == ANALYSIS:
            title = writer.fill(rng.choice(words.ANALYSIS_HEADLINES))
            standfirst = writer.fill(rng.choice(words.ANALYSIS_STANDFIRSTS))
        elif slot.section == VIDEO:
            title = writer.fill(rng.choice(words.VIDEO_HEADLINES))
            standfirst = writer.fill(rng.choice(words.VIDEO_STANDFIRSTS))
        else:
            title = writer.fill(rng.choice(words.NEWS_HEADLINES))
            standfirst = writer.fill(rng.choice(words.STANDFIRSTS))
        title = capitalise(title)
        draft = ArticleDraft(
            slot=slot,
            title=title,
            slug=self.slugs.claim(slot.section, title),
            standfirst=capitalise(standfirst),
            body=[],
            featured_image=rng.randrange(self.image_count),
            featured_image_caption=writer.fill(rng.choice(words.IMAGE_CAPTIONS)),
            authors=authors,
            tags=self._tags(rng, topic),
        )
        BodyComposer(rng, writer, draft, self.image_count).compose(series)
        if series is None and slot.section != VIDEO and rng.random() < 0.1:
            draft.syndication = self._syndication(rng, draft)
        if rng.random() < 0.05:
            self._correct(rng, writer, draft)
        if series is not None and series.kind == SeriesKind.PODCAST:
            draft.audio_url = (
                f"https://audio.{words.NEWSROOM_DOMAIN}/{series.slug}/"
                f"episode-{slot.episode_number:03d}.mp3"
            )
        return draft

    def _authors(self, rng: random.Random, slot: Slot) -> tuple[int, ...]:
        count = len(self.author_names)
        if slot.series == "podcast":
            return (count - 1,)
        if slot.series == "show" or slot.section == VIDEO:
            lead = min(3, count - 1)
        else:
            lead = rng.randrange(count - 1) if count > 1 else 0
        if count > 2 and rng.random() < 0.25:
            second = rng.randrange(count)
            if second != lead:
                return (lead, second)
        return (lead,)

    def _tags(self, rng: random.Random, topic: words.Topic) -> tuple[str, ...]:
        tags = rng.sample(topic.tags, rng.randrange(1, len(topic.tags) + 1))
        if rng.random() < 0.2:
            extra = rng.choice(words.ALL_TAGS)
            if extra not in tags:
                tags.append(extra)
        return tuple(tags)

    def _syndication(self, rng: random.Random, draft: ArticleDraft) -> dict[str, str]:
        publication, domain = rng.choice(words.SYNDICATION_PARTNERS)
        via, via_domain = rng.choice(words.VIA_SOURCES)
        published = draft.published_at
        original_url = f"https://{domain}/{published:%Y/%m}/{draft.slug}/"
        return {
            "original_author": rng.choice(self.people),
            "original_publication": publication,
            "original_url": original_url,
            "via_source": via,
            "via_url": f"https://{via_domain}/stories/{draft.slug}/",
            "canonical_url": original_url,
            "licence_note": rng.choice(words.LICENCE_NOTES).format(
                publication=publication, via=via
            ),
        }

    def _correct(self, rng: random.Random, writer: Writer, draft: ArticleDraft) -> None:
        corrections = []
        when = draft.published_at
        for _ in range(1 if rng.random() < 0.8 else 2):
            when = min(when + timedelta(hours=rng.randrange(2, 96)), self.latest)
            text = writer.fill(rng.choice(words.CORRECTIONS))
            kind = (
                CorrectionKind.UPDATE
                if text.startswith("This story")
                else CorrectionKind.CORRECTION
            )
            corrections.append(CorrectionDraft(when.date(), str(kind), text))
        draft.corrections = tuple(corrections)
        draft.updated_at = when


class BodyComposer:
    """Lays out a story's StreamField: prose with every kind of block in between."""

    def __init__(
        self, rng: random.Random, writer: Writer, draft: ArticleDraft, image_count: int
    ):
        self.rng = rng
        self.writer = writer
        self.draft = draft
        self.image_count = image_count
        self.blocks: list[dict] = []
        section = draft.slot.section
        bank = words.NEWS_SENTENCES
        if section == ANALYSIS:
            bank = words.ANALYSIS_SENTENCES + words.NEWS_SENTENCES[:12]
        self.sentences = writer.sentences(bank, 24)

    def add(self, block_type: str, value) -> None:
        self.blocks.append(
            {"type": block_type, "value": value, "id": block_id(self.rng)}
        )

    def paragraphs(self, low: int, high: int) -> None:
        for _ in range(self.rng.randrange(low, high + 1)):
            take = self.rng.randrange(2, 5)
            chosen, self.sentences = self.sentences[:take], self.sentences[take:]
            if not chosen:
                chosen = self.writer.sentences(words.NEWS_SENTENCES, take)
            self.add("paragraph", self.writer.paragraph_html(chosen))

    def compose(self, series: SeriesSpec | None) -> None:
        rng, writer, draft = self.rng, self.writer, self.draft
        every_block = draft.slot.index % 5 == 0  # small demos still show every block
        video = series is not None and series.kind == SeriesKind.VIDEO
        if video or (series is None and draft.slot.section == VIDEO):
            self.embed(
                f"{series.title}, episode {draft.slot.episode_number}"
                if video
                else None
            )
            self.add(
                "paragraph",
                writer.paragraph_html(writer.sentences(words.VIDEO_SENTENCES, 2)),
            )
        if series is not None and series.kind == SeriesKind.PODCAST:
            self.add(
                "paragraph",
                writer.paragraph_html(writer.sentences(words.NEWS_SENTENCES, 2)),
            )
            self.add("heading", {"text": "In this episode", "level": "h3"})
            self.add(
                "paragraph", writer.list_html(writer.sentences(words.NEWS_SENTENCES, 3))
            )
        self.paragraphs(1, 2)
        if every_block or rng.random() < 0.6:
            self.image()
        self.paragraphs(1, 2)
        self.add(
            "heading", {"text": writer.fill(rng.choice(words.HEADINGS)), "level": "h2"}
        )
        self.paragraphs(1, 3)
        if every_block or rng.random() < 0.5:
            self.block_quote()
            self.paragraphs(1, 1)
        if every_block or rng.random() < 0.5:
            quote = writer.fill("{quote}")
            self.add(
                "pull_quote",
                {"text": quote + ".", "attribution": writer.fill("{person}")},
            )
            self.paragraphs(1, 1)
        if every_block or (not video and rng.random() < 0.1):
            self.embed(None)
        if every_block or rng.random() < 0.4:
            self.add("divider", None)
            self.add("heading", {"text": rng.choice(words.SUBHEADINGS), "level": "h3"})
            self.paragraphs(1, 1)
        if every_block or rng.random() < 0.7:
            self.related_link()
        draft.body = self.blocks

    def embed(self, title: str | None) -> None:
        video_id = "".join(self.rng.choices(YOUTUBE_ALPHABET, k=11))
        if title is None:
            title = self.writer.fill("{Thing_h}: the view from {place}")
        self.add(
            "embed",
            {"url": f"https://www.youtube.com/watch?v={video_id}", "title": title},
        )

    def image(self) -> None:
        writer = self.writer
        self.add(
            "image",
            {
                "image": self.rng.randrange(self.image_count),
                "caption": writer.fill(self.rng.choice(words.IMAGE_CAPTIONS)),
                "credit": writer.fill(self.rng.choice(words.IMAGE_CREDITS)),
            },
        )

    def block_quote(self) -> None:
        rng, writer = self.rng, self.writer
        text = writer.fill(
            "The review finds that {finding}, and recommends that {actor} moves to "
            "{action} {when_future}."
        )
        source_url = ""
        if rng.random() < 0.5:
            source_url = (
                f"https://documents.{words.NEWSROOM_DOMAIN}/{self.draft.slug}.pdf"
            )
        self.add(
            "block_quote",
            {
                "quote": writer.paragraph_html([capitalise(text)]),
                "source": writer.fill("{Actor_h}, review of {thing}"),
                "source_url": source_url,
                "editorial_note": rng.choice(words.EDITORIAL_NOTES),
            },
        )

    def related_link(self) -> None:
        rng, index = self.rng, self.draft.slot.index
        if index > 0 and rng.random() < 0.8:
            self.draft.related_index = rng.randrange(max(0, index - 500), index)
            self.add("related_link", {"page": None, "url": "", "title": ""})
            return
        self.add(
            "related_link",
            {
                "page": None,
                "url": f"https://documents.{words.NEWSROOM_DOMAIN}/{self.draft.slug}/",
                "title": self.writer.fill(rng.choice(words.RELATED_TITLES)),
            },
        )
