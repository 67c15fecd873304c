"""Absolute links for mail and provider callbacks: SITE_URL, never the Host header.

A request's Host header is chosen by whoever sends the request; a link built on
it and mailed to someone else (a reset link, a confirmation) would take its
reader, and the token in it, to the sender's server. So mailed links are built
here, on SITE_URL alone, even where a request is at hand.
"""

import re

from django.conf import settings

# A root-relative address in an href or src attribute ("/news/x/", not "//host").
_ROOT_RELATIVE = re.compile(r'\b(href|src)="(/(?!/)[^"]*)"')


def absolute_url(path: str) -> str:
    """`path` on the public site (SITE_URL has no trailing slash)."""
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def page_url(page) -> str:
    """A Wagtail page's address on the public site.

    Built on SITE_URL rather than the Wagtail Site's hostname and port, so that
    every mailed link points at one canonical address even when the Site record
    was left at its default (localhost:80). The front page stands in for a page
    that is not routable (unpublished, outside the site).
    """
    parts = page.get_url_parts()
    return absolute_url(parts[2] if parts else "/")


def absolute_links(html: str) -> str:
    """`html` with its root-relative href and src addresses made absolute on SITE_URL.

    Rich text links pages, documents and images by root-relative address, which a
    browser resolves against the page; a mail has no address of its own.
    """
    return _ROOT_RELATIVE.sub(
        lambda match: f'{match.group(1)}="{absolute_url(match.group(2))}"', html
    )
