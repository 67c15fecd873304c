"""Run wrk with a Lua script and read its summary: requests/s, latencies, errors."""

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent / "scripts"

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}
_LATENCY = re.compile(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s|m)\s*$", re.MULTILINE)
_COMPLETED = re.compile(r"(\d+) requests in ([\d.]+)(us|ms|s|m),")
_RATE = re.compile(r"Requests/sec:\s+([\d.]+)")
_SOCKET = re.compile(
    r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)"
)
_NON_2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")


@dataclass
class WrkResult:
    requests: int  # responses wrk read in full
    seconds: float
    rate: float  # requests per second, as wrk computed it
    latency_ms: dict[int, float] = field(default_factory=dict)  # percentile -> ms
    socket_errors: int = 0
    non_2xx: int = 0
    output: str = ""

    @property
    def errors(self) -> int:
        return self.socket_errors + self.non_2xx


def wrk_binary() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise RuntimeError("wrk is not installed: run bin/ensure-bench-tools")
    return path


def run(
    url: str,
    script: str,
    *,
    seconds: float,
    connections: int = 32,
    threads: int = 2,
    env: dict[str, str] | None = None,
    timeout_seconds: float = 5.0,
) -> WrkResult:
    """Run wrk against url with scripts/<script>; env reaches the script's getenv."""
    command = [
        wrk_binary(),
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={seconds:g}s",
        f"--timeout={timeout_seconds:g}s",
        "--latency",
        f"--script={SCRIPTS / script}",
        url,
    ]
    completed = subprocess.run(  # noqa: S603 - our own arguments, no shell
        command,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    )
    return parse(completed.stdout)


def parse(output: str) -> WrkResult:
    """Read wrk's text summary (wrk 4.x with --latency)."""
    completed = _COMPLETED.search(output)
    rate = _RATE.search(output)
    if completed is None or rate is None:
        raise ValueError(f"not a wrk summary:\n{output}")
    result = WrkResult(
        requests=int(completed.group(1)),
        seconds=float(completed.group(2)) * _UNITS[completed.group(3)] / 1000,
        rate=float(rate.group(1)),
        output=output,
    )
    for percentile, value, unit in _LATENCY.findall(output):
        result.latency_ms[int(percentile)] = float(value) * _UNITS[unit]
    if socket := _SOCKET.search(output):
        result.socket_errors = sum(int(n) for n in socket.groups())
    if non_2xx := _NON_2XX.search(output):
        result.non_2xx = int(non_2xx.group(1))
    return result
