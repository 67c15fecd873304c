"""Newsletter settings, each overridable in Django settings."""

from django.conf import settings

DEFAULTS = {
    # How long the confirmation link works, and when an unconfirmed address goes.
    "MASTHEAD_NEWSLETTER_CONFIRM_MAX_AGE": 3 * 24 * 3600,
    "MASTHEAD_NEWSLETTER_PURGE_UNCONFIRMED_DAYS": 7,
    # Signups per address as (count, seconds); more are answered alike but dropped.
    "MASTHEAD_NEWSLETTER_RATE_PER_IP": (10, 600),
    "MASTHEAD_NEWSLETTER_RATE_PER_EMAIL": (3, 3600),
    # Sending: rows claimed per batch, and how long a claim holds before another
    # sender may take the batch over from a sender that died.
    "MASTHEAD_NEWSLETTER_BATCH_SIZE": 200,
    "MASTHEAD_NEWSLETTER_CLAIM_SECONDS": 120,
    # Sender tasks started per issue (each is one worker's loop).
    "MASTHEAD_NEWSLETTER_SENDERS": 2,
    # Tries per delivery refused for now (a 4xx such as greylisting's 451), and
    # the seconds before each retry: minutes first, then hours, about 11 h in all.
    "MASTHEAD_NEWSLETTER_MAX_ATTEMPTS": 6,
    "MASTHEAD_NEWSLETTER_RETRY_DELAYS": (300, 900, 3600, 3 * 3600, 6 * 3600),
    # The most stories a digest or a prefilled issue carries.
    "MASTHEAD_NEWSLETTER_MAX_STORIES": 20,
    # From header of newsletter mail; DEFAULT_FROM_EMAIL when empty.
    "MASTHEAD_NEWSLETTER_FROM_EMAIL": "",
}


def get(name: str):
    return getattr(settings, name, DEFAULTS[name])


def from_email() -> str:
    return get("MASTHEAD_NEWSLETTER_FROM_EMAIL") or settings.DEFAULT_FROM_EMAIL
