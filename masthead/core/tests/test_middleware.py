"""Our CSP middleware: the library's header where it belongs, no work elsewhere."""

import pytest
from django.urls import reverse

from masthead.analytics.tests.fixtures import beacon_headers

pytestmark = pytest.mark.django_db


def test_reader_pages_get_the_policy_with_the_accent_styles_hash(client, article):
    response = client.get(article.url)
    policy = response["Content-Security-Policy"]
    # The directives' order is the library's own: read them by name.
    directives = dict(
        part.strip().split(" ", 1) for part in policy.split(";") if part.strip()
    )
    assert directives["script-src"] == "'self'"
    assert directives["style-src"].startswith("'self' 'sha256-")
    assert "nonce" not in policy


def test_excluded_paths_get_no_policy_and_no_work(client, article, monkeypatch):
    def must_not_build(*args, **kwargs):
        raise AssertionError("built a policy for an excluded path")

    monkeypatch.setattr(
        "masthead.core.middleware.LibraryCSPMiddleware.get_policy_parts",
        must_not_build,
    )
    url = reverse("analytics:beacon", args=[article.pk])
    response = client.post(url, {"r": ""}, **beacon_headers())
    assert response.status_code == 204
    assert "Content-Security-Policy" not in response


def test_a_report_only_policy_still_covers_its_own_paths(client, article, settings):
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {
        "DIRECTIVES": {"default-src": ["'self'"]}
    }
    url = reverse("analytics:beacon", args=[article.pk])
    response = client.post(url, {"r": ""}, **beacon_headers())
    assert "Content-Security-Policy" not in response
    assert response["Content-Security-Policy-Report-Only"] == "default-src 'self'"


def test_the_admin_gets_its_own_policy_with_no_other_host(client):
    policy = client.get("/admin/login/")["Content-Security-Policy"]
    directives = dict(
        part.strip().split(" ", 1) for part in policy.split(";") if part.strip()
    )
    assert directives["default-src"] == "'self'"
    assert directives["connect-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'self'"
    assert directives["form-action"] == "'self'"
    # Scripts only from the site (inline ones for Wagtail's widgets), never elsewhere.
    assert set(directives["script-src"].split()) == {"'self'", "'unsafe-inline'"}
