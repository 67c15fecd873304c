"""Shared strategies and checks for fuzzing every form and endpoint.

Bodies and query strings are built here as raw bytes, not through the test
client's encoder, so that invalid UTF-8, lone surrogates and NUL bytes reach the
server exactly as a hostile client would send them.
"""

import json
import re
import urllib.parse
from email import message_from_bytes
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.core.cache import caches
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# One profile for every fuzz test: function-scoped fixtures (the database, the
# client) are shared by all examples of a test, and rendering is slow-ish.
FUZZ = settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

JSON_ACCEPT = {"HTTP_ACCEPT": "application/json"}

# Inputs that hurt our peers, one class per line.
HEADER_INJECTION = [
    "Ada\r\nBcc: victim@example.org",
    "Ada\nX-Injected: yes",
    "Ada\rSubject: owned",
    "ada@example.org\r\nBcc: victim@example.org",
    "ada@example.org\nCc: victim@example.org",
    "=?utf-8?q?Ada=0D=0ABcc=3A_victim@example.org?=",
]
TEMPLATE_SYNTAX = [
    "{{ 7|add:7 }}",
    "{{ settings.SECRET_KEY }}",
    "{% debug %}",
    "{% load static %}{% now 'Y' %}",
    "${7*7}",
    "#{7*7}",
    "<%= 7*7 %>",
    "{{request.META}}",
]
MARKUP = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "<a href='javascript:alert(1)'>x</a>",
    "</textarea><script>alert(1)</script>",
]
SERIALIZED = [
    'O:8:"stdClass":1:{s:1:"a";s:1:"b";}',
    'a:1:{i:0;O:12:"WP_Theme_JSON":0:{}}',
    "cos\nsystem\n(S'id'\ntR.",  # a pickle, protocol 0
    '{"py/object": "os.system", "py/reduce": [{"py/function": "os.system"}]}',
    "!!python/object/apply:os.system ['id']",
    "rO0ABXNyABFqYXZhLnV0aWwuSGFzaE1hcA==",
]
SQL = [
    "' OR '1'='1",
    '"; DROP TABLE comments_comment; --',
    "1; SELECT pg_sleep(5)--",
    "1 UNION SELECT password FROM auth_user",
    "/* */",
    "%",
    "_",
    "\\",
    "%_\\'\"",
    "') OR 1=1--",
]
CONFUSABLE = [
    "раураl",  # Cyrillic letters
    "ａｄｍｉｎ",
    "\u202eevil.exe",
    "a\u200bb",
    "e\u0301",
    "ǅ",
    "İ",
    "ß",
    "\ufeff",
]
NUMBERS = [
    "NaN",
    "nan",
    "Infinity",
    "-Infinity",
    "inf",
    "1e309",
    "-1",
    "-0",
    "0",
    "0x10",
    "1_000",
    "99999999999999999999999999",
    "-99999999999999999999999999",
    "9223372036854775808",
    "2147483648",
    "1.7976931348623157e308",
    "12,50",
    "١٢",
]
CONTROL = ["\x00", "a\x00b", "\x00" * 20, "\x7f", "\x1b[31m", "\t", "\u2028", "\ud800"]
LONG = ["a" * 255, ("x" * 64 + "@") + "e" * 250 + ".org", "é" * 5000]
EMAILS = [
    "ada@example.org",
    "ADA@Example.ORG",
    "a" * 64 + "@" + "b" * 185 + ".org",
    "a" * 300 + "@example.org",
    # Valid, yet longer than the 254 characters of an EmailField's column.
    "a" * 64 + "@" + ".".join(["b" * 63] * 3) + ".org",
    '"quoted local"@example.org',
    "ada@[127.0.0.1]",
    "ada+tag@example.org",
    "ада@пример.рф",
    "ada@example.org\x00",
    "<ada@example.org>",
    "Ada <ada@example.org>",
    "ada@example.org,bob@example.org",
    *HEADER_INJECTION[3:5],
]
HOSTILE = [
    *HEADER_INJECTION,
    *TEMPLATE_SYNTAX,
    *MARKUP,
    *SERIALIZED,
    *SQL,
    *CONFUSABLE,
    *NUMBERS,
    *CONTROL,
    *LONG,
]
RAW_BYTES = [b"\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80", b"\x80abc", b"\xf0\x28\x8c\x28"]

any_char = st.characters(exclude_categories=())  # lone surrogates included
hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(any_char, max_size=40),
    st.lists(st.sampled_from(HOSTILE), min_size=2, max_size=4).map("".join),
)
hostile_value = st.one_of(
    hostile_text, st.sampled_from(RAW_BYTES), st.binary(max_size=20)
)
field_names = st.one_of(
    st.sampled_from(["", "a[]", "__proto__", "csrfmiddlewaretoken", "\x00", "é"]),
    st.text(any_char, min_size=1, max_size=12),
)
extra_fields = st.dictionaries(field_names, hostile_value, max_size=3)
encodings = st.sampled_from(["urlencoded", "multipart"])


def to_bytes(value) -> bytes:
    """A str as a client would put it on the wire, lone surrogates and all."""
    if isinstance(value, bytes):
        return value
    return str(value).encode("utf-8", "surrogatepass")


def as_server_reads(value) -> str:
    """What Django hands a view for `value` sent in a form (bad bytes replaced)."""
    return to_bytes(value).decode("utf-8", "replace")


def _pairs(fields: dict):
    for name, value in fields.items():
        for item in value if isinstance(value, list | tuple) else [value]:
            yield to_bytes(name), to_bytes(item)


def urlencoded(fields: dict) -> bytes:
    return b"&".join(
        urllib.parse.quote_from_bytes(name, safe=b"").encode()
        + b"="
        + urllib.parse.quote_from_bytes(value, safe=b"").encode()
        for name, value in _pairs(fields)
    )


BOUNDARY = "FuzzBoundaryQ7xk3"


def multipart(fields: dict) -> bytes:
    parts = [
        b'--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
        % (BOUNDARY.encode(), name.replace(b'"', b"%22"), value)
        for name, value in _pairs(fields)
    ]
    return b"".join(parts) + b"--%s--\r\n" % BOUNDARY.encode()


def post_raw(client, url: str, fields: dict, encoding="urlencoded", **headers):
    """POST `fields` as raw bytes; values may be str (any code point) or bytes."""
    if encoding == "multipart":
        return client.generic(
            "POST",
            url,
            multipart(fields),
            content_type=f"multipart/form-data; boundary={BOUNDARY}",
            **headers,
        )
    return client.generic(
        "POST",
        url,
        urlencoded(fields),
        content_type="application/x-www-form-urlencoded",
        **headers,
    )


def get_raw(client, url: str, fields: dict, **headers):
    """GET with a query string of raw bytes (percent-encoded as a browser would)."""
    return client.get(url, QUERY_STRING=urlencoded(fields).decode(), **headers)


def fresh_limits():
    """Rate-limit counters start again: each example is a new reader."""
    for cache in caches.all():
        cache.clear()


def visible_form_errors(html: str) -> list[str]:
    """The texts of the form-error paragraphs shown (not `hidden`)."""
    found = re.findall(r'<p class="form-error[^"]*"([^>]*)>(.*?)</p>', html, re.S)
    return [text.strip() for attrs, text in found if " hidden" not in attrs and text]


def assert_clear_answer(response, *, form: bool = False):
    """Never a server error; a refusal says what is wrong.

    JSON refusals carry an "error" or "errors" key. With `form`, an HTML refusal
    must show the form again with at least one visible message.
    """
    status = response.status_code
    assert status < 500, f"{status}: {response.content[:2000]!r}"
    if status < 400:
        return
    if status == 405:
        assert response["Allow"], "a 405 names the methods allowed"
        return
    body = b"".join(response) if response.streaming else response.content
    content_type = response.get("Content-Type", "")
    if content_type.startswith("application/json"):
        data = json.loads(body)
        assert "error" in data or "errors" in data, data
    elif form and content_type.startswith("text/html"):
        html = body.decode()
        assert "<form" in html and visible_form_errors(html), html[-3000:]
    else:
        assert body.strip(), f"an empty {status}"


class _Markup(HTMLParser):
    """Collects what a browser would run: tags, event handlers, script links."""

    FORBIDDEN_TAGS = {"script", "img", "iframe", "object", "embed"}
    LINKS = {"href", "src", "action", "formaction", "data"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag in self.FORBIDDEN_TAGS:
            self.found.append(tag)
        for name, value in attrs:
            link = (value or "").strip().lower()
            if name.startswith("on") or (
                name in self.LINKS and link.startswith(("javascript:", "data:"))
            ):
                self.found.append(f"{tag} {name}={value!r}")


def assert_no_markup_from_readers(html: str):
    """No tag or attribute a reader could have smuggled into the page."""
    parser = _Markup()
    parser.feed(html)
    assert not parser.found, (parser.found, html)


FORBIDDEN_HEADERS = {"bcc", "x-injected"}


def assert_clean_mail_headers(messages=None):
    """No mail carries a header a reader smuggled in with CR or LF."""
    for message in mail.outbox if messages is None else messages:
        for field in (message.subject, message.from_email, *message.to):
            assert "\r" not in field and "\n" not in field, field
        for name, value in message.extra_headers.items():
            assert "\r" not in value and "\n" not in value, (name, value)
        parsed = message_from_bytes(message.message().as_bytes())
        names = {name.lower() for name in parsed.keys()}
        assert not names & FORBIDDEN_HEADERS, names
        assert len(parsed.get_all("Subject") or []) <= 1, parsed.get_all("Subject")


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser(
        "root", "root@example.org", "correct horse battery staple"
    )
