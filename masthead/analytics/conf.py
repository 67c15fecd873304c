"""Deployment-level audience settings, each overridable in Django settings."""

from django.conf import settings

DEFAULTS = {
    # Where view counters live at scale; empty means the database buffer.
    "MASTHEAD_ANALYTICS_REDIS_URL": "",
    # How often each app process writes its buffered views to the database, from
    # a background thread (the tests turn the thread off and flush themselves).
    "MASTHEAD_ANALYTICS_FLUSH_SECONDS": 1.0,
    "MASTHEAD_ANALYTICS_BACKGROUND_FLUSH": True,
    # Beacons per IP address as (count, seconds); more are answered and ignored.
    "MASTHEAD_ANALYTICS_RATE_PER_IP": (120, 60),
    # After a Redis error, counters go to the database buffer for this long
    # before Redis is tried again.
    "MASTHEAD_ANALYTICS_REDIS_RETRY_SECONDS": 5.0,
    # Trending: views of the last WINDOW hours, each hour's weight halving every
    # HALF_LIFE hours.
    "MASTHEAD_ANALYTICS_TRENDING_WINDOW_HOURS": 48,
    "MASTHEAD_ANALYTICS_TRENDING_HALF_LIFE_HOURS": 6.0,
    "MASTHEAD_ANALYTICS_TRENDING_SIZE": 5,
    "MASTHEAD_ANALYTICS_MOST_READ_DAYS": 7,
    "MASTHEAD_ANALYTICS_MOST_READ_SIZE": 5,
}


def get(name: str):
    return getattr(settings, name, DEFAULTS[name])
