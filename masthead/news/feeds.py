"""RSS, Atom and JSON feeds of the site's stories, and the podcast feed of a series.

Every feed is built from one list of `Entry` values, so the three formats say the
same thing. An entry's body is rendered in bulk for the whole feed (one query per
block type, one for the renditions of the pictures), so a feed costs the same
number of queries whatever the number of stories in it.
"""

import mimetypes
import re
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from taggit.models import Tag
from wagtail.images import get_image_model
from wagtail.images.models import SourceImageIOError
from wagtail.models import Site

from masthead.core.models import MastheadSettings

from . import queries
from .choices import SeriesKind
from .models import ArticlePage, ArticleTag, Author, HomePage, SectionPage, SeriesPage

FEED_ITEMS = 30
IMAGE_SPEC = "width-1200"
# Apple Podcasts wants a square cover of 1400 to 3000 pixels.
PODCAST_IMAGE_SPEC = "fill-1400x1400"
SCOPES = ("section", "author", "tag", "series")

CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"

# Root-relative src/href attributes in rendered HTML (not protocol-relative ones).
_RELATIVE_URL = re.compile(r'(\s(?:src|href|poster)=")(/(?!/)[^"]*)"')


@dataclass
class Entry:
    """One story as every feed format shows it; all URLs are absolute."""

    title: str
    link: str
    summary: str
    content_html: str
    published: datetime | None
    updated: datetime | None
    authors: list[tuple[str, str]]
    categories: list[str]
    image: Enclosure | None = None
    audio: Enclosure | None = None
    episode_number: int | None = None


@dataclass
class Channel:
    """A feed's own identity and its entries."""

    title: str
    link: str
    description: str
    feed_url: str
    site_name: str
    entries: list[Entry] = field(default_factory=list)
    image_url: str = ""


@dataclass
class Place:
    """Where the request is: the Wagtail site, its root URL and its home page."""

    site: Site
    root_url: str
    site_name: str
    home: HomePage | None
    home_url: str

    def path_for(self, url_path: str) -> str:
        """A page's URL path on this site, from its tree url_path (no query)."""
        return "/" + url_path[len(self.site.root_page.url_path) :]

    def absolute(self, url: str) -> str:
        return self.root_url + url if url.startswith("/") else url

    def route_path(self, route: str, slug: str) -> str:
        """The path of a home page route (author, tag), or "" if there is no home."""
        if self.home is None:
            return ""
        subpath = self.home.reverse_subpage(route, kwargs={"slug": slug})
        return self.path_for(self.home.url_path) + subpath

    def route_url(self, route: str, slug: str) -> str:
        path = self.route_path(route, slug)
        return self.root_url + path if path else ""


def place_for(request) -> Place:
    """The Wagtail site answering `request`, its root URL and its home page."""
    site = Site.find_for_request(request)
    if site is None:
        raise Http404("No site answers for this host.")
    root = site.root_page.specific
    home = root if isinstance(root, HomePage) else None
    # Wagtail's Site says http or https by its port (443 is https).
    root_url = site.root_url.rstrip("/")
    return Place(
        site=site,
        root_url=root_url,
        site_name=site.site_name or settings.WAGTAIL_SITE_NAME,
        home=home,
        home_url=root.get_full_url(request) or root_url + "/",
    )


def absolutize_html(html: str, root_url: str) -> str:
    """Prefix root-relative links and image sources with the site's root URL."""
    return _RELATIVE_URL.sub(lambda m: f'{m[1]}{root_url}{m[2]}"', html)


def _rendition_model():
    return get_image_model().get_rendition_model()


def _with_feed_joins(articles):
    Rendition = _rendition_model()
    return articles.select_related("audio_file").prefetch_related(
        Prefetch("tagged_items", queryset=ArticleTag.objects.select_related("tag")),
        Prefetch(
            "featured_image__renditions",
            queryset=Rendition.objects.filter(filter_spec=IMAGE_SPEC),
        ),
    )


def _render_bodies(articles: list[ArticlePage], request, root_url: str) -> list[str]:
    # Converting every body in one bulk_to_python call fetches the pictures and
    # linked pages of all stories at once instead of once per story.
    stream_block = ArticlePage._meta.get_field("body").stream_block
    bodies = stream_block.bulk_to_python([list(a.body.raw_data) for a in articles])
    images = [
        block.value["image"]
        for body in bodies
        for block in body
        if block.block_type == "image" and block.value.get("image") is not None
    ]
    if images:
        prefetch_related_objects(
            images,
            Prefetch(
                "renditions",
                queryset=_rendition_model().objects.filter(filter_spec=IMAGE_SPEC),
            ),
        )
    return [
        absolutize_html(body.render_as_block(context={"request": request}), root_url)
        for body in bodies
    ]


def stored_size(file) -> int:
    """The file's size in bytes, or 0 when its storage cannot say.

    RSS requires a length on every enclosure and feed readers take 0 to mean
    "unknown". A rendition whose file went missing (OSError) or a storage that
    has no size lookup (Django's base Storage raises NotImplementedError) must
    not drop the picture, or the whole feed, over a number nobody relies on.
    """
    try:
        return file.size
    except (OSError, NotImplementedError):  # the size is unknown: see above
        return 0


def image_enclosure(image, place: Place, spec: str = IMAGE_SPEC) -> Enclosure | None:
    """The picture at `spec` as an enclosure, or None when its file is missing."""
    if image is None:
        return None
    try:
        rendition = image.get_rendition(spec)
    except SourceImageIOError:
        return None
    length = stored_size(rendition.file)
    mime_type = mimetypes.guess_type(rendition.file.name)[0] or "image/jpeg"
    return Enclosure(place.absolute(rendition.url), str(length), mime_type)


def audio_enclosure(article: ArticlePage, place: Place) -> Enclosure | None:
    """The episode's audio file or address as an enclosure."""
    if article.audio_file is not None:
        document = article.audio_file
        return Enclosure(
            place.absolute(document.url),
            str(document.file_size or 0),
            document.content_type or "audio/mpeg",
        )
    if article.audio_url:
        mime_type = mimetypes.guess_type(article.audio_url)[0] or "audio/mpeg"
        # The size of audio hosted elsewhere is unknown without fetching it.
        return Enclosure(article.audio_url, "0", mime_type)
    return None


def build_entries(articles, request, place: Place) -> list[Entry]:
    """The first FEED_ITEMS stories of `articles` (a queries.py queryset)."""
    articles = list(_with_feed_joins(articles)[:FEED_ITEMS])
    bodies = _render_bodies(articles, request, place.root_url)
    entries = []
    for article, body_html in zip(articles, bodies, strict=True):
        published = article.published_on
        entries.append(
            Entry(
                title=article.title,
                link=article.get_full_url(request),
                summary=article.standfirst,
                content_html=body_html,
                published=published,
                updated=article.updated_at or published,
                authors=[
                    (author.name, place.route_url("author", author.slug))
                    for author in article.authors
                ],
                categories=[item.tag.name for item in article.tagged_items.all()],
                image=image_enclosure(article.featured_image, place),
                audio=audio_enclosure(article, place),
                episode_number=article.episode_number,
            )
        )
    return entries


def _live_under_site(model, place: Place):
    return model.objects.live().public().descendant_of(place.site.root_page)


def _subject(request, place: Place, scope: str | None, slug: str) -> tuple:
    """(name, link, description, stories) of what a feed is about; 404 if unknown."""
    if scope is None:
        tagline = MastheadSettings.for_site(place.site).tagline
        description = tagline or f"The latest from {place.site_name}"
        return place.site_name, place.home_url, description, queries.latest_articles()
    if scope == "section":
        section = get_object_or_404(_live_under_site(SectionPage, place), slug=slug)
        description = section.intro or f"{section.title} from {place.site_name}"
        stories = queries.latest_articles(section=section)
        return section.title, section.get_full_url(request), description, stories
    if scope == "series":
        series = get_object_or_404(_live_under_site(SeriesPage, place), slug=slug)
        description = series.description or f"Episodes of {series.title}"
        stories = queries.series_episodes(series)
        return series.title, series.get_full_url(request), description, stories
    if scope == "author":
        author = get_object_or_404(Author, slug=slug)
        link = place.route_url("author", author.slug)
        stories = queries.articles_by_author(author)
        return author.name, link, f"Stories by {author.name}", stories
    if scope == "tag":
        tag = get_object_or_404(Tag, slug=slug)
        link = place.route_url("tag", tag.slug)
        stories = queries.articles_by_tag(tag)
        return tag.name, link, f"Stories tagged “{tag.name}”", stories
    raise Http404(f"No feed for {scope!r}.")


def build_channel(request, scope: str | None = None, slug: str = "") -> Channel:
    """The site's feed, or the feed of one section, author, tag or series."""
    place = place_for(request)
    name, link, description, stories = _subject(request, place, scope, slug)
    return Channel(
        title=name if scope is None else f"{name} · {place.site_name}",
        link=link,
        description=description,
        feed_url=place.root_url + request.path,
        site_name=place.site_name,
        entries=build_entries(stories, request, place),
    )


def build_podcast_channel(request, slug: str) -> Channel:
    """A podcast series and its episodes that have audio."""
    place = place_for(request)
    series = get_object_or_404(
        _live_under_site(SeriesPage, place).select_related("cover_image"),
        slug=slug,
        kind=SeriesKind.PODCAST,
    )
    cover = image_enclosure(series.cover_image, place, PODCAST_IMAGE_SPEC)
    channel = Channel(
        title=series.title,
        link=series.get_full_url(request),
        description=series.description or f"{series.title} from {place.site_name}",
        feed_url=place.root_url + request.path,
        site_name=place.site_name,
        image_url=cover.url if cover else "",
    )
    episodes = queries.series_episodes(series).filter(
        Q(audio_file__isnull=False) | ~Q(audio_url="")
    )
    channel.entries = build_entries(episodes, request, place)
    return channel


class FullContentRssFeed(Rss201rev2Feed):
    """RSS 2.0 with the story's HTML in content:encoded and every author."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:content": CONTENT_NS}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, _url in item.get("authors", ()):
            handler.addQuickElement("dc:creator", name, {"xmlns:dc": DC_NS})
        if item.get("content_html"):
            handler.addQuickElement("content:encoded", item["content_html"])


class FullContentAtomFeed(Atom1Feed):
    """Atom with the story's HTML as content and one author element per author."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, url in item.get("authors", ()):
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            if url:
                handler.addQuickElement("uri", url)
            handler.endElement("author")
        if item.get("content_html"):
            handler.addQuickElement("content", item["content_html"], {"type": "html"})


class PodcastRssFeed(FullContentRssFeed):
    """RSS 2.0 with the iTunes elements podcast apps read."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:itunes": ITUNES_NS}

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        handler.addQuickElement("itunes:author", self.feed["site_name"])
        handler.addQuickElement("itunes:summary", self.feed["description"])
        handler.addQuickElement("itunes:type", "episodic")
        handler.addQuickElement("itunes:explicit", "false")
        handler.addQuickElement("itunes:category", attrs={"text": "News"})
        if self.feed.get("image_url"):
            handler.addQuickElement(
                "itunes:image", attrs={"href": self.feed["image_url"]}
            )

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        names = [name for name, _url in item.get("authors", ())]
        if names:
            handler.addQuickElement("itunes:author", ", ".join(names))
        if item.get("episode_number"):
            handler.addQuickElement("itunes:episode", str(item["episode_number"]))
        handler.addQuickElement("itunes:episodeType", "full")
        handler.addQuickElement("itunes:summary", item["description"])
        handler.addQuickElement("itunes:explicit", "false")


class ArticleRssFeed(Feed):
    """The site's stories, or one section's, author's, tag's or series', as RSS."""

    feed_type = FullContentRssFeed
    language = "en"

    def get_object(self, request, scope=None, slug=""):
        return build_channel(request, scope, slug)

    def title(self, obj: Channel) -> str:
        return obj.title

    def link(self, obj: Channel) -> str:
        return obj.link

    def feed_url(self, obj: Channel) -> str:
        return obj.feed_url

    def description(self, obj: Channel) -> str:
        return obj.description

    def subtitle(self, obj: Channel) -> str:
        return obj.description

    def items(self, obj: Channel) -> list[Entry]:
        return obj.entries

    def item_title(self, item: Entry) -> str:
        return item.title

    def item_link(self, item: Entry) -> str:
        return item.link

    def item_guid(self, item: Entry) -> str:
        return item.link

    def item_description(self, item: Entry) -> str:
        return item.summary

    def item_pubdate(self, item: Entry):
        return item.published

    def item_updateddate(self, item: Entry):
        return item.updated

    def item_categories(self, item: Entry) -> list[str]:
        return item.categories

    def item_enclosures(self, item: Entry) -> list[Enclosure]:
        return [item.image] if item.image else []

    def item_extra_kwargs(self, item: Entry) -> dict:
        return {
            "authors": item.authors,
            "content_html": item.content_html,
            "episode_number": item.episode_number,
        }


class ArticleAtomFeed(ArticleRssFeed):
    feed_type = FullContentAtomFeed


class PodcastFeed(ArticleRssFeed):
    """A podcast series' episodes with their audio, for podcast apps."""

    feed_type = PodcastRssFeed

    def get_object(self, request, slug=""):
        return build_podcast_channel(request, slug)

    def feed_extra_kwargs(self, obj: Channel) -> dict:
        return {"site_name": obj.site_name, "image_url": obj.image_url}

    def item_enclosures(self, item: Entry) -> list[Enclosure]:
        return [item.audio] if item.audio else []


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def json_feed(request, scope=None, slug=""):
    """The same feed as JSON Feed 1.1."""
    channel = build_channel(request, scope, slug)
    items = []
    for entry in channel.entries:
        item = {
            "id": entry.link,
            "url": entry.link,
            "title": entry.title,
            "summary": entry.summary,
            "content_html": entry.content_html,
            "date_published": _iso(entry.published),
            "date_modified": _iso(entry.updated),
            "authors": [
                {"name": name, **({"url": url} if url else {})}
                for name, url in entry.authors
            ],
            "tags": entry.categories,
        }
        if entry.image:
            item["image"] = entry.image.url
        if entry.audio:
            item["attachments"] = [
                {
                    "url": entry.audio.url,
                    "mime_type": entry.audio.mime_type,
                    **(
                        {"size_in_bytes": int(entry.audio.length)}
                        if int(entry.audio.length)
                        else {}
                    ),
                }
            ]
        items.append({key: value for key, value in item.items() if value is not None})
    data = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": channel.title,
        "home_page_url": channel.link,
        "feed_url": channel.feed_url,
        "description": channel.description,
        "language": "en",
        "items": items,
    }
    return JsonResponse(
        data,
        content_type="application/feed+json; charset=utf-8",
        json_dumps_params={"ensure_ascii": False},
    )
