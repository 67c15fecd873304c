"""Deployment-level comment settings, each overridable in Django settings.

What an editor changes day to day (moderation policy, blocklists, closing
threads) lives in the CommentSettings site setting instead.
"""

from django.conf import settings

DEFAULTS = {
    # How deep replies nest; a reply to the deepest level stays there with "@name".
    "MASTHEAD_COMMENTS_MAX_DEPTH": 4,
    "MASTHEAD_COMMENTS_MAX_LENGTH": 5000,
    # A commenter may edit or delete their own comment for this long.
    "MASTHEAD_COMMENTS_EDIT_SECONDS": 600,
    # A form sent sooner than this after its token was issued is a bot.
    "MASTHEAD_COMMENTS_MIN_SECONDS": 3,
    # A form token older than this is refused with a fresh one in its place.
    "MASTHEAD_COMMENTS_TOKEN_MAX_AGE": 24 * 3600,
    # Rate limits as (count, seconds).
    "MASTHEAD_COMMENTS_RATE_PER_IP": (5, 60),
    "MASTHEAD_COMMENTS_RATE_PER_EMAIL": (3, 60),
    "MASTHEAD_COMMENTS_VOTE_RATE_PER_IP": (60, 60),
    "MASTHEAD_COMMENTS_SUBSCRIBE_RATE_PER_IP": (5, 3600),
    # A subscription's confirmation link works this long after its latest mail.
    "MASTHEAD_COMMENTS_CONFIRM_SECONDS": 3 * 24 * 3600,
    # A subscriber gets at most one notification mail per thread in this window.
    "MASTHEAD_COMMENTS_NOTIFY_EVERY_SECONDS": 15 * 60,
    # Gravatar is a third-party request: off unless the site turns it on.
    "MASTHEAD_COMMENTS_GRAVATAR": False,
    # An Akismet-compatible spam check runs only when a key is configured.
    "MASTHEAD_COMMENTS_AKISMET_KEY": "",
    "MASTHEAD_COMMENTS_AKISMET_URL": "https://{key}.rest.akismet.com/1.1/comment-check",
}


def get(name: str):
    return getattr(settings, name, DEFAULTS[name])
