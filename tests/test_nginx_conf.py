"""deploy/nginx.conf, run by nginx as the bench runs it, in front of a fake app.

The fake app answers every GET with the same gzipped page and counts what
reaches it, so each test can tell a cache hit from a request that went through.
"""

import gzip
import shutil
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench import proxy

pytestmark = pytest.mark.skipif(
    shutil.which("nginx") is None and not proxy.Path("/usr/sbin/nginx").exists(),
    reason="nginx is not installed (bin/ensure-bench-tools installs it)",
)

PAGE = b"<!doctype html><title>Story</title><p>" + b"news " * 400


class FakeApp(BaseHTTPRequestHandler):
    hits: list[tuple[str, str, str]] = []  # (method, path, Accept-Encoding)
    cache_control = "public, max-age=60, s-maxage=600"
    status = 200

    def _answer(self):
        FakeApp.hits.append(
            (self.command, self.path, self.headers.get("Accept-Encoding", ""))
        )
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        body = gzip.compress(PAGE)
        self.send_response(FakeApp.status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding, Cookie")
        if FakeApp.cache_control:
            self.send_header("Cache-Control", FakeApp.cache_control)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def app():
    FakeApp.hits = []
    FakeApp.cache_control = "public, max-age=60, s-maxage=600"
    FakeApp.status = 200
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeApp)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def nginx(app, tmp_path):
    static = tmp_path / "static"
    (static / "css").mkdir(parents=True)
    (static / "css" / "site.0123456789ab.css").write_text("body{}" * 100)
    (static / "css" / "site.0123456789ab.css.gz").write_bytes(
        gzip.compress(b"body{}" * 100)
    )
    upstream = f"127.0.0.1:{app.server_address[1]}"
    with proxy.app_proxy(tmp_path / "nginx", [upstream], static) as server:
        yield server


def get(url, method="GET", **headers):
    request = urllib.request.Request(url, method=method, headers=headers)  # noqa: S310 - loopback
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def app_gets(path_prefix="/"):
    return [h for h in FakeApp.hits if h[0] == "GET" and h[1].startswith(path_prefix)]


def test_shipped_config_renders_and_nginx_accepts_it(nginx):
    conf = nginx.conf_path.read_text()
    assert "www-data" not in conf
    assert "/var/" not in conf and "/srv/" not in conf
    assert f"listen 127.0.0.1:{nginx.port}" in conf


def test_pages_are_cached_whatever_tracking_parameters_they_carry(nginx):
    first = get(f"{nginx.url}/news/story/", **{"Accept-Encoding": "gzip"})
    again = get(f"{nginx.url}/news/story/?utm_source=x&fbclid=1&gclid=2")
    assert first[1]["X-Cache-Status"] == "MISS"
    assert again[1]["X-Cache-Status"] == "HIT"
    assert len(app_gets("/news/story/")) == 1
    # A query argument the site uses is another page.
    assert get(f"{nginx.url}/news/story/?page=2")[1]["X-Cache-Status"] == "MISS"


def test_one_gzipped_variant_unzipped_for_clients_without_gzip(nginx):
    zipped = get(f"{nginx.url}/a/", **{"Accept-Encoding": "gzip"})
    plain = get(f"{nginx.url}/a/", **{"Accept-Encoding": "identity"})
    assert zipped[1]["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped[2]) == PAGE
    assert plain[1]["X-Cache-Status"] == "HIT"
    assert plain[1].get("Content-Encoding") is None
    assert plain[2] == PAGE
    assert {encoding for _, _, encoding in FakeApp.hits} == {"gzip"}


def test_sessions_posts_and_private_paths_always_reach_the_app(nginx):
    get(f"{nginx.url}/b/")
    signed_in = get(f"{nginx.url}/b/", Cookie="theme=dark; sessionid=abc")
    assert signed_in[1]["X-Cache-Status"] == "BYPASS"
    for _ in range(2):
        get(f"{nginx.url}/comments/7/post/", method="POST")
        get(f"{nginx.url}/admin/")
        get(f"{nginx.url}/newsletter/")
    posts = [h for h in FakeApp.hits if h[0] == "POST"]
    assert len(posts) == 2
    assert len(app_gets("/admin/")) == 2
    assert len(app_gets("/newsletter/")) == 2
    assert len(app_gets("/b/")) == 2


def test_only_answers_the_app_marks_shareable_are_stored(nginx):
    for control in ("", "private, no-cache"):
        FakeApp.cache_control = control
        path = f"/own-{len(control)}/"
        for _ in range(2):
            assert get(nginx.url + path)[1]["X-Cache-Status"] == "MISS"
        assert len(app_gets(path)) == 2
    assert get(f"{nginx.url}/healthz")[1]["X-Cache-Status"] != "HIT"


def test_wagtail_purge_and_purge_url_drop_a_page(nginx, settings):
    from wagtail.contrib.frontend_cache.backends.http import HTTPBackend

    get(f"{nginx.url}/c/")
    assert get(f"{nginx.url}/c/")[1]["X-Cache-Status"] == "HIT"
    HTTPBackend({"LOCATION": nginx.url}).purge(f"http://127.0.0.1:{nginx.port}/c/")
    assert get(f"{nginx.url}/c/")[1]["X-Cache-Status"] == "MISS"

    assert get(f"{nginx.url}/purge/c/")[0] == 200
    assert get(f"{nginx.url}/c/")[1]["X-Cache-Status"] == "MISS"
    assert len(app_gets("/c/")) == 3


def test_publishing_purges_through_our_backend(nginx):
    from masthead.caching.frontend import NginxPurgeBackend

    get(f"{nginx.url}/f/?page=2")
    assert get(f"{nginx.url}/f/?page=2")[1]["X-Cache-Status"] == "HIT"
    backend = NginxPurgeBackend({"LOCATION": nginx.url})
    backend.purge(f"http://127.0.0.1:{nginx.port}/f/?page=2")
    assert get(f"{nginx.url}/f/?page=2")[1]["X-Cache-Status"] == "MISS"


def test_a_stale_page_is_served_when_the_app_fails(nginx):
    FakeApp.cache_control = "public, max-age=1, s-maxage=1"
    get(f"{nginx.url}/d/")
    time.sleep(2.2)  # nginx counts whole seconds
    FakeApp.status = 503
    status, headers, body = get(f"{nginx.url}/d/", **{"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["X-Cache-Status"] in {"STALE", "UPDATING"}
    assert gzip.decompress(body) == PAGE


def test_hashed_static_files_are_cached_for_a_year(nginx):
    status, headers, _ = get(
        f"{nginx.url}/static/css/site.0123456789ab.css", **{"Accept-Encoding": "gzip"}
    )
    assert status == 200
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert headers["Content-Encoding"] == "gzip"
    assert not app_gets("/static/")


def test_the_bench_refuses_a_config_whose_defaults_moved(tmp_path):
    shipped = proxy.SHIPPED_CONF.read_text()
    with pytest.raises(RuntimeError, match="listen 80"):
        proxy.render(
            shipped.replace("listen 80 default_server;", "listen 8080;"),
            workdir=tmp_path,
            port=1234,
            upstreams=["127.0.0.1:1"],
            static_root=tmp_path,
        )
