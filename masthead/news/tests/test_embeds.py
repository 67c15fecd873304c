import socket

import pytest

from masthead.news.embeds import resolve_embed, youtube_id


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("an embed must not touch the network")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.mark.parametrize(
    "url",
    [
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "https://youtu.be/dQw4w9WgXcQ",
        "https://m.youtube.com/watch?v=dQw4w9WgXcQ&t=42",
        "https://www.youtube.com/embed/dQw4w9WgXcQ",
        "https://www.youtube.com/shorts/dQw4w9WgXcQ",
        " https://youtube.com/live/dQw4w9WgXcQ ",
    ],
)
def test_youtube_urls_become_privacy_enhanced_players(url):
    embed = resolve_embed(url)

    assert embed.provider == "YouTube"
    assert embed.player_url.startswith(
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
    )
    assert embed.url == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"


def test_soundcloud_track_becomes_player_with_encoded_url():
    embed = resolve_embed("https://soundcloud.com/some-show/episode-12")

    assert embed.provider == "SoundCloud"
    assert embed.player_url.startswith("https://w.soundcloud.com/player/?url=")
    assert "https%3A%2F%2Fsoundcloud.com%2Fsome-show%2Fepisode-12" in embed.player_url


@pytest.mark.parametrize(
    "url",
    [
        "https://vimeo.com/12345",
        "https://www.youtube.com/watch?v=tooshort",
        "https://www.youtube.com/channel/UCabc",
        "https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
        "https://soundcloud.com/",
        "javascript:alert(1)",
    ],
)
def test_other_urls_degrade_to_a_plain_link(url):
    embed = resolve_embed(url)

    assert not embed.is_player
    assert embed.provider == ""


def test_youtube_id_rejects_ids_with_markup():
    assert youtube_id('https://youtu.be/"><script>') is None


def test_non_web_schemes_give_no_link_at_all():
    assert resolve_embed("javascript:alert(1)").url == ""
