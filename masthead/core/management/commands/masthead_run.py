import os
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Serve the site with its task worker and scheduler in one terminal; "
        "Ctrl-C stops all three."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))

    def handle(self, *args, host, port, **options):
        manage = [sys.executable, "manage.py"]
        commands = {
            "web": [*manage, "runserver", f"{host}:{port}"],
            "worker": [*manage, "db_worker", "--no-reload", "--interval", "1"],
            "scheduler": [*manage, "masthead_scheduler"],
        }
        processes = {name: subprocess.Popen(cmd) for name, cmd in commands.items()}  # noqa: S603
        self.stdout.write(
            self.style.SUCCESS(
                f"Masthead is running at http://{host}:{port}/ (Ctrl-C stops it)"
            )
        )
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
                process.send_signal(signal.SIGINT)
        deadline = time.monotonic() + 10
        for process in processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
