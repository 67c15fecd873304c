"""Move a whole site to another database: SQLite to PostgreSQL, or back.

The copy goes table by table through the ORM's column conversions, in one
transaction on each side:

- The target is migrated by `manage.py migrate` in a process of its own whose
  default database it is, because some migrations (Wagtail's search index)
  choose their tables by the default connection's engine.
- Every managed model's own columns are read with `values_list` from the
  source, so each engine's storage (SQLite's 0/1 booleans, text dates and
  decimals) is turned into Python values, and written with the field's
  `get_db_prep_save` for the target. JSON columns, StreamField's among them,
  travel as plain JSON so that no block gains an id on the way.
- Constraint checks are put off for the load as `loaddata` does it (PostgreSQL's
  foreign keys are DEFERRABLE INITIALLY DEFERRED, SQLite's are switched off for
  the load), then checked once before the commit. This needs no superuser,
  unlike `session_replication_role`, and tables still go parents first.
- Wagtail's search index differs by engine (tsvector columns against an FTS5
  table), so it is not copied but rebuilt on the target.
- PostgreSQL's sequences are set past the copied ids.

`dumpdata`/`loaddata` would do the same through serialisers, holding a whole
site's objects in memory and saving them one by one.

Then it checks: the rows of every table, and every live page rendered from the
source and from the target by the same code with the same settings (in a
process for each) must match. Renditions missing in the source are made
before the copy by rendering the source first, so both sides name the same
image files.
"""

import difflib
import json
import os
import re
import subprocess  # nosec B404 # manage.py with our own argv, no shell
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.apps import apps
from django.conf import settings
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import ExpressionWrapper, F
from django.db.utils import ConnectionDoesNotExist, load_backend

from masthead.core.backups import table_row_counts

SOURCE = "masthead_move_source"
TARGET = "masthead_move_target"
ENGINES = {
    "django.db.backends.sqlite3": "sqlite",
    "django.db.backends.postgresql": "postgresql",
}
# Wagtail's search index: rebuilt on the target, since its tables differ by engine
# (SQLite adds an FTS5 table and its shadow tables).
SEARCH_INDEX_PREFIX = "wagtailsearch_indexentry"
# Each database's record of the migrations it ran: written by migrate, not copied,
# and its length may differ where a squashed migration replaced several.
OWN_HISTORY = "django_migrations"
BATCH = 1000
LISTED_DIFFERENCES = 10


class MoveError(Exception):
    """The move cannot go on; the message says why and what to do."""


@dataclass
class TableCount:
    table: str
    source: int | None
    target: int | None
    note: str = ""

    @property
    def matches(self) -> bool:
        return bool(self.note) or self.source == self.target


@dataclass
class PageDifference:
    url: str
    detail: str


@dataclass
class MoveReport:
    source: str
    target: str
    tables: list[TableCount] = field(default_factory=list)
    pages: int = 0
    page_differences: list[PageDifference] = field(default_factory=list)
    # Pages that answered other than 200 (a redirect, a login): compared, but
    # not their content.
    not_rendered: dict[str, int] = field(default_factory=dict)

    @property
    def table_mismatches(self) -> list[TableCount]:
        return [count for count in self.tables if not count.matches]

    @property
    def ok(self) -> bool:
        return not self.table_mismatches and not self.page_differences


def move_database(
    target_url: str,
    *,
    source_url: str | None = None,
    force: bool = False,
    progress: Callable[[str], None] = lambda message: None,
) -> MoveReport:
    """Copy the site's database (or `source_url`'s) into `target_url` and verify it.

    Refuses a target that has tables unless `force`: then its rows are replaced.
    Returns the per-table counts and the pages that render differently; the
    caller decides what a mismatch means. Raises MoveError when it cannot go on.
    """
    source_settings = (
        _database_settings(source_url)
        if source_url
        else dict(settings.DATABASES[DEFAULT_DB_ALIAS])
    )
    target_settings = _database_settings(target_url)
    if _same_database(source_settings, target_settings):
        raise MoveError("The target is the source database itself.")
    report = MoveReport(
        source=_describe(source_settings), target=_describe(target_settings)
    )
    _register(SOURCE, source_settings, snapshot=True)
    _register(TARGET, target_settings, snapshot=False)
    try:
        _refuse_unmigrated_source()
        if not force:
            _refuse_non_empty_target()
        connections[TARGET].close()  # migrate writes it from another process
        with tempfile.TemporaryDirectory(prefix="masthead-move-") as scratch:
            progress(f"Rendering the live pages of {report.source}")
            # First, so that renditions they lack are made in the source and copied.
            source_pages = _render_pages(source_url, Path(scratch) / "source.json")
            progress(f"Migrating {report.target}")
            _manage(target_url, "migrate", "--noinput")
            progress("Copying the rows")
            source_counts = _copy_all()
            progress("Rebuilding the search index")
            _manage(target_url, "wagtail_update_index")
            report.tables = _compare_counts(source_counts, table_row_counts(TARGET))
            progress(f"Rendering the live pages of {report.target}")
            target_pages = _render_pages(target_url, Path(scratch) / "target.json")
        report.pages = len(source_pages)
        report.not_rendered = {
            url: page["status"]
            for url, page in source_pages.items()
            if page["status"] != 200
        }
        report.page_differences = compare_pages(source_pages, target_pages)
    finally:
        _unregister(SOURCE)
        _unregister(TARGET)
    return report


# --- the two databases --------------------------------------------------------------


def _database_settings(url: str) -> dict:
    try:
        config = environ.Env.db_url_config(url)
    except (KeyError, ValueError) as error:
        raise MoveError(f"{url!r} is not a database URL ({error}).") from None
    if config.get("ENGINE") not in ENGINES:
        raise MoveError(
            f"{url!r}: Masthead moves between SQLite (sqlite:///path) and "
            "PostgreSQL (postgres://user:password@host:port/name)."
        )
    if ENGINES[config["ENGINE"]] == "sqlite":
        if not config["NAME"] or config["NAME"] == ":memory:":
            raise MoveError(f"{url!r} names no SQLite file.")
        Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    return config


def _same_database(one: dict, other: dict) -> bool:
    if one["ENGINE"] != other["ENGINE"]:
        return False
    if ENGINES[one["ENGINE"]] == "sqlite":
        return Path(one["NAME"]).resolve() == Path(other["NAME"]).resolve()
    keys = ("HOST", "PORT", "NAME")
    return all(str(one.get(k) or "") == str(other.get(k) or "") for k in keys)


def _describe(config: dict) -> str:
    if ENGINES.get(config["ENGINE"]) == "sqlite":
        return f"SQLite {config['NAME']}"
    where = f"{config.get('HOST') or 'localhost'}:{config.get('PORT') or 5432}"
    return f"PostgreSQL {config['NAME']} on {where}"


def _register(alias: str, config: dict, *, snapshot: bool) -> None:
    config = {**config, "OPTIONS": dict(config.get("OPTIONS") or {})}
    config.pop("TEST", None)
    if ENGINES[config["ENGINE"]] == "postgresql":
        config["CONN_MAX_AGE"] = 0
        if snapshot:
            import psycopg  # only PostgreSQL sites need it

            # Every table read in one snapshot, even while the site writes.
            config["OPTIONS"]["isolation_level"] = (
                psycopg.IsolationLevel.REPEATABLE_READ
            )
    else:
        # Our own transactions; the site's IMMEDIATE mode would lock out its writers.
        config["OPTIONS"].pop("transaction_mode", None)
    configured = connections.configure_settings({DEFAULT_DB_ALIAS: {}, alias: config})
    config = configured[alias]
    # A connection of its own, not a new entry in DATABASES: nothing else (a
    # router, a system check) should find a database it does not know.
    connections[alias] = load_backend(config["ENGINE"]).DatabaseWrapper(config, alias)


def _unregister(alias: str) -> None:
    try:
        wrapper = connections[alias]
    except ConnectionDoesNotExist:
        return
    wrapper.close()
    del connections[alias]


def _refuse_unmigrated_source() -> None:
    executor = MigrationExecutor(connections[SOURCE])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        waiting = ", ".join(f"{m.app_label}.{m.name}" for m, _ in plan[:5])
        raise MoveError(
            f"The source has {len(plan)} migration(s) to run ({waiting}...): "
            "run `manage.py migrate` on it first, so that both sides have the "
            "same tables."
        )


def _refuse_non_empty_target() -> None:
    target = connections[TARGET]
    with target.cursor() as cursor:
        tables = target.introspection.table_names(cursor)
    if tables:
        raise MoveError(
            f"The target already has {len(tables)} tables. Move into an empty "
            "database, or pass --force to replace every row in it."
        )


def _subprocess_env(database_url: str | None) -> dict[str, str]:
    env = dict(os.environ)
    # Both sides read their own primary: a replica of the source has no place here.
    env.pop("DATABASE_REPLICA_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _manage(database_url: str | None, *arguments: str) -> None:
    manage_py = Path(settings.BASE_DIR) / "manage.py"
    done = subprocess.run(  # noqa: S603  # nosec B603 # our own arguments, no shell
        [sys.executable, str(manage_py), *arguments],
        env=_subprocess_env(database_url),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise MoveError(
            f"manage.py {' '.join(arguments)} failed on the "
            f"{'target' if database_url else 'source'}:\n"
            f"{done.stderr.strip()[-3000:]}"
        )


# --- copying --------------------------------------------------------------------


def models_to_copy() -> list[type[models.Model]]:
    """Models with a table of their own, parents before the rows pointing at them."""
    chosen = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed
        and not model._meta.proxy
        and not model._meta.db_table.startswith(SEARCH_INDEX_PREFIX)
    ]
    known, ordered = set(chosen), []

    def visit(model):
        if model in visited:
            return
        # Marked before its parents are visited: a cycle (a page and its latest
        # revision) is cut here, and deferred constraints carry the rest.
        visited.add(model)
        for column in model._meta.local_concrete_fields:
            parent = column.related_model
            if parent is not None and parent in known:
                visit(parent)
        ordered.append(model)

    visited: set = set()
    for model in sorted(chosen, key=lambda m: m._meta.db_table):
        visit(model)
    return ordered


def _copy_all() -> dict[str, int]:
    """Copy every model's rows; returns the source's row counts, from its snapshot."""
    target = connections[TARGET]
    chosen = models_to_copy()
    with target.constraint_checks_disabled():
        with (
            transaction.atomic(using=SOURCE),
            transaction.atomic(using=TARGET),
        ):
            source_counts = table_row_counts(SOURCE)
            _empty_target()
            for model in chosen:
                if source_counts.get(model._meta.db_table):
                    _copy_rows(model)
            with target.cursor() as cursor:
                copied = [model._meta.db_table for model in chosen]
                target.check_constraints(table_names=copied)
                for statement in target.ops.sequence_reset_sql(no_style(), chosen):
                    cursor.execute(statement)
    return source_counts


def _empty_target() -> None:
    """Remove every row, the ones migrate wrote too (content types, the root page)."""
    target = connections[TARGET]
    with target.cursor() as cursor:
        # Every table, not only the models' (the router lets no model migrate
        # here); never the FTS5 shadow tables, which its own table empties.
        tables = [
            table
            for table in target.introspection.table_names(cursor)
            if table != OWN_HISTORY
            and not table.startswith(f"{SEARCH_INDEX_PREFIX}_fts_")
        ]
        for statement in target.ops.sql_flush(no_style(), tables):
            cursor.execute(statement)


def _is_json(column: models.Field) -> bool:
    return column.get_internal_type() == "JSONField"


def _copy_rows(model: type[models.Model]) -> None:
    target = connections[TARGET]
    columns = model._meta.local_concrete_fields
    # Plain JSON in and out: StreamField would otherwise add ids to blocks
    # without one, and a custom decoder could turn data into objects.
    carriers = [models.JSONField() if _is_json(c) else c for c in columns]
    selected = [
        ExpressionWrapper(F(c.attname), output_field=models.JSONField())
        if _is_json(c)
        else c.attname
        for c in columns
    ]
    rows = (
        model._base_manager.using(SOURCE)
        .order_by("pk")
        .values_list(*selected)
        .iterator(chunk_size=BATCH)
    )
    quote = target.ops.quote_name
    names = ", ".join(quote(c.column) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    insert = f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608  # nosec B608 # names from the models
    with target.cursor() as cursor:
        for batch in _batches(rows, BATCH):
            cursor.executemany(
                insert,
                [
                    [
                        c.get_db_prep_save(value, target)
                        for c, value in zip(carriers, row, strict=True)
                    ]
                    for row in batch
                ],
            )


def _batches(rows: Iterable, size: int) -> Iterator[list]:
    rows = iter(rows)
    while batch := list(islice(rows, size)):
        yield batch


# --- verifying ------------------------------------------------------------------


def _compare_counts(source: dict[str, int], target: dict[str, int]) -> list[TableCount]:
    counts = []
    for table in sorted(source.keys() | target.keys()):
        note = ""
        if table.startswith(SEARCH_INDEX_PREFIX):
            note = "search index, rebuilt"
        elif table == OWN_HISTORY:
            note = "written by migrate"
        elif table not in target:
            note = "no model uses it: not copied"
        counts.append(TableCount(table, source.get(table), target.get(table), note))
    return counts


def _render_pages(database_url: str | None, output: Path) -> dict[str, dict]:
    _manage(
        database_url,
        "shell",
        "--no-imports",
        "--command",
        "from masthead.core.moving import write_rendered_pages; "
        f"write_rendered_pages({str(output)!r})",
    )
    return json.loads(output.read_text())


def write_rendered_pages(output: str) -> None:
    """Render every live page of this process's database into a JSON file.

    Run by the move in a process of each side. The caches are this process's
    own, so that neither side renders from fragments the other one stored.
    """
    from django.test import Client
    from django.test.utils import override_settings
    from wagtail.models import Page

    private_caches = {
        alias: {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"masthead-move-{alias}",
        }
        for alias in settings.CACHES
    }
    rendered = {}
    with override_settings(
        ALLOWED_HOSTS=["*"], MASTHEAD_PAGE_CACHE=False, CACHES=private_caches
    ):
        client = Client(raise_request_exception=False)
        for page in Page.objects.live().filter(depth__gt=1).order_by("path"):
            parts = page.get_url_parts()
            if parts is None:
                continue  # under no site: no address to render it at
            _, root_url, path = parts
            url = urlsplit(root_url or "http://localhost")
            response = client.get(
                path, headers={"host": url.netloc}, secure=url.scheme == "https"
            )
            rendered[f"{root_url}{path}"] = {
                "status": response.status_code,
                "html": normalised(response.content.decode(errors="replace")),
            }
    Path(output).write_text(json.dumps(rendered))


# What legitimately differs between two renders of the same page.
VARYING = [
    (re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*'), r"\1…"),
    (re.compile(r'(nonce=")[^"]*'), r"\1…"),
]


def normalised(html: str) -> str:
    for pattern, replacement in VARYING:
        html = pattern.sub(replacement, html)
    return html


def compare_pages(
    source: dict[str, dict], target: dict[str, dict]
) -> list[PageDifference]:
    """The pages that differ, with the first lines that do."""
    differences = []
    for url in sorted(source.keys() | target.keys()):
        if url not in target:
            differences.append(PageDifference(url, "live in the source only"))
        elif url not in source:
            differences.append(PageDifference(url, "live in the target only"))
        elif source[url]["status"] != target[url]["status"]:
            differences.append(
                PageDifference(
                    url,
                    f"status {source[url]['status']} in the source, "
                    f"{target[url]['status']} in the target",
                )
            )
        elif source[url]["html"] != target[url]["html"]:
            diff = difflib.unified_diff(
                source[url]["html"].splitlines(),
                target[url]["html"].splitlines(),
                "source",
                "target",
                n=0,
                lineterm="",
            )
            differences.append(PageDifference(url, "\n".join(islice(diff, 2, 12))))
    return differences
