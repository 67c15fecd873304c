"""Many readers posting at once: every comment is stored exactly once.

These tests commit for real (transaction=True) so that several connections, from
threads and from other processes, see one another's rows on the test database,
which is a file on SQLite (WAL, IMMEDIATE transactions, a busy timeout).
"""

import json
import random
import subprocess
import sys
import threading
import time
import traceback
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.urls import reverse

from masthead.comments import services, tokens
from masthead.comments.models import Comment

# serialized_rollback: the flush after each test would otherwise take Wagtail's
# default site (made by a migration) with it.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

POSTS = 200
REPLAYED = 50

# A client process: reads [[body, token], ...] on stdin, posts each one to the URL
# in argv[1] from a few threads of its own, and prints the HTTP status of each.
# It imports nothing from Django, so it starts fast and shares nothing with the
# server but the socket.
CLIENT = r"""
import json, sys, urllib.error, urllib.parse, urllib.request
from concurrent.futures import ThreadPoolExecutor

url = sys.argv[1]
jobs = json.load(sys.stdin)


def send(job):
    body, token = job
    data = urllib.parse.urlencode({
        "body": body, "name": "Crowd Reader", "email": "crowd@example.org",
        "url": "", "parent": "", "homepage": "", "token": token,
    }).encode()
    request = urllib.request.Request(
        url, data=data, headers={"Accept": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return [body, response.status, json.load(response)]
    except urllib.error.HTTPError as exc:
        return [body, exc.code, exc.read().decode(errors="replace")[:2000]]
    except Exception as exc:
        return [body, 0, repr(exc)]


with ThreadPoolExecutor(max_workers=4) as pool:
    print(json.dumps(list(pool.map(send, jobs))))
"""


# Why a resend can be refused: post_comment looks the submission key up, then
# checks the duplicate-text window, outside one transaction. A resend that looks
# before its original commits and checks the text after finds its own comment.
RACE = (
    "A resend of a form (same submission key) must get the stored comment back, "
    "not 'This comment has already been posted on this article.' "
    "(services.post_comment: key lookup, then duplicate-text check, not atomic)."
)


@pytest.fixture
def crowd_limits(settings):
    """A crowd from one address would otherwise meet the per-IP rate limit."""
    settings.MASTHEAD_COMMENTS_RATE_PER_IP = (10000, 60)
    settings.MASTHEAD_COMMENTS_RATE_PER_EMAIL = (10000, 60)
    return settings


def _post_in_thread(article_id: int, body: str, key: str):
    """One reader's post from a worker thread, with that thread's own connection."""
    try:
        draft = services.CommentDraft(
            page_id=article_id,
            body=body,
            name="Crowd Reader",
            email="crowd@example.org",
        )
        comment, created = services.post_comment(draft, submission_key=key)
        return key, comment.pk, created, None
    except Exception:
        return key, None, None, traceback.format_exc()
    finally:
        # The thread's connection would otherwise outlive the test and hold the
        # SQLite file while pytest-django flushes it.
        connection.close()


def test_two_hundred_posts_from_threads_each_retried_are_stored_once(
    article, publish_at_once
):
    jobs = [
        (f"Thread reader number {n} has a view.", f"thread-key-{n}")
        for n in range(POSTS)
    ]
    # Every form is sent twice (a retry) and in no particular order, so that a
    # retry often races its original.
    attempts = jobs * 2
    random.Random(7).shuffle(attempts)
    started = time.monotonic()

    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(
            pool.map(lambda job: _post_in_thread(article.pk, *job), attempts)
        )

    elapsed = time.monotonic() - started
    assert Comment.objects.count() == POSTS
    bodies = Counter(Comment.objects.values_list("body", flat=True))
    assert set(bodies) == {body for body, _key in jobs}
    assert set(bodies.values()) == {1}
    errors = [error for *_, error in results if error]
    assert not errors, (
        f"{len(errors)} of {len(attempts)} posts raised. {RACE}\n{errors[0]}"
    )
    created = Counter(key for key, _pk, was_created, _ in results if was_created)
    assert len(created) == POSTS and set(created.values()) == {1}
    ids_per_key = {}
    for key, pk, _created, _ in results:
        ids_per_key.setdefault(key, set()).add(pk)
    assert all(len(ids) == 1 for ids in ids_per_key.values())
    assert elapsed < 60


def test_two_hundred_http_posts_from_client_processes_are_stored_once(
    article, publish_at_once, crowd_limits, live_server
):
    url = live_server.url + reverse("comments:post", args=[article.pk])
    forms = [
        [
            f"Process reader number {n} disagrees.",
            tokens.issue_form_token(article.pk, None, now=time.time() - 10),
        ]
        for n in range(POSTS)
    ]
    # A replay is the same form (same token, same text) sent again: a double
    # click, or a browser retrying after a dropped connection.
    sends = forms + random.Random(11).sample(forms, REPLAYED)
    random.Random(13).shuffle(sends)
    processes = 4
    started = time.monotonic()

    clients = [
        subprocess.Popen(  # noqa: S603 - our own interpreter running our own script
            [sys.executable, "-c", CLIENT, url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    # Feed every process before reading any, so that they all post at once.
    for n, client in enumerate(clients):
        client.stdin.write(json.dumps(sends[n::processes]))
        client.stdin.close()
    results = []
    for client in clients:
        out = client.stdout.read()
        err = client.stderr.read()
        assert client.wait(timeout=60) == 0, err
        results.extend(json.loads(out))

    elapsed = time.monotonic() - started
    assert len(results) == POSTS + REPLAYED
    assert Comment.objects.count() == POSTS
    bodies = Counter(Comment.objects.values_list("body", flat=True))
    assert set(bodies) == {body for body, _token in forms}
    assert set(bodies.values()) == {1}
    failed = [r for r in results if r[1] != 200 or not r[2]["ok"]]
    assert not failed, f"{len(failed)} posts were refused. {RACE} E.g. {failed[:3]}"
    ids = {}
    for body, _status, data in results:
        ids.setdefault(body, set()).add(data["comment_id"])
    assert all(len(found) == 1 for found in ids.values())
    assert elapsed < 60


def test_one_form_token_replayed_from_twenty_threads_stores_one_comment(
    article, publish_at_once, crowd_limits, live_server
):
    import urllib.parse
    import urllib.request

    url = live_server.url + reverse("comments:post", args=[article.pk])
    token = tokens.issue_form_token(article.pk, None, now=time.time() - 10)
    data = urllib.parse.urlencode(
        {
            "body": "Said once, sent twenty times.",
            "name": "Impatient Reader",
            "email": "impatient@example.org",
            "homepage": "",
            "token": token,
        }
    ).encode()

    def send(_n):
        request = urllib.request.Request(  # noqa: S310 - http to live_server
            url, data=data, headers={"Accept": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                return response.status, json.load(response)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")[:2000]

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(send, range(20)))

    assert Comment.objects.count() == 1
    comment = Comment.objects.get()
    failed = [r for r in results if r[0] != 200]
    assert not failed, f"{len(failed)} of 20 sends were refused. {RACE} {failed[0]}"
    assert {data["comment_id"] for _status, data in results} == {comment.pk}


def test_the_same_text_from_many_forms_at_once_is_stored_once(article, publish_at_once):
    # Different forms (keys), one text: the duplicate rule must hold between
    # checking for the text and storing it, under any interleaving.
    forms = 12
    start = threading.Barrier(forms)

    def post(n):
        start.wait()
        return _post_in_thread(article.pk, "Same words, many tabs.", f"tab-{n}")

    with ThreadPoolExecutor(max_workers=forms) as pool:
        results = list(pool.map(post, range(forms)))

    assert Comment.objects.count() == 1
    stored = [r for r in results if r[2]]
    refused = [r for r in results if r[3] and "already been posted" in r[3]]
    assert len(stored) == 1 and len(refused) == forms - 1, results
