"""View beacons: sustained rate with two app processes, and counting exactly.

For each mode (embedded SQLite, Redis + PostgreSQL): a fresh site, two app
processes, a warm-up, a sustained wrk run from ever-new readers, a check that
what was stored matches what wrk saw answered, then a bounded flood of N
distinct readers after which the stored total must be N exactly.
"""

import time

from . import flood, wrk
from .plan import Plan
from .report import Row, against_target, error_row
from .servers import AppServers
from .sites import Site, shared

TARGET_PER_SECOND = 2_000
SCRIPT = "beacon.lua"
# First octets of wrk's simulated readers, two per run (one per wrk thread), so
# no run repeats a reader of another; the flood uses 172.16.0.0/12.
WARMUP_IP_BASE = 10
SUSTAINED_IP_BASE = 20
SETTLE_SECONDS = 15.0
QUIET_SECONDS = 2.0  # longer than the embedded buffer's 1 s flush interval


def run(plan: Plan) -> list[Row]:
    rows = []
    for kind in ("sqlite", "postgres"):
        try:
            site = shared(plan.workdir, kind, plan.articles)
            rows += measure(site, plan)
        except Exception as error:
            rows.append(error_row(f"beacons ({kind})", error))
    return rows


def measure(site: Site, plan: Plan) -> list[Row]:
    """Beacons on a prepared site; its stored views are counted as differences."""
    pages = site.article_ids()
    if not pages:
        raise RuntimeError("the demo content has no live article")
    script_env = {"BENCH_PAGES": ",".join(map(str, pages))}
    with AppServers(site) as servers:

        def beacons_for(seconds: float, ip_base: int):
            return wrk.run(
                servers.url,
                SCRIPT,
                seconds=seconds,
                connections=plan.connections,
                threads=plan.wrk_threads,
                env={**script_env, "BENCH_IP_BASE": str(ip_base)},
            )

        beacons_for(plan.warmup_seconds, WARMUP_IP_BASE)
        before = settled_total(site)
        cpu_before = servers.cpu_seconds()
        load = beacons_for(plan.sustained_seconds, SUSTAINED_IP_BASE)
        # Includes the buffered views' writes that land while settling.
        after = settled_total(site)
        cpu = servers.cpu_seconds() - cpu_before
        cpu_by_process = servers.cpu_by_process()
        result = flood.flood(
            servers.url, pages, plan.flood_count, connections=plan.connections
        )
        shares = servers.worker_shares(cpu_by_process)
        flooded = total_reaching(site, after[0] + result.sent)
        server = servers.description
    # Every count reaches both the per-article total and an hourly row.
    hourly_matches = (flooded[1] - before[1]) == (flooded[0] - before[0])
    return [
        rate_row(site, load, server),
        latency_row(site, load, plan),
        cpu_row(site, cpu, load),
        sustained_count_row(site, load, after[0] - before[0], plan),
        exactness_row(
            site, result, flooded[0] - after[0], hourly_matches, shares, plan
        ),
    ]


def rate_row(site: Site, load: wrk.WrkResult, server: str) -> Row:
    row = against_target(
        f"beacons/s, 2 processes, {site.label}",
        load.rate,
        "req/s",
        TARGET_PER_SECOND,
    )
    row.reference += f" ({server})"
    if load.errors:
        row.passed = False
        row.reference += f"; {load.errors} wrk errors"
    return row


def latency_row(site: Site, load: wrk.WrkResult, plan: Plan) -> Row:
    p50 = load.latency_ms.get(50, 0.0)
    return Row(
        name=f"beacon latency p99, {site.label}",
        value=load.latency_ms.get(99),
        unit="ms",
        reference=f"p50 {p50:.1f} ms, {plan.connections} connections",
    )


def cpu_row(site: Site, cpu_seconds: float, load: wrk.WrkResult) -> Row:
    # CPU time per beacon hardly depends on what else the machine runs, unlike
    # the rate: the row to compare when the machine was busy.
    return Row(
        name=f"app CPU per beacon, {site.label}",
        value=cpu_seconds / load.requests * 1e6 if load.requests else None,
        unit="us",
        reference="gunicorn master + workers, user + system",
    )


def sustained_count_row(
    site: Site, load: wrk.WrkResult, stored: int, plan: Plan
) -> Row:
    # wrk counts answers it read; requests still in flight when it stopped may
    # have been counted by the app too, at most one per connection.
    low, high = load.requests, load.requests + plan.connections
    return Row(
        name=f"stored after wrk run, {site.label}",
        value=stored,
        unit="views",
        ratio=stored / low if low else None,
        reference=f"wrk answered {low:,} (+<={plan.connections} in flight)",
        passed=low <= stored <= high,
    )


def exactness_row(
    site: Site,
    result: flood.FloodResult,
    stored: int,
    hourly_matches: bool,
    shares: list[float],
    plan: Plan,
) -> Row:
    count = plan.flood_count
    # Both processes must have taken part: each worker's share of the flood's CPU.
    both_worked = len(shares) == 2 and min(shares) >= 0.1
    passed = (result.sent == count and result.failed == 0 and stored == count) and (
        hourly_matches and both_worked
    )
    split = "/".join(f"{share:.0%}" for share in shares)
    notes = (
        f"sent {result.sent:,} of {count:,} at {result.rate:,.0f}/s, workers {split}"
    )
    if result.failed:
        notes += f", {result.failed} failed"
    if not hourly_matches:
        notes += ", hourly sums differ"
    if not both_worked:
        notes += ", not spread over both workers"
    return Row(
        name=f"stored after flood of {count:,}, {site.label}",
        value=stored,
        unit="views",
        ratio=stored / count,
        reference=notes,
        passed=passed,
    )


def settled_total(site: Site) -> tuple[int, int]:
    """Stored (total, hourly sum) once buffers are written and Redis is moved."""
    deadline = time.monotonic() + SETTLE_SECONDS
    site.flush_views()
    last = site.stored_views()
    quiet_since = time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.5)
        site.flush_views()
        now = site.stored_views()
        if now != last:
            last, quiet_since = now, time.monotonic()
        elif time.monotonic() - quiet_since >= QUIET_SECONDS:
            break
    return last


def total_reaching(site: Site, expected: int) -> tuple[int, int]:
    """Stored (total, hourly sum) once the total reaches `expected` and stays."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        site.flush_views()
        total = site.stored_views()[0]
        if total >= expected or time.monotonic() >= deadline:
            break
        time.sleep(0.25)
    # One more flush interval: an overshoot (a view counted twice) shows here.
    time.sleep(QUIET_SECONDS)
    site.flush_views()
    return site.stored_views()
