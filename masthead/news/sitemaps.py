"""sitemap.xml, the Google News sitemap and robots.txt.

Sitemaps read plain values (url_path and dates), never page objects: a URL is the
page's url_path below the site root's, so 100,000 stories cost two queries per
sitemap page instead of one per story.
"""

from datetime import timedelta
from urllib.parse import urlsplit

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import SitemapIndexItem, x_robots_tag
from django.contrib.sitemaps.views import sitemap as django_sitemap
from django.db.models import Exists, F, Max, OuterRef, Q, Subquery
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag
from wagtail.models import Page

from .feeds import Place, place_for
from .models import ArticleAuthor, ArticlePage, ArticleTag, Author

SITEMAP_LIMIT = 50_000  # the protocol's maximum URLs per sitemap file
NEWS_WINDOW = timedelta(hours=48)  # Google News only reads the last two days
NEWS_LIMIT = 1000  # and at most this many URLs


def _latest(*dates):
    return max((date for date in dates if date is not None), default=None)


def _own_copies(articles, place: Place):
    # A syndicated piece whose canonical URL is elsewhere is not ours to list.
    return articles.exclude(
        Q(canonical_url__gt="") & ~Q(canonical_url__startswith=place.root_url)
    )


class SiteSitemap(Sitemap):
    """A sitemap section whose URLs are on the Wagtail site answering the request."""

    limit = SITEMAP_LIMIT

    def __init__(self, place: Place):
        self.place = place

    def get_protocol(self, protocol=None):
        return urlsplit(self.place.root_url).scheme

    def get_domain(self, site=None):
        return urlsplit(self.place.root_url).netloc


class PageSitemap(SiteSitemap):
    """The home page, sections, series and any other page that is not a story.

    Their lastmod is the newest publication at or below them: a section changes
    when a story appears in it. There are few such pages, so one subquery each.
    """

    def items(self):
        newest_below = (
            Page.objects.live()
            .filter(path__startswith=OuterRef("path"))
            .order_by(F("last_published_at").desc(nulls_last=True))
            .values("last_published_at")[:1]
        )
        return (
            Page.objects.live()
            .public()
            .descendant_of(self.place.site.root_page, inclusive=True)
            .not_type(ArticlePage)
            .annotate(lastmod=Subquery(newest_below))
            .order_by("path")
            .values("url_path", "lastmod")
        )

    def location(self, item) -> str:
        return self.place.path_for(item["url_path"])

    def lastmod(self, item):
        return item["lastmod"]

    def get_latest_lastmod(self):
        return (
            Page.objects.live()
            .descendant_of(self.place.site.root_page, inclusive=True)
            .aggregate(latest=Max("last_published_at"))["latest"]
        )


class ArticleSitemap(SiteSitemap):
    """Every published story, oldest first so that a story keeps its sitemap page."""

    def articles(self):
        return _own_copies(
            ArticlePage.objects.live()
            .public()
            .descendant_of(self.place.site.root_page),
            self.place,
        )

    def items(self):
        return (
            self.articles()
            .order_by("pk")
            .values("url_path", "last_published_at", "updated_at")
        )

    def location(self, item) -> str:
        return self.place.path_for(item["url_path"])

    def lastmod(self, item):
        return _latest(item["last_published_at"], item["updated_at"])

    def get_latest_lastmod(self):
        latest = self.articles().aggregate(
            published=Max("last_published_at"), updated=Max("updated_at")
        )
        return _latest(latest["published"], latest["updated"])


class RouteSitemap(SiteSitemap):
    """Pages of a home page route (authors, tags) with a live story behind them.

    Membership is an EXISTS, so the paginator's count stays cheap; each row's
    lastmod, its newest story, is a subquery run only for the rows being served.
    """

    route: str
    model: type
    link_model: type  # ArticleAuthor or ArticleTag
    link_field: str  # the link's key to `model`
    story_field: str  # the link's key to the story

    def _live_links(self):
        return self.link_model.objects.filter(**{f"{self.story_field}__live": True})

    def items(self):
        if self.place.home is None:  # these pages are routes of the home page
            return self.model.objects.none()
        published = f"{self.story_field}__last_published_at"
        links = self._live_links().filter(**{self.link_field: OuterRef("pk")})
        newest = links.order_by(F(published).desc(nulls_last=True)).values(published)
        return (
            self.model.objects.filter(Exists(links))
            .annotate(lastmod=Subquery(newest[:1]))
            .order_by("slug")
            .values("slug", "lastmod")
        )

    def location(self, item) -> str:
        return self.place.route_path(self.route, item["slug"])

    def lastmod(self, item):
        return item["lastmod"]

    def get_latest_lastmod(self):
        if self.place.home is None:
            return None
        published = f"{self.story_field}__last_published_at"
        return self._live_links().aggregate(latest=Max(published))["latest"]


class AuthorSitemap(RouteSitemap):
    """Author pages of people with a published story."""

    route, model, link_model = "author", Author, ArticleAuthor
    link_field, story_field = "author", "page"


class TagSitemap(RouteSitemap):
    """Tag pages of tags on a published story."""

    route, model, link_model = "tag", Tag, ArticleTag
    link_field, story_field = "tag", "content_object"


SITEMAPS = {
    "pages": PageSitemap,
    "articles": ArticleSitemap,
    "authors": AuthorSitemap,
    "tags": TagSitemap,
}


def _sitemaps(place: Place) -> dict[str, SiteSitemap]:
    return {name: cls(place) for name, cls in SITEMAPS.items()}


@x_robots_tag
def sitemap_index(request):
    """The sitemap index: one entry per sitemap page of every section.

    Django's own index view names the request's host; this one names the Wagtail
    site's root URL, like the sitemaps it points to.
    """
    place = place_for(request)
    entries = []
    for name, section in _sitemaps(place).items():
        url = place.root_url + reverse("news:sitemap", kwargs={"section": name})
        lastmod = section.get_latest_lastmod()
        entries.append(SitemapIndexItem(url, lastmod))
        for number in range(2, section.paginator.num_pages + 1):
            entries.append(SitemapIndexItem(f"{url}?p={number}", lastmod))
    return TemplateResponse(
        request,
        "sitemap_index.xml",
        {"sitemaps": entries},
        content_type="application/xml",
    )


def sitemap_section(request, section: str):
    """One page (?p=N) of one sitemap section; Django's view does the paging."""
    return django_sitemap(request, _sitemaps(place_for(request)), section=section)


@x_robots_tag
def news_sitemap(request):
    """Stories of the last 48 hours in the Google News sitemap format."""
    place = place_for(request)
    since = timezone.now() - NEWS_WINDOW
    articles = _own_copies(
        ArticlePage.objects.live()
        .public()
        .descendant_of(place.site.root_page)
        .filter(first_published_at__gte=since),
        place,
    ).order_by("-first_published_at", "-pk")
    entries = [
        {
            "location": place.root_url + place.path_for(row["url_path"]),
            "title": row["title"],
            "published": row["first_published_at"],
        }
        for row in articles.values("url_path", "title", "first_published_at")[
            :NEWS_LIMIT
        ]
    ]
    return TemplateResponse(
        request,
        "sitemaps/news.xml",
        {"entries": entries, "publication_name": place.site_name},
        content_type="application/xml",
    )


def robots_txt(request):
    """Crawl everything but the admin; name both sitemaps."""
    root_url = place_for(request).root_url
    lines = [
        "User-agent: *",
        "Allow: /",
        "Disallow: /admin/",
        "",
        f"Sitemap: {root_url}{reverse('news:sitemap-index')}",
        f"Sitemap: {root_url}{reverse('news:news-sitemap')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
