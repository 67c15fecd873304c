"""Twenty writers at once on the embedded SQLite site: never "database is locked".

Twenty clients, each on its own keep-alive connection and posing as its own
stream of readers, write through the real endpoints for a minute: comment posts,
newsletter signups and view beacons in turn. The server is gunicorn with
threads, so that twenty requests really are inside the app at once, beside the
task worker (mailing the signups' confirmations) and the scheduler, all on one
private SQLite file. The row passes when no request failed (a 5xx or no answer)
and the server's log never says "database is locked".

tests/faults/test_sqlite_writers.py runs the same load for ten seconds against
the test database.
"""

import asyncio
import itertools
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from .client import Connection
from .plan import Plan
from .report import Row, error_row
from .servers import Started, free_port

ROOT = Path(__file__).resolve().parent.parent
WRITERS = 20
LOCKED = "database is locked"
# Comment forms prepared per writer-second: more than a writer can post.
FORMS_PER_WRITER_SECOND = 8
COMMENT_FORMS = """
from bench.writers import comment_forms

with open({path!r}, "w") as out:
    for page, body in comment_forms({pages!r}, {count}):
        out.write(f"{{page}}\\t{{body}}\\n")
"""


@dataclass
class Load:
    """What the writers send: prepared comment forms, lists and articles."""

    comment_forms: list[tuple[int, str]]  # (page id, urlencoded form)
    list_ids: list[int]
    page_ids: list[int]


@dataclass
class Tally:
    answered: Counter = field(default_factory=Counter)  # (kind, status) -> count
    seconds: float = 0.0

    @property
    def requests(self) -> int:
        return sum(self.answered.values())

    @property
    def failed(self) -> dict[tuple[str, int], int]:
        """Server errors and requests that got no answer (599)."""
        return {key: n for key, n in self.answered.items() if key[1] >= 500}

    def count(self, kind: str, status: int) -> int:
        return self.answered[(kind, status)]


def comment_forms(pages: list[int], count: int) -> list[tuple[int, str]]:
    """Distinct comment forms with tokens as old as a reader's typing; needs Django
    set up (the test's process)."""
    from masthead.comments.tokens import issue_form_token

    forms = []
    for n in range(count):
        page = pages[n % len(pages)]
        body = urlencode(
            {
                "token": issue_form_token(page, None, now=time.time() - 10),
                "name": f"Writer {n}",
                "email": f"writer-{n}@example.org",
                "body": f"Comment {n} of the writers' run: agreed, mostly.",
            }
        )
        forms.append((page, body))
    return forms


def write_for(url: str, load: Load, seconds: float, writers: int = WRITERS) -> Tally:
    """`writers` concurrent clients writing for `seconds`; every answer counted."""
    # A thread of its own: under pytest, Playwright's sync API may already run an
    # event loop in this one, and asyncio.run() refuses to start another there.
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(
            asyncio.run, _write_for(url, load, seconds, writers)
        ).result()


async def _write_for(url: str, load: Load, seconds: float, writers: int) -> Tally:
    parts = urlsplit(url)
    origin = f"http://{parts.hostname}:{parts.port}"
    forms = iter(load.comment_forms)
    tally = Tally()
    serial = itertools.count(1)
    started = time.monotonic()
    deadline = started + seconds

    def reader_ip(n: int) -> str:
        return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"

    async def writer(number: int) -> None:
        kinds = itertools.cycle(["comment", "subscribe", "beacon"])
        for _ in range(number):
            next(kinds)  # the writers start on different kinds
        async with Connection(parts.hostname, parts.port) as connection:
            while time.monotonic() < deadline:
                kind, n = next(kinds), next(serial)
                headers = {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-Forwarded-For": reader_ip(n),
                }
                if kind == "comment":
                    form = next(forms, None)
                    if form is None:
                        continue  # every prepared form was sent
                    page, body = form
                    path = f"/comments/{page}/post/"
                    headers["Accept"] = "application/json"
                elif kind == "subscribe":
                    path = "/newsletter/subscribe/"
                    body = urlencode(
                        {
                            "email": f"signup-{n}@example.org",
                            "lists": load.list_ids[n % len(load.list_ids)],
                        }
                    )
                else:
                    path = f"/views/{load.page_ids[n % len(load.page_ids)]}/"
                    body = "r="
                    headers.update({"Origin": origin, "Sec-Fetch-Site": "same-origin"})
                status = await connection.send("POST", path, headers, body.encode())
                tally.answered[(kind, status)] += 1

    await asyncio.gather(*(writer(n) for n in range(writers)))
    tally.seconds = time.monotonic() - started
    return tally


class WritingSite(Started):
    """gunicorn with threads, the task worker and the scheduler, one log file.

    `env` is the site's environment (its DATABASE_URL names the SQLite file).
    The settings module logs Django's request errors too (bench/logged_settings.py),
    so that a "database is locked" behind a 500 reaches the log.
    """

    def __init__(self, env: dict[str, str], workdir: Path, *, threads: int = 10):
        self.env = {
            **env,
            "BENCH_BASE_SETTINGS": env["DJANGO_SETTINGS_MODULE"],
            "DJANGO_SETTINGS_MODULE": "bench.logged_settings",
        }
        self.env.setdefault("PYTHONPATH", str(ROOT))
        self.threads = threads
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / f"writers-{self.port}.log"
        self.processes: list[subprocess.Popen] = []

    def start(self, timeout: float = 90) -> None:
        manage = [sys.executable, "manage.py"]
        commands = [
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers=2",
                "--worker-class=gthread",
                f"--threads={self.threads}",
                f"--bind=127.0.0.1:{self.port}",
                "--no-control-socket",
                "--graceful-timeout=10",
                "masthead.wsgi",
            ],
            [*manage, "db_worker", "--no-reload", "--no-startup-delay"],
            [*manage, "masthead_scheduler"],
        ]
        with self.log_path.open("ab") as log:
            for command in commands:
                self.processes.append(
                    subprocess.Popen(  # noqa: S603 - our own arguments, no shell
                        command,
                        cwd=ROOT,
                        env=self.env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,  # so stop() reaches the children
                    )
                )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(p.poll() is not None for p in self.processes):
                raise RuntimeError(f"a process exited; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2):  # noqa: S310 - our loopback URL
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"not ready in {timeout:g}s; see {self.log_path}")

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # the session we started
                process.wait(timeout=5)

    def locked_lines(self) -> list[str]:
        text = self.log_path.read_text(errors="replace")
        return [line for line in text.splitlines() if LOCKED in line]


def rows(tally: Tally, locked: list[str], label: str) -> list[Row]:
    """Two rows: writes per second (no failure allowed) and the log's lock count."""
    rate = Row(
        name=f"{WRITERS} concurrent writers, {label}: writes/s",
        value=tally.requests / tally.seconds if tally.seconds else 0.0,
        unit="req/s",
        reference=(
            f"{tally.requests:,} in {tally.seconds:.0f} s: "
            f"{tally.count('comment', 200):,} comments, "
            f"{tally.count('subscribe', 302):,} signups, "
            f"{tally.count('beacon', 204):,} beacons"
        ),
        passed=tally.requests > 0 and not tally.failed,
    )
    if tally.failed:
        rate.reference += f"; failed: {tally.failed}"
    lock_row = Row(
        name=f'"{LOCKED}" in the server log, {label}',
        value=len(locked),
        unit="lines",
        reference="target 0",
        passed=not locked,
    )
    return [rate, lock_row]


def run(plan: Plan) -> list[Row]:
    from .sites import shared

    label = "SQLite"
    try:
        site = shared(plan.workdir, "sqlite", plan.articles)
        pages = site.article_ids()
        seconds = plan.scale_seconds  # 60 s, or 30 s with BENCH_QUICK
        forms_path = site.workdir / "writers-comments.tsv"
        site.manage(
            "shell",
            "--no-imports",
            "-c",
            COMMENT_FORMS.format(
                pages=pages,
                path=str(forms_path),
                count=int(WRITERS * seconds * FORMS_PER_WRITER_SECOND),
            ),
        )
        forms = [
            (int(page), body)
            for page, body in (
                line.split("\t") for line in forms_path.read_text().splitlines()
            )
        ]
        list_ids = _signup_lists(site)
        with WritingSite(site.env, site.workdir) as server:
            tally = write_for(server.url, Load(forms, list_ids, pages), seconds)
        return rows(tally, server.locked_lines(), label)
    except Exception as error:
        return [error_row(f"{WRITERS} concurrent writers, {label}", error)]


def _signup_lists(site) -> list[int]:
    out = site.manage(
        "shell",
        "--no-imports",
        "-c",
        "from masthead.newsletter.models import NewsletterList\n"
        "from masthead.newsletter.tests.fixtures import make_list\n"
        "ids = list(NewsletterList.objects.filter(active=True)"
        ".values_list('pk', flat=True))\n"
        "print(*(ids or [make_list('Writers', 'writers').pk]))",
    )
    return [int(n) for n in out.strip().splitlines()[-1].split()]
