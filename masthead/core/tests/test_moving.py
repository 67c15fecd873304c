"""`masthead_move_database`: a demo site moved SQLite -> PostgreSQL -> SQLite.

The round trip runs real `manage.py` processes on databases of its own (a
SQLite file, a throwaway PostgreSQL database), whatever database the suite
itself runs on.
"""

import json
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from masthead.core import moving
from masthead.core.backups import sqlite_row_counts
from masthead.core.moving import (
    MoveError,
    MoveReport,
    PageDifference,
    TableCount,
    compare_pages,
    models_to_copy,
    move_database,
    normalised,
)
from masthead.settings.variables import without_deployment

POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"


def run_manage(*args: str, var_dir: Path, database_url: str):
    return subprocess.run(  # noqa: S603
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *args],
        env=without_deployment(
            os.environ,
            DJANGO_SETTINGS_MODULE="masthead.settings.test",
            MASTHEAD_VAR_DIR=str(var_dir),
            DATABASE_URL=database_url,
        ),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


@pytest.fixture
def postgres_target():
    """A fresh, empty PostgreSQL database of this test's own."""
    name = f"masthead_move_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"{POSTGRES_SERVER}/{name}"
    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def stream_bodies(path: Path) -> list:
    with sqlite3.connect(path) as db:
        return [
            json.loads(body)
            for (body,) in db.execute(
                "SELECT body FROM news_articlepage ORDER BY page_ptr_id"
            )
        ]


def without_index(counts: dict[str, int]) -> dict[str, int]:
    return {
        table: rows
        for table, rows in counts.items()
        if not table.startswith(moving.SEARCH_INDEX_PREFIX)
    }


@pytest.mark.slow
def test_a_demo_site_moves_to_postgresql_and_back_unchanged(postgres_target, tmp_path):
    var_dir = tmp_path / "var"
    source = tmp_path / "source.sqlite3"
    source_url = f"sqlite:///{source}"
    for step in (["migrate", "--noinput"], ["masthead_demo", "--articles", "4"]):
        done = run_manage(*step, var_dir=var_dir, database_url=source_url)
        assert done.returncode == 0, done.stderr

    moved = run_manage(
        "masthead_move_database",
        "--to",
        postgres_target,
        var_dir=var_dir,
        database_url=source_url,
    )

    assert moved.returncode == 0, moved.stdout + moved.stderr
    assert "every table has the same rows" in moved.stdout
    assert "DIFFERS" not in moved.stdout
    with psycopg.connect(postgres_target) as target:
        pages, articles, indexed = target.execute(
            "SELECT (SELECT COUNT(*) FROM wagtailcore_page WHERE live),"
            " (SELECT COUNT(*) FROM news_articlepage),"
            " (SELECT COUNT(*) FROM wagtailsearch_indexentry)"
        ).fetchone()
        next_page_id, highest = target.execute(
            "SELECT nextval(pg_get_serial_sequence('wagtailcore_page', 'id')),"
            " (SELECT MAX(id) FROM wagtailcore_page)"
        ).fetchone()
    assert articles == 4
    assert indexed >= articles  # rebuilt, as tsvectors
    assert next_page_id > highest  # the sequence was moved past the copied ids
    assert f"all {pages - 1} live pages render the same" in moved.stdout

    refused = run_manage(
        "masthead_move_database",
        "--to",
        postgres_target,
        var_dir=var_dir,
        database_url=source_url,
    )
    assert refused.returncode != 0
    assert "already has" in refused.stderr and "--force" in refused.stderr

    back = tmp_path / "back" / "masthead.sqlite3"
    returned = run_manage(
        "masthead_move_database",
        "--from",
        postgres_target,
        "--to",
        f"sqlite:///{back}",
        var_dir=var_dir,
        database_url=source_url,
    )

    assert returned.returncode == 0, returned.stdout + returned.stderr
    before, after = sqlite_row_counts(source), sqlite_row_counts(back)
    assert without_index(after) == without_index(before)
    # StreamField's JSON exactly as written: no block gained an id on the way.
    assert stream_bodies(back) == stream_bodies(source)


def test_parents_are_copied_before_the_rows_pointing_at_them():
    tables = [model._meta.db_table for model in models_to_copy()]

    assert tables.index("django_content_type") < tables.index("wagtailcore_page")
    assert tables.index("wagtailcore_page") < tables.index("news_articlepage")
    assert tables.index("news_articlepage") < tables.index("news_articleauthor")
    assert "django_session" in tables
    assert "django_tasks_database_dbtaskresult" in tables
    assert not [t for t in tables if t.startswith("wagtailsearch_indexentry")]


def test_the_target_cannot_be_the_source(tmp_path):
    url = f"sqlite:///{tmp_path / 'site.sqlite3'}"

    with pytest.raises(MoveError, match="target is the source"):
        move_database(url, source_url=url)


def test_only_sqlite_and_postgresql_are_moved_between(tmp_path):
    with pytest.raises(MoveError, match="moves between SQLite .* and PostgreSQL"):
        move_database("mysql://news@localhost/masthead")


@pytest.mark.django_db
def test_a_target_with_tables_is_refused_without_force(tmp_path):
    target = tmp_path / "busy.sqlite3"
    with sqlite3.connect(target) as db:
        db.execute("CREATE TABLE stories (id INTEGER PRIMARY KEY)")

    with pytest.raises(MoveError, match="already has 1 tables.*--force"):
        move_database(f"sqlite:///{target}")

    with sqlite3.connect(target) as db:
        assert db.execute("SELECT name FROM sqlite_master").fetchall() == [("stories",)]


def test_csrf_tokens_and_nonces_are_not_differences():
    one = '<input name="csrfmiddlewaretoken" value="abc"><script nonce="n1">'
    other = '<input name="csrfmiddlewaretoken" value="xyz"><script nonce="n2">'

    assert normalised(one) == normalised(other)
    assert normalised("<p>Value</p>") == "<p>Value</p>"


def test_a_changed_page_is_named_with_the_lines_that_differ():
    source = {
        "http://site/a/": {"status": 200, "html": "<h1>A</h1>\n<p>old</p>"},
        "http://site/b/": {"status": 200, "html": "<h1>B</h1>"},
        "http://site/c/": {"status": 200, "html": "<h1>C</h1>"},
    }
    target = {
        "http://site/a/": {"status": 200, "html": "<h1>A</h1>\n<p>new</p>"},
        "http://site/c/": {"status": 500, "html": "error"},
        "http://site/d/": {"status": 200, "html": "<h1>D</h1>"},
    }

    differences = {d.url: d.detail for d in compare_pages(source, target)}

    assert differences["http://site/a/"].splitlines() == [
        "@@ -2 +2 @@",
        "-<p>old</p>",
        "+<p>new</p>",
    ]
    assert differences["http://site/b/"] == "live in the source only"
    assert (
        differences["http://site/c/"] == "status 200 in the source, 500 in the target"
    )
    assert differences["http://site/d/"] == "live in the target only"
    assert compare_pages(source, source) == []


def test_the_command_fails_and_lists_every_difference(monkeypatch, capsys):
    report = MoveReport(
        source="SQLite var/masthead.sqlite3",
        target="PostgreSQL masthead on db:5432",
        tables=[
            TableCount("news_articlepage", 8, 8),
            TableCount("comments_comment", 42, 41),
            TableCount("wagtailsearch_indexentry", 8, 51, "search index, rebuilt"),
        ],
        pages=14,
        page_differences=[PageDifference("http://site/a/", "-old\n+new")],
    )
    monkeypatch.setattr(
        "masthead.core.management.commands.masthead_move_database.move_database",
        lambda *args, **kwargs: report,
    )

    with pytest.raises(CommandError, match="1 table.* and 1 of 14 page"):
        call_command("masthead_move_database", to="postgres://db/masthead")

    out = capsys.readouterr().out
    assert "comments_comment" in out and "DIFFERS" in out
    assert "Differs: http://site/a/\n-old\n+new" in out
    assert "search index, rebuilt" in out
