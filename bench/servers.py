"""Two Masthead app processes behind one port: gunicorn with two workers.

The worker class is sync: on this 2-core machine it gave the most beacons per
second, the least app CPU per beacon (about 650 us against 700-900 us for
gthread with 4-16 threads and keep-alive) and a p99 latency half of gthread's;
the reconnect per request costs wrk more, not the app. BENCH_WORKER_CLASS and
BENCH_THREADS override it to compare.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from .sites import ROOT, Site

WORKERS = 2
WORKER_CLASS = os.environ.get("BENCH_WORKER_CLASS", "sync")
THREADS = int(os.environ.get("BENCH_THREADS", "1"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Started:
    """`with Server(...) as server:` starts it and stops it, whatever happens."""

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


class AppServers(Started):
    """`with AppServers(site) as servers:` serves at servers.url in the block."""

    def __init__(
        self,
        site: Site,
        *,
        workers: int = WORKERS,
        wsgi: str = "masthead.wsgi",
        env: dict[str, str] | None = None,
        port: int | None = None,
    ):
        self.site = site
        self.workers = workers
        self.wsgi = wsgi  # the do-nothing reference runs bench.nothing.wsgi
        self.env = {**site.env, **(env or {})}
        self.port = port or free_port()  # a restart keeps its port
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = site.workdir / f"gunicorn-{self.port}.log"
        self.process: subprocess.Popen | None = None
        self._last_health = "no answer"

    @property
    def description(self) -> str:
        threads = f", {THREADS} threads" if WORKER_CLASS == "gthread" else ""
        return f"gunicorn {self.workers} x {WORKER_CLASS}{threads}"

    def start(self, timeout: float = 60) -> None:
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            f"--workers={self.workers}",
            f"--worker-class={WORKER_CLASS}",
            f"--threads={THREADS}",
            f"--bind=127.0.0.1:{self.port}",
            "--no-control-socket",
            "--graceful-timeout=10",
            self.wsgi,
        ]
        log = Path(self.log_path).open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - our own arguments, no shell
            command,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # so stop() can reach the workers too
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log_path}")
            if self._healthy():
                return
            time.sleep(0.2)
        raise RuntimeError(
            f"gunicorn not ready in {timeout:g}s (/healthz: {self._last_health}); "
            f"see {self.log_path}"
        )

    def kill(self) -> None:
        """kill -9 the master and its workers: a crash, nothing written on the way."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)  # the session we started
            self.process.wait(timeout=5)

    def stop(self) -> None:
        """Graceful stop (workers write their buffered views), then force."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # the session we started
            self.process.wait(timeout=5)

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the master and its workers have used so far."""
        return sum(self.cpu_by_process().values())

    def cpu_by_process(self) -> dict[int, float]:
        """CPU seconds so far of the master and of each worker, by process id."""
        if self.process is None:
            return {}
        found, ticks = {}, os.sysconf("SC_CLK_TCK")
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue  # a process that ended while we looked
            pid, ppid = int(stat.parent.name), int(fields[1])
            if self.process.pid in (pid, ppid):
                found[pid] = (int(fields[11]) + int(fields[12])) / ticks
        return found

    def worker_shares(self, since: dict[int, float]) -> list[float]:
        """Each worker's part of the CPU the workers used after `since`."""
        now = self.cpu_by_process()
        used = [
            now[pid] - since.get(pid, 0.0) for pid in now if pid != self.process.pid
        ]
        total = sum(used)
        return sorted((u / total for u in used), reverse=True) if total else []

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:  # noqa: S310 - our loopback URL
                return response.status == 200
        except OSError as error:  # HTTPError (a 503: no database) is one too
            self._last_health = str(error)
            return False
