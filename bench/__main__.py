"""`python -m bench`: run every scenario, print one table, save latest.json.

Exits 1 when a row with a target fails. BENCH_QUICK=1 runs a smaller version.
"""

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from . import beacons, newsletter, wrk
from .plan import Plan, quick_requested
from .report import out, save, table

SCENARIOS = [beacons.run, newsletter.run]


def main() -> int:
    quick = quick_requested()
    wrk.wrk_binary()  # fail before building any site when wrk is missing
    workdir = Path(tempfile.mkdtemp(prefix="masthead-bench-"))
    plan = Plan(quick=quick, workdir=workdir)
    load = ", ".join(f"{n:.2f}" for n in os.getloadavg())
    out(
        f"Masthead bench ({'quick' if quick else 'full'}), "
        f"{os.cpu_count()} cores, load average at start {load}"
    )
    started = time.monotonic()
    rows = []
    for scenario in SCENARIOS:
        rows += scenario(plan)
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
