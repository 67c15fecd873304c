from django.db import connection
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.views.decorators.cache import never_cache


@never_cache
def health(request):
    """Liveness and database reachability for load balancers and `make run`."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception:  # noqa: BLE001 - any failure means "not healthy", never a 500
        database = "unavailable"
    status = 200 if database == "ok" else 503
    return JsonResponse(
        {"status": "ok" if status == 200 else "error", "database": database},
        status=status,
    )


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
