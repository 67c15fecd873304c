"""Private Redis and PostgreSQL servers for fault tests, and a site served on them.

A fault test stops and restarts the services under a running app, so it never
uses the shared ones (127.0.0.1:5432 and :6379): it starts its own on free
ports, in a directory of its own, and stops them afterwards.

Migrating a fresh PostgreSQL database and loading demo stories takes longer
than a whole fault test, so a prepared cluster (migrated, three demo stories,
stopped) is kept in the temp directory under a key that changes with the
migrations, the demo generator and the installed packages; each test starts on
a copy of it. Static files come from the bench's collected copy (the same key
as `make bench`).
"""

import contextlib
import fcntl
import hashlib
import importlib.metadata
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import redis
from django.conf import settings
from django.core import signing
from django.test import override_settings

from bench.servers import AppServers
from bench.sites import SECRET_KEY, Site, static_root

from ..processes import ROOT, free_port

PREPARED_ARTICLES = 3
DATABASE = "masthead"
REDIS_DB = 6
CACHE_DIR = Path(tempfile.gettempdir()) / "masthead-faults"
KEEP_PREPARED = 3
KEY_GLOB = "[0-9a-f]" * 16


def _server_binary(name: str) -> str | None:
    """Debian keeps PostgreSQL's server programs out of PATH."""
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return str(versions[-1]) if versions else None


def _as_postgres(command: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; as anyone else it runs as that user.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


def _give_to_postgres(path: Path) -> None:
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")


@contextlib.contextmanager
def _exclusive(name: str) -> Iterator[None]:
    """One pytest process at a time prepares what the others then reuse."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    with (CACHE_DIR / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


class PrivateRedis:
    """A redis-server of our own: no persistence, so a restart starts empty."""

    def __init__(self, workdir: Path, port: int | None = None):
        self.workdir = workdir
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/{REDIS_DB}"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 10) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed")
        self.workdir.mkdir(parents=True, exist_ok=True)
        log = (self.workdir / "redis.log").open("ab")
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited; see {self.workdir}/redis.log")
            try:
                if self.client().ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not answer in {timeout:g}s")

    def stop(self) -> None:
        """SIGTERM, as a service manager stops it; the port is free afterwards."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGCONT)  # a paused server cannot stop
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)

    def pause(self) -> None:
        """SIGSTOP: connections are still taken (by the kernel), never answered."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(
            self.url, socket_timeout=2, socket_connect_timeout=2
        )


class PrivatePostgres:
    """A throwaway PostgreSQL cluster, run by pg_ctl on a port of its own."""

    def __init__(self, data_dir: Path, port: int | None = None):
        self.data_dir = data_dir
        self.port = port or free_port()
        self.log_path = data_dir.parent / "postgres.log"

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def connect(self, dbname: str = DATABASE) -> psycopg.Connection:
        return psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user="postgres",
            dbname=dbname,
            autocommit=True,
            connect_timeout=5,
        )

    def _pg_ctl(self, *args: str, timeout: float = 30) -> None:
        options = (
            f"-p {self.port} -k {self.data_dir.parent} "
            "-c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        )
        subprocess.run(
            _as_postgres(
                [
                    _server_binary("pg_ctl"),
                    "-D",
                    str(self.data_dir),
                    "-l",
                    str(self.log_path),
                    "-o",
                    options,
                    "-w",
                    "-t",
                    str(int(timeout)),
                    *args,
                ]
            ),
            check=True,
            capture_output=True,
            timeout=timeout + 5,
        )

    def start(self) -> None:
        self._pg_ctl("start")

    def restart(self) -> None:
        """Fast shutdown (every session is cut) and start again: returns when up."""
        self._pg_ctl("restart", "-m", "fast")

    def stop(self) -> None:
        if (self.data_dir / "postmaster.pid").exists():
            self._pg_ctl("stop", "-m", "fast")

    @classmethod
    def initdb(cls, data_dir: Path) -> "PrivatePostgres":
        if _server_binary("initdb") is None or _server_binary("pg_ctl") is None:
            pytest.skip("PostgreSQL's server programs (initdb, pg_ctl) are missing")
        data_dir.parent.mkdir(parents=True, exist_ok=True)
        _give_to_postgres(data_dir.parent)
        subprocess.run(
            _as_postgres(
                [
                    _server_binary("initdb"),
                    "-D",
                    str(data_dir),
                    "-A",
                    "trust",
                    "-U",
                    "postgres",
                    "-E",
                    "UTF8",
                    "--no-sync",
                ]
            ),
            check=True,
            capture_output=True,
            timeout=60,
        )
        return cls(data_dir)


def fault_site(workdir: Path, database_url: str, redis_url: str = "") -> Site:
    """The bench's production-like environment, on our private services."""
    workdir.mkdir(parents=True, exist_ok=True)
    return Site("faults", workdir, database_url, redis_url)


def _prepared_key() -> str:
    digest = hashlib.sha256(f"articles={PREPARED_ARTICLES}".encode())
    digest.update(" ".join(settings.INSTALLED_APPS).encode())
    sources = [
        *(ROOT / "masthead").glob("*/migrations/*.py"),
        *(
            path
            for path in (ROOT / "masthead" / "demo").rglob("*.py")
            if "tests" not in path.parts
        ),
    ]
    for path in sorted(sources):
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    for dist in sorted(
        f"{d.metadata['Name']}={d.version}" for d in importlib.metadata.distributions()
    ):
        digest.update(dist.encode())
    return digest.hexdigest()[:16]


def prepared_cluster() -> Path:
    """A migrated demo site, cached: the stopped cluster's data directory in
    `data`, the pictures its rows point to in `media`."""
    template = CACHE_DIR / _prepared_key()
    with _exclusive("prepare"):
        if not (static_root() / "staticfiles.json").exists():
            fault_site(CACHE_DIR / "static-site", "sqlite:///:memory:").manage(
                "collectstatic", "--noinput", "--verbosity", "0"
            )
        if (template / "data").exists():
            os.utime(template)  # recently used: the last to be cleaned away
            return template
        for unfinished in CACHE_DIR.glob("building-*"):  # a run that was killed
            shutil.rmtree(unfinished, ignore_errors=True)
        building = Path(tempfile.mkdtemp(prefix="building-", dir=CACHE_DIR))
        try:
            _build(building)
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            raise
        building.rename(template)
        others = sorted(
            (p for p in CACHE_DIR.glob(KEY_GLOB) if p != template),
            key=lambda p: p.stat().st_mtime,
        )
        for stale in others[: max(0, len(others) - KEEP_PREPARED + 1)]:
            shutil.rmtree(stale, ignore_errors=True)
        return template


def _build(building: Path) -> None:
    building.chmod(0o755)
    cluster = PrivatePostgres.initdb(building / "data")
    cluster.start()
    site = fault_site(building / "site", cluster.url)
    try:
        with cluster.connect("postgres") as admin:
            admin.execute(f"CREATE DATABASE {DATABASE}")
        site.manage("migrate", "--noinput", "--verbosity", "0")
        site.manage("masthead_demo", "--articles", str(PREPARED_ARTICLES), "--quiet")
        with cluster.connect() as db:
            db.execute("VACUUM ANALYZE")
    finally:
        cluster.stop()
    (site.workdir / "media").rename(building / "media")
    shutil.rmtree(site.workdir, ignore_errors=True)


def copy_of_prepared_cluster(workdir: Path) -> PrivatePostgres:
    """A fresh copy of the prepared cluster, in a directory PostgreSQL may use."""
    template = prepared_cluster() / "data"
    workdir.mkdir(parents=True, exist_ok=True)
    workdir.chmod(0o755)  # the postgres user must reach its socket and log here
    _give_to_postgres(workdir)
    data_dir = workdir / "data"
    # cp -a keeps the owner (postgres) and the 0700 mode the server insists on.
    subprocess.run(["cp", "-a", str(template), str(data_dir)], check=True, timeout=60)
    (data_dir / "postmaster.pid").unlink(missing_ok=True)
    return PrivatePostgres(data_dir)


@dataclass
class Served:
    """An app (gunicorn, two workers) on private PostgreSQL and Redis."""

    servers: AppServers
    postgres: PrivatePostgres
    redis: PrivateRedis

    @property
    def url(self) -> str:
        return self.servers.url

    def article_ids(self) -> list[int]:
        with self.postgres.connect() as db:
            rows = db.execute(
                "SELECT p.id FROM wagtailcore_page p "
                "JOIN news_articlepage a ON a.page_ptr_id = p.id "
                "WHERE p.live ORDER BY p.id"
            ).fetchall()
        return [row[0] for row in rows]

    def article_path(self, page_id: int) -> str:
        with self.postgres.connect() as db:
            (url_path,) = db.execute(
                "SELECT url_path FROM wagtailcore_page WHERE id = %s", [page_id]
            ).fetchone()
        # The site's root page is the first two levels of url_path (/home/...).
        return "/" + url_path.strip("/").split("/", 1)[1] + "/"


@pytest.fixture
def private_redis(tmp_path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path / "redis")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    workdir = Path(tempfile.mkdtemp(prefix="masthead-pg-"))
    cluster = copy_of_prepared_cluster(workdir)
    cluster.start()
    try:
        yield cluster
    finally:
        try:
            cluster.stop()
        finally:
            shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def served(tmp_path, private_postgres, private_redis) -> Iterator[Served]:
    site = fault_site(tmp_path / "site", private_postgres.url, private_redis.url)
    shutil.copytree(prepared_cluster() / "media", site.workdir / "media")
    with AppServers(site, workers=2) as servers:
        yield Served(servers, private_postgres, private_redis)


# --- Talking to the app ---------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int  # 599: no answer (refused, reset, timed out)
    headers: dict[str, str]
    body: bytes
    seconds: float

    def json(self):
        return json.loads(self.body)


def send(
    url: str,
    *,
    data: dict | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 15,
) -> Answer:
    """One request, never raising: an HTTP error is an answer like any other."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(  # noqa: S310 - our loopback server
        url, data=body, headers=headers or {}, method="POST" if data else "GET"
    )
    opener = urllib.request.build_opener(_NoRedirects)
    started = time.monotonic()
    try:
        with opener.open(request, timeout=timeout) as response:
            status, found, content = (
                response.status,
                dict(response.headers),
                response.read(),
            )
    except urllib.error.HTTPError as error:
        status, found, content = error.code, dict(error.headers), error.read()
    except OSError:
        status, found, content = 599, {}, b""
    return Answer(status, found, content, time.monotonic() - started)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is the answer we look at


def reader_headers(ip: str, **extra: str) -> dict[str, str]:
    """What a browser sends, from a reader at `ip` (the app trusts 127.0.0.1)."""
    return {
        "User-Agent": (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36"
        ),
        "X-Forwarded-For": ip,
        **extra,
    }


def beacon_headers(base_url: str, ip: str) -> dict[str, str]:
    return reader_headers(ip, Origin=base_url, **{"Sec-Fetch-Site": "same-origin"})


@dataclass(frozen=True)
class CommentForm:
    page_id: int
    fields: dict[str, str]
    submission_key: str  # the token's nonce, stored with the comment


def comment_form(page_id: int, number: int, run: str) -> CommentForm:
    """A distinct comment with a form token the app accepts (signed with its key,
    dated ten seconds back as if the reader had been typing)."""
    from masthead.comments.tokens import FORM_SALT, issue_form_token

    with override_settings(SECRET_KEY=SECRET_KEY):
        token = issue_form_token(page_id, None, now=time.time() - 10)
        nonce = signing.loads(token, salt=FORM_SALT)["n"]
    return CommentForm(
        page_id,
        {
            "token": token,
            "name": f"Fault reader {number}",
            "email": f"fault-{run}-{number}@example.org",
            "body": f"Comment {number} of fault run {run}: still here, still reading.",
        },
        nonce,
    )
