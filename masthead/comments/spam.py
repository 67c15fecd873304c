"""The optional Akismet-compatible check (Akismet itself, or a self-hosted clone).

Off unless MASTHEAD_COMMENTS_AKISMET_KEY is set. A slow or failing service must
never lose a comment: on any error it goes through the usual moderation rules.
"""

import logging
import urllib.parse
import urllib.request

from django.conf import settings

from . import conf

logger = logging.getLogger("masthead.comments")


class AkismetUnavailable(Exception):
    pass


def akismet_says_spam(page, draft, fields) -> bool:
    key = conf.get("MASTHEAD_COMMENTS_AKISMET_KEY")
    if not key:
        return False
    url = conf.get("MASTHEAD_COMMENTS_AKISMET_URL").format(key=key)
    if not url.lower().startswith(("http://", "https://")):
        # urlopen would read a file: URL too; comments.E003 reports the setting.
        logger.warning("spam check skipped: the Akismet URL is not http(s)")
        return False
    data = {
        "api_key": key,
        "blog": getattr(settings, "SITE_URL", ""),
        "user_ip": draft.ip,
        "user_agent": draft.user_agent,
        "permalink": page.full_url or "",
        "comment_type": "reply" if draft.parent_id else "comment",
        "comment_author": fields["name"],
        "comment_author_email": fields["email"],
        "comment_author_url": fields["url"],
        "comment_content": fields["body"],
    }
    request = urllib.request.Request(  # noqa: S310  (the URL is our own setting)
        url, data=urllib.parse.urlencode(data).encode(), method="POST"
    )
    try:
        # Only an http(s) URL gets here: the scheme is checked above.
        with urllib.request.urlopen(request, timeout=3) as response:  # noqa: S310  # nosec B310
            answer = response.read(64).decode().strip()
    except Exception:
        logger.warning("spam check unavailable; holding nothing back on its word")
        return False
    return answer == "true"
