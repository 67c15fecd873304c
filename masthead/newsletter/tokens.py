"""The signed link of a confirmation mail: which pending signup, and its nonce.

The link names a `PendingSignup` row, which is what makes it single-use and
lets a later choice of the reader void it; the signature makes a forged or
altered link fail before any query, and expires it after
MASTHEAD_NEWSLETTER_CONFIRM_MAX_AGE.
"""

import hashlib

from django.core import signing

from . import conf
from .exceptions import InvalidToken
from .models import PendingSignup, Subscriber

CONFIRM_SALT = "masthead.newsletter.confirm"


def key_tag(key: str) -> str:
    """Names a subscriber's key without putting any of it in a readable place."""
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def pending_signup_token(pending: PendingSignup) -> str:
    return signing.dumps(
        {"p": pending.pk, "n": pending.nonce}, salt=CONFIRM_SALT, compress=True
    )


def confirmation_token(
    subscriber: Subscriber, list_ids: list[int], name: str = ""
) -> str:
    """Record a pending signup for `list_ids` and return its link's token."""
    pending = PendingSignup.objects.create(
        subscriber=subscriber, list_ids=sorted(list_ids), name=name[:200]
    )
    return pending_signup_token(pending)


def read_confirmation_token(token: str) -> dict:
    """The payload {"p": pending signup id, "n": its nonce}.

    Raises InvalidToken, with words for the reader, when it cannot be trusted.
    Whether the signup is still pending is the caller's question.
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
    if (
        not isinstance(payload, dict)
        or not isinstance(payload.get("p"), int)
        or isinstance(payload.get("p"), bool)
        or not isinstance(payload.get("n"), str)
    ):
        raise InvalidToken("This confirmation link is not valid.")
    return payload
