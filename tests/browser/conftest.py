from pathlib import Path

import pytest

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
