import datetime
import re

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import Page, expect

from masthead.news.models import ArticlePage
from masthead.news.tasks import publish_due_pages_task
from masthead.news.tests.factories import AuthorFactory, SectionPageFactory
from tests.browser.conftest import PASSWORD, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def write_article(
    page: Page, live_server, section, *, title, standfirst, author, text
) -> None:
    """Fill in a new article in the page editor, as an editor types it."""
    page.goto(f"{live_server.url}/admin/pages/add/news/articlepage/{section.pk}/")
    page.fill("#id_title", title)
    page.fill("#id_standfirst", standfirst)
    page.get_by_role("button", name=re.compile("Choose author")).first.click()
    page.get_by_role("link", name=author).click()
    page.locator(
        "[data-streamfield-stream-container] button[title='Insert a block']"
    ).first.click()
    page.get_by_role("option", name="Paragraph").click()
    page.locator(".Draftail-Editor [contenteditable=true]").first.click()
    page.keyboard.type(text)
    # Draftail writes its state into the form a moment after the last keystroke.
    page.wait_for_function(
        "text => [...document.querySelectorAll('input[type=hidden]')]"
        ".some(i => i.value.includes(text))",
        arg=text,
    )


@pytest.fixture(autouse=True)
def no_autosave(settings):
    # Wagtail's autosave can create the page while a button's POST to the "add"
    # view is on its way, which then fails on the taken slug (a 500): a race of
    # Wagtail's own, met on a loaded machine. These tests are about the buttons.
    settings.WAGTAIL_AUTOSAVE_INTERVAL = 0


@pytest.fixture
def editor_page(page: Page, live_server, django_user_model):
    django_user_model.objects.create_superuser("chief", "chief@example.org", PASSWORD)
    log_in(page, live_server, "chief")
    return page


@pytest.fixture
def news():
    AuthorFactory(name="Rosa Lind", slug="rosa-lind")
    return SectionPageFactory(title="News", slug="news")


def test_editor_writes_and_publishes_an_article(
    editor_page, live_server, news, screenshot, offline
):
    page = editor_page
    write_article(
        page,
        live_server,
        news,
        title="Ferry timetable changes",
        standfirst="Fewer crossings on weekdays from March.",
        author="Rosa Lind",
        text="The operator cut two weekday crossings.",
    )
    screenshot("editing")
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Publish").click()

    expect(page.locator(".messages")).to_contain_text("published")
    article = ArticlePage.objects.get(title="Ferry timetable changes")
    assert article.live
    page.goto(live_server.url + article.url)
    expect(page.locator("h1")).to_have_text("Ferry timetable changes")
    expect(page.locator(".byline")).to_contain_text("Rosa Lind")
    expect(page.locator(".dateline")).to_contain_text("Published on")
    expect(page.locator(".article__body")).to_contain_text("two weekday crossings")
    screenshot("published")
    assert offline == []


def test_writer_submits_and_editor_approves(
    page: Page, live_server, screenshot, django_user_model
):
    for name, group in (("wren", "Writers"), ("eddie", "Editors")):
        user = django_user_model.objects.create_user(name, password=PASSWORD)
        user.groups.add(Group.objects.get(name=group))
    section = SectionPageFactory(title="Analysis", slug="analysis")
    AuthorFactory(name="Wren Ashby", slug="wren-ashby")

    log_in(page, live_server, "wren")
    write_article(
        page,
        live_server,
        section,
        title="Why the port budget doubled",
        standfirst="Three decisions explain most of it.",
        author="Wren Ashby",
        text="First, the dredging contract.",
    )
    page.get_by_role("button", name="More actions").click()
    expect(page.get_by_role("button", name="Publish")).to_have_count(0)
    page.get_by_role("button", name="Submit to Editorial review").click()
    expect(page.locator(".messages")).to_contain_text("submitted")
    article = ArticlePage.objects.get(title="Why the port budget doubled")
    assert not article.live

    log_in(page, live_server, "eddie")
    expect(page.locator("main")).to_contain_text("Why the port budget doubled")
    screenshot("editor-dashboard")
    page.goto(f"{live_server.url}/admin/pages/{article.pk}/edit/")
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Approve and Publish").click()
    expect(page.locator(".messages")).to_contain_text("has been updated")

    article.refresh_from_db()
    assert article.live
    page.goto(live_server.url + article.url)
    expect(page.locator(".article__body")).to_contain_text("dredging contract")


def test_editor_schedules_an_article_that_goes_live_later(
    editor_page, live_server, news
):
    page = editor_page
    go_live = timezone.localtime() + datetime.timedelta(hours=3)
    write_article(
        page,
        live_server,
        news,
        title="Election night results",
        standfirst="Counts from every ward.",
        author="Rosa Lind",
        text="Polls close at ten.",
    )
    page.get_by_role("button", name="Toggle status").click()
    page.get_by_role("button", name="Set schedule").click()
    page.fill("#id_go_live_at", go_live.strftime("%Y-%m-%d %H:%M"))
    # The date picker can stay open over the dialog's buttons (it depends on the
    # time of day); the editor saves from the keyboard, as many do.
    page.get_by_role("button", name="Save schedule").press("Enter")
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".messages")).to_contain_text("scheduled")

    assert not ArticlePage.objects.get(title="Election night results").live
    assert page.goto(live_server.url + "/news/election-night-results/").status == 404

    with time_machine.travel(go_live + datetime.timedelta(minutes=1)):
        publish_due_pages_task.enqueue()

    response = page.goto(live_server.url + "/news/election-night-results/")
    assert response.status == 200
    expect(page.locator(".article__body")).to_contain_text("Polls close at ten.")
