"""Which requests and responses a shared cache may keep, and for how long.

A page is kept only when it is the same for every anonymous reader: a GET or
HEAD without a session or flash-message cookie, answered 200 with no cookie set,
no CSRF token rendered and no cache policy of the view's own. Paths that act on
a reader's own data (newsletter confirmations, donations, comment subscriptions)
and the admin are never kept.
"""

from django.conf import settings
from django.utils.cache import patch_vary_headers

# The query parameters our pages read. Everything else (utm_*, fbclid, cache
# busters) leaves the page as it is, so it does not split the cache either.
# deploy/nginx.conf keys its cache on the same list.
KEY_PARAMS = ("p", "page", "q", "replyto", "sort")

NEVER_CACHED_PREFIXES = (
    "/admin/",
    "/comments/",
    "/documents/",
    "/donate/",
    "/healthz",
    "/my-data/",
    "/newsletter/",
    "/views/",
)
BYPASS_COOKIES = (settings.SESSION_COOKIE_NAME, "messages")

# Browsers revalidate every time (a 304 from whichever cache is nearest): a
# correction must reach a reader at the next load, and a browser cannot be purged.
BROWSER_SECONDS = 0
STALE_WHILE_REVALIDATE_SECONDS = 60
STALE_IF_ERROR_SECONDS = 24 * 3600


def request_is_cacheable(request) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and not request.path_info.startswith(NEVER_CACHED_PREFIXES)
        and not any(name in request.COOKIES for name in BYPASS_COOKIES)
    )


def response_is_cacheable(request, response) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not response.has_header("Cache-Control")
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    )


def shared_cache_control() -> str:
    return (
        f"public, max-age={BROWSER_SECONDS}, "
        f"s-maxage={settings.MASTHEAD_PAGE_CACHE_SECONDS}, "
        f"stale-while-revalidate={STALE_WHILE_REVALIDATE_SECONDS}, "
        f"stale-if-error={STALE_IF_ERROR_SECONDS}"
    )


def mark_shared(response) -> None:
    """Headers that let our cache, nginx or a CDN keep the response.

    `Vary: Cookie` goes: readers with a session never reach a shared copy (they
    bypass), and varying on every reader's cookies would make each one a miss.
    """
    response["Cache-Control"] = shared_cache_control()
    vary = [
        v.strip()
        for v in response.get("Vary", "").split(",")
        if v.strip() and v.strip().lower() != "cookie"
    ]
    if vary:
        response["Vary"] = ", ".join(vary)
    elif response.has_header("Vary"):
        del response["Vary"]
    patch_vary_headers(response, ["Accept-Encoding"])


def mark_private(response) -> None:
    """Say so on an anonymous page that must not be shared (a form, a 404), in
    case a cache in front would otherwise store it on its own heuristics."""
    if not response.has_header("Cache-Control"):
        response["Cache-Control"] = "private, no-cache"
