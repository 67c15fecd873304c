"""The full-page cache: anonymous readers get a stored page without a render.

It sits right after the security and static-file middleware, so a stored page
skips sessions, CSRF, the URL resolver and Wagtail altogether. Pages are kept
whole (headers included, gzip done once) and answered 304 when the reader's
copy is current. With MASTHEAD_PAGE_CACHE off, pages are rendered every time
but keep their Cache-Control, ETag and compression for nginx or a CDN.
"""

import logging

from django.conf import settings
from django.utils.cache import parse_etags

from masthead.core.replicas import replica_reads

from . import fragments, policy, store

logger = logging.getLogger("masthead.caching")


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with fragments.one_version_per_request():
            return self._respond(request)

    def _respond(self, request):
        if not policy.request_is_cacheable(request):
            return self.get_response(request)
        # A Host outside ALLOWED_HOSTS raises DisallowedHost here, a 400, before
        # any stored page is looked at: the lookup below would swallow it.
        request.get_host()
        found = _lookup_or_none(request) if settings.MASTHEAD_PAGE_CACHE else None
        if found is not None and found.stored is not None:
            return _answer(request, found.stored, "hit")
        with replica_reads():  # an anonymous reader's page: a replica may answer
            response = self.get_response(request)
        if not policy.response_is_cacheable(request, response):
            policy.mark_private(response)
            return response
        policy.mark_shared(response)
        # Compressing is for the store and for readers who take gzip (nginx does).
        stored = store.stored_page(
            response, compress=found is not None or store.accepts_gzip(request)
        )
        if found is not None:
            store.save(found, stored, settings.MASTHEAD_PAGE_CACHE_SECONDS)
        return _answer(request, stored, "off" if found is None else "miss")


def _lookup_or_none(request) -> store.Lookup | None:
    try:
        return store.lookup(request)
    except Exception:
        logger.warning("page cache unavailable; rendering")
        return None


def _answer(request, stored, outcome: str):
    if stored.etag in parse_etags(request.META.get("HTTP_IF_NONE_MATCH", "")):
        response = stored.response(gzip_ok=False, head=True)
        response.status_code = 304
        del response["Content-Length"]
    else:
        response = stored.response(
            gzip_ok=store.accepts_gzip(request), head=request.method == "HEAD"
        )
    response["ETag"] = stored.etag
    response["X-Page-Cache"] = outcome
    return response
