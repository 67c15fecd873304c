"""The signed link that proves a reader reads the mailbox they name.

Signed, not stored: asking again keeps nothing on our side. The salt and the
purpose inside the payload keep any other signed value of the site (a comment
form token, a newsletter confirmation) from opening someone's data.
"""

from django.core import signing

from . import conf
from .exceptions import InvalidLink

SALT = "masthead.privacy.my-data"
PURPOSE = "my-data"


def issue(email: str) -> str:
    return signing.dumps({"e": email, "p": PURPOSE}, salt=SALT, compress=True)


def read(token: str) -> str:
    """The address a link was made for; raises InvalidLink saying what is wrong."""
    try:
        payload = signing.loads(
            token or "", salt=SALT, max_age=conf.get("MASTHEAD_PRIVACY_LINK_MAX_AGE")
        )
    except signing.SignatureExpired as exc:
        raise InvalidLink(
            "This link has expired. Ask for a new one and we will mail it to you."
        ) from exc
    except signing.BadSignature as exc:
        raise InvalidLink(
            "This link is not valid. Copy the whole link from the mail, "
            "or ask for a new one."
        ) from exc
    if (
        not isinstance(payload, dict)
        or payload.get("p") != PURPOSE
        or not isinstance(payload.get("e"), str)
        or not payload["e"]
    ):
        raise InvalidLink("This link is not valid. Ask for a new one.")
    return payload["e"]
