"""Telling readers from bots by what their requests carry."""

import pytest

from masthead.analytics import bots
from masthead.analytics.bots import is_bot, sent_by_beacon, sent_by_image

from .fixtures import BROWSER_UA


@pytest.mark.parametrize(
    "user_agent",
    [
        BROWSER_UA,
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 "
        "Firefox/133.0",
    ],
)
def test_browsers_are_readers(user_agent):
    assert not is_bot(user_agent)


@pytest.mark.parametrize(
    "user_agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2)",
        "facebookexternalhit/1.1",
        "python-requests/2.32.3",
        "curl/8.5.0",
        "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/131.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Unknown; Linux x86_64) PhantomJS/2.1.1 Safari/538.1",
        "Mozilla/5.0 (X11) Chrome/131.0 Electron/33.0.0 Safari/537.36",
        "Mozilla/5.0 Chrome-Lighthouse",
        "",
        "Mozilla",
    ],
)
def test_crawlers_headless_browsers_and_empty_agents_are_bots(user_agent):
    assert is_bot(user_agent)


def test_a_beacon_names_our_origin_and_same_origin_fetch_metadata():
    host = "news.example.org"
    assert sent_by_beacon({"Origin": "https://news.example.org"}, host)
    assert sent_by_beacon(
        {"Origin": "https://news.example.org", "Sec-Fetch-Site": "same-origin"}, host
    )
    assert not sent_by_beacon({}, host)
    assert not sent_by_beacon({"Origin": "null"}, host)
    assert not sent_by_beacon({"Origin": "https://evil.example"}, host)
    assert not sent_by_beacon(
        {"Origin": "https://news.example.org", "Sec-Fetch-Site": "cross-site"}, host
    )


def test_the_fallback_image_must_be_loaded_as_an_image():
    assert sent_by_image({"Sec-Fetch-Dest": "image"}, "h")
    assert sent_by_image({"Accept": "image/avif,image/webp,*/*"}, "h")
    assert not sent_by_image({"Sec-Fetch-Dest": "document"}, "h")
    assert not sent_by_image({"Accept": "*/*"}, "h")


@pytest.mark.parametrize(
    ("headers", "speculative"),
    [
        ({"Sec-Purpose": "prefetch;prerender"}, True),
        ({"Sec-Purpose": "Prefetch"}, True),
        ({"X-Moz": "prefetch"}, True),
        ({"X-Purpose": "preview"}, True),
        ({"Purpose": "prefetch"}, True),
        ({}, False),
        ({"Sec-Fetch-Dest": "image"}, False),
        ({"Sec-Purpose": ""}, False),
    ],
)
def test_speculative_loads_are_told_by_their_headers(headers, speculative):
    assert bots.is_speculative(headers) is speculative
