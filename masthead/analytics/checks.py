"""Refuse to start with audience settings that would silently count wrong."""

from urllib.parse import urlsplit

from django.core import checks

from . import conf


@checks.register()
def check_analytics_settings(app_configs, **kwargs):
    errors = []
    rate = conf.get("MASTHEAD_ANALYTICS_RATE_PER_IP")
    if not (
        isinstance(rate, tuple | list)
        and len(rate) == 2
        and all(isinstance(n, int) and n > 0 for n in rate)
    ):
        errors.append(
            checks.Error(
                "MASTHEAD_ANALYTICS_RATE_PER_IP must be (count, seconds), both > 0.",
                id="analytics.E001",
            )
        )
    if not conf.get("MASTHEAD_ANALYTICS_FLUSH_SECONDS") > 0:
        errors.append(
            checks.Error(
                "MASTHEAD_ANALYTICS_FLUSH_SECONDS must be more than 0.",
                id="analytics.E002",
            )
        )
    url = conf.get("MASTHEAD_ANALYTICS_REDIS_URL")
    if url and urlsplit(url).scheme not in ("redis", "rediss", "unix"):
        errors.append(
            checks.Error(
                f"MASTHEAD_ANALYTICS_REDIS_URL {url!r} is not a redis:// URL.",
                id="analytics.E003",
            )
        )
    return errors
