"""Who is not a reader: crawlers, headless browsers and requests no browser sent.

The crawler list is the community-maintained crawler-user-agents package; the
headless signatures below cover automation tools it does not list.
"""

import re
from functools import lru_cache
from urllib.parse import urlsplit

import crawleruseragents

HEADLESS_SIGNATURES = re.compile(
    r"headless|phantomjs|puppeteer|playwright|selenium|webdriver|electron/"
    r"|lighthouse|jsdom|cypress|slimerjs|splash",
    re.IGNORECASE,
)


@lru_cache(maxsize=4096)
def is_bot(user_agent: str) -> bool:
    """True for an empty, crawler or headless-browser user agent."""
    if len(user_agent) < 10:
        return True
    return bool(
        HEADLESS_SIGNATURES.search(user_agent)
        or crawleruseragents.is_crawler(user_agent)
    )


def sent_by_beacon(headers, own_host: str) -> bool:
    """True when the request carries what a browser's sendBeacon POST carries.

    Browsers name the page's origin on every POST and, when they send fetch
    metadata, call it same-origin. A script that only fakes a user agent rarely
    sends both.
    """
    origin = headers.get("Origin", "")
    if not origin or urlsplit(origin).netloc != own_host:
        return False
    site = headers.get("Sec-Fetch-Site")
    return site is None or site == "same-origin"


# What browsers send on a speculative load: Chromium's Sec-Purpose ("prefetch",
# "prefetch;prerender"), Firefox's X-Moz and Purpose, Safari's X-Purpose ("preview").
SPECULATIVE_HEADERS = ("Sec-Purpose", "Purpose", "X-Purpose", "X-Moz")
SPECULATIVE_WORDS = re.compile(r"prefetch|prerender|preview", re.IGNORECASE)


def is_speculative(headers) -> bool:
    """True when the browser loads this before (or without) the reader seeing it.

    A prerendered page's script waits for `prerenderingchange` before it sends the
    beacon, but a no-JavaScript pixel, a prefetched image, or a script that does
    not wait would count a page nobody opened.
    """
    return any(
        SPECULATIVE_WORDS.search(headers.get(name, "")) for name in SPECULATIVE_HEADERS
    )


def sent_by_image(headers, own_host: str) -> bool:
    """True when a GET looks like an <img> load (the no-JavaScript fallback).

    Takes the host only to share sent_by_beacon's signature: images carry no
    Origin header to compare with it.
    """
    destination = headers.get("Sec-Fetch-Dest")
    if destination is not None:
        return destination == "image"
    return "image/" in headers.get("Accept", "")
