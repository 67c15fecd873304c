"""Purge backends: nginx (HTTP only, never waiting for ever) and the CDNs."""

from datetime import UTC, datetime
from unittest.mock import ANY

import pytest
import requests
from botocore.stub import Stubber
from django.core.exceptions import ImproperlyConfigured
from wagtail.models import Site

from masthead.caching import frontend
from masthead.caching.frontend import PURGE_TIMEOUT_SECONDS, NginxPurgeBackend
from masthead.core.models import MastheadSettings
from masthead.news.tests.factories import ArticlePageFactory

NGINX = "masthead.caching.frontend.NginxPurgeBackend"


@pytest.mark.parametrize(
    "location", ["file:///etc", "ftp://127.0.0.1", "127.0.0.1:8080"]
)
def test_a_purge_address_that_is_not_http_is_refused(location):
    with pytest.raises(ImproperlyConfigured, match="MASTHEAD_PURGE_URL"):
        NginxPurgeBackend({"LOCATION": location})


def test_each_purge_request_carries_its_timeout(monkeypatch):
    opened = []

    class Answer:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    def fake_urlopen(request, timeout=None):
        opened.append((request.full_url, request.get_method(), timeout))
        return Answer()

    monkeypatch.setattr(frontend, "urlopen", fake_urlopen)
    backend = NginxPurgeBackend({"LOCATION": "http://127.0.0.1:8080"})

    backend.purge("https://news.example.org/news/budget/?page=2")

    assert opened == [
        ("http://127.0.0.1:8080/news/budget/?page=2", "PURGE", PURGE_TIMEOUT_SECONDS)
    ]


# --- CDNs: Cloudflare and CloudFront through Wagtail's backends ----------------------

CLOUDFLARE = {
    "BACKEND": "masthead.caching.frontend.CloudflareBackend",
    "ZONEID": "zone-7",
    "BEARER_TOKEN": "purge-token",
}


class Posted(list):
    answer: dict


class CloudflareAnswer:
    def __init__(self, body):
        self.body = body
        self.status_code = 200

    def json(self):
        return self.body


@pytest.fixture
def cloudflare_api(monkeypatch):
    """What was POSTed to Cloudflare's API: (url, json, headers, timeout)."""
    posted = Posted()
    answer = {"success": True, "errors": []}

    def fake_post(url, json=None, headers=None, timeout=None):
        posted.append((url, json, headers, timeout))
        return CloudflareAnswer(answer)

    monkeypatch.setattr(requests, "post", fake_post)
    posted.answer = answer
    return posted


@pytest.fixture
def cloudfront_client(monkeypatch):
    # No credential lookup may leave the machine, and no call reaches AWS: the
    # Stubber answers in its place.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    backend = frontend.CloudFrontBackend({"DISTRIBUTION_ID": "E2EXAMPLE"})
    with Stubber(backend.client) as stubber:
        yield backend, stubber
        stubber.assert_no_pending_responses()


def invalidation(paths):
    return {
        "DistributionId": "E2EXAMPLE",
        "InvalidationBatch": {
            "Paths": {"Quantity": len(paths), "Items": paths},
            "CallerReference": ANY,
        },
    }


INVALIDATION_ANSWER = {
    "Location": "https://cloudfront.amazonaws.com/invalidation/I1",
    "Invalidation": {
        "Id": "I1",
        "Status": "InProgress",
        "CreateTime": datetime(2025, 1, 1, tzinfo=UTC),
        "InvalidationBatch": {
            "Paths": {"Quantity": 1, "Items": ["/*"]},
            "CallerReference": "x",
        },
    },
}


def test_cloudflare_drops_the_whole_zone_with_the_token(cloudflare_api):
    frontend.CloudflareBackend(dict(CLOUDFLARE)).purge_all()

    assert cloudflare_api == [
        (
            "https://api.cloudflare.com/client/v4/zones/zone-7/purge_cache",
            {"purge_everything": True},
            {"Authorization": "Bearer purge-token"},
            PURGE_TIMEOUT_SECONDS,
        )
    ]


def test_cloudflare_refusing_the_purge_is_logged(cloudflare_api, caplog):
    cloudflare_api.answer.update(success=False, errors=[{"message": "bad token"}])

    frontend.CloudflareBackend(dict(CLOUDFLARE)).purge_all()

    assert "Cloudflare refused to purge the zone: bad token" in caplog.text


def test_cloudflare_out_of_reach_is_logged(monkeypatch, caplog):
    def unreachable(*args, **kwargs):
        raise requests.ConnectionError("no route")

    monkeypatch.setattr(requests, "post", unreachable)

    frontend.CloudflareBackend(dict(CLOUDFLARE)).purge_all()

    assert "could not purge the Cloudflare zone: no route" in caplog.text


def test_cloudfront_invalidates_every_path_with_one_wildcard(cloudfront_client):
    backend, stubber = cloudfront_client
    stubber.add_response(
        "create_invalidation", INVALIDATION_ANSWER, invalidation(["/*"])
    )

    backend.purge_all()


def test_cloudfront_still_invalidates_the_pages_publishing_names(cloudfront_client):
    backend, stubber = cloudfront_client
    stubber.add_response(
        "create_invalidation", INVALIDATION_ANSWER, invalidation(["/news/?page=2"])
    )

    backend.purge_batch(["https://news.example.org/news/?page=2"])


def test_a_site_wide_purge_falls_back_to_urls_where_no_wildcard_exists(
    settings, cloudflare_api, monkeypatch
):
    purged = []
    monkeypatch.setattr(
        NginxPurgeBackend, "purge", lambda self, url: purged.append(url)
    )
    settings.WAGTAILFRONTENDCACHE = {
        "nginx": {"BACKEND": NGINX, "LOCATION": "http://127.0.0.1:8080"},
        "cloudflare": CLOUDFLARE,
    }

    frontend.purge_site_from_edge(["http://localhost/", "http://localhost/news/"])

    assert purged == ["http://localhost/", "http://localhost/news/"]
    assert [json for _, json, _, _ in cloudflare_api] == [{"purge_everything": True}]


def test_one_failing_edge_does_not_keep_the_others_stale(
    settings, cloudflare_api, monkeypatch, caplog
):
    def broken(self, urls):
        raise OSError("nginx is gone")

    monkeypatch.setattr(NginxPurgeBackend, "purge_batch", broken)
    settings.WAGTAILFRONTENDCACHE = {
        "nginx": {"BACKEND": NGINX, "LOCATION": "http://127.0.0.1:8080"},
        "cloudflare": CLOUDFLARE,
    }

    frontend.purge_site_from_edge(["http://localhost/"])

    assert "could not purge the site from nginx" in caplog.text
    assert [json for _, json, _, _ in cloudflare_api] == [{"purge_everything": True}]


@pytest.mark.django_db
def test_changing_the_sites_settings_drops_the_whole_zone(
    settings, cloudflare_api, django_capture_on_commit_callbacks
):
    settings.WAGTAILFRONTENDCACHE = {"cloudflare": CLOUDFLARE}
    site = Site.objects.get(is_default_site=True)
    site_settings = MastheadSettings.for_site(site)

    with django_capture_on_commit_callbacks(execute=True):
        site_settings.save()

    assert [json for _, json, _, _ in cloudflare_api] == [{"purge_everything": True}]


@pytest.mark.django_db
def test_publishing_a_story_purges_only_its_pages_at_cloudflare(
    settings, cloudflare_api, section, django_capture_on_commit_callbacks
):
    settings.WAGTAILFRONTENDCACHE = {"cloudflare": CLOUDFLARE}
    story = ArticlePageFactory(parent=section, slug="budget", live=False)

    with django_capture_on_commit_callbacks(execute=True):
        story.save_revision().publish()

    bodies = [json for _, json, _, _ in cloudflare_api]
    assert bodies and all("purge_everything" not in body for body in bodies)
    assert "http://localhost/news/budget/" in bodies[0]["files"]
