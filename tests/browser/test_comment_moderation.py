import itertools

import pytest
from playwright.sync_api import Page, expect

from masthead.comments import services
from masthead.comments.choices import CommentStatus, ModerationPolicy
from masthead.comments.models import Comment, Thread
from masthead.core.tests.fixtures import member_of
from tests.browser.conftest import PASSWORD, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
_keys = itertools.count(1)


def post(article, body: str, name: str, email: str) -> Comment:
    draft = services.CommentDraft(page_id=article.pk, body=body, name=name, email=email)
    comment, _ = services.post_comment(draft, submission_key=f"browser-{next(_keys)}")
    return comment


@pytest.fixture
def waiting(article):
    rules = services.settings_for(article)
    rules.moderation = ModerationPolicy.HOLD_ALL
    rules.save()
    return {
        "ada": post(
            article, "The bridge was overdue.", "Ada Reader", "ada@example.org"
        ),
        "ben": post(article, "What about cyclists?", "Ben Rider", "ben@example.org"),
        "spam1": post(article, "Cheap watches here", "Watch Shop", "w@junk.example"),
        "spam2": post(article, "Win a free cruise", "Cruise Deals", "c@junk.example"),
    }


@pytest.fixture
def moderator_page(page: Page, live_server, django_user_model):
    member_of(django_user_model, "mona", "Moderators", password=PASSWORD)
    log_in(page, live_server, "mona")
    return page


def row(page: Page, text: str):
    return page.locator("#listing-results tbody tr", has_text=text)


def test_moderator_approves_one_comment_and_trashes_two(
    article, waiting, moderator_page, live_server, screenshot
):
    page = moderator_page
    menu_link = page.locator("a[data-comments-pending]")
    expect(menu_link).to_have_attribute("data-comments-pending", "4")
    expect(menu_link).to_contain_text("Comments")
    screenshot("badge")

    menu_link.click()
    expect(page.locator("#listing-results tbody tr")).to_have_count(4)
    screenshot("queue")

    row(page, "What about cyclists?").get_by_role("button", name="Approve").click()
    expect(page.locator(".messages")).to_contain_text("Approved")
    expect(page.locator("#listing-results tbody tr")).to_have_count(3)
    expect(page.locator("a[data-comments-pending]")).to_have_attribute(
        "data-comments-pending", "3"
    )

    row(page, "Cheap watches here").locator("input[data-bulk-action-checkbox]").check()
    row(page, "Win a free cruise").locator("input[data-bulk-action-checkbox]").check()
    page.locator(".bulk-actions-buttons").get_by_role("link", name="Trash").click()
    expect(page.locator("main")).to_contain_text("Win a free cruise")
    screenshot("confirm-trash")
    page.locator("main form").get_by_role("button", name="Trash").click()

    expect(page.locator(".messages")).to_contain_text("2 comments: Trash")
    expect(page.locator("#listing-results tbody tr")).to_have_count(1)
    screenshot("after")

    status = {key: Comment.objects.get(pk=c.pk).status for key, c in waiting.items()}
    assert status == {
        "ada": CommentStatus.PENDING,
        "ben": CommentStatus.APPROVED,
        "spam1": CommentStatus.TRASH,
        "spam2": CommentStatus.TRASH,
    }
    assert Thread.objects.get(page=article).visible_count == 1


def test_moderator_closes_comments_on_one_article(
    article, waiting, moderator_page, live_server, screenshot
):
    page = moderator_page
    page.goto(f"{live_server.url}/admin/comments/?page={article.pk}&status=any")
    panel = page.locator("[data-comment-thread]")
    expect(panel).to_contain_text("are open")

    panel.get_by_role("button", name="Close comments on this article").click()

    expect(page.locator(".messages")).to_contain_text("closed")
    expect(page.locator("[data-comment-thread]")).to_contain_text(
        "closed by a moderator"
    )
    screenshot("thread-closed")
    assert Thread.objects.get(page=article).is_closed
