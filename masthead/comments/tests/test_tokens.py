import time

import pytest
from django.core import signing
from django.test import override_settings

from masthead.comments import tokens
from masthead.comments.exceptions import EditNotAllowed, FormTokenError


def test_form_token_round_trip_gives_its_nonce():
    token = tokens.issue_form_token(7, None, now=time.time() - 10)
    assert tokens.read_form_token(token, 7, None)


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("", "needed a moment"),
        ("forged.token:value", "could not be verified"),
    ],
)
def test_missing_or_forged_form_tokens_are_refused(token, message):
    with pytest.raises(FormTokenError, match=message):
        tokens.read_form_token(token, 7, None)


def test_token_for_another_page_or_user_is_refused():
    token = tokens.issue_form_token(7, None, now=time.time() - 10)
    with pytest.raises(FormTokenError, match="another page"):
        tokens.read_form_token(token, 8, None)
    with pytest.raises(FormTokenError, match="another page"):
        tokens.read_form_token(token, 7, 1)


def test_too_fast_and_expired_tokens_are_refused():
    with pytest.raises(FormTokenError, match="quicker"):
        tokens.read_form_token(tokens.issue_form_token(7), 7, None)
    old = tokens.issue_form_token(7, None, now=time.time() - 2 * 24 * 3600)
    with pytest.raises(FormTokenError, match="expired"):
        tokens.read_form_token(old, 7, None)


def test_a_token_signed_with_another_salt_is_forged():
    token = signing.dumps({"p": 7, "u": None, "n": "x", "t": 0}, salt="other")
    with pytest.raises(FormTokenError, match="could not be verified"):
        tokens.read_form_token(token, 7, None)


class _Comment:
    pk = 3
    submission_key = "abc"


def test_edit_token_only_opens_its_own_comment():
    token = tokens.issue_edit_token(_Comment())
    tokens.check_edit_token(token, _Comment())
    other = _Comment()
    other.pk = 4
    with pytest.raises(EditNotAllowed, match="Only the author"):
        tokens.check_edit_token(token, other)


@override_settings(MASTHEAD_COMMENTS_EDIT_SECONDS=-1)
def test_edit_token_expires():
    with pytest.raises(EditNotAllowed, match="has passed"):
        tokens.check_edit_token(tokens.issue_edit_token(_Comment()), _Comment())


def test_voter_key_is_stable_and_refuses_unsigned_ids():
    token = tokens.issue_voter_token()
    assert tokens.voter_key(token) == tokens.voter_key(token)
    assert tokens.voter_key("made-up") is None
