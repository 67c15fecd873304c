from html.parser import HTMLParser

import pytest

from masthead.comments import rendering


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def elements(html):
    parser = _Elements()
    parser.feed(html)
    return parser.found


def test_plain_text_becomes_paragraphs_and_line_breaks():
    html = rendering.render_body("One\nline two\n\nSecond paragraph")
    assert html == "<p>One<br>line two</p><p>Second paragraph</p>"


def test_urls_become_nofollow_ugc_links_without_trailing_punctuation():
    html = rendering.render_body(
        "Read https://example.org/a?b=1&c=2. Or www.example.com!"
    )
    assert (
        '<a href="https://example.org/a?b=1&amp;c=2" rel="nofollow ugc noopener">'
        "https://example.org/a?b=1&amp;c=2</a>." in html
    )
    assert '<a href="https://www.example.com" rel="nofollow ugc noopener">' in html


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        '<a href="javascript:alert(1)">x</a>',
        "javascript:alert(1)",
        "<svg onload=alert(1)>",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "\u003cscript\u003ealert(1)\u003c/script\u003e",
        '"><iframe src="https://evil.example"></iframe>',
        "<style>body{display:none}</style>",
    ],
)
def test_no_markup_survives(payload):
    for tag, attrs in elements(rendering.render_body(payload)):
        assert tag in {"p", "br", "a"}
        assert set(attrs) <= {"href", "rel"}
        assert attrs.get("href", "https://").startswith(("http://", "https://"))


def test_control_characters_are_dropped_but_newlines_kept():
    assert rendering.clean_text("a\x00b\u0007\nc\t") == "ab\nc"


def test_links_are_counted():
    assert (
        rendering.count_links("see http://a.example and www.b.example and c.example")
        == 2
    )


def test_avatar_seed_is_stable_and_does_not_contain_the_email():
    seed = rendering.avatar_seed("Ada@Example.org", "Ada")
    assert seed == rendering.avatar_seed("ada@example.org ", "Other name")
    assert "ada" not in seed and len(seed) == 32


def test_identicon_is_symmetric():
    cells = set(rendering.identicon_cells("f" * 32))
    assert all((4 - x, y) in cells for x, y in cells)


def test_a_quote_after_a_link_stays_outside_it():
    html = rendering.render_body('See "https://example.org/x" now')
    assert '<a href="https://example.org/x" rel="nofollow ugc noopener">' in html
    assert 'https://example.org/x</a>" now' in html
