"""Attacking the "my data" flow with sequences: old, replayed, reordered, forged
and other readers' links erase nothing they should not and show nobody else's
data; no run of requests mails one address more than its share."""

import base64
import itertools
import json
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail, signing
from hypothesis import example, given, settings
from hypothesis import strategies as st

from masthead.comments.models import Comment
from masthead.comments.tests.fixtures import post_comment
from masthead.core.mail_quota import DEFAULT_LIMITS
from masthead.core.models import MailToAddress
from masthead.privacy import tokens

from .conftest import FUZZ, assert_clear_answer, fresh_limits

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 1, 9, tzinfo=UTC)
_examples = itertools.count()

READERS = ("ann", "ben")
FORGERIES = ("none", "truncated", "other_salt", "other_address", "no_link_row")
# Genuine links and asking again weigh more: replays and reorderings need them.
asks = st.tuples(st.just("ask"), st.sampled_from(READERS))
uses = st.tuples(
    st.sampled_from(["view", "export", "erase", "erase", "erase_removing_text"]),
    st.integers(0, 7),
    st.one_of(st.just("none"), st.sampled_from(FORGERIES)),
)
link_steps = st.lists(
    st.one_of(
        asks,
        uses,
        uses,
        st.tuples(st.just("comment_again"), st.sampled_from(READERS)),
        st.tuples(st.just("a_day_passes")),
    ),
    min_size=4,
    max_size=12,
)
# Always tried: an older link after a newer one erased and the reader came back,
# and a replayed erasure asking for more than the first one did.
REORDERED = [
    ("ask", "ann"),
    ("ask", "ann"),
    ("erase", 1, "none"),
    ("comment_again", "ann"),
    ("erase", 0, "none"),
    ("view", 0, "none"),
    ("export", 0, "none"),
]
REPLAYED = [("ask", "ann"), ("erase", 0, "none"), ("erase_removing_text", 0, "none")]


def _forge(token: str, how: str, other_address: str) -> str:
    """What someone holding a genuine link, or none, could make of it."""
    if how == "truncated":
        return token[:-3]
    payload = signing.loads(token, salt=tokens.SALT)
    if how == "other_salt":
        return signing.dumps(payload, salt="masthead.comments.erase", compress=True)
    if how == "other_address":
        # Without the site's key the signature cannot follow the new payload.
        body = {**payload, "e": other_address}
        encoded = base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=")
        return encoded.decode() + token[token.index(":") :]
    if how == "no_link_row":
        return signing.dumps(
            {k: v for k, v in payload.items() if k != "r"}, salt=tokens.SALT
        )
    return token


class Readers:
    """What the site should hold, step by step: the model the pages are checked
    against."""

    def __init__(self, article):
        example = next(_examples)
        self.article = article
        self.address = {name: f"{name}.{example}@example.org" for name in READERS}
        self.erasures = Counter()
        self.days = 0
        self.links = []  # (reader, token, erasures then, days then)
        self.comments = Counter()

    def comment(self, reader: str) -> None:
        self.comments[reader] += 1
        post_comment(
            self.article,
            f"Comment {self.comments[reader]} of {self.address[reader]}.",
            name=reader.title(),
            email=self.address[reader],
        )

    def holds(self, reader: str) -> bool:
        return Comment.objects.filter(author_email=self.address[reader]).exists()

    def alive(self, link) -> bool:
        reader, _token, erasures, days = link
        return erasures == self.erasures[reader] and days == self.days


def _check_page(response, readers: Readers, reader: str, opens: bool):
    assert_clear_answer(response)
    body = (b"".join(response) if response.streaming else response.content).decode()
    other = next(name for name in READERS if name != reader)
    assert readers.address[other] not in body
    if opens:
        assert response.status_code == 200
        assert readers.address[reader] in body
    else:
        assert 400 <= response.status_code < 500
        assert readers.address[reader] not in body


@settings(FUZZ, max_examples=60)
@given(steps=link_steps)
@example(steps=REORDERED)
@example(steps=REPLAYED)
def test_no_link_erases_or_shows_what_it_should_not(
    client, article, publish_at_once, steps
):
    fresh_limits()
    readers = Readers(article)
    holding = {}
    with time_machine.travel(START, tick=False) as clock:
        for reader in READERS:
            readers.comment(reader)
            holding[reader] = True
        for step in steps:
            kind = step[0]
            if kind == "ask":
                reader = step[1]
                token = tokens.issue(readers.address[reader])
                readers.links.append(
                    (reader, token, readers.erasures[reader], readers.days)
                )
                continue
            if kind == "comment_again":
                readers.comment(step[1])
                holding[step[1]] = True
                continue
            if kind == "a_day_passes":
                clock.shift(timedelta(hours=24, minutes=1))
                readers.days += 1
                continue
            if not readers.links:
                continue
            _, index, forgery = step
            link = readers.links[index % len(readers.links)]
            reader = link[0]
            other = next(name for name in READERS if name != reader)
            token = _forge(link[1], forgery, readers.address[other])
            opens = forgery == "none" and readers.alive(link)
            if kind == "view":
                _check_page(client.get(f"/my-data/{token}/"), readers, reader, opens)
            elif kind == "export":
                answer = client.get(f"/my-data/{token}/export.json")
                _check_page(answer, readers, reader, opens)
            else:
                text = "remove" if kind == "erase_removing_text" else "keep"
                answer = client.post(
                    f"/my-data/{token}/erase/",
                    {"confirm": "yes", "comment_text": text},
                )
                assert_clear_answer(answer)
                assert readers.address[other] not in answer.content.decode()
                assert (answer.status_code == 200) is opens
                if opens:
                    readers.erasures[reader] += 1
                    holding[reader] = False
            for name in READERS:
                assert readers.holds(name) is holding[name], (name, step)


asking = st.lists(
    st.tuples(
        st.sampled_from(["ann", "ben"]),
        st.sampled_from([str, str.upper, " {} ".format]),  # as the reader typed it
        st.integers(0, 3),  # which connection
        st.sampled_from([0, 1, 20, 61, 6 * 60, 24 * 60]),  # minutes before it
    ),
    min_size=1,
    max_size=14,
)


@FUZZ
@given(requests=asking)
def test_no_run_of_requests_mails_an_address_more_than_its_share(client, requests):
    fresh_limits()
    mail.outbox.clear()
    MailToAddress.objects.all().delete()
    example = next(_examples)
    sent_at = {}
    with time_machine.travel(START, tick=False) as clock:
        for local, typed, connection, minutes in requests:
            clock.shift(timedelta(minutes=minutes))
            fresh_limits()  # the per-connection limit is not what is tested here
            before = len(mail.outbox)
            answer = client.post(
                "/my-data/",
                {"email": typed(f"{local}.{example}@example.org")},
                REMOTE_ADDR=f"198.51.100.{connection}",
            )
            assert answer.status_code == 302
            assert answer["Location"] == "/my-data/check-your-inbox/"
            for message in mail.outbox[before:]:
                sent_at.setdefault(message.to[0], []).append(time.time())

    for times in sent_at.values():
        for count, seconds in DEFAULT_LIMITS:
            for end in times:
                window = [t for t in times if end - seconds < t <= end]
                assert len(window) <= count, (count, seconds, times)
