"""Comments under attack: mailed links, mail to typed-in addresses, reply targets.

Each property drives the site with a generated sequence of requests and checks,
after every step, that nothing changed that the rules do not allow.
"""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from hypothesis import example, given, settings
from hypothesis import strategies as st

from masthead.comments import services, subscriptions
from masthead.comments.choices import CommentStatus, SubscriptionStatus
from masthead.comments.models import Comment, Subscription
from masthead.comments.tests.fixtures import aged_form_token, post_comment
from masthead.core.models import MailToAddress
from masthead.news.tests.factories import ArticlePageFactory

from .conftest import (
    FUZZ,
    HOSTILE,
    JSON_ACCEPT,
    NUMBERS,
    as_server_reads,
    fresh_limits,
    post_raw,
)

pytestmark = pytest.mark.django_db

READERS = ["ada@example.org", "bo@example.org"]
CONFIRM_DAYS = 3
KINDS = st.sampled_from([["all"], ["replies"], ["all", "replies"]])


@pytest.fixture
def other_article(section):
    return ArticlePageFactory(parent=section, title="Another story")


def _reset():
    fresh_limits()
    Subscription.objects.all().delete()
    MailToAddress.objects.all().delete()
    mail.outbox.clear()


def _snapshot() -> dict[int, tuple]:
    return {
        row.pk: (row.email, row.kind, row.status)
        for row in Subscription.objects.order_by("pk")
    }


def _confirm_keys_mailed() -> list[str]:
    return [
        match
        for message in mail.outbox
        for match in re.findall(r"/subscriptions/([\w-]+)/confirm/", message.body)
    ]


# --- mailed links ---------------------------------------------------------------

link_steps = st.lists(
    st.one_of(
        st.tuples(st.just("subscribe"), st.sampled_from(READERS), KINDS),
        st.tuples(
            st.just("confirm"),
            st.integers(0, 50),
            st.sampled_from(["get", "post", "post"]),
        ),
        st.tuples(st.just("unsubscribe"), st.integers(0, 50), st.just("post")),
        st.tuples(st.just("forge"), st.sampled_from(["confirm", "unsubscribe"])),
        st.tuples(st.just("wait"), st.sampled_from([1, 12, 30, 49, 71, 73])),
    ),
    min_size=1,
    max_size=12,
)


@settings(FUZZ, max_examples=30)
@given(steps=link_steps)
@example(  # found by this test: a link mailed after an unsubscribe must work
    steps=[
        ("subscribe", "ada@example.org", ["all"]),
        ("unsubscribe", 2, "post"),
        ("subscribe", "ada@example.org", ["all"]),
        ("confirm", 1, "post"),
    ]
)
def test_mailed_links_change_only_what_their_reader_asked_for(client, article, steps):
    _reset()
    # key -> (reader, mailed at, step); the latest mail of each reader. Steps, not
    # times, order a mail and an unsubscribe: the clock stands still between them.
    mailed: dict[str, tuple[str, object, int]] = {}
    used: set[str] = set()
    ended_at: dict[str, int] = {}
    latest: dict[str, str] = {}
    tokens: list[str] = ["forged-unsubscribe-token"]
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for number, step in enumerate(steps):
            before = _snapshot()
            action = step[0]
            if action == "wait":
                clock.shift(timedelta(hours=step[1]))
                continue
            if action == "subscribe":
                reader = step[1]
                sent_before = len(mail.outbox)
                rows = subscriptions.subscribe(article, reader, step[2])
                tokens.extend(row.token for row in rows)
                latest.pop(reader, None)
                for key in _confirm_keys_mailed()[sent_before:]:
                    mailed[key] = (reader, timezone.now(), number)
                    latest[reader] = key
                continue
            pool = [*mailed, *tokens, "forged-confirm-key"]
            if action == "forge":
                path = f"/comments/subscriptions/forged-{step[1]}/{step[1]}/"
                assert client.post(path).status_code == 404
                assert _snapshot() == before
                continue
            link = pool[step[1] % len(pool)]
            if action == "unsubscribe":
                response = client.post(f"/comments/subscriptions/{link}/unsubscribe/")
                assert response.status_code in (200, 404)
                if ended := _check_unsubscribe(link, before):
                    ended_at[ended] = number
                    latest.pop(ended, None)
                continue
            path = f"/comments/subscriptions/{link}/confirm/"
            response = getattr(client, step[2])(path)
            assert response.status_code in (200, 404, 410), response.status_code
            after = _snapshot()
            changed = {pk for pk in after if after[pk] != before.get(pk)}
            if step[2] == "get" or response.status_code != 200:
                assert not changed
                continue
            # A confirmation changed something: it must be a live, unused link,
            # mailed to that reader, not withdrawn since, and only theirs changed.
            assert changed and link in mailed
            reader, at, mailed_step = mailed[link]
            assert link not in used
            assert timezone.now() - at <= timedelta(days=CONFIRM_DAYS)
            assert reader not in ended_at or ended_at[reader] < mailed_step
            assert {after[pk][0] for pk in changed} == {reader}
            assert {after[pk][2] for pk in changed} == {SubscriptionStatus.CONFIRMED}
            used.add(link)
            latest.pop(reader, None)
        # The newest link each reader was mailed, unused and in time, still works.
        for reader, key in latest.items():
            if timezone.now() - mailed[key][1] <= timedelta(days=CONFIRM_DAYS):
                response = client.post(f"/comments/subscriptions/{key}/confirm/")
                assert response.status_code == 200, (reader, steps)


def _check_unsubscribe(token: str, before: dict) -> str | None:
    """The reader whose subscriptions the link ended, if it changed anything."""
    after = _snapshot()
    changed = {pk for pk in after if after[pk] != before.get(pk)}
    row = Subscription.objects.filter(token=token).first()
    if not changed:
        return None
    # Only the link's reader, only to "unsubscribed", and only while the
    # link's own row was still active: an old link cannot end a later choice.
    assert row is not None
    assert before[row.pk][2] != SubscriptionStatus.UNSUBSCRIBED
    assert {after[pk][0] for pk in changed} == {row.email}
    assert {after[pk][2] for pk in changed} == {SubscriptionStatus.UNSUBSCRIBED}
    return row.email


# --- mail to typed-in addresses ---------------------------------------------------

VICTIM_SPELLINGS = ["victim@example.org", "Victim@Example.ORG", " victim@example.org "]
mail_steps = st.lists(
    st.one_of(
        st.tuples(
            st.just("comment"),
            st.sampled_from(VICTIM_SPELLINGS),
            st.integers(1, 250),  # the connection it comes from
        ),
        st.tuples(
            st.just("follow"),
            st.sampled_from(VICTIM_SPELLINGS),
            st.integers(1, 250),
            KINDS,
            st.booleans(),  # on the second article
        ),
        st.tuples(st.just("unsubscribe_all")),
        st.tuples(st.just("wait"), st.sampled_from([1, 5, 20, 59])),
    ),
    min_size=1,
    max_size=15,
)


@settings(FUZZ, max_examples=20)
@given(steps=mail_steps)
def test_no_sequence_of_forms_mails_an_address_more_than_three_times_an_hour(
    client, article, other_article, publish_at_once, steps
):
    _reset()
    Comment.objects.all().delete()
    sent_at = []
    answers = {"comment": set(), "follow": set()}
    n = 0
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for step in steps:
            n += 1
            if step[0] == "wait":
                clock.shift(timedelta(minutes=step[1]))
                continue
            if step[0] == "unsubscribe_all":
                for token in Subscription.objects.values_list("token", flat=True):
                    subscriptions.unsubscribe(token)
                continue
            before = len(mail.outbox)
            ip = f"198.51.100.{step[2]}"
            if step[0] == "comment":
                response = client.post(
                    reverse("comments:post", args=[article.pk]),
                    {
                        "body": f"Comment {n}, notify me.",
                        "name": "Mallory",
                        "email": step[1],
                        "notify_replies": "1",
                        "token": aged_form_token(article),
                    },
                    REMOTE_ADDR=ip,
                    **JSON_ACCEPT,
                )
                if response.status_code == 200:
                    answers["comment"].add(response.json()["message"])
            else:
                page = other_article if step[4] else article
                response = client.post(
                    reverse("comments:subscribe", args=[page.pk]),
                    {"email": step[1], "kind": step[3], "token": aged_form_token(page)},
                    REMOTE_ADDR=ip,
                    **JSON_ACCEPT,
                )
                if response.status_code == 200:
                    answers["follow"].add(response.json()["message"])
            assert response.status_code in (200, 429), response.content
            sent_at += [timezone.now()] * (len(mail.outbox) - before)
            assert all(m.to == ["victim@example.org"] for m in mail.outbox)
            now = timezone.now()
            assert len([at for at in sent_at if at > now - timedelta(hours=1)]) <= 3
            assert len([at for at in sent_at if at > now - timedelta(days=1)]) <= 6
    # Whether a mail went out or not, a reader sees one and the same answer.
    assert len(answers["comment"]) <= 1 and len(answers["follow"]) <= 1


# --- reply targets ----------------------------------------------------------------

ID_LIKE = ["", " ", "\t", "0", "00", "+1", "1e3", "1 ", " 1", "１", "²", "١٢"]


@FUZZ
@given(
    kind=st.sampled_from(
        ["visible", "deleted", "trashed", "spam", "held", "elsewhere", "hostile"]
    ),
    hostile=st.one_of(st.sampled_from([*HOSTILE, *NUMBERS, *ID_LIKE]), st.text()),
    padding=st.sampled_from(["", " ", "0"]),
)
def test_a_reply_is_attached_to_a_visible_comment_of_the_article_or_refused(
    client, article, other_article, publish_at_once, kind, hostile, padding
):
    fresh_limits()
    Comment.objects.all().delete()
    target = post_comment(
        other_article if kind == "elsewhere" else article, "A comment to answer."
    )
    hide = {
        "deleted": services.erase_comment,
        "trashed": services.trash,
        "spam": services.mark_spam,
        "held": lambda c: services.set_status([c], CommentStatus.PENDING),
    }.get(kind)
    if hide:
        hide(target)
    parent = hostile if kind == "hostile" else f"{padding}{target.pk}"
    existing = set(Comment.objects.values_list("pk", flat=True))

    response = post_raw(
        client,
        reverse("comments:post", args=[article.pk]),
        {
            "body": "My answer.",
            "name": "Bo",
            "email": "bo@example.org",
            "parent": parent,
            "token": aged_form_token(article),
        },
        **JSON_ACCEPT,
    )

    assert response.status_code in (200, 400), response.content
    new = Comment.objects.exclude(pk__in=existing)
    read = as_server_reads(parent).strip()
    if response.status_code == 400:
        assert not new.exists()
        return
    (reply,) = new
    if not read:
        assert reply.reply_to_id is None
        return
    # Stored as a reply, never as a top-level comment, and to what was named.
    answered = Comment.objects.get(pk=reply.reply_to_id)
    assert str(answered.pk) == read.lstrip("0")
    assert answered.page_id == article.pk
    assert answered.status == CommentStatus.APPROVED
    assert reply.parent_id is not None
