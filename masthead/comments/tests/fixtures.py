"""Comment fixtures shared by every app's tests (loaded by the root conftest)."""

import itertools
import time

import pytest

from masthead.comments import services, tokens
from masthead.comments.choices import ModerationPolicy

_keys = itertools.count(1)


def post_comment(article, body="A thoughtful reply.", **fields):
    """Post through the service as a reader would; returns the comment."""
    fields.setdefault("name", "Ada Reader")
    fields.setdefault("email", "ada@example.org")
    key = fields.pop("submission_key", f"test-{next(_keys)}-{time.monotonic_ns()}")
    draft = services.CommentDraft(page_id=article.pk, body=body, **fields)
    comment, _created = services.post_comment(draft, submission_key=key)
    return comment


def aged_form_token(article, user_id=None, seconds=30) -> str:
    """A form token as if the reader had been writing for `seconds`."""
    return tokens.issue_form_token(article.pk, user_id, now=time.time() - seconds)


@pytest.fixture
def comment_settings(article):
    return services.settings_for(article)


@pytest.fixture
def publish_at_once(comment_settings):
    comment_settings.moderation = ModerationPolicy.PUBLISH
    comment_settings.save()
    return comment_settings


@pytest.fixture
def guest_comment(article, publish_at_once):
    return post_comment(
        article, "First!\n\nSee https://example.org/a.", name="Sam Guest"
    )
