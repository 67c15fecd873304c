from pathlib import Path

import pytest

SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "test-results"


@pytest.fixture
def screenshot(page, request):
    """Save a full-page screenshot under test-results/ for a person to look at."""

    def take(name: str) -> Path:
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{request.node.name}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
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
