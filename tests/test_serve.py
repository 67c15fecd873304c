"""`make serve`'s command as production runs it: gunicorn, hashed static, gzip, br."""

import gzip
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from .processes import ROOT, clean_env, free_port


def production_env(tmp_path, port: int) -> dict[str, str]:
    return clean_env(
        DJANGO_SETTINGS_MODULE="masthead.settings.production",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SITE_URL=f"http://127.0.0.1:{port}",
        SITE_URL_ALLOW_HTTP="true",
        DEFAULT_FROM_EMAIL="Masthead <news@news.example.org>",
        DATABASE_URL=f"sqlite:///{tmp_path / 'masthead.sqlite3'}",
        MASTHEAD_VAR_DIR=str(tmp_path),
        STATIC_ROOT=str(tmp_path / "static"),
        PORT=str(port),
        WEB_CONCURRENCY="2",
    )


def fetch(url: str, **headers: str):
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - loopback
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.status, response.headers, response.read()


def wait_for(url: str, process, seconds: float = 120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"masthead_serve exited: {process.stdout.read()}")
        try:
            return fetch(url)
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer in {seconds}s")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    # One server for the module: migrate and collectstatic take half a minute each.
    tmp_path = tmp_path_factory.mktemp("serve")
    port = free_port()
    env = production_env(tmp_path, port)
    for args in (["migrate", "--noinput"], ["masthead_demo", "--articles", "2"]):
        subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", *args, "--verbosity", "0"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=180,
        )
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "masthead_serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", process)
        yield f"http://127.0.0.1:{port}", process, tmp_path
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # the service manager's stop
        try:
            process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()


@pytest.mark.slow
def test_serve_answers_health_pages_and_hashed_static_files(served):
    url, process, tmp_path = served

    status, _, body = fetch(f"{url}/healthz")
    assert status == 200
    assert json.loads(body)

    status, headers, home = fetch(f"{url}/", **{"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"  # what nginx's cache keeps
    html = gzip.decompress(home).decode()
    assert '<article class="teaser">' in html

    # The page links the hashed name collectstatic wrote.
    css = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', html)
    assert css, "no hashed stylesheet linked from the home page"
    status, headers, _ = fetch(f"{url}{css.group(1)}", **{"Accept-Encoding": "br"})
    assert status == 200
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert headers["Content-Encoding"] == "br"
    status, headers, _ = fetch(f"{url}{css.group(1)}", **{"Accept-Encoding": "gzip"})
    assert headers["Content-Encoding"] == "gzip"
    assert (tmp_path / "static" / "staticfiles.json").exists()


@pytest.mark.slow
def test_serve_alone_shows_pictures_but_keeps_originals_and_documents(served):
    url, _, tmp_path = served
    _, _, home = fetch(f"{url}/")
    rendition = re.search(r'src="(/media/images/[^"]+)"', home.decode())
    assert rendition, "no rendition on the home page"

    status, headers, body = fetch(f"{url}{rendition.group(1)}")
    assert status == 200
    assert headers["Content-Type"].startswith("image/")
    assert body == (tmp_path / rendition.group(1).lstrip("/")).read_bytes()

    original = next((tmp_path / "media" / "original_images").iterdir())
    document = tmp_path / "media" / "documents" / "minutes.pdf"
    document.parent.mkdir(exist_ok=True)
    document.write_bytes(b"%PDF-1.4")
    for path in (original, document):
        with pytest.raises(urllib.error.HTTPError) as refused:
            fetch(f"{url}/{path.relative_to(tmp_path)}")
        assert refused.value.code == 404


@pytest.mark.slow
def test_serve_runs_gunicorn_workers_the_task_worker_and_the_scheduler(served):
    _, process, _ = served
    children = subprocess.run(  # noqa: S603
        ["ps", "-o", "args=", "--ppid", str(process.pid)],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "gunicorn" in children
    assert "db_worker" in children
    assert "masthead_scheduler" in children


def children_of(pid: int) -> dict[int, str]:
    lines = subprocess.run(  # noqa: S603
        ["ps", "-o", "pid=,args=", "--ppid", str(pid)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    ).stdout.splitlines()
    return {int(pid): args for pid, args in (line.split(None, 1) for line in lines)}


def app_processes(serve_pid: int) -> dict[str, set[int]]:
    children = children_of(serve_pid)
    (master,) = (pid for pid, args in children.items() if "gunicorn" in args)
    return {
        "master": {master},
        "gunicorn workers": set(children_of(master)),
        "worker": {pid for pid, args in children.items() if "db_worker" in args},
        "scheduler": {
            pid for pid, args in children.items() if "masthead_scheduler" in args
        },
    }


@pytest.mark.slow
def test_an_upgrade_reloads_the_running_server(served):
    # Last in the module: the shared server's processes are new afterwards.
    url, process, tmp_path = served
    before = app_processes(process.pid)

    upgrade = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "masthead_upgrade", "--skip-collectstatic"],
        cwd=ROOT,
        env=production_env(tmp_path, int(url.rsplit(":", 1)[1])),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert upgrade.returncode == 0, upgrade.stderr
    assert f"Reloading masthead_serve {process.pid}." in upgrade.stdout

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        after = app_processes(process.pid)
        if (
            all(
                after[name] and not after[name] & before[name]
                for name in after
                if name != "master"
            )
            and len(after["gunicorn workers"]) == 2
        ):
            break
        time.sleep(0.5)
    assert after["master"] == before["master"]  # a graceful reload, same socket
    for name in ("gunicorn workers", "worker", "scheduler"):
        assert after[name] and not after[name] & before[name], (name, before, after)
    status, _, _ = fetch(f"{url}/healthz")
    assert status == 200
