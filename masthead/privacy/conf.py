"""Settings of the "my data" flow, each overridable in Django settings."""

from django.conf import settings

DEFAULTS = {
    # How long a mailed "my data" link works, in seconds.
    "MASTHEAD_PRIVACY_LINK_MAX_AGE": 24 * 3600,
    # Rate limits on asking for a link, as (count, seconds): per connection, and
    # per address so that nobody can flood a stranger's inbox.
    "MASTHEAD_PRIVACY_RATE_PER_IP": (5, 3600),
    "MASTHEAD_PRIVACY_RATE_PER_EMAIL": (3, 3600),
}


def get(name: str):
    return getattr(settings, name, DEFAULTS[name])
