"""What readers see: counts on stories and teasers, Trending and Most read."""

import re
from collections import Counter

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from masthead.analytics.services import flush_counters
from masthead.analytics.storage import add_counts
from masthead.analytics.visitors import hour_of

from .fixtures import DEAD_REDIS_URL, beacon_headers

pytestmark = pytest.mark.django_db


def give_views(article, views: int) -> None:
    with transaction.atomic():
        add_counts(Counter({(article.pk, hour_of(timezone.now())): views}), Counter())


def test_the_story_shows_its_views_and_carries_the_beacon(client, article):
    give_views(article, 4370)
    html = client.get(article.url).content.decode()
    assert '<span class="view-count">4,370 Views</span>' in html
    assert (
        f'data-view-beacon="{reverse("analytics:beacon", args=[article.pk])}"' in html
    )
    assert reverse("analytics:pixel", args=[article.pk]) in html  # in <noscript>
    assert "js/views.js" in html


def test_a_story_nobody_read_yet_shows_no_count(client, article):
    assert "view-count" not in client.get(article.url).content.decode()


def test_teasers_show_views(client, article, section):
    give_views(article, 1_234_567)
    html = client.get(section.url).content.decode()
    assert '<span class="view-count">1.2M Views</span>' in html


def test_the_front_pages_lead_story_shows_views(client, article):
    give_views(article, 4370)
    html = client.get("/").content.decode()
    lead = html.split('<article class="lead-story">')[1].split("</article>")[0]
    assert '<span class="view-count">4,370 Views</span>' in lead


def test_the_sidebar_lists_trending_and_most_read_in_the_section(client, article):
    give_views(article, 12)
    html = client.get(article.url).content.decode()
    assert 'id="trending-heading">Trending</h2>' in html
    assert 'id="most-read-heading">Most read in News</h2>' in html
    assert html.count(f'href="{article.url}">Bridge repairs start</a>') == 2


def test_lists_are_built_once_a_minute(client, article, django_assert_max_num_queries):
    from masthead.analytics.templatetags.analytics_tags import trending_stories

    with time_machine.travel("2026-03-02 12:00:10Z", tick=False):
        first = trending_stories({})
        give_views(article, 5)
        with django_assert_max_num_queries(0):
            assert trending_stories({}) == first  # same minute: the stored list
    with time_machine.travel("2026-03-02 12:01:05Z", tick=False):
        assert "Bridge repairs start" in trending_stories({})


def test_the_page_is_the_same_for_every_reader_so_any_cache_can_serve_it(
    client, article
):
    first = client.get(article.url, REMOTE_ADDR="203.0.113.1")
    second = client.get(article.url, REMOTE_ADDR="198.51.100.1")
    assert "Set-Cookie" not in first and not first.cookies

    def without_nonce(response):  # the CSP nonce travels with its cached header
        return re.sub(rb'nonce="[^"]+"', b"", response.content)

    assert without_nonce(first) == without_nonce(second)


def test_with_redis_down_pages_serve_and_beacons_answer(client, article, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": DEAD_REDIS_URL,
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.2},
        }
    }
    settings.MASTHEAD_ANALYTICS_REDIS_URL = DEAD_REDIS_URL
    give_views(article, 3)
    response = client.get(article.url)
    assert response.status_code == 200
    assert "3 Views" in response.content.decode()
    url = reverse("analytics:beacon", args=[article.pk])
    assert client.post(url, {"r": ""}, **beacon_headers()).status_code == 204
    flush_counters()
    assert "4 Views" in client.get(article.url).content.decode()


def test_an_editors_preview_sends_no_beacon(admin_client, article):
    url = reverse("wagtailadmin_pages:view_draft", args=[article.pk])
    html = admin_client.get(url).content.decode()
    assert "Bridge repairs start" in html
    assert "data-view-beacon" not in html
    assert reverse("analytics:pixel", args=[article.pk]) not in html
