from django.core.management.base import BaseCommand

from masthead.core.scheduler import default_jobs, run_forever


class Command(BaseCommand):
    help = "Enqueue periodic jobs (scheduled publishing, ...) for the task worker."

    def handle(self, *args, **options):
        jobs = default_jobs()
        names = ", ".join(
            f"{j.task_path.rsplit('.', 1)[1]} every {j.every_seconds}s" for j in jobs
        )
        self.stdout.write(f"Scheduler running: {names}")
        try:
            run_forever(jobs)
        except KeyboardInterrupt:
            pass
