"""The scale test: kill -9 one of two app processes under load, lose nothing.

PostgreSQL + Redis, two app servers (separate gunicorn masters, one worker
each) and one task worker, behind deploy/nginx.conf with both servers in its
upstream. For plan.scale_seconds (60 s; 30 s quick) an asyncio client mixes
reads (pages and comment lists, mostly from nginx's cache), view beacons from
distinct readers and comment posts over keep-alive connections, while one app
server is killed with SIGKILL a third of the way in and restarted three
seconds later.

What must hold:
- 5xx answers: nginx retries a GET on the other server, and sends a POST there
  when the killed one refuses the connection; only POSTs already sent to the
  killed process may fail, at most one per POST connection;
- comments: a failed post is sent again with the same form (its token is its
  idempotency key): every comment is stored exactly once;
- views: a failed beacon is sent again by the same reader, which the app
  de-duplicates: the stored total equals the distinct readers, exactly.
"""

import asyncio
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from . import comments, proxy
from .client import Connection
from .flood import reader_ip
from .pages import site_pages
from .plan import Plan
from .report import Row, error_row, out
from .servers import AppServers
from .sites import ROOT, Site, shared, static_root

READ_CONNECTIONS = 8
BEACON_CONNECTIONS = 8
COMMENT_CONNECTIONS = 4
RESTART_AFTER_SECONDS = 3.0
ATTEMPTS = 6  # a POST answered 5xx is sent again, after a short pause
COMMENT_IP_BASE = 40
# Readers of this test: 172.16.0.0/12 counted from this offset, apart from the
# flood's readers (which start at 0 on another site anyway).
READER_OFFSET = 1 << 18


@dataclass
class Tally:
    answered: Counter = field(default_factory=Counter)  # (kind, status) -> count
    retried: int = 0
    beacons_sent: int = 0  # distinct readers whose beacon was answered 204
    beacons_failed: int = 0
    comments_posted: int = 0  # distinct comments answered 200
    comments_failed: int = 0

    def count(self, kind: str, status: int) -> None:
        self.answered[(kind, status)] += 1

    @property
    def server_errors(self) -> int:
        return sum(n for (_, status), n in self.answered.items() if status >= 500)

    @property
    def other_errors(self) -> dict:
        return {
            f"{kind} {status}": n
            for (kind, status), n in self.answered.items()
            if 400 <= status < 500
        }


def run(plan: Plan) -> list[Row]:
    try:
        return measure(shared(plan.workdir, "postgres", plan.articles), plan)
    except Exception as error:
        return [error_row("scale test", error)]


def measure(site: Site, plan: Plan) -> list[Row]:
    pages, article = site_pages(site)
    comment_file = comments.prepare(site, pages, plan.comment_pool, COMMENT_IP_BASE)
    forms = comments.read_forms(comment_file)
    comments_before = comments.stored_comments(site)
    site.flush_views()  # what earlier scenarios left in Redis
    views_before = site.stored_views()[0]
    servers = [AppServers(site, workers=1), AppServers(site, workers=1)]
    worker = None
    try:
        with ThreadPoolExecutor() as starting:  # both at once: seconds each
            list(starting.map(lambda server: server.start(), servers))
        worker = start_task_worker(site)
        upstreams = [f"127.0.0.1:{server.port}" for server in servers]
        workdir = plan.workdir / "scale" / "nginx"
        with proxy.app_proxy(workdir, upstreams, static_root()) as ngx:
            tally = Tally()
            events = asyncio.run(
                mixed_load(
                    ngx.url,
                    pages,
                    article,
                    forms,
                    tally,
                    plan.scale_seconds,
                    servers[0],
                )
            )
    finally:
        # A graceful stop writes each process's buffered views to Redis; then
        # one flush moves them all to the database: nothing left to wait for.
        for server in servers:
            server.stop()
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=15)
    site.flush_views()
    views = site.stored_views()[0] - views_before
    stored_comments = comments.stored_comments(site) - comments_before
    out(f"scale: {events}; answers {dict(sorted(tally.answered.items()))}")
    return rows(tally, views, stored_comments, events)


def start_task_worker(site: Site) -> subprocess.Popen:
    log = (site.workdir / "worker.log").open("ab")
    process = subprocess.Popen(  # noqa: S603 - our own arguments, no shell
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "1"],
        cwd=ROOT,
        env=site.env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    return process


async def mixed_load(
    url, pages, article, forms, tally: Tally, seconds: float, victim: AppServers
) -> str:
    parts = urlsplit(url)
    host, port = parts.hostname, parts.port
    deadline = time.monotonic() + seconds
    readers = iter(range(READER_OFFSET, READER_OFFSET + 10_000_000))
    form_queue = iter(forms)
    read_paths = ["/", article, *(f"/comments/{page}/" for page in pages[:5])]

    async def reads(n: int):
        async with Connection(host, port) as connection:
            i = n
            while time.monotonic() < deadline:
                i += 1
                path = read_paths[i % len(read_paths)]
                status = await connection.send("GET", f"{path}?utm_source=scale{i}")
                tally.count("GET", status)

    async def beacons():
        async with Connection(host, port) as connection:
            while time.monotonic() < deadline:
                n = next(readers)
                page = pages[n % len(pages)]
                headers = {
                    "Origin": f"http://{host}:{port}",
                    "Sec-Fetch-Site": "same-origin",
                    "X-Forwarded-For": reader_ip(n),
                    "Content-Type": "application/x-www-form-urlencoded",
                }
                ok = await post_until_answered(
                    connection, f"/views/{page}/", headers, b"r=", 204, "beacon", tally
                )
                tally.beacons_sent += ok
                tally.beacons_failed += not ok

    async def comment_posts():
        async with Connection(host, port) as connection:
            while time.monotonic() < deadline:
                form = next(form_queue, None)
                if form is None:
                    return  # all prepared comments posted
                page, ip, body = form
                ok = await post_until_answered(
                    connection,
                    f"/comments/{page}/post/",
                    comments.form_headers(ip),
                    body.encode(),
                    200,
                    "comment",
                    tally,
                )
                tally.comments_posted += ok
                tally.comments_failed += not ok

    async def kill_and_restart() -> str:
        await asyncio.sleep(seconds / 3)
        victim.kill()
        killed_at = time.monotonic()
        await asyncio.sleep(RESTART_AFTER_SECONDS)
        await asyncio.to_thread(victim.start)
        return (
            f"killed app server :{victim.port} at {seconds / 3:.0f} s, "
            f"serving again {time.monotonic() - killed_at:.1f} s later"
        )

    tasks = [
        *(reads(n) for n in range(READ_CONNECTIONS)),
        *(beacons() for _ in range(BEACON_CONNECTIONS)),
        *(comment_posts() for _ in range(COMMENT_CONNECTIONS)),
    ]
    results = await asyncio.gather(kill_and_restart(), *tasks)
    return results[0]


async def post_until_answered(
    connection, path, headers, body, expected, kind, tally: Tally
) -> bool:
    """POST until answered `expected`; a 5xx is sent again (the app de-duplicates)."""
    for attempt in range(ATTEMPTS):
        status = await connection.send("POST", path, headers, body)
        tally.count(kind, status)
        if status == expected:
            return True
        if status < 500:
            return False  # refused: a retry would be refused too
        tally.retried += 1
        await asyncio.sleep(0.2 * (attempt + 1))
    return False


def rows(tally: Tally, views: int, stored_comments: int, events: str) -> list[Row]:
    # Only POSTs already sent to the killed process may fail: one per POST
    # connection at most. GETs are retried by nginx and must never fail.
    allowed = BEACON_CONNECTIONS + COMMENT_CONNECTIONS
    get_errors = sum(
        n
        for (kind, status), n in tally.answered.items()
        if kind == "GET" and status >= 500
    )
    refused = tally.other_errors
    errors = Row(
        name="scale: 5xx answers while one app server died",
        value=tally.server_errors,
        unit="answers",
        reference=f"allowed <= {allowed} POSTs in flight, 0 GETs ({get_errors} GETs); "
        + events,
        passed=tally.server_errors <= allowed and get_errors == 0,
    )
    comment_row = Row(
        name="scale: comments stored",
        value=stored_comments,
        unit="comments",
        ratio=stored_comments / max(tally.comments_posted, 1),
        reference=f"posted {tally.comments_posted:,}, {tally.comments_failed} given up",
        passed=stored_comments == tally.comments_posted
        and tally.comments_failed == 0
        and tally.comments_posted > 0,
    )
    view_row = Row(
        name="scale: views counted",
        value=views,
        unit="views",
        ratio=views / tally.beacons_sent if tally.beacons_sent else None,
        reference=f"sent {tally.beacons_sent:,} distinct readers, "
        f"{tally.beacons_failed} given up",
        passed=views == tally.beacons_sent
        and tally.beacons_failed == 0
        and tally.beacons_sent > 0,
    )
    gets = sum(n for (kind, _), n in tally.answered.items() if kind == "GET")
    mix = Row(
        name="scale: requests answered",
        value=sum(tally.answered.values()),
        unit="answers",
        reference=f"{gets:,} reads, {tally.beacons_sent:,} beacons, "
        f"{tally.comments_posted:,} comments, {tally.retried} resent"
        + (f"; refused {refused}" if refused else ""),
        passed=False if refused else None,
    )
    return [errors, comment_row, view_row, mix]
