import signal

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from masthead.core.scheduler import (
    DEFAULT_LEASE_SECONDS,
    DEFAULT_TICK_SECONDS,
    default_jobs,
    holder_name,
    run_forever,
    run_once,
)


class Command(BaseCommand):
    help = (
        "Enqueue periodic jobs (scheduled publishing, ...) for the task worker. "
        "Several servers may each run one: one holds the lease and enqueues. "
        "--once enqueues what is due and exits, for cron or a systemd timer."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--once",
            action="store_true",
            help="enqueue the jobs that are due, then exit",
        )
        parser.add_argument(
            "--lease-seconds",
            type=int,
            default=DEFAULT_LEASE_SECONDS,
            help="how long another scheduler waits before taking over from one "
            "that stopped renewing",
        )
        parser.add_argument("--tick-seconds", type=float, default=DEFAULT_TICK_SECONDS)

    def handle(self, *args, once, lease_seconds, tick_seconds, **options):
        jobs = default_jobs()
        holder = holder_name()
        if once:
            enqueued = run_once(jobs, holder, timezone.now(), lease_seconds)
            if enqueued is None:
                self.stdout.write(
                    "Another scheduler holds the lease and enqueues the jobs."
                )
            else:
                self.stdout.write(f"Enqueued {len(enqueued)}: {', '.join(enqueued)}")
            return
        if tick_seconds >= lease_seconds:
            raise CommandError(
                "--tick-seconds must be shorter than --lease-seconds, or the "
                "lease lapses between ticks."
            )
        names = ", ".join(
            f"{j.task_path.rsplit('.', 1)[1]} every {j.every_seconds}s" for j in jobs
        )
        self.stdout.write(f"Scheduler {holder} running: {names}")
        self.stdout.flush()
        # A service manager's SIGTERM ends the loop through its `finally`, which
        # hands the lease over at once instead of after it expires.
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        try:
            run_forever(jobs, holder, tick_seconds, lease_seconds)
        except KeyboardInterrupt:
            pass
