"""No reader's or editor's IP address is stored: only the rate limiter's memory sees it.

Every write endpoint is called from two distinctive addresses (the connection's,
and the one a trusted proxy names in X-Forwarded-For); then every column of
every table, and the page cache's files on disk, are searched for either
address, in clear or in a form a reader of the data could reverse (packed
bytes, the integer, unsalted digests).
"""

import hashlib
import ipaddress
import json
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django_tasks_db.models import DBTaskResult

from masthead.analytics.models import HourlyViews
from masthead.analytics.services import flush_counters
from masthead.comments import tokens as comment_tokens
from masthead.comments.models import Comment
from masthead.comments.tests.fixtures import aged_form_token
from masthead.core.tests.queued_tasks import run_queued_tasks
from masthead.newsletter.models import Subscriber
from masthead.newsletter.tokens import confirmation_token
from masthead.privacy import tokens as privacy_tokens
from masthead.revenue.models import Donation
from masthead.revenue.tests.fake_stripe import FakeStripe
from masthead.revenue.tests.stripe_fixtures import (
    checkout_completed,
    fake_stripe_fixture,  # noqa: F401  (the fake_stripe fixture)
    post_event,
    stripe_event,
)

PROXY = "203.0.113.77"
READER_IP = "2001:db8::77"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537"
PASSWORD = "pw-12345"  # noqa: S105 (a test account)

pytestmark = pytest.mark.django_db


def forms_of(address: str) -> dict[str, bytes]:
    """The address as text, and the forms of it one could spot and reverse."""
    ip = ipaddress.ip_address(address)
    texts = {address, ip.exploded, str(int(ip)), ip.reverse_pointer}
    if ip.version == 6:
        texts.add(ip.compressed.upper())
        texts.add(ip.exploded.replace(":", ""))
    found = {text: text.encode() for text in texts}
    found["packed"] = ip.packed
    found["packed hex"] = ip.packed.hex().encode()
    for name in ("md5", "sha1", "sha256"):
        digest = hashlib.new(name, address.encode()).hexdigest()
        # A prefix is enough to look one up in a table of every IPv4 digest.
        found[f"{name} digest"] = digest[:16].encode()
    return found


NEEDLES = {
    f"{address} as {label}": needle
    for address in (PROXY, READER_IP)
    for label, needle in forms_of(address).items()
}


def _as_bytes(value) -> bytes:
    if value is None:
        return b""
    if isinstance(value, memoryview):
        return value.tobytes()
    if isinstance(value, bytes):
        return value
    if isinstance(value, dict | list):
        return json.dumps(value).encode()
    return str(value).encode()


def found_in_database() -> list[str]:
    """'table: what' for every table cell holding one of the addresses."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    data = _as_bytes(value)
                    found += [
                        f"{table}: {what}"
                        for what, needle in NEEDLES.items()
                        if needle in data
                    ]
    return found


def page_cache_entries() -> dict[str, bytes]:
    """What the page cache holds: its files on disk, or its keys in Redis."""
    pages = django_settings.CACHES["pages"]
    if "redis" in pages["BACKEND"].lower():
        from django_redis import get_redis_connection

        redis = get_redis_connection("pages")
        return {
            repr(key): key + (redis.dump(key) or b"")
            for key in redis.scan_iter(match=f"{pages['KEY_PREFIX']}*")
        }
    root = Path(pages["LOCATION"])
    files = root.rglob("*") if root.exists() else ()
    return {str(path): path.read_bytes() for path in files if path.is_file()}


def found_in_page_cache() -> list[str]:
    """'entry: what' for every page cache entry holding one of the addresses."""
    return [
        f"{entry}: {what}"
        for entry, data in page_cache_entries().items()
        for what, needle in NEEDLES.items()
        if needle in data
    ]


def run_tasks() -> int:
    """Run the queued tasks here, as the worker would; returns how many ran."""
    return run_queued_tasks("ip-test")


@pytest.fixture
def behind_proxy(settings, fake_stripe: FakeStripe, tmp_path):
    """The proxy is trusted, tasks queue in the database, and pages are cached."""
    settings.MASTHEAD_TRUSTED_PROXIES = [PROXY]
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MASTHEAD_PAGE_CACHE = True
    settings.MASTHEAD_COMMENTS_MIN_SECONDS = 0
    settings.MASTHEAD_PAYMENT_PROVIDERS = {
        **settings.MASTHEAD_PAYMENT_PROVIDERS,
        "test_mode": {
            "BACKEND": "masthead.revenue.providers.test_mode.TestModeProvider"
        },
    }
    caches["default"].clear()
    caches["pages"].clear()
    return Client(
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=READER_IP,
        HTTP_USER_AGENT=BROWSER,
    )


def test_the_scan_finds_an_address_wherever_it_is_stored(article):
    """The search must be able to fail: an address hidden in a comment is found."""
    Comment.objects.create(
        page=article,
        author_name="Spy",
        body=f"seen from {ipaddress.ip_address(READER_IP).exploded}",
        body_html="",
        content_hash="x",
    )

    found = found_in_database()

    assert any("comments_comment" in f and READER_IP in f for f in found)


def test_the_scan_spots_an_unsalted_digest(article):
    digest = hashlib.sha256(PROXY.encode()).hexdigest()[:24]
    Comment.objects.create(
        page=article, author_name="X", body="", body_html="", content_hash=digest
    )

    assert any("sha256 digest" in f for f in found_in_database())


def test_no_write_endpoint_stores_an_ip_address(
    behind_proxy,
    article,
    publish_at_once,
    daily_list,
    django_user_model,
    fake_stripe,
    django_capture_on_commit_callbacks,
):
    client = behind_proxy
    staff = django_user_model.objects.create_superuser(
        "editor", "editor@example.org", PASSWORD
    )
    with django_capture_on_commit_callbacks(execute=True):
        # Reading: pages go through the page cache; search runs a query.
        assert client.get(article.url).status_code == 200
        assert client.get("/").status_code == 200
        assert client.get("/search/", {"q": "bridge"}).status_code == 200
        # The view beacon, as navigator.sendBeacon sends it.
        beacon = client.post(
            f"/views/{article.pk}/",
            {"r": "https://elsewhere.example/"},
            HTTP_ORIGIN="http://testserver",
            HTTP_SEC_FETCH_SITE="same-origin",
        )
        assert beacon.status_code == 204
        # Comments: post, vote, subscribe, edit.
        posted = client.post(
            f"/comments/{article.pk}/post/",
            {
                "token": aged_form_token(article),
                "body": "Repairs were due.",
                "name": "Fay",
                "email": "fay@example.org",
                "url": "https://fay.example.org",
            },
            HTTP_ACCEPT="application/json",
        )
        assert posted.status_code == 200, posted.content
        comment_id = posted.json()["comment_id"]
        voted = client.post(
            f"/comments/{comment_id}/vote/",
            {"voter": comment_tokens.issue_voter_token(), "value": "up"},
        )
        assert voted.status_code == 200, voted.content
        subscribed = client.post(
            f"/comments/{article.pk}/subscribe/",
            {
                "token": aged_form_token(article),
                "email": "bo@example.org",
                "kind": "all",
            },
        )
        assert subscribed.status_code == 200
        edited = client.post(
            f"/comments/{comment_id}/edit/",
            {"token": posted.json()["edit_token"], "body": "Repairs were overdue."},
            HTTP_ACCEPT="application/json",
        )
        assert edited.status_code == 200, edited.content
        # Newsletter: sign up and confirm.
        signed_up = client.post(
            "/newsletter/subscribe/",
            {"email": "cy@example.org", "lists": [daily_list.pk]},
        )
        assert signed_up.status_code == 302
        run_tasks()
        subscriber = Subscriber.objects.get(email="cy@example.org")
        confirmed = client.post(
            f"/newsletter/confirm/{confirmation_token(subscriber, [daily_list.pk])}/"
        )
        assert confirmed.status_code == 302
        # Donations: a Stripe checkout and its webhook; a test-mode payment.
        started = client.post(
            "/donate/start/",
            {
                "amount": "12.50",
                "currency": "USD",
                "interval": "one_time",
                "provider": "stripe",
                "email": "dee@example.org",
                "name": "Dee",
            },
            HTTP_ACCEPT="application/json",
        )
        assert started.status_code == 200, started.content
        donation = Donation.objects.get(provider="stripe")
        hooked = post_event(
            client,
            stripe_event("checkout.session.completed", checkout_completed(donation)),
        )
        assert hooked.status_code == 200, hooked.content
        test_mode = client.post(
            "/donate/start/",
            {
                "amount": "5",
                "currency": "EUR",
                "interval": "monthly",
                "provider": "test_mode",
                "email": "eve@example.org",
            },
        )
        assert test_mode.status_code == 303
        paid = client.post(test_mode["Location"], {"outcome": "pay"})
        assert paid.status_code == 303
        # My data: ask, open, download, erase.
        assert client.post("/my-data/", {"email": "fay@example.org"}).status_code == 302
        token = privacy_tokens.issue("fay@example.org")
        assert client.get(f"/my-data/{token}/").status_code == 200
        assert client.get(f"/my-data/{token}/export.json").status_code == 200
        erased = client.post(f"/my-data/{token}/erase/", {"confirm": "yes"})
        assert erased.status_code == 200
        # The admin: a wrong password, then the right one, then a page.
        failed = client.post(
            "/admin/login/", {"username": "editor", "password": "wrong"}
        )
        assert failed.status_code in (200, 429)
        client.post("/admin/login/", {"username": "editor", "password": PASSWORD})
        client.get("/admin/")
        run_tasks()
    flush_counters()

    assert Comment.objects.filter(pk=comment_id).exists()
    assert Donation.objects.filter(provider="stripe", status="completed").exists()
    assert DBTaskResult.objects.exists(), "tasks were queued and their rows scanned"
    assert Session.objects.exists(), "the editor's session was stored and scanned"
    assert HourlyViews.objects.filter(page_id=article.pk).exists(), "the view counted"
    assert page_cache_entries(), "pages were cached and their copies scanned"
    staff.refresh_from_db()
    assert staff.last_login is not None, "the editor signed in"
    assert found_in_database() == []
    assert found_in_page_cache() == []
