from django.conf import settings
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from masthead.core import views as core_views
from masthead.news import serving

handler500 = core_views.server_error

urlpatterns = [
    # First: the view beacon is the most frequent request of all.
    path("views/", include("masthead.analytics.urls")),
    path("healthz", core_views.health, name="health"),
    path("manifest.webmanifest", core_views.web_manifest, name="manifest"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("search/", include("masthead.search.urls")),
    path("comments/", include("masthead.comments.urls")),
    path("donate/", include("masthead.revenue.urls")),
    path("newsletter/", include("masthead.newsletter.urls")),
    path("my-data/", include("masthead.privacy.urls")),
    path("", include("masthead.news.urls")),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
if settings.SERVE_MEDIA:
    # Uploaded files from the app itself: embedded mode, a lone `make serve` and
    # tests. At scale nginx, a CDN or the object store serves them. Only what
    # deploy/nginx.conf serves: originals keep the camera's metadata, and
    # documents go through /documents/, which checks their privacy.
    import re

    from django.views.static import serve

    urlpatterns += [
        re_path(
            rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}"
            r"(?P<path>(?:images|avatar_images)/.+)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]

# Pages: our route finds a live page by its URL in two queries, and hands
# anything else to Wagtail's serve (its own views under _util/ stay its own).
urlpatterns += [
    re_path(r"^(?!_util/)((?:[\w\-]+/)*)$", serving.serve, name="masthead_serve"),
    path("", include(wagtail_urls)),
]
