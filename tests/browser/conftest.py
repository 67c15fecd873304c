import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

# Not test-results/: pytest-playwright empties that folder when a run starts.
ROOT = Path(__file__).resolve().parent.parent.parent
SCREENSHOTS = ROOT / "artifacts" / "screenshots"


@pytest.fixture
def screenshot(page, request):
    """Save a full-page screenshot in artifacts/screenshots/ for a person to see."""

    def take(name: str, full_page: bool = True) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{request.node.name}-{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


@pytest.fixture
def offline(page, live_server):
    """Record and refuse every request that leaves the test server."""
    attempted: list[str] = []

    def guard(route):
        if route.request.url.startswith(live_server.url):
            return route.continue_()
        attempted.append(route.request.url)
        return route.abort()

    page.route("**/*", guard)
    return attempted


PASSWORD = "pw-12345"  # every browser test's staff account uses it


def log_in(page: Page, live_server, username: str) -> None:
    """Sign in to the Wagtail admin as `username`, starting from no session."""
    page.context.clear_cookies()
    page.goto(live_server.url + "/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_title(re.compile("Dashboard"))
