import os
import shutil

import pytest
from django.db import connections
from django.test import TestCase, TransactionTestCase

pytest_plugins = [
    "masthead.core.tests.fixtures",
    "masthead.news.tests.fixtures",
    "masthead.comments.tests.fixtures",
    "masthead.analytics.tests.fixtures",
    "masthead.newsletter.tests.fixtures",
]

# Playwright's sync API keeps an event loop running in the test thread; Django's ORM
# would refuse to run in live_server tests without this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's Chromium, never a browser downloaded by Playwright.
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """Make the migrated data restorable from every connection object.

    Playwright's sync API runs a test in a greenlet with its own context, where
    Django hands out a new connection object that lacks the snapshot taken when the
    test database was created; serialized_rollback would then restore nothing and
    the next test would find no site, groups or workflow. A class attribute is seen
    by every connection object.
    """
    for connection in connections.all():
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents is not None:
            type(connection)._test_serialized_contents = contents


def _database_order(item) -> int:
    """0: rolled-back database tests, 1: tests that commit, 2: no database."""
    test_class = getattr(item, "cls", None)
    if test_class and issubclass(test_class, TransactionTestCase):
        return 0 if issubclass(test_class, TestCase) else 1
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    commits = bool(marker and marker.kwargs.get("transaction")) or (
        "transactional_db" in fixtures or "live_server" in fixtures
    )
    if commits:
        return 1
    return 0 if marker or "db" in fixtures else 2


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    # pytest-django puts tests that commit after those that roll back, because a
    # committing test leaves the database flushed. pytest then regroups the items by
    # Playwright's session-scoped browser parameter, which undoes that; sort again.
    items.sort(key=_database_order)
    if shutil.which(os.environ.get("CHROMIUM_PATH", "chromium")):
        return
    if os.environ.get("MASTHEAD_REQUIRE_BROWSER"):
        raise pytest.UsageError("chromium is required for the browser tests here.")
    skip = pytest.mark.skip(reason="chromium is not installed")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters, cached pages and fragments must not leak between tests."""
    from django.core.cache import caches

    from masthead.caching.fragments import local_copies
    from masthead.caching.local import local_pages

    for cache in caches.all():
        cache.clear()
    local_copies.clear()
    local_pages.drop_all()
    yield
