"""Settings of the "my data" flow, each overridable in Django settings."""

from django.conf import settings

DEFAULTS = {
    # How long a mailed "my data" link works, in seconds.
    "MASTHEAD_PRIVACY_LINK_MAX_AGE": 24 * 3600,
    # Asking for a link, as (count, seconds) per connection. Mail to one address
    # is limited by the site-wide MASTHEAD_MAIL_PER_ADDRESS (core.mail_quota).
    "MASTHEAD_PRIVACY_RATE_PER_IP": (5, 3600),
}


def get(name: str):
    return getattr(settings, name, DEFAULTS[name])
