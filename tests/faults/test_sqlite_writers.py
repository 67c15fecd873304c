"""Twenty concurrent writers on SQLite for ten seconds: no "database is locked".

The short version of `BENCH_ONLY=writers make bench`: gunicorn with twenty
threads, the task worker and the scheduler on the test database (a SQLite file
in WAL mode), while twenty clients post comments, sign up for the newsletter
and send view beacons. No request may fail, nothing may be lost, and the
server's log must never say "database is locked".
"""

from collections import Counter

import pytest
from django.conf import settings
from django.db import connection
from django_tasks_db.models import DBTaskResult

from bench.writers import (
    WRITERS,
    Load,
    Tally,
    WritingSite,
    comment_forms,
    rows,
    write_for,
)
from masthead.comments.choices import ModerationPolicy
from masthead.comments.models import Comment
from masthead.comments.services import settings_for
from masthead.news.tests.factories import ArticlePageFactory
from masthead.newsletter.models import Subscriber
from masthead.newsletter.tests.fixtures import make_list
from tests.processes import child_env

SECONDS = 10


@pytest.fixture
def load(section, author) -> Load:
    articles = [ArticlePageFactory(parent=section, authors=[author]) for _ in range(3)]
    for article in articles:
        policy = settings_for(article)
        policy.moderation = ModerationPolicy.PUBLISH  # each post recounts the thread
        policy.save()
    pages = [a.pk for a in articles]
    return Load(
        comment_forms=comment_forms(pages, WRITERS * SECONDS * 8),
        list_ids=[make_list("Morning", "morning").pk],
        page_ids=pages,
    )


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the embedded mode's database only"
)
def test_twenty_writers_never_meet_a_locked_database(load, tmp_path):
    env = child_env(
        MASTHEAD_VAR_DIR=str(tmp_path),
        SECRET_KEY=settings.SECRET_KEY,  # the form tokens were signed with it
        MASTHEAD_TRUSTED_PROXIES="127.0.0.1",  # each request its own reader
        LOG_LEVEL="WARNING",
    )

    with WritingSite(env, tmp_path) as server:
        tally = write_for(server.url, load, SECONDS)

    assert tally.failed == {}
    assert server.locked_lines() == []
    posted = tally.count("comment", 200)
    signed_up = tally.count("subscribe", 302)
    beacons = tally.count("beacon", 204)
    # Every kind of write happened, and each got its expected answer only.
    assert posted and signed_up and beacons
    assert tally.requests == posted + signed_up + beacons, tally.answered
    assert Comment.objects.count() == posted
    assert Subscriber.objects.count() == signed_up
    locked_tasks = DBTaskResult.objects.filter(
        status="FAILED", traceback__contains="database is locked"
    )
    assert not locked_tasks.exists()


def test_the_bench_rows_fail_on_a_server_error_or_a_locked_line():
    fine = Tally(Counter({("comment", 200): 5, ("beacon", 204): 5}), seconds=2)
    assert [row.passed for row in rows(fine, [], "SQLite")] == [True, True]
    assert rows(fine, [], "SQLite")[0].value == 5.0

    failed = Tally(Counter({("comment", 200): 5, ("subscribe", 500): 1}), seconds=2)
    assert rows(failed, [], "SQLite")[0].passed is False
    assert "('subscribe', 500): 1" in rows(failed, [], "SQLite")[0].reference
    unanswered = Tally(Counter({("beacon", 599): 1}), seconds=2)
    assert rows(unanswered, [], "SQLite")[0].passed is False

    locked = rows(fine, ["OperationalError: database is locked"], "SQLite")
    assert [row.passed for row in locked] == [True, False]
    assert rows(Tally(), [], "SQLite")[0].passed is False  # nothing was written
