import datetime

import pytest
import time_machine
from django.utils import timezone

from masthead.news.models import ArticlePage
from masthead.news.tasks import publish_due_pages_task

from .factories import ArticlePageFactory


def schedule(page: ArticlePage, go_live_at=None, expire_at=None):
    page.go_live_at = go_live_at
    page.expire_at = expire_at
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@pytest.mark.django_db
def test_scheduled_article_waits_then_goes_live(section):
    article = ArticlePageFactory(parent=section, live=False, first_published_at=None)
    go_live = timezone.now() + datetime.timedelta(hours=2)
    schedule(article, go_live_at=go_live)

    publish_due_pages_task.enqueue()
    article.refresh_from_db()
    assert not article.live

    with time_machine.travel(go_live + datetime.timedelta(seconds=30)):
        publish_due_pages_task.enqueue()

    article.refresh_from_db()
    assert article.live
    assert article.first_published_at >= go_live


@pytest.mark.django_db
def test_scheduled_unpublish_takes_the_article_down(section):
    article = ArticlePageFactory(parent=section)
    expire = timezone.now() + datetime.timedelta(days=1)
    schedule(article, expire_at=expire)
    assert article.live

    with time_machine.travel(expire + datetime.timedelta(minutes=1)):
        publish_due_pages_task.enqueue()

    article.refresh_from_db()
    assert not article.live
    assert article.expired


@pytest.mark.django_db
def test_running_the_publisher_twice_publishes_once(section):
    article = ArticlePageFactory(parent=section, live=False, first_published_at=None)
    go_live = timezone.now() + datetime.timedelta(minutes=5)
    schedule(article, go_live_at=go_live)

    with time_machine.travel(go_live + datetime.timedelta(minutes=1)):
        publish_due_pages_task.enqueue()
        publish_due_pages_task.enqueue()

    article.refresh_from_db()
    assert article.live
    assert article.revisions.filter(approved_go_live_at__isnull=False).count() == 0
