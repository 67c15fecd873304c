"""Reader search at 100,000 stories: p95 latency of /search/?q= under wrk.

For each mode (embedded SQLite with FTS5, PostgreSQL full-text search): a site
with 100,000 demo stories (BENCH_QUICK: 10,000), two app processes, and wrk
asking varied reader queries (places, topics, a place and a topic, a word no
story uses) with the full-page cache off, so every request really searches.

Building 100,000 stories takes minutes, so each built dataset is kept as a
template (a SQLite file in the temporary directory, a PostgreSQL template
database) named after the story count and the demo generator's code; later
runs copy it in seconds, and migrate the copy (and keep that) when a migration
changed.
BENCH_SEARCH_REBUILD=1 builds afresh. BENCH_SEARCH_MODES=sqlite runs one mode.

`python -m bench.search` runs this scenario alone and saves results/search.json.
"""

import hashlib
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path

import psycopg

from masthead.demo.generate.words import ALL_TAGS, PLACES

from . import wrk
from .plan import Plan
from .report import Row, against_target, error_row, out, run_alone
from .servers import AppServers
from .sites import PG_ADMIN, ROOT, Site

TARGET_P95_MS = 100
SCRIPT = "search.lua"
MODES = os.environ.get("BENCH_SEARCH_MODES", "sqlite,postgres").split(",")
REBUILD = os.environ.get("BENCH_SEARCH_REBUILD", "").lower() in {"1", "true", "yes"}
# Its own databases, so it never drops the ones other scenarios use.
PG_DATABASE = "masthead_search_bench"
PG_TEMPLATE_PREFIX = "masthead_search_tpl_"
TEMPLATES = Path(os.environ.get("BENCH_SEARCH_CACHE", tempfile.gettempdir()))
# One connection per app worker (two sync workers): both are always busy and
# the latency is the search's own. With more connections than workers a sync
# worker queues them and p95 grows with the queue (8 connections: about 4x one
# search), which measures the queue rather than the search.
CONNECTIONS = int(os.environ.get("BENCH_SEARCH_CONNECTIONS", "2"))
NO_MATCH = "zyzzogeton"


def story_count(plan: Plan) -> int:
    default = 10_000 if plan.quick else 100_000
    return int(os.environ.get("BENCH_SEARCH_ARTICLES", default))


def reader_queries() -> list[str]:
    """What readers type: places, topics, both, and now and then nothing found."""
    places = [place.lower() for place in PLACES]
    topics = sorted({tag.lower() for tag in ALL_TAGS})
    pairs = [
        f"{places[n % len(places)]} {topics[(n * 5) % len(topics)]}"
        for n in range(len(places))
    ]
    return [*places, *topics, *pairs, NO_MATCH, "council budget vote"]


@dataclass
class SearchSite(Site):
    """A site whose pages are never served from the full-page cache."""

    @property
    def env(self) -> dict[str, str]:
        return {**super().env, "MASTHEAD_PAGE_CACHE": "false"}


def dataset_key(articles: int) -> str:
    """Names a built dataset: story count and the demo generator's code.

    Migrations are not part of it: a copied dataset is migrated before use.
    """
    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("masthead/demo/**/*.py")):
        if "tests" not in path.parts:
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return f"{articles}_{digest.hexdigest()[:10]}"


def sqlite_site(workdir: Path) -> SearchSite:
    return SearchSite(
        label="SQLite",
        workdir=workdir,
        database_url=f"sqlite:///{workdir / 'masthead.sqlite3'}",
    )


def postgres_site(workdir: Path) -> SearchSite:
    return SearchSite(
        label="PostgreSQL",
        workdir=workdir,
        database_url=f"postgres://postgres@127.0.0.1:5432/{PG_DATABASE}",
    )


def migrations_key() -> str:
    """Changes whenever a migration could: our migration files, Django, Wagtail."""
    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("masthead/*/migrations/*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    for package in ("django", "wagtail", "modelsearch"):
        digest.update(f"{package}={metadata.version(package)}".encode())
    return digest.hexdigest()[:16]


def build(site: SearchSite, articles: int) -> None:
    site.manage("migrate", "--noinput")
    site.manage("masthead_demo", "--articles", str(articles), "--quiet", timeout=7200)
    # The pictures go with the dataset: without them every teaser would try
    # to draw its rendition again, on every request.
    shutil.copytree(site.workdir / "media", media_dir(articles), dirs_exist_ok=True)


def media_dir(articles: int) -> Path:
    return TEMPLATES / f"masthead-search-{dataset_key(articles)}.media"


def link_media(site: SearchSite, articles: int) -> None:
    """The kept pictures as this site's media, renditions drawn once for all runs."""
    media = site.workdir / "media"
    if media_dir(articles).is_dir() and not media.exists():
        media.symlink_to(media_dir(articles), target_is_directory=True)


def prepare_sqlite(site: SearchSite, articles: int) -> str:
    """A copy of the kept dataset, built first when there is none."""
    database = Path(site.database_url.removeprefix("sqlite:///"))
    template = TEMPLATES / f"masthead-search-{dataset_key(articles)}.sqlite3"
    migrated = template.with_suffix(".migrations")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    if template.exists() and not REBUILD:
        shutil.copyfile(template, database)
        if migrated.exists() and migrated.read_text() == sqlite_marker():
            return "copied"
        site.manage("migrate", "--noinput")
        how = "copied and migrated"
    else:
        build(site, articles)
        how = "built"
    site.manage("shell", "--no-imports", "-c", ANALYZE_AND_CHECKPOINT)
    partial = template.with_suffix(".partial")
    shutil.copyfile(database, partial)
    partial.replace(template)
    migrated.write_text(sqlite_marker())
    return how


def sqlite_marker() -> str:
    """What a kept SQLite dataset was last prepared with: migrations, ANALYZE."""
    return f"{migrations_key()} analyzed"


# Planner statistics, as a maintained database has them (PostgreSQL's
# autovacuum gathers them, SQLite when the app runs `PRAGMA optimize`): without
# them SQLite reads every page of a 100,000-story tree for the three-section
# menu. Then the WAL is folded into the main file so one copy of it is the
# whole database. PostgreSQL templates are likewise vacuumed and analyzed.
ANALYZE_AND_CHECKPOINT = """
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("ANALYZE")
    cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
"""


def drop_pg(name: str) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def prepare_postgres(site: SearchSite, articles: int) -> str:
    """A copy of the kept template database, built first when there is none.

    The template carries the migrations key it was migrated with as its
    comment, and its planner statistics. It is built or migrated in a database
    of this process's own, so another run of this scenario, which drops
    PG_DATABASE, cannot pull it away halfway.
    """
    template = PG_TEMPLATE_PREFIX + dataset_key(articles)
    if REBUILD:
        drop_pg(template)
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        found = admin.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
            "WHERE datname = %s",
            [template],
        ).fetchone()
    how = "copied"
    if not found or found[0] != migrations_key():
        how = refresh_template(site, template, articles, exists=bool(found))
    drop_pg(PG_DATABASE)
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {PG_DATABASE} TEMPLATE {template}")
    return how


def refresh_template(site: SearchSite, template: str, articles: int, exists: bool):
    """Build the template, or migrate it, in a scratch database; then swap."""
    scratch = f"masthead_search_build_{os.getpid()}"
    worker = replace(site, database_url=site.database_url.replace(PG_DATABASE, scratch))
    drop_pg(scratch)
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        source = f" TEMPLATE {template}" if exists else ""
        admin.execute(f"CREATE DATABASE {scratch}{source}")
    try:
        if exists:
            worker.manage("migrate", "--noinput")
        else:
            build(worker, articles)
        with psycopg.connect(worker.database_url, autocommit=True) as db:
            db.execute("VACUUM ANALYZE")
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            # Templates of this size from an older demo generator are stale.
            stale = admin.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s",
                [f"{PG_TEMPLATE_PREFIX}{articles}_%"],
            ).fetchall()
            for (name,) in stale:
                admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
            admin.execute(f"CREATE DATABASE {template} TEMPLATE {scratch}")
            admin.execute(f"COMMENT ON DATABASE {template} IS '{migrations_key()}'")
    finally:
        drop_pg(scratch)
    return "copied and migrated" if exists else "built"


def run(plan: Plan) -> list[Row]:
    rows = []
    articles = story_count(plan)
    for make_site, prepare, name in (
        (sqlite_site, prepare_sqlite, "sqlite"),
        (postgres_site, prepare_postgres, "postgres"),
    ):
        if name not in MODES:
            continue
        workdir = plan.workdir / f"search-{name}"
        workdir.mkdir(parents=True, exist_ok=True)
        site = make_site(workdir)
        try:
            started = time.monotonic()
            how = prepare(site, articles)
            link_media(site, articles)
            out(
                f"search, {site.label}: {articles:,} stories {how} in "
                f"{time.monotonic() - started:.0f} s"
            )
            rows += measure(site, plan, articles)
        except Exception as error:
            rows.append(error_row(row_name(site, articles), error))
        finally:
            # The copies go; the kept datasets make them again in seconds.
            if site.is_sqlite:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{site._sqlite_path()}{suffix}").unlink(missing_ok=True)
            else:
                drop_pg(PG_DATABASE)
    return rows


def row_name(site: Site, articles: int) -> str:
    return f"search p95 at {articles:,} articles, {site.label}"


def measure(site: SearchSite, plan: Plan, articles: int) -> list[Row]:
    script_env = {"BENCH_QUERIES": "|".join(reader_queries())}
    with AppServers(site) as servers:

        def searches_for(seconds: float) -> wrk.WrkResult:
            return wrk.run(
                servers.url,
                SCRIPT,
                seconds=seconds,
                connections=CONNECTIONS,
                threads=min(plan.wrk_threads, CONNECTIONS),
                env=script_env,
            )

        searches_for(plan.warmup_seconds)
        cpu_before = servers.cpu_seconds()
        load = searches_for(plan.sustained_seconds)
        cpu = servers.cpu_seconds() - cpu_before
    return [
        latency_row(site, load, articles, servers.description),
        cpu_row(site, cpu, load, articles),
    ]


def cpu_row(site: Site, cpu_seconds: float, load: wrk.WrkResult, articles: int):
    # The app's CPU per search hardly depends on what else the machine runs,
    # unlike the latency: the row to compare when the machine was busy. The
    # database's own time is not in it (SQLite's is, it runs in the app).
    return Row(
        name=f"app CPU per search, {articles:,} articles, {site.label}",
        value=cpu_seconds / load.requests * 1000 if load.requests else None,
        unit="ms",
        reference="gunicorn master + workers, user + system",
    )


def latency_row(site: Site, load: wrk.WrkResult, articles: int, server: str) -> Row:
    p95 = load.latency_ms.get(95)  # printed by the script's done()
    if p95 is None:
        raise ValueError(f"wrk printed no 95th percentile:\n{load.output}")
    row = against_target(
        row_name(site, articles), p95, "ms", TARGET_P95_MS, higher_is_better=False
    )
    p50 = load.latency_ms.get(50, 0.0)
    row.reference += (
        f", p50 {p50:.0f} ms, {load.rate:.0f} req/s, {CONNECTIONS} connections "
        f"({server})"
    )
    if load.errors:
        row.passed = False
        row.reference += f"; {load.errors} errors"
    return row


def main() -> int:
    return run_alone(run, "search")


if __name__ == "__main__":
    sys.exit(main())
