"""Turn a pasted video or audio URL into a privacy-respecting player, offline.

Wagtail's own embed finder asks the provider over oEmbed when an editor saves; we
know the two providers a newsroom uses and build their player URLs ourselves, so
neither saving nor rendering makes a network call and the reader's browser contacts
the provider only after they click.
"""

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlparse

_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_YOUTUBE_HOSTS = {
    "youtube.com",
    "www.youtube.com",
    "m.youtube.com",
    "music.youtube.com",
    "youtube-nocookie.com",
    "www.youtube-nocookie.com",
}
_SOUNDCLOUD_HOSTS = {"soundcloud.com", "www.soundcloud.com", "m.soundcloud.com"}


@dataclass(frozen=True)
class Embed:
    provider: str  # "YouTube", "SoundCloud", or "" for a plain link
    url: str  # what the reader would open without the player
    player_url: str = ""
    aspect: str = "16 / 9"

    @property
    def is_player(self) -> bool:
        return bool(self.player_url)


def youtube_id(url: str) -> str | None:
    parts = urlparse(url.strip())
    host = (parts.hostname or "").lower()
    candidate = None
    if host == "youtu.be":
        candidate = parts.path.lstrip("/").split("/")[0]
    elif host in _YOUTUBE_HOSTS:
        segments = [s for s in parts.path.split("/") if s]
        if segments[:1] == ["watch"]:
            candidate = parse_qs(parts.query).get("v", [""])[0]
        elif len(segments) >= 2 and segments[0] in {"embed", "shorts", "live", "v"}:
            candidate = segments[1]
    if candidate and _YOUTUBE_ID.match(candidate):
        return candidate
    return None


def resolve_embed(url: str) -> Embed:
    """Describe how to show `url`: a click-to-load player, or a plain link."""
    url = url.strip()
    video = youtube_id(url)
    if video:
        return Embed(
            provider="YouTube",
            url=f"https://www.youtube.com/watch?v={video}",
            player_url=f"https://www.youtube-nocookie.com/embed/{video}?autoplay=1",
        )
    parts = urlparse(url)
    if (parts.hostname or "").lower() in _SOUNDCLOUD_HOSTS and parts.path.strip("/"):
        track = f"https://soundcloud.com{parts.path}"
        return Embed(
            provider="SoundCloud",
            url=track,
            player_url="https://w.soundcloud.com/player/?url="
            + quote(track, safe="")
            + "&auto_play=true&visual=false",
            aspect="auto",
        )
    if parts.scheme not in {"http", "https"}:
        return Embed(provider="", url="")
    return Embed(provider="", url=url)
