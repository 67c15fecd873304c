"""Rate limits on the cache, and whose address a request comes from."""

import logging

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from masthead.core import ratelimit
from masthead.core.ratelimit import client_ip, hit


def test_the_limit_holds_within_a_window_and_per_identity():
    assert [hit("test", "a", 2, 60) for _ in range(3)] == [True, True, False]
    assert hit("test", "b", 2, 60)
    assert hit("other-scope", "a", 2, 60)


def test_a_cache_that_swallows_its_errors_lets_requests_through_quietly(
    settings, caplog
):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens here
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.2},
        }
    }
    ratelimit._last_warning = 0.0
    with caplog.at_level(logging.WARNING, logger="masthead.core"):
        assert all(hit("test", "a", 1, 60) for _ in range(5))
    assert caplog.text.count("rate limit cache unavailable") == 1


@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "expected"),
    [
        ("203.0.113.1", "", [], "203.0.113.1"),
        ("203.0.113.1", "6.6.6.6", [], "203.0.113.1"),  # anyone can send the header
        ("127.0.0.1", "198.51.100.5", ["127.0.0.1"], "198.51.100.5"),
        ("127.0.0.1", "6.6.6.6, 198.51.100.5", ["127.0.0.1"], "198.51.100.5"),
        (
            "127.0.0.1",
            "198.51.100.5, 10.0.0.2",
            ["127.0.0.1", "10.0.0.2"],
            "198.51.100.5",
        ),
        ("127.0.0.1", "", ["127.0.0.1"], "127.0.0.1"),
        # Ranges: a load balancer's pool and a CDN's edge, IPv4 and IPv6.
        (
            "10.0.3.7",
            "6.6.6.6, 198.51.100.5, 172.16.9.1",
            ["10.0.0.0/16", "172.16.0.0/12"],
            "198.51.100.5",
        ),
        ("10.1.0.1", "198.51.100.5", ["10.0.0.0/16"], "10.1.0.1"),
        (
            "2001:db8:1::10",
            "2001:db8:ffff::1, 2001:db8:1::20",
            ["2001:db8:1::/48"],
            "2001:db8:ffff::1",
        ),
        ("::1", "203.0.113.9", ["::1"], "203.0.113.9"),
        # A dual-stack socket's IPv4 reader is the same reader.
        ("::ffff:127.0.0.1", "203.0.113.9", ["127.0.0.1"], "203.0.113.9"),
        ("::ffff:203.0.113.9", "", ["127.0.0.1"], "203.0.113.9"),
        # Ports, as some load balancers write them.
        ("127.0.0.1", "203.0.113.9:5123", ["127.0.0.1"], "203.0.113.9"),
        ("127.0.0.1", "[2001:db8::7]:443", ["127.0.0.1"], "2001:db8::7"),
        ("127.0.0.1", "2001:DB8:0::7", ["127.0.0.1"], "2001:db8::7"),
        # What cannot be read ends the walk at the last hop that could.
        ("127.0.0.1", "198.51.100.5, junk", ["127.0.0.1"], "127.0.0.1"),
        ("127.0.0.1", "junk, 198.51.100.5", ["127.0.0.1"], "198.51.100.5"),
        ("127.0.0.1", ", ,", ["127.0.0.1"], "127.0.0.1"),
        ("127.0.0.1", "10.0.0.2, 10.0.0.3", ["127.0.0.0/8", "10.0.0.0/8"], "10.0.0.2"),
        ("", "198.51.100.5", ["127.0.0.1"], "unknown"),
    ],
)
def test_the_readers_address_comes_from_trusted_proxies_only(
    settings, remote, forwarded, trusted, expected
):
    settings.MASTHEAD_TRUSTED_PROXIES = trusted
    request = RequestFactory().get(
        "/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded
    )
    assert client_ip(request) == expected


def test_a_hop_outside_the_trusted_ranges_cannot_name_the_reader(settings):
    settings.MASTHEAD_TRUSTED_PROXIES = ["10.0.0.0/24"]
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.1.1", HTTP_X_FORWARDED_FOR="198.51.100.5"
    )

    assert client_ip(request) == "10.0.1.1"


def test_a_bad_trusted_proxy_entry_is_named(settings):
    settings.MASTHEAD_TRUSTED_PROXIES = ["10.0.0.0/8", "nginx.internal"]
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1")

    with pytest.raises(ImproperlyConfigured, match="'nginx.internal' is neither"):
        client_ip(request)


def test_an_address_in_a_cache_key_is_keyed_with_the_secret(settings, monkeypatch):
    import hashlib

    keys = []
    add = ratelimit.cache.add
    monkeypatch.setattr(
        ratelimit.cache,
        "add",
        lambda key, *a, **kw: keys.append(key) or add(key, *a, **kw),
    )
    hit("test", "203.0.113.9", 5, 60)
    plain = hashlib.sha256(b"203.0.113.9").hexdigest()
    assert keys and not any(plain[:16] in key for key in keys)
    before = ratelimit.private_digest("203.0.113.9")
    settings.SECRET_KEY = "another-secret-of-the-site"
    assert ratelimit.private_digest("203.0.113.9") != before
