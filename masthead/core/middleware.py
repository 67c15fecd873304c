"""Our middleware: small changes to libraries' behaviour, each with its reason."""

from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as LibraryCSPMiddleware
from django.conf import settings


class CSPMiddleware(LibraryCSPMiddleware):
    """django-csp, without building a policy for paths that never get one, with
    the hashes of the inline styles a page rendered (see `accent_style`), and
    with the admin's own policy under /admin/.

    django-csp 4 builds both policies on every response and only then looks at
    EXCLUDE_URL_PREFIXES; on the view beacon that was a quarter of its cost.
    """

    def process_response(self, request, response):
        if request.path_info.startswith(ADMIN_PREFIX):
            # Wagtail's admin is no reader page: its own, looser policy.
            if getattr(response, "_csp_config", None) is None:
                response._csp_config = settings.MASTHEAD_ADMIN_CSP_DIRECTIVES
        elif request.path_info.startswith(_excluded_everywhere()):
            if getattr(request, "_csp_nonce", None) is None:
                # As the library does: a nonce asked for after this point is a bug.
                request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
            return response
        hashes = getattr(request, "csp_style_hashes", None)
        if hashes:
            # Inline styles rendered for this page (the accent colour), by hash.
            update = dict(getattr(response, "_csp_update", None) or {})
            update["style-src"] = [*update.get("style-src", ()), *hashes]
            response._csp_update = update
        return super().process_response(request, response)


ADMIN_PREFIX = "/admin/"


def _excluded_everywhere() -> tuple[str, ...]:
    enforced = getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}
    report_only = getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
    prefixes = set(enforced.get("EXCLUDE_URL_PREFIXES") or ())
    if report_only:
        prefixes &= set(report_only.get("EXCLUDE_URL_PREFIXES") or ())
    return tuple(prefixes)
