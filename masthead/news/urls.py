"""Feeds, sitemaps and robots.txt: the site's distribution endpoints."""

app_name = "news"
urlpatterns = []
