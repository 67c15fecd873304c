"""The admin under its own Content-Security-Policy: everything an editor uses works,
and nothing loads from or talks to another host."""

import re

import pytest
from playwright.sync_api import Page, expect

from masthead.news.tests.factories import ArticlePageFactory
from tests.browser.conftest import PASSWORD, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# What an editor, a moderator and the finance desk open in a day.
ADMIN_PATHS = [
    "/admin/",
    "/admin/pages/",
    "/admin/images/",
    "/admin/images/multiple/add/",
    "/admin/documents/",
    "/admin/snippets/",
    "/admin/reports/site-history/",
    "/admin/audience/",
    "/admin/revenue/",
    "/admin/users/",
]


@pytest.fixture
def violations(page: Page) -> list[str]:
    """Every report of a blocked script, style, image, frame or request."""
    seen: list[str] = []
    page.on(
        "console",
        lambda message: (
            seen.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return seen


def test_the_admin_works_under_its_policy(
    page: Page, live_server, django_user_model, section, author, violations, offline
):
    django_user_model.objects.create_superuser("chief", "chief@example.org", PASSWORD)
    article = ArticlePageFactory(
        parent=section, title="Dam inspection", authors=[author]
    )
    log_in(page, live_server, "chief")

    for path in ADMIN_PATHS:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        policy = response.headers["content-security-policy"]
        assert "connect-src 'self'" in policy and "object-src 'none'" in policy

    # A new article: panels, StreamField, date widgets, a chooser and a preview.
    page.goto(f"{live_server.url}/admin/pages/add/news/articlepage/{section.pk}/")
    page.fill("#id_title", "Weir repairs")
    page.get_by_role("button", name=re.compile("Choose author")).first.click()
    page.get_by_role("link", name=author.name).click()
    page.get_by_role("tab", name="Settings").click()
    page.get_by_role("tab", name="Content").click()
    page.get_by_role("button", name="Toggle preview").click()
    expect(page.locator("iframe")).to_be_attached()
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".messages")).to_contain_text("created")
    page.goto(f"{live_server.url}/admin/pages/{article.pk}/edit/")
    expect(page.locator("#id_title")).to_have_value("Dam inspection")

    assert violations == []
    assert offline == []
