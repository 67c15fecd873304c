"""Production settings, proven on a running production process.

One gunicorn process with `masthead.settings.production` (its own SQLite file,
demo content, collected static files), spoken to over HTTP the way nginx speaks
to it: the tests read the headers and cookies it really sends, the redirects it
really makes and the error pages a reader really sees. The shipped
deploy/nginx.conf is put in front of it where the proxy is what is proven.
"""

import http.client
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from django.core.exceptions import DisallowedHost
from django.http import HttpResponse
from django.template import loader
from playwright.sync_api import expect

from bench import proxy
from masthead.caching.middleware import PageCacheMiddleware

from .processes import ROOT, clean_env, free_port

HOST = "news.example.org"
SITE_URL = f"https://{HOST}"
SENDER = f"The Ledger <news@{HOST}>"
EVIL = "evil.example"
SECRET_KEY = secrets.token_urlsafe(60)
ADMIN_PASSWORD = secrets.token_urlsafe(20)
FROM_PROXY = {"X-Forwarded-Proto": "https"}  # what nginx adds on a TLS request
# What an error page must never show: a traceback, settings, SQL, exception text.
LEAKS = (
    "Traceback",
    'File "',
    "OperationalError",
    "no such table",
    "SELECT",
    "sqlite",
    "DATABASES",
    "SECRET_KEY",
    SECRET_KEY,
    "settings",
    "Exception",
    "Resolver404",
    "URLconf",
    "/masthead/",
)


def production_env(tmp_path: Path, port: int, **extra: str) -> dict[str, str]:
    return clean_env(
        DJANGO_SETTINGS_MODULE="masthead.settings.production",
        SECRET_KEY=SECRET_KEY,
        # localhost too: the one host where Chromium keeps a Secure cookie
        # received over plain HTTP, for the browser test.
        ALLOWED_HOSTS=f"{HOST},localhost",
        SITE_URL=SITE_URL,
        DEFAULT_FROM_EMAIL=SENDER,
        DATABASE_URL=f"sqlite:///{tmp_path / 'masthead.sqlite3'}",
        MASTHEAD_VAR_DIR=str(tmp_path),
        STATIC_ROOT=str(tmp_path / "static"),
        PORT=str(port),
        # The browser test speaks plain HTTP to localhost while the app is told,
        # as nginx would tell it, that the request came over TLS: its Origin
        # header (http://) must be trusted for the sign-in form to be accepted.
        CSRF_TRUSTED_ORIGINS=f"{SITE_URL},http://localhost:{port}",
        **extra,
    )


class Answer:
    def __init__(self, response: http.client.HTTPResponse):
        self.status = response.status
        self.headers = response.headers
        self.text = response.read().decode("utf-8", "replace")

    def cookies(self) -> SimpleCookie:
        jar = SimpleCookie()
        for line in self.headers.get_all("Set-Cookie") or []:
            jar.load(line)
        return jar


def ask(port, method, path, *, host=HOST, body=None, **headers) -> Answer:
    """One request with exactly these headers; redirects are not followed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        connection.putheader("Host", host)
        for name, value in headers.items():
            connection.putheader(name.replace("_", "-"), value)
        data = body.encode() if body is not None else None
        if data is not None:
            connection.putheader("Content-Length", str(len(data)))
        connection.endheaders(data)
        return Answer(connection.getresponse())
    finally:
        connection.close()


def secure(port, method, path, **kwargs) -> Answer:
    return ask(port, method, path, **FROM_PROXY, **kwargs)


def manage(env, *args: str) -> None:
    subprocess.run(  # noqa: S603 - our own arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """(port, work dir, log file) of a running production app process."""
    tmp_path = tmp_path_factory.mktemp("production")
    port = free_port()
    env = production_env(tmp_path, port)
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    manage(env, "masthead_demo", "--articles", "2", "--verbosity", "0")
    manage(
        {**env, "DJANGO_SUPERUSER_PASSWORD": ADMIN_PASSWORD},
        "createsuperuser",
        "--noinput",
        "--username",
        "chief",
        "--email",
        "chief@example.org",
    )
    log_path = tmp_path / "app.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(  # noqa: S603 - our own arguments
            [
                sys.executable,
                "manage.py",
                "masthead_serve",
                "--web-only",
                "--workers",
                "1",
                "--port",
                str(port),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 180
        while True:
            if process.poll() is not None:
                raise AssertionError(f"the app exited: {log_path.read_text()}")
            try:
                if ask(port, "GET", "/healthz").status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"no answer: {log_path.read_text()}")
            time.sleep(0.3)
        yield port, tmp_path, log_path
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def assert_no_leak(answer: Answer) -> None:
    for leak in LEAKS:
        assert leak not in answer.text, f"{leak!r} shown on a {answer.status} page"


# --- settings -----------------------------------------------------------------------


def run_settings(**env: str) -> subprocess.CompletedProcess:
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps({name: getattr(settings, name, None) for name in ["
        "'SILENCED_SYSTEM_CHECKS', 'USE_X_FORWARDED_HOST', 'USE_X_FORWARDED_PORT', "
        "'SECURE_PROXY_SSL_HEADER', 'WAGTAILADMIN_BASE_URL', 'CSRF_TRUSTED_ORIGINS', "
        "'DEBUG']}))"
    )
    return subprocess.run(  # noqa: S603 - our own arguments
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=clean_env(
            DJANGO_SETTINGS_MODULE="masthead.settings.production",
            SECRET_KEY=SECRET_KEY,
            ALLOWED_HOSTS=HOST,
            SITE_URL=SITE_URL,
            DEFAULT_FROM_EMAIL=SENDER,
            **env,
        ),
    )


def test_deploy_check_passes_with_nothing_silenced(tmp_path):
    result = subprocess.run(  # noqa: S603 - our own arguments
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=clean_env(
            DJANGO_SETTINGS_MODULE="masthead.settings.production",
            SECRET_KEY=SECRET_KEY,
            ALLOWED_HOSTS=HOST,
            SITE_URL=SITE_URL,
            DEFAULT_FROM_EMAIL=SENDER,
            MASTHEAD_VAR_DIR=str(tmp_path),
        ),
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_trusts_only_the_host_header_and_the_proxys_scheme():
    result = run_settings(TRUST_X_FORWARDED_PROTO="true")
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)

    assert values["SILENCED_SYSTEM_CHECKS"] == []
    assert values["USE_X_FORWARDED_HOST"] is False
    assert values["USE_X_FORWARDED_PORT"] is False
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["WAGTAILADMIN_BASE_URL"] == SITE_URL
    assert values["CSRF_TRUSTED_ORIGINS"] == [SITE_URL]
    assert values["DEBUG"] is False


def test_an_app_without_a_proxy_in_front_can_stop_trusting_the_header():
    result = run_settings(TRUST_X_FORWARDED_PROTO="false")
    assert result.returncode == 0, result.stderr

    assert json.loads(result.stdout)["SECURE_PROXY_SSL_HEADER"] is None


# --- HTTPS --------------------------------------------------------------------------


@pytest.mark.slow
def test_https_pages_carry_hsts_with_subdomains_and_preload(app):
    port, _, _ = app

    answer = secure(port, "GET", "/")

    assert answer.status == 200
    assert answer.headers["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )


@pytest.mark.slow
@pytest.mark.parametrize("proto", [None, "http"])
def test_plain_http_is_redirected_to_https_for_good(app, proto):
    port, _, _ = app
    headers = {"X-Forwarded-Proto": proto} if proto else {}

    answer = ask(port, "GET", "/news/?page=2", **headers)

    assert answer.status == 301
    assert answer.headers["Location"] == f"{SITE_URL}/news/?page=2"
    assert "Strict-Transport-Security" not in answer.headers  # only over HTTPS


@pytest.mark.slow
def test_load_balancers_probe_health_over_plain_http(app):
    port, _, _ = app

    assert ask(port, "GET", "/healthz").status == 200


@pytest.mark.slow
def test_session_and_csrf_cookies_are_secure_httponly_and_samesite(app):
    port, _, _ = app
    form = secure(port, "GET", "/admin/login/")
    csrf = form.cookies()["csrftoken"]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)

    signed_in = secure(
        port,
        "POST",
        "/admin/login/",
        body=f"username=chief&password={ADMIN_PASSWORD}"
        f"&csrfmiddlewaretoken={token.group(1)}",
        Content_Type="application/x-www-form-urlencoded",
        Cookie=f"csrftoken={csrf.value}",
        Origin=SITE_URL,
        Referer=f"{SITE_URL}/admin/login/",
    )

    assert signed_in.status == 302, signed_in.text[:500]
    session = signed_in.cookies()["sessionid"]
    for cookie in (csrf, session):
        assert cookie["secure"] is True, cookie.key
        assert cookie["httponly"] is True, cookie.key
        assert cookie["samesite"] == "Lax", cookie.key


# --- error pages --------------------------------------------------------------------


def test_the_500_page_renders_with_no_context_and_no_database():
    # No database marker: pytest-django fails any query made here.
    html = loader.get_template("500.html").render()

    assert "Something went wrong on our side" in html
    assert '<link rel="stylesheet" href="/static/css/site.css">' in html
    assert "{" not in html


@pytest.mark.slow
def test_missing_page_gets_our_404_and_nothing_else(app):
    port, _, _ = app

    answer = secure(port, "GET", "/no-such-story/")

    assert answer.status == 404
    assert "Page not found" in answer.text
    assert '<link rel="stylesheet"' in answer.text  # the site's look, not Django's
    assert_no_leak(answer)


@pytest.mark.slow
def test_a_broken_database_gets_our_500_and_the_log_gets_the_traceback(app):
    port, tmp_path, log_path = app
    database = tmp_path / "masthead.sqlite3"
    aside = tmp_path / "aside"
    aside.mkdir(exist_ok=True)
    files = list(tmp_path.glob("masthead.sqlite3*"))
    for path in files:
        path.rename(aside / path.name)
    try:
        # SQLite opens a new, empty file in its place: every query fails.
        answer = secure(port, "GET", "/latest/?page=3")
    finally:
        for path in tmp_path.glob("masthead.sqlite3*"):
            path.unlink()
        for path in files:
            (aside / path.name).rename(path)

    assert answer.status == 500
    assert "Something went wrong on our side" in answer.text
    assert_no_leak(answer)
    # Nothing inline: the page keeps to the site's Content-Security-Policy.
    assert "<style" not in answer.text and "<script" not in answer.text
    assert "default-src 'self'" in answer.headers["Content-Security-Policy"]
    assert database.exists()
    # The operator reads what the reader does not.
    deadline = time.monotonic() + 10
    while "no such table" not in log_path.read_text():
        assert time.monotonic() < deadline, log_path.read_text()[-2000:]
        time.sleep(0.2)
    assert "Internal Server Error: /latest/" in log_path.read_text()
    assert secure(port, "GET", "/").status == 200  # and the site is back


@pytest.mark.slow
def test_the_500_page_stylesheet_is_served(app):
    port, _, _ = app

    answer = secure(port, "GET", "/static/css/site.css")

    assert answer.status == 200
    assert "text/css" in answer.headers["Content-Type"]


# --- hosts --------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/"),
        ("GET", "/news/"),
        ("GET", "/admin/"),
        ("GET", "/admin/login/"),
        ("GET", "/healthz"),
        ("POST", "/comments/1/post/"),
        ("POST", "/comments/1/subscribe/"),
        ("POST", "/newsletter/subscribe/"),
        ("POST", "/donate/start/"),
        ("POST", "/my-data/"),
        ("POST", "/views/1/"),
        ("POST", "/admin/login/"),
    ],
)
@pytest.mark.parametrize("scheme", [FROM_PROXY, {}], ids=["https", "http"])
def test_unknown_hosts_get_400(app, method, path, scheme):
    port, _, _ = app

    answer = ask(port, method, path, host=EVIL, body="a=1", **scheme)

    assert answer.status == 400
    assert EVIL not in answer.headers.get("Location", "")
    assert_no_leak(answer)


def test_the_page_cache_checks_the_host_before_it_looks(rf, settings):
    settings.ALLOWED_HOSTS = [HOST]
    settings.MASTHEAD_PAGE_CACHE = True
    rendered = []
    middleware = PageCacheMiddleware(
        lambda request: rendered.append(request) or HttpResponse("a page")
    )

    with pytest.raises(DisallowedHost):
        middleware(rf.get("/news/", HTTP_HOST=EVIL))
    assert rendered == []


@pytest.mark.slow
def test_a_cached_page_is_never_served_to_an_unknown_host(app):
    port, _, log_path = app
    secure(port, "GET", "/news/")
    cached = secure(port, "GET", "/news/")
    assert cached.status == 200
    assert cached.headers["X-Page-Cache"] == "hit"

    refused = secure(port, "GET", "/news/", host=EVIL)
    assert refused.status == 400
    assert "X-Page-Cache" not in refused.headers
    assert refused.text != cached.text

    again = secure(port, "GET", "/news/")
    assert again.headers["X-Page-Cache"] == "hit"
    assert again.text == cached.text
    # Refused as a bad request, not mistaken for a cache failure.
    assert "page cache unavailable" not in log_path.read_text()


@pytest.mark.slow
def test_x_forwarded_host_changes_no_link_no_redirect_and_no_cached_page(app):
    port, _, _ = app
    forged = {"X-Forwarded-Host": EVIL, "X-Forwarded-Port": "8443"}

    first = secure(port, "GET", "/latest/", **forged)  # stored, if anything is
    later = secure(port, "GET", "/latest/")
    redirect = ask(port, "GET", "/latest/", **forged)
    slash = secure(port, "GET", "/latest", **forged)

    assert first.status == 200 and EVIL not in first.text
    assert later.headers["X-Page-Cache"] == "hit" and EVIL not in later.text
    assert redirect.headers["Location"] == f"{SITE_URL}/latest/"
    assert slash.status == 301 and slash.headers["Location"] == "/latest/"


# --- behind the shipped nginx.conf --------------------------------------------------


@pytest.fixture(scope="module")
def nginx(app, tmp_path_factory):
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        pytest.skip("nginx is not installed (bin/ensure-bench-tools installs it)")
    port, tmp_path, _ = app
    workdir = tmp_path_factory.mktemp("nginx")
    with proxy.app_proxy(
        workdir, [f"127.0.0.1:{port}"], tmp_path / "static", tmp_path / "media"
    ) as server:
        yield server.port


@pytest.mark.slow
def test_nginx_overwrites_a_clients_x_forwarded_proto(nginx):
    # Django's condition for SECURE_PROXY_SSL_HEADER: the proxy sets the header
    # itself. A client on plain HTTP claiming https is still sent to https.
    answer = ask(nginx, "GET", "/news/", **FROM_PROXY)

    assert answer.status == 301
    assert answer.headers["Location"] == f"{SITE_URL}/news/"


@pytest.mark.slow
def test_nginx_passes_unknown_hosts_on_to_their_400(nginx):
    answer = ask(nginx, "GET", "/news/", host=EVIL)

    assert answer.status == 400
    assert EVIL not in answer.headers.get("Location", "")


@pytest.mark.slow
def test_nginx_serves_the_rendition_an_article_links_for_a_year(app, nginx):
    port, tmp_path, _ = app
    home = secure(port, "GET", "/")
    article = re.search(r'lead-story__headline"><a href="([^"]+)"', home.text)
    assert article, "no lead story on the home page"
    page = secure(port, "GET", article.group(1))
    assert page.status == 200
    rendition = re.search(r'src="(/media/images/[^"]+)"', page.text)
    assert rendition, "no rendition on the article page"

    answer = ask_bytes(nginx, rendition.group(1))

    assert answer.status == 200
    assert answer.headers["Content-Type"].startswith("image/")
    assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    stored = tmp_path / "media" / rendition.group(1).removeprefix("/media/")
    assert answer.body == stored.read_bytes()


@pytest.mark.slow
def test_nginx_keeps_originals_and_document_files_to_themselves(app, nginx):
    _, tmp_path, _ = app
    original = next((tmp_path / "media" / "original_images").iterdir())
    document = tmp_path / "media" / "documents" / "budget.pdf"
    document.parent.mkdir(exist_ok=True)
    document.write_bytes(b"%PDF-1.4 the budget")

    for path in (original, document):
        answer = ask_bytes(nginx, f"/media/{path.relative_to(tmp_path / 'media')}")
        assert answer.status == 404, path
        assert path.read_bytes()[:8] not in answer.body


@pytest.mark.slow
def test_a_document_is_served_by_wagtails_view_behind_nginx(app, nginx):
    port, tmp_path, _ = app
    url = subprocess.run(  # noqa: S603 - our own arguments
        [sys.executable, "manage.py", "shell", "-c", MAKE_DOCUMENT],
        cwd=ROOT,
        env=production_env(tmp_path, port),
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout.splitlines()[-1]
    assert url.startswith("/documents/")

    # nginx hands it to the app, which sends a plain-HTTP reader to https...
    through_nginx = ask_bytes(nginx, url)
    assert through_nginx.status == 301
    assert through_nginx.headers["Location"] == f"{SITE_URL}{url}"
    assert "Cache-Control" not in through_nginx.headers
    # ...and over https (what nginx says after TLS) serves the file.
    served = ask_bytes(port, url, **FROM_PROXY)
    assert served.status == 200
    assert served.body == b"%PDF-1.4 minutes of the board"
    assert served.headers["Content-Type"] == "application/pdf"


MAKE_DOCUMENT = """
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model
document = get_document_model()(title="Minutes")
document.file.save("minutes.pdf", ContentFile(b"%PDF-1.4 minutes of the board"))
print(document.url)
"""


class Body:
    def __init__(self, response: http.client.HTTPResponse):
        self.status = response.status
        self.headers = response.headers
        self.body = response.read()


def ask_bytes(port, path, **headers) -> Body:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": HOST, **headers})
        return Body(connection.getresponse())
    finally:
        connection.close()


# --- in a browser -------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.browser
def test_a_reader_finds_the_way_back_and_an_editors_cookies_stay_out_of_scripts(
    app, browser
):
    port, _, _ = app
    site = f"http://localhost:{port}"
    context = browser.new_context(extra_http_headers=FROM_PROXY)
    page = context.new_page()
    refused = []  # what the Content-Security-Policy blocked, as Chromium reports it
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if message.type == "error" else None
        ),
    )

    missing = page.goto(f"{site}/no-such-story/")
    assert missing.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    page.get_by_role("link", name="Go to the front page").click()
    expect(page).to_have_url(f"{site}/")
    assert page.locator("article.teaser").count() > 0
    assert not [text for text in refused if "Content Security Policy" in text]

    page.goto(f"{site}/admin/login/")
    page.fill("#id_username", "chief")
    page.fill("#id_password", ADMIN_PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in")).click()
    expect(page).not_to_have_url(re.compile(r"/admin/login/"))

    cookies = {cookie["name"]: cookie for cookie in context.cookies()}
    for name in ("sessionid", "csrftoken"):
        assert cookies[name]["secure"] and cookies[name]["httpOnly"], name
        assert cookies[name]["sameSite"] == "Lax", name
    scripts_see = page.evaluate("document.cookie")
    assert "sessionid" not in scripts_see and "csrftoken" not in scripts_see
    context.close()
