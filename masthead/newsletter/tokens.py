"""The signed link of a confirmation mail: which subscriber, which lists, when.

Signed rather than stored, so asking again never overwrites an earlier link and a
pending signup keeps nothing but its row. It expires after
MASTHEAD_NEWSLETTER_CONFIRM_MAX_AGE.
"""

import hashlib

from django.core import signing

from . import conf
from .exceptions import InvalidToken

CONFIRM_SALT = "masthead.newsletter.confirm"


def key_tag(key: str) -> str:
    """Tells one subscriber row from a later one with the same id (SQLite reuses
    ids), without putting any of the secret key in a readable link."""
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def confirmation_token(subscriber, list_ids: list[int], name: str = "") -> str:
    payload = {"s": subscriber.pk, "k": key_tag(subscriber.key), "l": sorted(list_ids)}
    if name:
        payload["n"] = name
    return signing.dumps(payload, salt=CONFIRM_SALT, compress=True)


def read_confirmation_token(token: str) -> dict:
    """The payload {"s": id, "k": key tag, "l": list ids, "n": name?}.

    Raises InvalidToken, with words for the reader, when it cannot be trusted.
    """
    try:
        payload = signing.loads(
            token,
            salt=CONFIRM_SALT,
            max_age=conf.get("MASTHEAD_NEWSLETTER_CONFIRM_MAX_AGE"),
        )
    except signing.SignatureExpired as exc:
        raise InvalidToken(
            "This confirmation link has expired. Please sign up again: "
            "we will send you a new one."
        ) from exc
    except signing.BadSignature as exc:
        raise InvalidToken(
            "This confirmation link is not valid. Please copy the whole link from "
            "the mail, or sign up again."
        ) from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("l"), list):
        raise InvalidToken("This confirmation link is not valid.")
    return payload
