import os
import signal
import subprocess  # nosec B404 # our own fixed commands, never a shell
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from masthead.core.services import ensure_local_admin


class Command(BaseCommand):
    help = (
        "Serve the site with its task worker and scheduler in one terminal; "
        "Ctrl-C stops all three."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))

    def handle(self, *args, host, port, **options):
        # Ctrl-C, or a service manager's SIGTERM, stops all three processes. The
        # handlers are set explicitly because a shell that starts us in the
        # background makes us inherit an ignored SIGINT.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        manage = [sys.executable, "manage.py"]
        commands = {
            "web": [*manage, "runserver", f"{host}:{port}"],
            "worker": [*manage, "db_worker", "--no-reload", "--interval", "1"],
            "scheduler": [*manage, "masthead_scheduler"],
        }
        # The worker reports every task it runs; that goes to a file so that the
        # terminal keeps the server's requests and this banner readable.
        worker_log_path = Path(settings.VAR_DIR) / "worker.log"
        with worker_log_path.open("a") as worker_log:
            processes = {
                name: subprocess.Popen(  # noqa: S603  # nosec B603 # argv from sys.executable
                    command,
                    stdout=worker_log if name == "worker" else None,
                    stderr=subprocess.STDOUT if name == "worker" else None,
                )
                for name, command in commands.items()
            }
            self._banner(host, port, worker_log_path)
            self._supervise(processes)

    def _banner(self, host, port, worker_log_path) -> None:
        url = f"http://{host}:{port}/"
        self.stdout.write(self.style.SUCCESS(f"\nMasthead is running at {url}"))
        if settings.DEBUG:
            admin = ensure_local_admin()
            self.stdout.write(
                f"  Admin:      {url}admin/  "
                f"(user {admin.username}, password {admin.password})"
            )
        self.stdout.write(f"  Worker log: {worker_log_path}\n  Ctrl-C stops it.\n")

    def _supervise(self, processes) -> None:
        try:
            while True:
                for name, process in processes.items():
                    if process.poll() is not None:
                        self.stderr.write(
                            f"{name} stopped (exit {process.returncode}); "
                            "stopping the others."
                        )
                        return self._stop(processes)
                time.sleep(0.5)
        except KeyboardInterrupt:
            self.stdout.write("\nStopping...")
            self._stop(processes)

    @staticmethod
    def _stop(processes) -> None:
        for process in processes.values():
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + 10
        for process in processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
