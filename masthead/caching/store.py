"""Rendered pages in the "pages" cache, and the generations that purge them.

A stored page records two generations: its path's, which a purge of that path
moves, and the site's, which a change every page shows (the section menu, the
site settings) moves. A page is served only while both are current, so purging
is one write whatever the number of variants (query strings, hosts) stored for
the path. The page and the generations are read together: one round trip.
"""

import gzip
import hashlib
import logging
from dataclasses import dataclass, replace
from urllib.parse import urlencode, urlsplit

from django.http import HttpResponse

from . import fragments, generations
from .local import announce_purge, local_pages
from .policy import KEY_PARAMS

logger = logging.getLogger("masthead.caching")

SITE_GENERATION_KEY = "pagegen:site"
# Pages are small; a body below this is not worth compressing.
GZIP_MIN_BYTES = 200


@dataclass(frozen=True)
class StoredPage:
    """A rendered page: gzip only when that is smaller (it nearly always is)."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    is_gzip: bool
    etag: str
    generations: tuple[str, str] = ("", "")  # (site, path) when it was stored

    def response(self, *, gzip_ok: bool, head: bool) -> HttpResponse:
        body = self.body
        if self.is_gzip and not gzip_ok:
            body = gzip.decompress(body)  # rare: nginx and browsers take gzip
        response = HttpResponse(b"" if head else body, status=self.status)
        for name, value in self.headers:
            response[name] = value
        if self.is_gzip and gzip_ok:
            response["Content-Encoding"] = "gzip"
        response["Content-Length"] = str(len(body))
        return response


def stored_page(response, *, compress: bool = True) -> StoredPage:
    body = response.content
    is_gzip = False
    if (
        compress
        and len(body) >= GZIP_MIN_BYTES
        and not response.has_header("Content-Encoding")
    ):
        # mtime=0: the same page compresses to the same bytes in every process.
        body, is_gzip = gzip.compress(body, compresslevel=6, mtime=0), True
    headers = tuple(
        (name, value)
        for name, value in response.items()
        if name.lower() not in ("content-length", "content-encoding", "etag")
    )
    etag = (
        'W/"' + hashlib.md5(response.content, usedforsecurity=False).hexdigest() + '"'
    )
    return StoredPage(response.status_code, headers, body, is_gzip, etag)


def accepts_gzip(request) -> bool:
    return "gzip" in request.META.get("HTTP_ACCEPT_ENCODING", "").lower()


def path_generation_key(path: str) -> str:
    digest = hashlib.blake2b(path.encode(), digest_size=16).hexdigest()
    return f"pagegen:path:{digest}"


@dataclass(frozen=True)
class Lookup:
    key: str
    generations: tuple[str, str]  # (site, path), current
    stored: StoredPage | None  # None: not stored, or stored before a purge
    epoch: int  # this process's purge count when the lookup began


def lookup(request) -> Lookup:
    """The stored page for this request, if its generations are still current."""
    path = request.path
    params = sorted(
        (name, value) for name in KEY_PARAMS for value in request.GET.getlist(name)[:1]
    )
    address = f"{request.scheme}://{request.get_host()}{path}?{urlencode(params)}"
    key = "page:" + hashlib.blake2b(address.encode(), digest_size=16).hexdigest()
    copy = local_pages.get(key)  # first: it notices a purge made elsewhere
    epoch = local_pages.epoch
    if copy is not None:
        return Lookup(key, copy.generations, copy, epoch)
    generation_keys = (
        SITE_GENERATION_KEY,
        path_generation_key(path),
        fragments.VERSION_KEY,
    )
    found = generations.page_cache().get_many([*generation_keys, key])
    site, page, content = (
        found.get(name) or generations.first(name) for name in generation_keys
    )
    fragments.remember_content_version(content)  # a miss renders with it
    stored = found.get(key)
    if stored is not None and stored.generations != (site, page):
        stored = None
    if stored is not None:
        local_pages.put(key, stored, epoch)
    return Lookup(key, (site, page), stored, epoch)


def save(lookup: Lookup, page: StoredPage, seconds: int) -> None:
    page = replace(page, generations=lookup.generations)
    try:
        generations.page_cache().set(lookup.key, page, seconds)
    except Exception:
        logger.warning("page cache unavailable; page not stored")
        return
    local_pages.put(lookup.key, page, lookup.epoch)


def purge_paths(urls) -> None:
    """Drop our stored pages for these URLs (or paths), every variant of each."""
    for url in urls:
        generations.bump(path_generation_key(urlsplit(url).path))
    announce_purge()


def purge_site() -> None:
    """Drop every stored page: what changed shows on all of them."""
    generations.bump(SITE_GENERATION_KEY)
    announce_purge()
