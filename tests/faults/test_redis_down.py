"""Redis stopped, or hanging, under a running app; then back, without a restart.

The app (gunicorn, production settings, private PostgreSQL and Redis) must go on
serving pages from the database, take or clearly refuse every write (never a
500, never a wait much past the 2 s socket timeout), say "cache unavailable" in
/healthz, and use Redis again once it is back: pages are cache hits again and
views are counted in Redis again.
"""

import itertools
import time

import pytest

from .services import (
    Served,
    beacon_headers,
    comment_form,
    reader_headers,
    send,
)

# The cache's socket timeout (settings/base.py), paid at most once per app
# process while Redis hangs, plus room for a render on a loaded machine.
SLOWEST_ANSWER_SECONDS = 2 + 2
RECOVERY_SECONDS = 15  # cache and counters leave a failed Redis alone for 5 s
WRITE_STATUSES = {200, 204, 302, 303, 503}

_readers = itertools.count(1)


def next_reader() -> str:
    n = next(_readers)
    return f"10.66.{n // 250}.{n % 250 + 1}"


def wait_for(check, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {seconds:g} s")
        time.sleep(0.3)


def health(served: Served) -> dict:
    answer = send(f"{served.url}/healthz")
    assert answer.status == 200, answer  # only a database outage is a 503
    assert answer.seconds < SLOWEST_ANSWER_SECONDS, answer
    return answer.json()


def page_cache_hit(url: str) -> bool:
    answer = send(url, headers=reader_headers(next_reader()))
    assert answer.status == 200, answer
    return answer.headers.get("X-Page-Cache") == "hit"


def post_beacon(served: Served, page_id: int) -> None:
    answer = send(
        f"{served.url}/views/{page_id}/",
        data={"r": ""},
        headers=beacon_headers(served.url, next_reader()),
    )
    assert answer.status == 204, answer
    assert answer.seconds < SLOWEST_ANSWER_SECONDS, answer


def stored_views(served: Served) -> int:
    with served.postgres.connect() as db:
        (views,) = db.execute(
            "SELECT COALESCE(SUM(views), 0) FROM analytics_hourlyviews"
        ).fetchone()
    return views


def views_in_redis(served: Served) -> int:
    pending = served.redis.client().hgetall("views:pending")
    return sum(int(n) for field, n in pending.items() if field.startswith(b"h:"))


def counted_before_the_outage(served: Served, page_id: int, article: str) -> None:
    assert health(served)["cache"] == "ok"
    wait_for(lambda: page_cache_hit(article), 10, "the article from the cache")
    post_beacon(served, page_id)
    wait_for(lambda: views_in_redis(served), 5, "a view counted in Redis")


def serves_without_redis(served: Served, page_id: int, article: str, label: str):
    """Pages, health, and every kind of write, while Redis is out."""
    for url in (served.url + "/", article, f"{served.url}/comments/{page_id}/"):
        for _ in range(3):  # each of the two workers, at least once
            answer = send(url, headers=reader_headers(next_reader()))
            assert answer.status == 200, (url, answer)
            assert answer.seconds < SLOWEST_ANSWER_SECONDS, (url, answer)
            print(  # noqa: T201 - the outcome, for the report
                f"Redis {label}: GET {url} -> {answer.status} "
                f"({answer.headers.get('X-Page-Cache')}) in {answer.seconds:.2f} s"
            )
    out = health(served)
    assert out["cache"] == "unavailable"
    assert out["status"] == "degraded"

    views_before = stored_views(served)
    post_beacon(served, page_id)
    # Without Redis a view goes to the database, through the process's buffer.
    wait_for(lambda: stored_views(served) > views_before, 10, "the view in the db")

    def write(path: str, data: dict, **headers):
        answer = send(
            served.url + path,
            data=data,
            headers=reader_headers(next_reader(), **headers),
        )
        assert answer.status in WRITE_STATUSES, (path, answer)
        assert answer.seconds < SLOWEST_ANSWER_SECONDS, (path, answer)
        print(  # noqa: T201 - the outcome, for the report
            f"Redis {label}: POST {path} -> {answer.status} in {answer.seconds:.2f} s"
        )
        return answer

    form = comment_form(page_id, 1, run=f"redis-{label}")
    answer = write(f"/comments/{page_id}/post/", form.fields, Accept="application/json")
    if answer.status == 200:
        assert answer.json()["ok"] is True
        with served.postgres.connect() as db:
            stored = db.execute(
                "SELECT COUNT(*) FROM comments_comment WHERE submission_key = %s",
                [form.submission_key],
            ).fetchone()[0]
        assert stored == 1

    with served.postgres.connect() as db:
        (list_id,) = db.execute(
            "SELECT id FROM newsletter_newsletterlist WHERE active ORDER BY id"
        ).fetchone()
    email = f"redis-{label}@example.org"
    answer = write(
        "/newsletter/subscribe/",
        {"email": email, "lists": str(list_id), "website": ""},
    )
    if answer.status == 302:
        assert answer.headers["Location"].endswith("/newsletter/check-your-inbox/")

    answer = write(
        "/donate/start/",
        {
            "amount": "10",
            "currency": "USD",
            "interval": "one_time",
            "provider": "test_mode",
            "email": email,
        },
    )
    if answer.status == 303:
        assert "/donate/test-checkout/" in answer.headers["Location"]


def uses_redis_again(served: Served, page_id: int, article: str) -> None:
    """Without a restart: the cache is healthy and hit, views counted in Redis."""
    wait_for(lambda: health(served)["cache"] == "ok", RECOVERY_SECONDS, "cache ok")
    wait_for(lambda: page_cache_hit(article), RECOVERY_SECONDS, "the article hit")
    home = served.url + "/"
    wait_for(lambda: page_cache_hit(home), RECOVERY_SECONDS, "the home page hit")
    before = views_in_redis(served)

    def counted_in_redis() -> bool:
        post_beacon(served, page_id)
        return views_in_redis(served) > before

    wait_for(counted_in_redis, RECOVERY_SECONDS, "views counted in Redis again")


@pytest.mark.slow
def test_redis_stopped_and_started_again_under_a_running_app(served):
    page_id = served.article_ids()[0]
    article = served.url + served.article_path(page_id)
    counted_before_the_outage(served, page_id, article)

    served.redis.stop()
    serves_without_redis(served, page_id, article, "stopped")
    served.redis.start()  # the same port, empty: --save "" keeps nothing

    uses_redis_again(served, page_id, article)


@pytest.mark.slow
def test_a_hanging_redis_costs_a_reader_one_socket_timeout_at_most(served):
    page_id = served.article_ids()[0]
    article = served.url + served.article_path(page_id)
    counted_before_the_outage(served, page_id, article)

    # Connections are still accepted, by the kernel, and never answered: what a
    # dead host or a stuck server looks like, and the costliest outage to wait on.
    served.redis.pause()
    try:
        serves_without_redis(served, page_id, article, "hanging")
    finally:
        served.redis.resume()

    uses_redis_again(served, page_id, article)
