"""`python -m bench`: run every scenario, print one table, save latest.json.

Exits 1 when a row with a target fails. BENCH_QUICK=1 runs a smaller version;
BENCH_ONLY=pages,scale runs only the scenarios of those modules.
"""

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from . import beacons, newsletter, pages, proxy, scale, search, writers, wrk
from .plan import Plan, quick_requested
from .report import out, save, table
from .sites import prepare_shared, tear_down_shared

SCENARIOS = [
    pages.run,
    beacons.run,
    newsletter.run,
    scale.run,
    search.run,
    writers.run,
]


def selected(scenarios):
    only = {n.strip() for n in os.environ.get("BENCH_ONLY", "").split(",") if n}
    if not only:
        return scenarios
    return [s for s in scenarios if s.__module__.rsplit(".", 1)[-1] in only]


def main() -> int:
    quick = quick_requested()
    wrk.wrk_binary()  # fail before building any site when a tool is missing
    proxy.nginx_binary()
    workdir = Path(tempfile.mkdtemp(prefix="masthead-bench-"))
    plan = Plan(quick=quick, workdir=workdir)
    load = ", ".join(f"{n:.2f}" for n in os.getloadavg())
    out(
        f"Masthead bench ({'quick' if quick else 'full'}), "
        f"{os.cpu_count()} cores, load average at start {load}"
    )
    started = time.monotonic()
    rows = []
    try:
        prepare_shared(workdir, plan.articles)
        for scenario in selected(SCENARIOS):
            began = time.monotonic()
            rows += scenario(plan)
            name = scenario.__module__.rsplit(".", 1)[-1]
            out(f"({name}: {time.monotonic() - began:.0f} s)")
    finally:
        tear_down_shared()
    failed = [row for row in rows if row.passed is False]
    out()
    out(table(rows))
    path = save(rows)
    out()
    out(
        f"{len(rows)} rows in {time.monotonic() - started:.0f} s, "
        f"{len(failed)} failed; saved {path}"
    )
    if failed:
        out(f"Server logs kept in {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
