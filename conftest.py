import os
import shutil

import pytest

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


def pytest_collection_modifyitems(config, items):
    if shutil.which(os.environ.get("CHROMIUM_PATH", "chromium")):
        return
    if os.environ.get("MASTHEAD_REQUIRE_BROWSER"):
        raise pytest.UsageError("chromium is required for the browser tests here.")
    skip = pytest.mark.skip(reason="chromium is not installed")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)
