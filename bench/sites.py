"""Fresh Masthead sites to load: their data, environment and stored view counts.

Embedded is SQLite in WAL mode with per-process view buffers; at scale is
PostgreSQL (a dedicated masthead_bench database, dropped afterwards) with view
counters in a dedicated Redis database, flushed at the start.
"""

import os
import secrets
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import psycopg
import redis

from masthead.settings.variables import without_deployment

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
            DATABASE_URL=self.database_url,
            MASTHEAD_VAR_DIR=str(self.workdir),
            # The load generators stand in for a proxy: X-Forwarded-For names
            # the simulated reader.
            MASTHEAD_TRUSTED_PROXIES="127.0.0.1",
            LOG_LEVEL="WARNING",
        )
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
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
        self.manage("migrate", "--noinput")
        self.manage("masthead_demo", "--articles", str(articles), "--quiet")

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
        queries = (
            "SELECT COALESCE(SUM(views), 0) FROM analytics_viewtotal",
            "SELECT COALESCE(SUM(views), 0) FROM analytics_hourlyviews",
        )
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


def drop_postgres() -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
