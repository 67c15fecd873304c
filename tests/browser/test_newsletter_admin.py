import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from masthead.core.roles import EDITORS
from masthead.core.tests.fixtures import member_of
from masthead.news.tests.factories import ArticlePageFactory
from masthead.newsletter.choices import IssueStatus
from masthead.newsletter.models import Delivery, Issue, Subscriber, Suppression
from masthead.newsletter.tests.fixtures import confirmed_subscribers
from tests.browser.conftest import PASSWORD, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def two_new_stories(article, section, author):
    second = ArticlePageFactory(
        parent=section,
        title="Council votes on the budget",
        slug="council-budget",
        authors=[author],
    )
    return [article, second]


@pytest.fixture
def editor_page(page: Page, live_server, django_user_model):
    member_of(
        django_user_model, "ed", EDITORS, password=PASSWORD, email="ed@example.org"
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, "ed")
    return page


def test_an_editor_composes_previews_tests_and_sends_an_issue(
    two_new_stories, daily_list, editor_page, live_server, screenshot, offline
):
    confirmed_subscribers(daily_list, 3)
    page = editor_page

    page.get_by_role("button", name="Newsletter").click()
    page.get_by_role("link", name="Issues", exact=True).click()
    expect(page).to_have_url(re.compile("/admin/newsletter/issues/$"))
    page.get_by_role("link", name="Add issue").first.click()
    page.get_by_label("List").select_option(label="Daily digest")
    page.get_by_role("button", name="Create draft").click()

    expect(page).to_have_url(re.compile(r"/admin/newsletter/issues/edit/\d+/$"))
    expect(page.get_by_text("Draft made with 2 stories")).to_be_visible()
    issue = Issue.objects.get()
    stories = [s.page.title for s in issue.stories.order_by("sort_order")]
    assert sorted(stories) == ["Bridge repairs start", "Council votes on the budget"]
    kept, dropped = stories
    for title in stories:
        expect(page.get_by_text(title, exact=True).first).to_be_visible()
    screenshot("edit")

    page.locator("#id_stories-1-DELETE-button").click()
    expect(page.locator("#inline_child_stories-1")).to_be_hidden()
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Save and preview").click()

    expect(page).to_have_url(re.compile(r"/admin/newsletter/issues/preview/\d+/$"))
    assert [s.page.title for s in issue.stories.all()] == [kept]
    frame = page.frame_locator("iframe.newsletter-preview")
    expect(frame.get_by_text(kept)).to_be_visible()
    expect(frame.get_by_text(dropped)).to_have_count(0)
    expect(page.locator("pre.newsletter-text")).to_contain_text(kept)
    screenshot("preview")

    page.get_by_role("button", name="Send a test to me").click()
    expect(page.get_by_text("A test copy was sent to ed@example.org")).to_be_visible()
    assert [m.to for m in mail.outbox] == [["ed@example.org"]]
    assert not Delivery.objects.exists()

    page.get_by_role("link", name="Send now…").click()
    expect(page.get_by_text("3 confirmed subscribers")).to_be_visible()
    screenshot("send")
    page.get_by_role("button", name="Yes, send to 3").click()

    expect(page).to_have_url(re.compile(r"/admin/newsletter/issues/progress/\d+/$"))
    expect(page.get_by_text("3 of 3 sent (100% done)")).to_be_visible()
    expect(page.locator("progress.newsletter-progress")).to_have_attribute("value", "3")
    screenshot("progress")
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENT
    assert sorted(m.to[0] for m in mail.outbox[1:]) == [
        f"reader{n}@example.org" for n in range(3)
    ]

    page.goto(live_server.url + "/admin/newsletter/issues/")
    row = page.get_by_role("row", name=re.compile(re.escape(issue.subject)))
    expect(row).to_contain_text("Sent")
    expect(row).to_contain_text("3 / 3")
    screenshot("issues")
    assert offline == []


def test_an_editor_suppresses_and_erases_subscribers(
    daily_list, breaking_list, editor_page, live_server, screenshot, offline
):
    confirmed_subscribers(daily_list, 2, prefix="daily")
    confirmed_subscribers(breaking_list, 1, prefix="breaking")
    page = editor_page

    page.get_by_role("button", name="Newsletter").click()
    page.get_by_role("link", name="Lists", exact=True).click()
    expect(page.get_by_role("row", name=re.compile("Daily digest"))).to_contain_text(
        "2"
    )
    screenshot("lists")

    page.goto(live_server.url + "/admin/newsletter/subscribers/")
    expect(page.locator("table.listing tbody tr")).to_have_count(3)
    expect(page.get_by_role("link", name="Export CSV")).to_be_visible()
    page.goto(
        live_server.url
        + f"/admin/newsletter/subscribers/?newsletter_list={daily_list.pk}"
    )
    expect(page.locator("table.listing tbody tr")).to_have_count(2)
    screenshot("subscribers")

    page.get_by_role("link", name="daily0@example.org").click()
    expect(page.get_by_text("Daily digest")).to_be_visible()
    page.get_by_role("button", name="Suppress").click()
    expect(
        page.get_by_text("daily0@example.org will not be mailed again")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Suppress")).to_have_count(0)
    screenshot("suppressed")

    page.get_by_role("link", name="Erase…").click()
    expect(page.get_by_text("stays suppressed")).to_be_visible()
    screenshot("erase")
    page.get_by_role("button", name="Yes, erase").click()
    expect(
        page.get_by_text("Everything held on daily0@example.org was erased")
    ).to_be_visible()
    expect(page.locator("table.listing tbody tr")).to_have_count(2)
    assert not Subscriber.objects.filter(email="daily0@example.org").exists()
    assert Suppression.objects.count() == 1
    assert offline == []
