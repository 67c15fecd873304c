"""Feeds, sitemaps and robots.txt: the site's distribution endpoints."""

from django.urls import path

from . import feeds, sitemaps

app_name = "news"

_FORMATS = (
    ("rss", "rss.xml", feeds.ArticleRssFeed()),
    ("atom", "atom.xml", feeds.ArticleAtomFeed()),
    ("json", "feed.json", feeds.json_feed),
)

urlpatterns = [
    path("robots.txt", sitemaps.robots_txt, name="robots"),
    path("sitemap.xml", sitemaps.sitemap_index, name="sitemap-index"),
    path("sitemap-<slug:section>.xml", sitemaps.sitemap_section, name="sitemap"),
    path("news-sitemap.xml", sitemaps.news_sitemap, name="news-sitemap"),
    path("feeds/podcast/<slug:slug>.xml", feeds.PodcastFeed(), name="podcast-feed"),
    *(
        path(f"feeds/{filename}", view, name=f"feed-{fmt}")
        for fmt, filename, view in _FORMATS
    ),
    *(
        path(
            f"feeds/{scope}/<slug:slug>/{filename}",
            view,
            {"scope": scope},
            name=f"{scope}-feed-{fmt}",
        )
        for scope in feeds.SCOPES
        for fmt, filename, view in _FORMATS
    ),
]
