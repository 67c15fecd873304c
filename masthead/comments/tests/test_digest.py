"""The moderators' digest of comments waiting for them."""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from masthead.comments import services
from masthead.comments.choices import CommentStatus
from masthead.comments.moderation import send_moderator_digest
from masthead.comments.tasks import send_moderator_digest_task
from masthead.core.tests.fixtures import member_of

from . import test_moderation as shared

# The queue's fixtures, shared: a pending comment on each of two articles.
hold_all = shared.hold_all
other_article = shared.other_article
pending = shared.pending
post = shared.post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_digest_sent_yet():
    # The last digest's time lives in the cache, which outlives a test.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def moderators(django_user_model):
    """Who should get the digest, and who should not."""
    member_of(django_user_model, "mona", "Moderators", email="mona@example.org")
    member_of(django_user_model, "milo", "Moderators", email="")
    member_of(
        django_user_model,
        "gone",
        "Moderators",
        email="gone@example.org",
        is_active=False,
    )
    member_of(django_user_model, "eddie", "Editors")
    member_of(django_user_model, "wren", "Writers")
    django_user_model.objects.create_superuser("chief", "chief@example.org", "pw")
    return ["chief@example.org", "mona@example.org"]


def test_digest_goes_to_each_moderator_with_the_pending_comments(
    moderators, pending, mailoutbox, settings
):
    settings.WAGTAILADMIN_BASE_URL = "https://news.example"
    services.approve(pending[0])
    services.mark_spam(pending[2])

    sent = send_moderator_digest()

    assert sent == 2
    assert sorted(mail.to[0] for mail in mailoutbox) == moderators
    mail = mailoutbox[0]
    assert len(mail.to) == 1
    assert "2 comments wait for moderation" in mail.subject
    for text in (
        "Bridge repairs start",
        "Ben Rider",
        "What about cyclists?",
        "Ferry timetable changes",
        "Cleo Sailor",
        f"https://news.example/admin/comments/edit/{pending[1].pk}/",
        "https://news.example/admin/comments/",
    ):
        assert text in mail.body
    assert "The bridge was overdue." not in mail.body
    assert "Buy cheap watches" not in mail.body


def test_no_digest_when_nothing_waits(moderators, pending, mailoutbox):
    services.set_status(pending, CommentStatus.APPROVED)

    assert send_moderator_digest() == 0
    assert mailoutbox == []


def test_no_digest_when_the_setting_is_off(moderators, pending, hold_all, mailoutbox):
    hold_all.moderator_digest = False
    hold_all.save()

    assert send_moderator_digest() == 0
    assert mailoutbox == []


def test_at_most_one_digest_a_day(moderators, pending, article, mailoutbox):
    assert send_moderator_digest() == 2

    post(article, "Another one, an hour later.", email="late@example.org")
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1)):
        assert send_moderator_digest() == 0

    with time_machine.travel(timezone.now() + datetime.timedelta(hours=25)):
        assert send_moderator_digest() == 2
    assert len(mailoutbox) == 4
    assert "5 comments wait" in mailoutbox[-1].subject
    assert "1 new since the last digest" in mailoutbox[-1].body


def test_no_new_digest_for_a_queue_moderators_already_heard_of(
    moderators, pending, mailoutbox
):
    send_moderator_digest()

    with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
        assert send_moderator_digest() == 0
    assert len(mailoutbox) == 2


def test_digest_task_runs_the_digest(moderators, pending, mailoutbox):
    result = send_moderator_digest_task.enqueue()

    assert result.return_value == 2
    assert len(mailoutbox) == 2
