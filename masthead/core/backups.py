"""One archive holding the database and the media files, and putting it back.

The archive (a .tar.gz) holds `manifest.json`, the database and every file of
the local media and private storages:

- SQLite is copied with sqlite3's online backup API: a consistent copy taken
  page by page while the site goes on reading and writing.
- PostgreSQL is dumped with `pg_dump --format=custom` inside an exported
  snapshot, so the row counts written to the manifest are those of the dump
  even while the site writes.
- The manifest lists the rows of every table and the SHA-256 of every file.
  Restoring checks every file against it before touching anything, and counts
  the restored rows against it afterwards.

Media on S3 is not copied: the bucket keeps its own history when versioning is
on (docs/backups.md), and the manifest says so rather than pretend.
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404 # pg_dump and pg_restore, our argv, no shell
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.cache import caches
from django.core.files.storage import FileSystemStorage, storages
from django.db import connections
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar")
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
# Storage alias -> folder inside the archive.
STORAGE_FOLDERS = {"default": "media", "private": "private"}
S3_NOTE = (
    "media files are on S3 and are not in this archive: keep the bucket's "
    "versioning on, which keeps every file's history (docs/backups.md)"
)


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why and what to do."""


@dataclass
class BackupReport:
    path: Path
    vendor: str
    tables: int
    rows: int
    files: int
    file_bytes: int
    notes: list[str] = field(default_factory=list)


@dataclass
class RestoreReport:
    path: Path
    vendor: str
    tables: int
    rows: int
    files: int
    file_bytes: int


def default_backup_path(now=None) -> Path:
    stamp = (now or timezone.now()).strftime("%Y%m%d-%H%M%S")
    return Path(settings.VAR_DIR) / "backups" / f"masthead-{stamp}.tar.gz"


# --- backing up -------------------------------------------------------------------


def create_backup(path: Path | None = None, *, using: str = "default") -> BackupReport:
    """Write one archive of the database and the local media; returns what it holds.

    `path` may name the archive (.tar.gz) or a folder for it; by default it goes to
    var/backups/ with the time in its name. Safe while the site runs.
    """
    path = Path(path) if path else default_backup_path()
    if path.is_dir() or not path.name.endswith(ARCHIVE_SUFFIXES):
        path = path / default_backup_path().name  # a folder, made if need be
    path.parent.mkdir(parents=True, exist_ok=True)
    vendor = _vendor(using)
    with tempfile.TemporaryDirectory(prefix="masthead-backup-") as scratch:
        database = Path(scratch) / DATABASE_FILES[vendor]
        if vendor == "sqlite":
            tables = _copy_sqlite(using, database)
        else:
            tables = _dump_postgres(using, database)
        files, notes = _media_files()
        checksums, file_bytes = {}, 0
        partial = path.with_name(path.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            database_sha256, _ = _add_file(archive, database.name, database)
            for name, source in files.items():
                try:
                    checksums[name], size = _add_file(archive, name, source)
                except FileNotFoundError:
                    continue  # deleted since the folder was listed
                file_bytes += size
            # Last, so that it lists exactly what went in.
            manifest = {
                "format": FORMAT,
                "created_at": timezone.now().isoformat(),
                "database": {
                    "vendor": vendor,
                    "file": database.name,
                    "sha256": database_sha256,
                    "tables": tables,
                },
                "files": checksums,
                "notes": notes,
            }
            _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=1).encode())
        partial.replace(path)  # never a half-written archive under the real name
    return BackupReport(
        path=path,
        vendor=vendor,
        tables=len(tables),
        rows=sum(tables.values()),
        files=len(checksums),
        file_bytes=file_bytes,
        notes=notes,
    )


def _vendor(using: str) -> str:
    vendor = connections[using].vendor
    if vendor not in DATABASE_FILES:
        raise BackupError(f"Backups know SQLite and PostgreSQL, not {vendor}.")
    return vendor


def _copy_sqlite(using: str, target: Path) -> dict[str, int]:
    source_path = connections[using].settings_dict["NAME"]
    with (
        sqlite3.connect(source_path, timeout=30) as source,
        sqlite3.connect(target) as copy,
    ):
        # Page by page, retrying pages that writers change meanwhile: the copy
        # is one consistent state of the database.
        source.backup(copy)
    return sqlite_row_counts(target)


def _quoted(table: str) -> str:
    # A restore reads the names from the archive's own database: quote, never trust.
    return '"' + table.replace('"', '""') + '"'


def sqlite_row_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        names = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {
            # nosemgrep: sql-built-by-formatting -- names from sqlite_master
            name: db.execute(f"SELECT COUNT(*) FROM {_quoted(name)}").fetchone()[0]  # noqa: S608  # nosec B608
            for name in names
        }


def _postgres_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} was not found. Install the PostgreSQL client tools of your "
            "server's version (Debian: apt-get install postgresql-client) and "
            "put them on PATH."
        )
    return found


def _postgres_args(using: str) -> tuple[list[str], dict[str, str]]:
    db = connections[using].settings_dict
    args = [f"--dbname={db['NAME']}"]
    if db.get("HOST"):
        args.append(f"--host={db['HOST']}")
    if db.get("PORT"):
        args.append(f"--port={db['PORT']}")
    if db.get("USER"):
        args.append(f"--username={db['USER']}")
    env = {**_clean_environ(), "PGCONNECT_TIMEOUT": "10"}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _clean_environ() -> dict[str, str]:
    # PG* variables of the operator's shell would override our arguments.
    return {k: v for k, v in os.environ.items() if not k.startswith("PG")}


def _dump_postgres(using: str, target: Path) -> dict[str, int]:
    pg_dump = _postgres_tool("pg_dump")
    args, env = _postgres_args(using)
    settings_dict = connections[using].settings_dict
    import psycopg  # only PostgreSQL sites need it

    # A connection of our own, so that the snapshot's transaction is ours alone.
    with psycopg.connect(
        dbname=settings_dict["NAME"],
        user=settings_dict.get("USER") or None,
        password=settings_dict.get("PASSWORD") or None,
        host=settings_dict.get("HOST") or None,
        port=settings_dict.get("PORT") or None,
        connect_timeout=10,
    ) as db:
        db.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = db.execute("SELECT pg_export_snapshot()").fetchone()[0]
        tables = {
            # nosemgrep: sql-built-by-formatting -- names from pg_tables
            name: db.execute(f"SELECT COUNT(*) FROM {_quoted(name)}").fetchone()[0]  # noqa: S608  # nosec B608
            for (name,) in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                "ORDER BY tablename"
            ).fetchall()
        }
        # The dump sees exactly what the counts saw: the same snapshot, held
        # open by this transaction until pg_dump is done.
        _run(
            [
                pg_dump,
                "--format=custom",
                f"--snapshot={snapshot}",
                f"--file={target}",
                *args,
            ],
            env,
            "pg_dump",
        )
        db.rollback()
    return tables


def _run(command: list[str], env: dict[str, str], name: str) -> None:
    done = subprocess.run(  # noqa: S603  # nosec B603 # our own arguments, no shell
        command, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(f"{name} failed: {done.stderr.strip()[-2000:]}")


def _media_files() -> tuple[dict[str, Path], list[str]]:
    """Archive name -> file, for every local storage; notes for the others."""
    files, notes = {}, []
    for alias, folder in STORAGE_FOLDERS.items():
        storage = storages[alias]
        if not isinstance(storage, FileSystemStorage):
            if S3_NOTE not in notes:
                notes.append(S3_NOTE)
            continue
        root = Path(storage.location)
        if not root.exists():
            continue
        for source in sorted(root.rglob("*")):
            if source.is_file() and not source.is_symlink():
                relative = source.relative_to(root).as_posix()
                files[f"{folder}/{relative}"] = source
    return files, notes


def _add_file(archive: tarfile.TarFile, name: str, source: Path) -> tuple[str, int]:
    """Add one file; returns its SHA-256 and size, from the very bytes archived.

    A file being rewritten meanwhile is read once, into a spool, so that its
    checksum always matches what the archive holds.
    """
    digest = hashlib.sha256()
    with (
        source.open("rb") as stream,
        tempfile.SpooledTemporaryFile(max_size=16 << 20) as spool,
    ):
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
            spool.write(chunk)
        info = tarfile.TarInfo(name)
        info.size = spool.tell()
        info.mtime = int(source.stat().st_mtime)
        info.mode = 0o644
        spool.seek(0)
        archive.addfile(info, spool)
    return digest.hexdigest(), info.size


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    archive.addfile(info, io.BytesIO(data))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --- restoring --------------------------------------------------------------------


def restore_backup(
    path: Path, *, force: bool = False, using: str = "default"
) -> RestoreReport:
    """Put the archive's database and files back, after checking all of it.

    Refuses a database that has tables, or storages that hold files, unless
    `force`: then the database is replaced as a whole and files of the same
    name are overwritten. Raises BackupError, having changed nothing, when the
    archive does not match its manifest.
    """
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"There is no archive at {path}.")
    vendor = _vendor(using)
    with tempfile.TemporaryDirectory(prefix="masthead-restore-") as scratch:
        manifest = _unpack_and_verify(path, Path(scratch))
        database = manifest["database"]
        if database["vendor"] != vendor:
            raise BackupError(
                f"The archive holds a {database['vendor']} database; this site "
                f"uses {vendor}. Restore it on a site with the same database."
            )
        if not force:
            _refuse_if_not_empty(using)
        unpacked = Path(scratch) / "unpacked"
        dump = unpacked / database["file"]
        expected = database["tables"]
        if vendor == "sqlite":
            _restore_sqlite(dump, using)
        else:
            _restore_postgres(dump, using, clean=force)
        restored = table_row_counts(using)
        wrong = {
            name: (rows, restored.get(name))
            for name, rows in expected.items()
            if restored.get(name) != rows
        }
        if wrong:
            raise BackupError(
                "The restored database differs from the manifest "
                f"(table: expected, found): {wrong}"
            )
        placed = _place_files(unpacked, manifest["files"])
    for alias in settings.CACHES:
        # Cached pages and fragments describe the database that was replaced.
        caches[alias].clear()
    return RestoreReport(
        path=path,
        vendor=vendor,
        tables=len(expected),
        rows=sum(expected.values()),
        files=len(manifest["files"]),
        file_bytes=placed,
    )


def _unpack_and_verify(path: Path, scratch: Path) -> dict:
    unpacked = scratch / "unpacked"
    try:
        with tarfile.open(path, "r:*") as archive:
            # The "data" filter refuses absolute paths, links out of the folder
            # and device files: an archive cannot write outside `unpacked`.
            archive.extractall(unpacked, filter="data")
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"{path} is not a readable archive ({error}).") from None
    try:
        manifest = json.loads((unpacked / MANIFEST).read_text())
        database = manifest["database"]
        files = manifest["files"]
    except (OSError, ValueError, KeyError, TypeError):
        raise BackupError(f"{path} has no valid {MANIFEST}.") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is of format {manifest.get('format')}.")
    problems = []
    dump = unpacked / database.get("file", "")
    if not dump.is_file() or _sha256(dump) != database.get("sha256"):
        problems.append(database.get("file") or "the database")
    for name, checksum in files.items():
        target = unpacked / PurePosixPath(name)
        if PurePosixPath(name).parts[0] not in STORAGE_FOLDERS.values():
            problems.append(name)
        elif not target.is_file() or _sha256(target) != checksum:
            problems.append(name)
    if problems:
        listed = ", ".join(problems[:10])
        raise BackupError(
            f"{path} is damaged: {len(problems)} file(s) missing or changed "
            f"({listed}). Nothing was restored."
        )
    if database.get("vendor") == "sqlite" and sqlite_row_counts(dump) != database.get(
        "tables"
    ):
        raise BackupError(f"{path}: the database copy differs from its manifest.")
    return manifest


def table_row_counts(using: str = "default") -> dict[str, int]:
    """Rows of every table in the database, by table name."""
    connection = connections[using]
    with connection.cursor() as cursor:
        # SQLite's own tables (statistics of PRAGMA optimize) are not ours to count.
        names = sorted(
            name
            for name in connection.introspection.table_names(cursor)
            if not name.startswith("sqlite_")
        )
        counts = {}
        for name in names:
            quoted = connection.ops.quote_name(name)
            # nosemgrep: sql-built-by-formatting -- quoted names from introspection
            cursor.execute(f"SELECT COUNT(*) FROM {quoted}")  # noqa: S608  # nosec B608
            counts[name] = cursor.fetchone()[0]
    return counts


def _refuse_if_not_empty(using: str) -> None:
    connection = connections[using]
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    if tables:
        raise BackupError(
            f"The database already has {len(tables)} tables. Restore into an "
            "empty database, or pass --force to replace everything in it."
        )
    busy = [
        alias
        for alias in STORAGE_FOLDERS
        if isinstance(storages[alias], FileSystemStorage)
        and any(p.is_file() for p in Path(storages[alias].location).rglob("*"))
    ]
    if busy:
        raise BackupError(
            f"The {', '.join(busy)} storage already holds files. Restore into "
            "empty folders, or pass --force to overwrite files of the same name."
        )


def _restore_sqlite(copy: Path, using: str) -> None:
    connection = connections[using]
    connection.close()  # no transaction of ours holds the file meanwhile
    target = connection.settings_dict["NAME"]
    with sqlite3.connect(copy) as source, sqlite3.connect(target, timeout=30) as db:
        # Replaces the whole database, through SQLite's own locking: processes
        # that have it open see the restored state at their next read.
        source.backup(db)


def _restore_postgres(dump: Path, using: str, *, clean: bool) -> None:
    pg_restore = _postgres_tool("pg_restore")
    args, env = _postgres_args(using)
    connections[using].close()
    options = ["--no-owner", "--no-privileges", "--exit-on-error"]
    if clean:
        options += ["--clean", "--if-exists"]
    _run(
        [pg_restore, *options, "--single-transaction", *args, str(dump)],
        env,
        "pg_restore",
    )


def _place_files(unpacked: Path, files: dict[str, str]) -> int:
    """Copy the verified files into their storages; returns the bytes written."""
    roots = {
        folder: Path(storages[alias].location)
        for alias, folder in STORAGE_FOLDERS.items()
        if isinstance(storages[alias], FileSystemStorage)
    }
    written = 0
    for name in files:
        folder, *rest = PurePosixPath(name).parts
        if folder not in roots:
            raise BackupError(
                f"The archive holds {folder} files but this site keeps them on "
                "S3: copy them to the bucket by hand."
            )
        target = roots[folder].joinpath(*rest)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".restoring")
        shutil.copyfile(unpacked / PurePosixPath(name), partial)
        partial.replace(target)
        written += target.stat().st_size
    return written
