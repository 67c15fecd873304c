"""Absolute links for mail and provider callbacks: SITE_URL, never the Host header."""

from django.conf import settings


def absolute_url(path: str) -> str:
    """`path` on the public site (SITE_URL has no trailing slash)."""
    return f"{settings.SITE_URL.rstrip('/')}{path}"
