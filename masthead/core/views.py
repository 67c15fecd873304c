from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.views.decorators.cache import never_cache

from .health import check as health_check


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
