"""The nginx purge backend: HTTP only, and never waiting for ever."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from masthead.caching import frontend
from masthead.caching.frontend import PURGE_TIMEOUT_SECONDS, NginxPurgeBackend


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
