"""The beacon endpoint against the real database, as a browser would call it."""

import pytest
import time_machine
from django.urls import reverse

from masthead.analytics import metrics
from masthead.analytics.models import ReferrerViews, ViewTotal
from masthead.analytics.queries import view_count
from masthead.analytics.services import flush_counters

from .fixtures import beacon_headers, stories_in

pytestmark = pytest.mark.django_db


def send(client, article, ip="203.0.113.7", referrer="", **headers):
    url = reverse("analytics:beacon", args=[article.pk])
    return client.post(url, {"r": referrer}, **{**beacon_headers(ip), **headers})


def test_a_view_is_counted_once_per_visitor_per_day(client, article):
    for _ in range(3):
        assert send(client, article).status_code == 204
    send(client, article, ip="198.51.100.2")
    flush_counters()
    assert view_count(article.pk) == 2


def test_the_same_visitor_counts_again_the_next_day(client, article):
    with time_machine.travel("2026-03-02 23:50Z", tick=False):
        send(client, article)
        flush_counters()
    with time_machine.travel("2026-03-03 00:10Z", tick=False):
        send(client, article)
        flush_counters()
    assert view_count(article.pk) == 2


def test_another_browser_at_the_same_address_is_another_visitor(client, article):
    send(client, article)
    send(client, article, HTTP_USER_AGENT="Mozilla/5.0 (Macintosh) Safari/605.1.15")
    flush_counters()
    assert view_count(article.pk) == 2


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_USER_AGENT": "Mozilla/5.0 (compatible; Googlebot/2.1)"},
        {"HTTP_USER_AGENT": "Mozilla/5.0 (X11) HeadlessChrome/131.0 Safari/537.36"},
        {"HTTP_USER_AGENT": "curl/8.5.0"},
        {"HTTP_USER_AGENT": ""},
        {"HTTP_ORIGIN": ""},
        {"HTTP_ORIGIN": "https://elsewhere.example"},
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
    ],
    ids=["crawler", "headless", "curl", "no-agent", "no-origin", "foreign", "cross"],
)
def test_bots_and_requests_no_browser_sent_are_not_counted(client, article, headers):
    assert send(client, article, **headers).status_code == 204
    flush_counters()
    assert view_count(article.pk) == 0


def test_an_automated_browser_that_admits_it_is_not_counted(client, article):
    url = reverse("analytics:beacon", args=[article.pk])
    client.post(url, {"r": "", "a": "1"}, **beacon_headers())
    flush_counters()
    assert view_count(article.pk) == 0


def test_a_flood_from_one_address_is_capped(client, article, settings, section):
    settings.MASTHEAD_ANALYTICS_RATE_PER_IP = (3, 60)
    stories = [article, *stories_in(section, 4)]
    for story in stories:
        assert send(client, story).status_code == 204
    flush_counters()
    assert sum(ViewTotal.objects.values_list("views", flat=True)) == 3


@pytest.mark.parametrize(
    ("method", "path_id", "body"),
    [
        ("get", None, {}),
        ("put", None, {}),
        ("post", 999999, {"r": ""}),
        ("post", 2**40, {"r": ""}),
        ("post", None, "r=%ff%fe\x00&r=" + "x" * 10000),
    ],
    ids=["get", "put", "missing-page", "huge-id", "junk-body"],
)
def test_whatever_arrives_the_answer_is_204_and_nothing_counts(
    client, article, method, path_id, body
):
    url = reverse("analytics:beacon", args=[path_id or article.pk])
    call = getattr(client, method)
    if isinstance(body, str):
        response = call(
            url,
            body,
            content_type="application/x-www-form-urlencoded",
            **beacon_headers(),
        )
    else:
        response = call(url, body, **beacon_headers())
    assert response.status_code == 204
    assert response["Cache-Control"] == "no-store"
    flush_counters()
    assert view_count(article.pk) == (
        1 if body and method == "post" and not path_id else 0
    )


def test_a_failure_inside_counting_still_answers_204(client, article, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("masthead.analytics.views.count_view", broken)
    assert send(client, article).status_code == 204
    assert metrics.snapshot()["beacon_errors"] == 1


def test_referrer_domains_are_kept_and_nothing_else(client, article):
    send(client, article, referrer="https://www.Example.COM/some/path?utm_source=x")
    send(client, article, ip="198.51.100.3", referrer="")
    send(client, article, ip="198.51.100.4", referrer="http://testserver/news/")
    flush_counters()
    assert dict(ReferrerViews.objects.values_list("domain", "views")) == {
        "example.com": 1,
        "": 1,
    }
    assert view_count(article.pk) == 3


def test_the_no_javascript_image_counts_too(client, article):
    url = reverse("analytics:pixel", args=[article.pk])
    response = client.get(
        url,
        REMOTE_ADDR="203.0.113.9",
        HTTP_USER_AGENT=beacon_headers()["HTTP_USER_AGENT"],
        HTTP_SEC_FETCH_DEST="image",
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "image/gif"
    assert response["Cache-Control"] == "no-store"
    client.get(url, REMOTE_ADDR="203.0.113.10", HTTP_SEC_FETCH_DEST="document")
    flush_counters()
    assert view_count(article.pk) == 1


def test_forwarded_addresses_count_only_behind_a_trusted_proxy(
    client, article, settings
):
    for forwarded in ("198.51.100.20", "198.51.100.21"):
        send(client, article, ip="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    flush_counters()
    assert view_count(article.pk) == 1  # untrusted: both are 127.0.0.1

    settings.MASTHEAD_TRUSTED_PROXIES = ["127.0.0.1"]
    for forwarded in ("198.51.100.20", "6.6.6.6, 198.51.100.21"):
        send(client, article, ip="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    flush_counters()
    assert view_count(article.pk) == 3


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_PURPOSE": "prefetch"},
        {"HTTP_SEC_PURPOSE": "prefetch;prerender"},
        {"HTTP_PURPOSE": "prefetch"},
        {"HTTP_X_MOZ": "prefetch"},
        {"HTTP_X_PURPOSE": "preview"},
    ],
    ids=["chromium-prefetch", "chromium-prerender", "purpose", "firefox", "safari"],
)
def test_a_page_loaded_speculatively_is_not_counted(client, article, headers):
    assert send(client, article, **headers).status_code == 204
    pixel = reverse("analytics:pixel", args=[article.pk])
    response = client.get(
        pixel,
        REMOTE_ADDR="203.0.113.9",
        HTTP_USER_AGENT=beacon_headers()["HTTP_USER_AGENT"],
        HTTP_SEC_FETCH_DEST="image",
        **headers,
    )
    assert response.status_code == 200
    flush_counters()
    assert view_count(article.pk) == 0
    send(client, article)  # the reader then opens it: counted once
    flush_counters()
    assert view_count(article.pk) == 1
