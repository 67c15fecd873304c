import os
import signal
import subprocess  # nosec B404 # our own fixed commands, never a shell
import sys
import time

from django.conf import settings
from django.core.management import call_command

from masthead.core.upgrade import serving_pid_file

from .masthead_run import Command as RunCommand


def default_workers() -> int:
    """Two sync workers per core: a worker waiting on the database or Redis
    leaves its core to the other. WEB_CONCURRENCY overrides it (gunicorn's and
    Heroku's name for it)."""
    return int(os.environ.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1))


def gunicorn_command(host: str, port: str, workers: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        f"--bind={host}:{port}",
        f"--workers={workers}",
        "--worker-class=sync",
        # A worker that leaks is replaced now and then; the jitter keeps them
        # from restarting all at once.
        "--max-requests=20000",
        "--max-requests-jitter=2000",
        "--graceful-timeout=20",
        "--no-control-socket",
        "masthead.wsgi",
    ]


class Command(RunCommand):
    help = (
        "Serve in production: collectstatic, gunicorn with N workers "
        "(WEB_CONCURRENCY), the task worker and the scheduler; SIGTERM or "
        "Ctrl-C stops all three, SIGHUP (masthead_upgrade) reloads them."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--workers", type=int, default=default_workers())
        parser.add_argument(
            "--web-only",
            action="store_true",
            help="no task worker and scheduler: for the second and later app "
            "servers of a site, which share the first one's.",
        )
        parser.add_argument("--skip-collectstatic", action="store_true")

    def handle(self, *args, host, port, workers, web_only, skip_collectstatic, **_):
        if settings.DEBUG:
            self.stderr.write(
                "DEBUG is on: masthead_serve is for production settings "
                "(DJANGO_SETTINGS_MODULE=masthead.settings.production)."
            )
        if not skip_collectstatic:
            # Hashed names and their .gz/.br twins must exist before the first
            # page links to them.
            call_command("collectstatic", interactive=False, verbosity=0)
        commands = {"web": gunicorn_command(host, port, workers)}
        if not web_only:
            manage = [sys.executable, "manage.py"]
            commands["worker"] = [*manage, "db_worker", "--no-reload"]
            commands["scheduler"] = [*manage, "masthead_scheduler"]
        # As in masthead_run: a service manager's SIGTERM, or Ctrl-C, stops all.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        self._reload_requested = False
        signal.signal(signal.SIGHUP, self._request_reload)
        # Each process writes to our stdout and stderr: the service manager's log.
        processes = {name: _start(command) for name, command in commands.items()}
        self.stdout.write(
            f"Masthead is serving at http://{host}:{port}/ with {workers} gunicorn "
            f"workers{'' if web_only else ', the task worker and the scheduler'}."
        )
        self.stdout.flush()
        with serving_pid_file():
            self._supervise(processes, commands)

    def _request_reload(self, signum, frame) -> None:
        # Only a flag: the supervising loop restarts processes between checks.
        self._reload_requested = True

    def _supervise(self, processes, commands) -> None:
        try:
            while True:
                if self._reload_requested:
                    self._reload_requested = False
                    self._reload(processes, commands)
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

    def _reload(self, processes, commands) -> None:
        """New code in every process: gunicorn replaces its workers gracefully
        (requests in flight finish), the worker and scheduler are restarted
        (a task cut short runs again: every task is idempotent)."""
        processes["web"].send_signal(signal.SIGHUP)
        for name in ("worker", "scheduler"):
            if name in processes:
                self._stop({name: processes[name]})
                processes[name] = _start(commands[name])
        self.stdout.write("Reloaded: new gunicorn workers, task worker and scheduler.")
        self.stdout.flush()


def _start(command: list[str]) -> subprocess.Popen:
    return subprocess.Popen(command)  # noqa: S603  # nosec B603 # our own argv
