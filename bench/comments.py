"""Comment posts through the real form endpoint, and counting what was stored.

A comment form needs a signed form token at least a few seconds old, and each
reader address and email may post only a few comments a minute; the same text
twice is refused as a duplicate. So the bench prepares distinct comments ahead:
`manage.py shell` in the site's own environment issues each one's token with
the app's `issue_form_token` (dated ten seconds back, as if the reader had been
typing), and an asyncio client (bench/client.py) posts them from distinct
simulated readers over keep-alive connections, waiting for every answer so
that the count stored can be compared with the count posted exactly.
"""

import asyncio
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .client import Connection
from .plan import Plan
from .report import Row
from .sites import Site

PREPARE = """
import time
from urllib.parse import urlencode
from masthead.comments.tokens import issue_form_token

pages = {pages!r}
with open({path!r}, "w") as out:
    for n in range({count}):
        page = pages[n % len(pages)]
        ip = f"{ip_base}.{{(n >> 16) & 255}}.{{(n >> 8) & 255}}.{{n & 255}}"
        body = urlencode({{
            "token": issue_form_token(page, None, now=time.time() - 10),
            "name": f"Bench reader {{n}}",
            "email": f"bench-{ip_base}-{{n}}@example.org",
            "body": f"Comment {{n}} of run {ip_base}: a reader agrees, mostly.",
        }})
        out.write(f"{{page}}\\t{{ip}}\\t{{body}}\\n")
"""


@dataclass
class CommentRun:
    answered: Counter  # status -> count
    latencies_ms: list[float]
    seconds: float
    stored: int  # comments the database gained
    prepared: int

    @property
    def posted(self) -> int:
        return self.answered[200]

    @property
    def rate(self) -> float:
        return self.posted / self.seconds if self.seconds else 0.0

    @property
    def errors(self) -> int:
        return sum(self.answered.values()) - self.posted

    def percentile(self, p: int) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, len(ordered) * p // 100)] if ordered else 0


def prepare(site: Site, pages: list[int], count: int, ip_base: int) -> Path:
    """A file of distinct comment forms: page id, reader address, form body."""
    path = site.workdir / f"comments-{ip_base}.tsv"
    site.manage(
        "shell",
        "--no-imports",
        "-c",
        PREPARE.format(pages=pages, path=str(path), count=count, ip_base=ip_base),
    )
    return path


def read_forms(path: Path) -> list[tuple[str, str, str]]:
    return [tuple(line.split("\t")) for line in path.read_text().splitlines()]


def form_headers(ip: str) -> dict[str, str]:
    # What the page's script sends: it asks for JSON.
    return {
        "Accept": "application/json",
        "X-Forwarded-For": ip,
        "Content-Type": "application/x-www-form-urlencoded",
    }


def stored_comments(site: Site) -> int:
    return site.count("SELECT COUNT(*) FROM comments_comment")[0]


def post(
    site: Site, url: str, pages: list[int], plan: Plan, *, seconds: float, ip_base: int
) -> CommentRun:
    """Post distinct comments to url for `seconds` over plan.connections
    keep-alive connections, wait for every answer, count what was stored."""
    forms = read_forms(prepare(site, pages, plan.comment_pool, ip_base))
    before = stored_comments(site)
    answered, latencies, elapsed = asyncio.run(
        _post_for(url, forms, seconds, plan.connections)
    )
    return CommentRun(
        answered=answered,
        latencies_ms=latencies,
        seconds=elapsed,
        stored=stored_comments(site) - before,
        prepared=len(forms),
    )


async def _post_for(url: str, forms, seconds: float, connections: int):
    parts = urlsplit(url)
    queue = iter(forms)
    answered: Counter = Counter()
    latencies: list[float] = []
    started = time.monotonic()
    deadline = started + seconds

    async def connection_loop():
        async with Connection(parts.hostname, parts.port) as connection:
            while time.monotonic() < deadline:
                form = next(queue, None)
                if form is None:
                    return
                page, ip, body = form
                sent = time.monotonic()
                status = await connection.send(
                    "POST", f"/comments/{page}/post/", form_headers(ip), body.encode()
                )
                latencies.append((time.monotonic() - sent) * 1000)
                answered[status] += 1

    await asyncio.gather(*(connection_loop() for _ in range(connections)))
    return answered, latencies, time.monotonic() - started


def rows(site: Site, run: CommentRun, server: str) -> list[Row]:
    rate = Row(
        name=f"comment posts/s, {site.label}",
        value=run.rate,
        unit="req/s",
        reference=f"p99 {run.percentile(99):.0f} ms ({server})",
        passed=False if run.errors else None,
    )
    if run.errors:
        statuses = {k: v for k, v in run.answered.items() if k != 200}
        rate.reference += f"; not stored: {statuses}"
    # Every post was answered before counting: stored must be exactly posted.
    exact = Row(
        name=f"comments stored after posting, {site.label}",
        value=run.stored,
        unit="comments",
        ratio=run.stored / run.posted if run.posted else None,
        reference=f"posted {run.posted:,} (answered 200)",
        passed=run.posted > 0 and run.stored == run.posted,
    )
    if sum(run.answered.values()) >= run.prepared:
        exact.reference += f"; all {run.prepared:,} prepared were sent"
    return [rate, exact]
