"""Comment text to safe HTML, and avatars drawn locally.

Readers write plain text. We escape everything, turn blank lines into paragraphs
and bare URLs into links, and then let nh3 (ammonia) have the last word so that
only <p>, <br> and <a href="http(s)://..."> can ever reach a page.
"""

import hashlib
import hmac
import re

import nh3
from django.conf import settings
from django.utils.html import escape

URL_RE = re.compile(r"""(?i)\b(?:https?://|www\.)[^\s<>"']+""")
# Trailing punctuation belongs to the sentence, not to the link.
TRAILING = ".,;:!?)]}'\""
LINK_REL = "nofollow ugc noopener"


def count_links(text: str) -> int:
    return len(URL_RE.findall(text))


def _linked(paragraph: str) -> str:
    """Escape a paragraph and link its URLs; URLs are found before escaping so
    that a quote after a link is not mistaken for part of it."""
    out, position = [], 0
    for match in URL_RE.finditer(paragraph):
        url = match.group(0).rstrip(TRAILING)
        out.append(escape(paragraph[position : match.start()]))
        href = url if url.lower().startswith("http") else f"https://{url}"
        out.append(f'<a href="{escape(href)}">{escape(url)}</a>')
        position = match.start() + len(url)
    out.append(escape(paragraph[position:]))
    return "".join(out)


def render_body(text: str) -> str:
    """Plain text as HTML paragraphs with auto-linked URLs; nothing else survives."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    html = "".join(
        "<p>" + _linked(p).replace("\n", "<br>") + "</p>" for p in paragraphs
    )
    return nh3.clean(
        html,
        tags={"p", "br", "a"},
        attributes={"a": {"href"}},
        url_schemes={"http", "https"},
        link_rel=LINK_REL,
    )


def clean_text(text: str) -> str:
    """Drop control characters a reader cannot see (keeps newlines and tabs)."""
    return "".join(
        ch for ch in text if ch in "\n\t" or (ord(ch) >= 32 and ord(ch) != 127)
    ).strip()


def avatar_seed(email: str, name: str) -> str:
    """A keyed hash, so the avatar is stable per commenter and reveals nothing."""
    basis = (email or name).strip().lower().encode()
    return hmac.new(settings.SECRET_KEY.encode(), basis, hashlib.sha256).hexdigest()[
        :32
    ]


def identicon_cells(seed: str, size: int = 5) -> list[tuple[int, int]]:
    """Filled cells of a symmetric 5×5 identicon, from the seed's bits."""
    bits = bin(int(seed[:16] or "0", 16))[2:].zfill(64)
    cells = []
    half = (size + 1) // 2
    for row in range(size):
        for col in range(half):
            if bits[row * half + col] == "1":
                cells.append((col, row))
                if col != size - 1 - col:
                    cells.append((size - 1 - col, row))
    return cells


def avatar_hue(seed: str) -> int:
    return int(seed[16:20] or "0", 16) % 360


def gravatar_url(email: str, size: int = 80) -> str:
    digest = hashlib.md5(email.strip().lower().encode(), usedforsecurity=False)
    return f"https://www.gravatar.com/avatar/{digest.hexdigest()}?s={size}&d=identicon"


def content_hash(page_id: int, text: str) -> str:
    normalised = re.sub(r"\s+", " ", text.strip().lower())
    return hashlib.sha256(f"{page_id}:{normalised}".encode()).hexdigest()
