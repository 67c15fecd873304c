"""Fresh Masthead sites to load: their data, environment and stored view counts.

Embedded is SQLite in WAL mode with per-process view buffers; at scale is
PostgreSQL (a dedicated masthead_bench database, dropped afterwards) with view
counters in a dedicated Redis database, flushed at the start.
"""

import functools
import hashlib
import importlib.metadata
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import psycopg
import redis

from masthead.settings.variables import without_deployment

from .report import out

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
PG_DATABASE = "masthead_bench"
PG_BENCH = f"host=127.0.0.1 port=5432 user=postgres dbname={PG_DATABASE}"
PG_URL = f"postgres://postgres@127.0.0.1:5432/{PG_DATABASE}"
REDIS_URL = "redis://127.0.0.1:6379/13"
BROWSER_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
SECRET_KEY = secrets.token_urlsafe(60)  # one per bench run

# Besides the deployment's own: what else the app processes must not inherit.
BENCH_OWNED = {
    "STATIC_ROOT",
    "MASTHEAD_ANALYTICS_REDIS_URL",
    "MASTHEAD_TRUSTED_PROXIES",
    "MASTHEAD_VAR_DIR",
    "CACHE_KEY_PREFIX",
    "SITE_URL",
    "PORT",
    "CONN_MAX_AGE",
    "LOG_LEVEL",
}


@dataclass
class Site:
    """One site under test: the environment its processes run with."""

    label: str
    workdir: Path
    database_url: str
    redis_url: str = ""

    @property
    def env(self) -> dict[str, str]:
        inherited = {k: v for k, v in os.environ.items() if k not in BENCH_OWNED}
        env = without_deployment(inherited)
        env.update(
            DJANGO_SETTINGS_MODULE="masthead.settings.production",
            SECRET_KEY=SECRET_KEY,
            ALLOWED_HOSTS="127.0.0.1",
            SECURE_SSL_REDIRECT="false",
            SITE_URL="http://127.0.0.1",
            SITE_URL_ALLOW_HTTP="true",
            DEFAULT_FROM_EMAIL="Masthead bench <bench@news.example.org>",
            DATABASE_URL=self.database_url,
            MASTHEAD_VAR_DIR=str(self.workdir),
            # The load generators stand in for a proxy: X-Forwarded-For names
            # the simulated reader.
            MASTHEAD_TRUSTED_PROXIES="127.0.0.1",
            LOG_LEVEL="WARNING",
        )
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        env["STATIC_ROOT"] = str(static_root())
        return env

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:")

    def manage(self, *args: str, timeout: float = 300) -> str:
        completed = subprocess.run(  # noqa: S603 - our own arguments, no shell
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if completed.returncode != 0:
            raise RuntimeError(
                f"manage.py {' '.join(args)} failed:\n{completed.stderr[-3000:]}"
            )
        return completed.stdout

    def prepare(self, articles: int = 20) -> None:
        """Empty database and Redis, migrated, with demo articles."""
        if self.is_sqlite:
            for suffix in ("", "-wal", "-shm"):
                Path(self._sqlite_path() + suffix).unlink(missing_ok=True)
        else:
            drop_postgres()
            with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                admin.execute(f"CREATE DATABASE {PG_DATABASE}")
        if self.redis_url:
            redis.Redis.from_url(self.redis_url).flushdb()
        if not (static_root() / "staticfiles.json").exists():
            self.manage("collectstatic", "--noinput", "--verbosity", "0")
        saved = prepared_dir(articles) / (
            "site.sqlite3" if self.is_sqlite else "pg.dump"
        )
        if saved.exists():
            self._restore(saved)
            return
        self.manage("migrate", "--noinput")
        self.manage("masthead_demo", "--articles", str(articles), "--quiet")
        self._save(saved)

    def _save(self, saved: Path) -> None:
        """Keep the prepared database for the next run with the same code."""
        saved.parent.mkdir(parents=True, exist_ok=True)
        # Other code made the older ones: keep a few, for switching back.
        older = sorted(saved.parent.parent.iterdir(), key=lambda p: p.stat().st_mtime)
        for stale in older[:-4]:
            shutil.rmtree(stale, ignore_errors=True)
        partial = saved.with_suffix(".partial")
        if self.is_sqlite:
            with (
                sqlite3.connect(self._sqlite_path()) as source,
                sqlite3.connect(partial) as copy,
            ):
                source.backup(copy)  # consistent, whatever the WAL holds
        else:
            subprocess.run(  # noqa: S603 - our own arguments, no shell
                ["pg_dump", "--format=custom", f"--file={partial}", PG_BENCH],  # noqa: S607
                check=True,
                capture_output=True,
                timeout=120,
            )
        media = self.workdir / "media"  # the demo's pictures, which rows point to
        if media.exists():
            shutil.copytree(media, saved.with_suffix(".media"), dirs_exist_ok=True)
        partial.rename(saved)

    def _restore(self, saved: Path) -> None:
        media = saved.with_suffix(".media")
        if media.exists():
            shutil.rmtree(self.workdir / "media", ignore_errors=True)
            shutil.copytree(media, self.workdir / "media")
        if self.is_sqlite:
            with (
                sqlite3.connect(saved) as source,
                sqlite3.connect(self._sqlite_path()) as copy,
            ):
                source.backup(copy)
            return
        subprocess.run(  # noqa: S603 - our own arguments, no shell
            ["pg_restore", "--no-owner", f"--dbname={PG_BENCH}", str(saved)],  # noqa: S607
            check=True,
            capture_output=True,
            timeout=120,
        )

    def article_ids(self) -> list[int]:
        out = self.manage(
            "shell",
            "--no-imports",
            "-c",
            "from masthead.news.models import ArticlePage; "
            "print(*ArticlePage.objects.live().order_by('pk')"
            ".values_list('pk', flat=True))",
        )
        return [int(n) for n in out.strip().splitlines()[-1].split()] if out else []

    def stored_views(self) -> tuple[int, int]:
        """(sum of per-article totals, sum of hourly rows) in the database."""
        return self.count(
            "SELECT COALESCE(SUM(views), 0) FROM analytics_viewtotal",
            "SELECT COALESCE(SUM(views), 0) FROM analytics_hourlyviews",
        )

    def count(self, *queries: str) -> tuple[int, ...]:
        """Each query's one number, read from the database directly (no Django
        process to start: a second each)."""
        if self.is_sqlite:
            with sqlite3.connect(self._sqlite_path(), timeout=20) as db:
                return tuple(int(db.execute(q).fetchone()[0]) for q in queries)
        with psycopg.connect(PG_BENCH) as db:
            return tuple(int(db.execute(q).fetchone()[0]) for q in queries)

    def flush_views(self) -> None:
        """At scale, move Redis's counts to the database now (a scheduled task)."""
        if self.redis_url:
            self.manage("masthead_flush_views", timeout=60)

    def tear_down(self) -> None:
        if not self.is_sqlite:
            drop_postgres()
        if self.redis_url:
            redis.Redis.from_url(self.redis_url).flushdb()

    def _sqlite_path(self) -> str:
        return self.database_url.removeprefix("sqlite:///")


def embedded(workdir: Path) -> Site:
    return Site(
        label="SQLite",
        workdir=workdir,
        database_url=f"sqlite:///{workdir / 'masthead.sqlite3'}",
    )


def at_scale(workdir: Path) -> Site:
    return Site(
        label="Redis+PostgreSQL",
        workdir=workdir,
        database_url=PG_URL,
        redis_url=REDIS_URL,
    )


_shared: dict[str, Site] = {}


def shared(workdir: Path, kind: str, articles: int) -> Site:
    """The run's prepared site of a kind ("sqlite" or "postgres").

    Preparing a site (migrate, demo content) takes longer than most
    measurements, so the scenarios share one per kind; each counts what it
    adds (views, comments) as a difference, with readers and comment authors
    of its own.
    """
    if kind not in _shared:
        make_site = {"sqlite": embedded, "postgres": at_scale}[kind]
        site = make_site(workdir / "sites" / kind)
        site.workdir.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        site.prepare(articles=articles)
        out(f"({site.label} site prepared in {time.monotonic() - started:.0f} s)")
        _shared[kind] = site
    return _shared[kind]


def prepare_shared(workdir: Path, articles: int) -> None:
    """Prepare both kinds side by side (mostly `migrate`, one core each).

    A failure is left for the first scenario that asks for the site to meet
    again and report as its error row."""
    with ThreadPoolExecutor() as preparing:
        for kind in ("sqlite", "postgres"):
            preparing.submit(shared, workdir, kind, articles)


def tear_down_shared() -> None:
    while _shared:
        _shared.popitem()[1].tear_down()


def drop_postgres() -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")


@functools.cache
def static_root() -> Path:
    """Where the bench's servers find collected static files (hashed names).

    collectstatic with gzip and Brotli takes half a minute, so the result is
    kept between runs in the temp directory, under a key that changes with the
    static sources and the packages that bring their own.
    """
    digest = hashlib.sha256()
    for path in sorted((ROOT / "static_src").rglob("*")):
        if path.is_file():
            stat = path.stat()
            digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    for package in ("django", "wagtail", "whitenoise", "brotli"):
        try:
            digest.update(f"{package}={importlib.metadata.version(package)}".encode())
        except importlib.metadata.PackageNotFoundError:
            digest.update(f"{package}=none".encode())
    key = digest.hexdigest()[:16]
    return Path(tempfile.gettempdir()) / "masthead-bench-static" / key


def prepared_dir(articles: int) -> Path:
    """Where prepared databases wait for the next run of the same code.

    Migrating takes longer than most measurements. The key changes with any
    Python file of the project and any installed package, so a database is
    reused only by the code that made it.
    """
    digest = hashlib.sha256(f"articles={articles}".encode())
    for path in sorted((ROOT / "masthead").rglob("*.py")):
        stat = path.stat()
        digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    for dist in sorted(
        f"{d.metadata['Name']}={d.version}" for d in importlib.metadata.distributions()
    ):
        digest.update(dist.encode())
    return (
        Path(tempfile.gettempdir()) / "masthead-bench-sites" / digest.hexdigest()[:16]
    )
