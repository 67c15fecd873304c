"""Fuzzing the "my data" flow: asking for a link, the page, the export, erasing."""

import pytest
from django.core import mail
from hypothesis import given
from hypothesis import strategies as st

from masthead.privacy import tokens

from .conftest import (
    EMAILS,
    FUZZ,
    assert_clean_mail_headers,
    assert_clear_answer,
    encodings,
    extra_fields,
    fresh_limits,
    hostile_text,
    hostile_value,
    post_raw,
)
from .test_comments import path_segment

pytestmark = pytest.mark.django_db


@FUZZ
@given(
    email=st.one_of(st.sampled_from(EMAILS), hostile_text),
    homepage=st.one_of(st.just(""), hostile_text),
    extra=extra_fields,
    encoding=encodings,
)
def test_asking_for_a_data_link_answers_clearly_and_mails_cleanly(
    client, db, email, homepage, extra, encoding
):
    fresh_limits()
    mail.outbox.clear()
    sent = {**extra, "email": email, "homepage": homepage}
    response = post_raw(client, "/my-data/", sent, encoding)
    assert_clear_answer(response, form=True)
    assert_clean_mail_headers()
    for message in mail.outbox:
        assert len(message.to) == 1 and "\n" not in message.to[0]


@FUZZ
@given(
    token=st.one_of(hostile_value, st.just("valid")),
    fields=st.fixed_dictionaries(
        {
            "confirm": st.one_of(st.sampled_from(["yes", ""]), hostile_value),
            "comment_text": st.one_of(st.just("remove"), hostile_value),
        }
    ),
    extra=extra_fields,
)
def test_data_links_with_garbage_answer_clearly(
    client, guest_comment, token, fields, extra
):
    if token == "valid":
        token = tokens.issue(guest_comment.author_email or "ada@example.org")
    segment = path_segment(token)
    assert_clear_answer(client.get(f"/my-data/{segment}/"))
    assert_clear_answer(client.get(f"/my-data/{segment}/export.json"))
    response = post_raw(client, f"/my-data/{segment}/erase/", {**extra, **fields})
    assert_clear_answer(response)
