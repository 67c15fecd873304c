"""Purging nginx (deploy/nginx.conf) as Wagtail's HTTP backend does, with a timeout.

Wagtail's backend waits on a silent cache forever; a purge that cannot get
through within PURGE_TIMEOUT_SECONDS is logged and left to the cache's own
expiry (s-maxage), so a stuck nginx never stalls the task worker.
"""

import logging
from urllib.error import URLError
from urllib.parse import urlsplit, urlunsplit
from urllib.request import urlopen

from django.core.exceptions import ImproperlyConfigured
from wagtail.contrib.frontend_cache.backends.http import HTTPBackend, PurgeRequest

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
