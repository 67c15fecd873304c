"""Signed tokens: the comment form's, the author's edit token, the voter id.

None of them needs a cookie or a session, so article pages stay cacheable: the
browser fetches a form token when the reader starts writing and keeps edit and
voter tokens in localStorage.
"""

import hashlib
import hmac
import secrets
import time

from django.conf import settings
from django.core import signing

from . import conf
from .exceptions import EditNotAllowed, FormTokenError

FORM_SALT = "masthead.comments.form"
EDIT_SALT = "masthead.comments.edit"
VOTER_SALT = "masthead.comments.voter"
ERASE_SALT = "masthead.comments.erase"


def issue_form_token(page_id: int, user_id: int | None = None, now=None) -> str:
    payload = {
        "p": page_id,
        "u": user_id,
        "n": secrets.token_urlsafe(18),
        "t": time.time() if now is None else now,
    }
    return signing.dumps(payload, salt=FORM_SALT)


def read_form_token(token: str, page_id: int, user_id: int | None, now=None) -> str:
    """The token's nonce, or FormTokenError saying in plain words what is wrong."""
    now = time.time() if now is None else now
    if not token:
        raise FormTokenError(
            "Please check your comment and send it again: "
            "the form needed a moment to get ready."
        )
    try:
        payload = signing.loads(token, salt=FORM_SALT)
    except signing.BadSignature as exc:
        raise FormTokenError(
            "This form could not be verified. Please send your comment again."
        ) from exc
    if payload.get("p") != page_id or payload.get("u") != user_id:
        raise FormTokenError(
            "This form belongs to another page or session. Please send it again."
        )
    age = now - float(payload.get("t", 0))
    if age > conf.get("MASTHEAD_COMMENTS_TOKEN_MAX_AGE"):
        raise FormTokenError(
            "This form has expired. We have renewed it: please send your comment again."
        )
    if age < conf.get("MASTHEAD_COMMENTS_MIN_SECONDS"):
        raise FormTokenError(
            "That was quicker than anyone can type. "
            "Please wait a moment and send again."
        )
    return payload["n"]


def issue_edit_token(comment) -> str:
    return signing.dumps({"c": comment.pk, "k": comment.submission_key}, salt=EDIT_SALT)


def check_edit_token(token: str, comment) -> None:
    try:
        payload = signing.loads(
            token or "",
            salt=EDIT_SALT,
            max_age=conf.get("MASTHEAD_COMMENTS_EDIT_SECONDS"),
        )
    except signing.SignatureExpired as exc:
        raise EditNotAllowed("The time to change this comment has passed.") from exc
    except signing.BadSignature as exc:
        raise EditNotAllowed("Only the author can change this comment.") from exc
    if payload.get("c") != comment.pk or payload.get("k") != comment.submission_key:
        raise EditNotAllowed("Only the author can change this comment.")


def issue_voter_token() -> str:
    return signing.dumps(secrets.token_urlsafe(18), salt=VOTER_SALT)


def voter_key(token: str) -> str | None:
    """The stored identity of a voter, or None for a token we did not sign."""
    try:
        voter = signing.loads(token or "", salt=VOTER_SALT)
    except signing.BadSignature:
        return None
    return hmac.new(
        settings.SECRET_KEY.encode(), voter.encode(), hashlib.sha256
    ).hexdigest()


def issue_erase_token(email: str) -> str:
    return signing.dumps(email.strip().lower(), salt=ERASE_SALT)


def read_erase_token(token: str, max_age: int = 2 * 24 * 3600) -> str | None:
    try:
        return signing.loads(token or "", salt=ERASE_SALT, max_age=max_age)
    except signing.BadSignature:
        return None
