"""Upgrading a running site: migrate once under a lock, reload the app processes.

Every app server runs `manage.py masthead_upgrade` after installing the new
release, often at the same moment. The first takes the migration lock and
migrates; the others wait on it and then find nothing left to apply.
PostgreSQL holds the lock for us (a session-level advisory lock). SQLite has no
lock that outlives a transaction, and migrate commits many, so a locked file
beside the database file stands in: every process using that database runs on
this machine and sees the same file.

A `masthead_serve` announces itself with a pid file under MASTHEAD_VAR_DIR/run
that it keeps locked while it runs, so an upgrade signals only live servers and
a file left by a crash is recognised and removed.
"""

import fcntl
import logging
import os
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.dispatch import Signal

logger = logging.getLogger("masthead.core")

# Any constant of our own: the advisory lock's name within the database.
MIGRATION_LOCK_KEY = 0x6D61737468656164  # "masthead"
PID_FILE_PREFIX = "masthead_serve-"

# Sent once the new code's migrations and static files are in place: the page
# cache listens, since the new templates make every stored page stale.
site_upgraded = Signal()


@contextmanager
def migration_lock(waiting: Callable[[], None] = lambda: None) -> Iterator[None]:
    """Hold the site-wide migration lock; calls `waiting` if another has it."""
    if connection.vendor == "postgresql":
        with _advisory_lock(waiting):
            yield
    elif connection.vendor == "sqlite":
        with _file_lock(_sqlite_lock_path(), waiting):
            yield
    else:
        raise ImproperlyConfigured(
            f"No migration lock for the {connection.vendor} database backend."
        )


@contextmanager
def _advisory_lock(waiting: Callable[[], None]) -> Iterator[None]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [MIGRATION_LOCK_KEY])
        if not cursor.fetchone()[0]:
            waiting()
            cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK_KEY])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK_KEY])


def _sqlite_lock_path() -> Path:
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:"):
        raise ImproperlyConfigured("An in-memory SQLite database needs no upgrade.")
    return Path(f"{name}.upgrade-lock")


@contextmanager
def _file_lock(path: Path, waiting: Callable[[], None]) -> Iterator[None]:
    with path.open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            waiting()
            fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def pid_dir() -> Path:
    return Path(settings.VAR_DIR) / "run"


@contextmanager
def serving_pid_file() -> Iterator[Path]:
    """Announce this process as a `masthead_serve` to reload, while it runs."""
    directory = pid_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{PID_FILE_PREFIX}{os.getpid()}.pid"
    with path.open("w") as pid_file:
        fcntl.flock(pid_file, fcntl.LOCK_EX)
        pid_file.write(str(os.getpid()))
        pid_file.flush()
        try:
            yield path
        finally:
            path.unlink(missing_ok=True)


def running_servers() -> list[int]:
    """Process ids of the live `masthead_serve` processes using this var dir."""
    pids = []
    for path in sorted(pid_dir().glob(f"{PID_FILE_PREFIX}*.pid")):
        with path.open() as pid_file:
            try:
                fcntl.flock(pid_file, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:  # its server holds it: alive
                pids.append(int(pid_file.read()))
            else:  # left by a server that died
                path.unlink(missing_ok=True)
    return pids


def reload_servers() -> list[int]:
    """Ask every live `masthead_serve` to reload (SIGHUP); returns their pids."""
    pids = running_servers()
    for pid in pids:
        os.kill(pid, signal.SIGHUP)
        logger.info("asked masthead_serve %d to reload", pid)
    return pids
