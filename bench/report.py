"""Rows of the benchmark table and how they are printed and saved."""

import json
import math
import sys
import traceback
from dataclasses import asdict, dataclass
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass
class Row:
    """One measurement: value against a reference, and whether it met its target.

    ratio is value / reference value (a target, or a measured reference such
    as a do-nothing view); passed is None for rows that only inform.
    """

    name: str
    value: float | None  # None when the measurement could not be made
    unit: str
    ratio: float | None = None
    reference: str = ""
    passed: bool | None = None


def against_target(
    name: str, value: float, unit: str, target: float, *, higher_is_better=True
) -> Row:
    met = value >= target if higher_is_better else value <= target
    return Row(
        name=name,
        value=value,
        unit=unit,
        ratio=value / target if target else None,
        reference=f"target {target:g}{'/s' if unit.endswith('/s') else ' ' + unit}",
        passed=met,
    )


def error_row(name: str, error: Exception) -> Row:
    """A failed row standing for a scenario that broke; the traceback is printed."""
    traceback.print_exc()
    return Row(
        name=name, value=None, unit="", reference=f"error: {error}"[:120], passed=False
    )


def _number(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "-"
    if float(value).is_integer() and abs(value) >= 100:
        return f"{int(value):,}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.2f}"


def table(rows: list[Row]) -> str:
    headers = ["name", "value", "unit", "ratio", "reference", "result"]
    cells = [
        [
            row.name,
            _number(row.value),
            row.unit,
            "-" if row.ratio is None else f"{row.ratio:.2f}",
            row.reference,
            {True: "pass", False: "FAIL", None: ""}[row.passed],
        ]
        for row in rows
    ]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers)]
    right = {1, 3}  # numbers line up on the right

    def line(values):
        return "  ".join(
            v.rjust(w) if i in right else v.ljust(w)
            for i, (v, w) in enumerate(zip(values, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(c) for c in cells)])


def save(rows: list[Row], path: Path | None = None) -> Path:
    path = path or RESULTS / "latest.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([asdict(row) for row in rows], indent=2) + "\n")
    return path


def out(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def run_alone(run, results_name: str, *, clean_up=None) -> int:
    """`python -m bench.<scenario>`: one scenario's table, saved as results_name.

    Returns the exit status: 1 when a row with a target failed (logs are kept).
    """
    import shutil
    import tempfile
    import time

    from .plan import Plan, quick_requested

    workdir = Path(tempfile.mkdtemp(prefix=f"masthead-bench-{results_name}-"))
    started = time.monotonic()
    try:
        rows = run(Plan(quick=quick_requested(), workdir=workdir))
    finally:
        if clean_up is not None:
            clean_up()
    out()
    out(table(rows))
    path = save(
        rows, Path(__file__).resolve().parent / "results" / f"{results_name}.json"
    )
    failed = [row for row in rows if row.passed is False]
    out(f"{len(rows)} rows in {time.monotonic() - started:.0f} s; saved {path}")
    if failed:
        out(f"Logs kept in {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if failed else 0
