"""Start real Masthead processes (worker, server) against the test database."""

import os
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from django.db import connection

from masthead.settings.variables import without_deployment

ROOT = Path(__file__).resolve().parent.parent


def test_database_url() -> str:
    """DATABASE_URL of the database pytest-django created, for a child process."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = f"{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}"
    return f"postgres://{credentials}@{host}/{db['NAME']}"


def clean_env(**extra: str) -> dict[str, str]:
    return without_deployment(os.environ, **extra)


def child_env(**extra: str) -> dict[str, str]:
    env = {
        **clean_env(),
        "DJANGO_SETTINGS_MODULE": "masthead.settings.dev",
        "DATABASE_URL": test_database_url(),
        "DEBUG": "false",
    }
    env.update(extra)
    return env


def manage(*args: str, timeout: float = 60, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=child_env(**env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
