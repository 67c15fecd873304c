"""Purging nginx and CDNs through Wagtail's frontend-cache backends.

Wagtail's HTTP backend waits on a silent cache forever; a purge that cannot get
through within PURGE_TIMEOUT_SECONDS is logged and left to the cache's own
expiry (s-maxage), so a stuck nginx never stalls the task worker.

A change every page shows (the menu, the site's settings) would need every URL
of the site purged one by one. Backends that can drop a whole zone at once
(Cloudflare's purge_everything, a CloudFront invalidation of /*) do that
instead; the others get the URLs the change names.
"""

import logging
from urllib.error import URLError
from urllib.parse import urlsplit, urlunsplit
from urllib.request import urlopen

import requests
from django.core.exceptions import ImproperlyConfigured
from wagtail.contrib.frontend_cache.backends.cloudflare import (
    CloudflareBackend as WagtailCloudflareBackend,
)
from wagtail.contrib.frontend_cache.backends.cloudfront import (
    CloudfrontBackend as WagtailCloudfrontBackend,
)
from wagtail.contrib.frontend_cache.backends.http import HTTPBackend, PurgeRequest
from wagtail.contrib.frontend_cache.utils import get_backends

logger = logging.getLogger("masthead.caching")

PURGE_TIMEOUT_SECONDS = 5


class NginxPurgeBackend(HTTPBackend):
    def __init__(self, params):
        super().__init__(params)
        # urlopen would also open file: and ftp: URLs; a purge only speaks HTTP.
        if self.cache_scheme not in ("http", "https"):
            raise ImproperlyConfigured(
                "MASTHEAD_PURGE_URL must be an http(s) URL, "
                f"not {self.cache_scheme}://{self.cache_netloc}."
            )

    def purge(self, url):
        parts = urlsplit(url)
        request = PurgeRequest(
            url=urlunsplit(
                (self.cache_scheme, self.cache_netloc, parts.path, parts.query, "")
            ),
            headers={"Host": parts.netloc, "User-Agent": "Masthead-purge"},
        )
        try:
            # The scheme was checked in __init__: http(s) only.
            with urlopen(request, timeout=PURGE_TIMEOUT_SECONDS):  # noqa: S310  # nosec B310
                pass
        except URLError as error:  # HTTPError too: 404 is "was not cached"
            if getattr(error, "code", None) != 404:
                logger.warning("could not purge %s from nginx: %s", url, error)
        except TimeoutError:
            logger.warning("nginx did not answer the purge of %s in time", url)


class CloudflareBackend(WagtailCloudflareBackend):
    """Wagtail's Cloudflare backend, able to purge the whole zone."""

    def purge_all(self) -> None:
        if self.cloudflare_token:
            headers = {"Authorization": f"Bearer {self.cloudflare_token}"}
        else:
            headers = {
                "X-Auth-Email": self.cloudflare_email,
                "X-Auth-Key": self.cloudflare_api_key,
            }
        try:
            response = requests.post(
                self.cloudflare_purge_endpoint_url,
                json={"purge_everything": True},
                headers=headers,
                timeout=PURGE_TIMEOUT_SECONDS,
            )
            answer = response.json()
        except (requests.RequestException, ValueError) as error:
            logger.warning("could not purge the Cloudflare zone: %s", error)
            return
        if not answer.get("success"):
            errors = ", ".join(str(e.get("message")) for e in answer.get("errors", []))
            logger.warning("Cloudflare refused to purge the zone: %s", errors)


class CloudFrontBackend(WagtailCloudfrontBackend):
    """Wagtail's CloudFront backend, able to invalidate the whole distribution."""

    def purge_all(self) -> None:
        # One path with a wildcard counts as one of the month's free invalidations.
        self._create_invalidation(self.cloudfront_distribution_id, ["/*"])


def purge_site_from_edge(urls: list[str]) -> None:
    """A site-wide change: each backend drops everything it can, or else `urls`."""
    for name, backend in get_backends().items():
        try:
            if hasattr(backend, "purge_all"):
                backend.purge_all()
            else:
                backend.purge_batch(urls)
        except Exception:
            # One edge failing must not keep the others stale.
            logger.exception("could not purge the site from %s", name)
