import sys

from django.http import HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.template import loader
from django.views import defaults
from django.views.decorators.cache import never_cache

from .health import check as health_check
from .outages import RETRY_AFTER_SECONDS, database_unavailable


@never_cache
def health(request):
    """For load balancers and monitors: database, cache and task queue lag."""
    report = health_check()
    return JsonResponse(report.as_dict(), status=report.http_status)


def web_manifest(request):
    """The web app manifest: name, colours and icon from the site's settings."""
    from django.templatetags.static import static
    from wagtail.models import Site

    from .models import MastheadSettings

    site = Site.find_for_request(request)
    identity = MastheadSettings.for_site(site) if site else None
    name = (site.site_name if site else "") or "Masthead"
    manifest = {
        "name": name,
        "short_name": name[:12],
        "description": identity.tagline if identity else "",
        "start_url": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": identity.accent_colour if identity else "#b3261e",
        "icons": [
            {"src": static("favicon.svg"), "sizes": "any", "type": "image/svg+xml"}
        ],
    }
    return JsonResponse(manifest, content_type="application/manifest+json")


def favicon(request):
    from django.templatetags.static import static

    return HttpResponsePermanentRedirect(static("favicon.svg"))


def server_error(request):
    """Django's 500, or a 503 with Retry-After while the database is away.

    Called by Django inside its exception handler, so the error is still in
    sys.exc_info(). The 503 page, like the 500 page, needs no database.
    """
    if not database_unavailable(sys.exc_info()[1]):
        return defaults.server_error(request)
    return HttpResponse(
        loader.get_template("503.html").render(),
        status=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"},
    )
