"""Pages: article and home, cached and uncached, against two references.

References, measured in each mode next to the rows divided by them:
- nginx serving the article's HTML as a static file: the bytes the app
  answered, stored next to it gzipped, gzip_static on, fetched with the same
  Accept-Encoding: gzip as every page row;
- a do-nothing Django view (bench/nothing: startproject's apps and middleware)
  under the same gunicorn command and worker settings as the app.

For each mode (embedded SQLite; PostgreSQL + Redis), on the run's shared site
(sites.shared), page rows first:
- "Python alone, cached": gunicorn directly, the Django page cache on;
- "nginx cached": deploy/nginx.conf in front of the same processes, answered
  from nginx's cache (checked with X-Cache-Status, with ever-new tracking
  parameters that must not split the cache);
- "uncached": gunicorn directly with MASTHEAD_PAGE_CACHE=false, so every
  request renders (nginx would only add its own cost to that);
- comment posts through the form endpoint, and the count stored (last, so
  the pages measured carry no bench comments).
"""

import gzip
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from . import comments, proxy, wrk
from .plan import Plan
from .report import Row, error_row
from .servers import AppServers
from .sites import BROWSER_UA, Site, shared, static_root

CACHED_VS_STATIC = 0.7  # nginx cached article / nginx static file
CACHED_P99_MS = 20.0
PYTHON_CACHED_VS_NOTHING = 0.8  # Django page cache / do-nothing view
UNCACHED_VS_NOTHING = 0.04  # a full render / do-nothing view
PG_VS_SQLITE = 0.8  # uncached article on PostgreSQL / on SQLite
SCRIPT = "get.lua"
TRACKING = "utm_source=bench&utm_medium=social&fbclid="
COMMENT_IP_BASE = {"SQLite": 30, "Redis+PostgreSQL": 31}


@dataclass
class Reference:
    name: str
    rate: float


def run(plan: Plan) -> list[Row]:
    rows: list[Row] = []
    (plan.workdir / "pages").mkdir(parents=True, exist_ok=True)
    uncached_sqlite = None
    for kind in ("sqlite", "postgres"):
        try:
            site = shared(plan.workdir, kind, plan.articles)
            measured = measure_site(site, plan)
        except Exception as error:
            rows.append(error_row(f"pages ({kind})", error))
            continue
        rows += measured.rows
        if site.is_sqlite:
            uncached_sqlite = measured.uncached_article
        elif uncached_sqlite and measured.uncached_article:
            rows.append(pg_vs_sqlite_row(measured.uncached_article, uncached_sqlite))
    return rows


def nothing_server(site: Site) -> AppServers:
    """The do-nothing project under the same gunicorn command and workers."""
    env = {"DJANGO_SETTINGS_MODULE": "bench.nothing.settings"}
    return AppServers(site, wsgi="bench.nothing.wsgi", env=env)


def load(url: str, plan: Plan, **env: str) -> wrk.WrkResult:
    """A warm-up, then the measured run, both GETs with Accept-Encoding: gzip."""
    wrk.run(url, SCRIPT, seconds=plan.page_warmup_seconds, env=env)
    return wrk.run(
        url,
        SCRIPT,
        seconds=plan.page_seconds,
        connections=plan.connections,
        threads=plan.wrk_threads,
        env=env,
    )


@contextmanager
def started(*servers: AppServers):
    """Start app servers side by side (each takes seconds); stop them after."""
    try:
        with ThreadPoolExecutor() as starting:
            list(starting.map(lambda server: server.start(), servers))
        yield servers
    finally:
        for server in servers:
            server.stop()


@dataclass
class SiteMeasurement:
    rows: list[Row]
    uncached_article: wrk.WrkResult | None


def measure_site(site: Site, plan: Plan) -> SiteMeasurement:
    """Each mode measures its own references, next to the rows divided by
    them: on a shared machine the load moves between the two modes."""
    page_ids, article = site_pages(site)
    label = site.label
    rows: list[Row] = []
    uncached_env = {"MASTHEAD_PAGE_CACHE": "false"}
    with started(
        nothing_server(site), AppServers(site), AppServers(site, env=uncached_env)
    ) as (nothing_servers, servers, uncached_servers):
        server = servers.description
        result = load(nothing_servers.url + "/", plan)
        nothing_servers.stop()
        rows.append(reference_row(f"do-nothing Django view, {label}", result, server))
        nothing = Reference("do-nothing view", result.rate)
        body = fetch(servers.url + article)
        workdir = plan.workdir / "pages" / kind_of(site)
        result = measure_static(workdir, body.raw, plan)
        rows.append(
            reference_row(
                f"nginx static article, {label}",
                result,
                f"gzip_static, {len(body.raw):,} bytes gzipped",
            )
        )
        static_ref = Reference("nginx static", result.rate)
        for page, path in (("article", article), ("home", "/")):
            result = load(servers.url + path, plan)
            # The page cache says what it did; a page it did not answer was
            # measured rendering, not cached.
            outcome = fetch(servers.url + path).headers.get("X-Page-Cache", "-")
            row = ratio_row(
                f"{page} cached, Python alone, {label}",
                result,
                nothing,
                PYTHON_CACHED_VS_NOTHING if page == "article" else None,
                f"{server}, X-Page-Cache {outcome}",
            )
            if outcome not in {"hit", "-"}:
                row.passed = False
            rows.append(row)
        with proxy.app_proxy(
            workdir / "nginx",
            [f"127.0.0.1:{servers.port}"],
            static_root(),
        ) as nginx:
            for page, path in (("article", article), ("home", "/")):
                result = load(nginx.url + path, plan, BENCH_QUERY=TRACKING)
                status = cache_status(nginx.url + path + "?" + TRACKING + "probe")
                row = ratio_row(
                    f"{page} cached, behind nginx, {label}",
                    result,
                    static_ref,
                    CACHED_VS_STATIC if page == "article" else None,
                    f"X-Cache-Status {status}",
                )
                if status != "HIT":
                    row.passed = False
                rows.append(row)
                if page == "article":
                    rows.append(
                        latency_row(f"{page} cached p99, nginx, {label}", result)
                    )
        servers.stop()  # done with the cached rows
        servers = uncached_servers
        uncached_article = None
        for page, path in (("article", article), ("home", "/")):
            result = load(servers.url + path, plan)
            rows.append(
                ratio_row(
                    f"{page} uncached, {label}",
                    result,
                    nothing,
                    UNCACHED_VS_NOTHING if page == "article" else None,
                    f"{server}, MASTHEAD_PAGE_CACHE=false",
                )
            )
            if page == "article":
                uncached_article = result
        # Last: the comments would otherwise be part of the pages measured.
        run = comments.post(
            site,
            servers.url,
            page_ids,
            plan,
            seconds=plan.page_seconds,
            ip_base=COMMENT_IP_BASE[label],
        )
        rows += comments.rows(site, run, server)
    return SiteMeasurement(rows, uncached_article)


def kind_of(site: Site) -> str:
    return "sqlite" if site.is_sqlite else "postgres"


@dataclass
class Fetched:
    raw: bytes  # as sent: gzipped when the app gzips
    encoding: str
    headers: dict


def fetch(url: str, **headers: str) -> Fetched:
    request = urllib.request.Request(  # noqa: S310 - our loopback URL
        url, headers={"Accept-Encoding": "gzip", "User-Agent": BROWSER_UA, **headers}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return Fetched(
            raw=response.read(),
            encoding=response.headers.get("Content-Encoding", ""),
            headers=dict(response.headers),
        )


def cache_status(url: str) -> str:
    try:
        return fetch(url).headers.get("X-Cache-Status", "none")
    except urllib.error.URLError as error:
        return f"error {error}"


def site_pages(site: Site) -> tuple[list[int], str]:
    """The live articles' ids, and the path of the first one."""
    output = site.manage(
        "shell",
        "--no-imports",
        "-c",
        "from masthead.news.models import ArticlePage\n"
        "pages = ArticlePage.objects.live().order_by('pk')\n"
        "print('ids', *pages.values_list('pk', flat=True))\n"
        "print('url', pages.first().get_url())",
    )
    ids = output.split("ids", 1)[1].split("url")[0].split()
    url = output.split("url ")[-1].strip()
    if not ids:
        raise RuntimeError("the demo content has no live article")
    return [int(n) for n in ids], urlsplit(url).path


def measure_static(workdir: Path, raw: bytes, plan: Plan) -> wrk.WrkResult:
    """The article as nginx serves a file: index.html and its .gz twin."""
    root = workdir / "static-article"
    root.mkdir(parents=True, exist_ok=True)
    try:
        html = gzip.decompress(raw)
        gzipped = raw
    except gzip.BadGzipFile:  # the app answered uncompressed
        html, gzipped = raw, gzip.compress(raw, compresslevel=6)
    (root / "index.html").write_bytes(html)
    (root / "index.html.gz").write_bytes(gzipped)
    with proxy.static_server(workdir / "nginx-static", root) as nginx:
        if fetch(nginx.url + "/").encoding != "gzip":
            raise RuntimeError("nginx did not serve the .gz twin")
        return load(nginx.url + "/", plan)


def errors_note(result: wrk.WrkResult) -> str:
    return f"; {result.errors} errors" if result.errors else ""


def reference_row(name: str, result: wrk.WrkResult, note: str) -> Row:
    return Row(
        name=name,
        value=result.rate,
        unit="req/s",
        reference=f"{note}, p99 {result.latency_ms.get(99, 0):.1f} ms"
        + errors_note(result),
        passed=False if result.errors else None,
    )


def ratio_row(
    name: str,
    result: wrk.WrkResult,
    reference: Reference | None,
    target: float | None,
    note: str,
) -> Row:
    """Requests/s as a ratio of a reference, passed when it meets the target."""
    ratio = result.rate / reference.rate if reference and reference.rate else None
    text = f"{reference.name}" if reference else "no reference"
    if target is not None:
        text = f">= {target:g}x {text}"
    row = Row(
        name=name,
        value=result.rate,
        unit="req/s",
        ratio=ratio,
        reference=f"{text} ({note})" + errors_note(result),
        passed=None if target is None else (ratio is not None and ratio >= target),
    )
    if result.errors:
        row.passed = False
    return row


def latency_row(name: str, result: wrk.WrkResult) -> Row:
    p99 = result.latency_ms.get(99)
    return Row(
        name=name,
        value=p99,
        unit="ms",
        ratio=p99 / CACHED_P99_MS if p99 is not None else None,
        reference=f"<= {CACHED_P99_MS:g} ms at 32 connections",
        passed=p99 is not None and p99 <= CACHED_P99_MS,
    )


def pg_vs_sqlite_row(postgres: wrk.WrkResult, sqlite: wrk.WrkResult) -> Row:
    ratio = postgres.rate / sqlite.rate if sqlite.rate else None
    return Row(
        name="article uncached, PostgreSQL vs SQLite",
        value=postgres.rate,
        unit="req/s",
        ratio=ratio,
        reference=f">= {PG_VS_SQLITE:g}x SQLite ({sqlite.rate:,.0f}/s)",
        passed=ratio is not None and ratio >= PG_VS_SQLITE,
    )
