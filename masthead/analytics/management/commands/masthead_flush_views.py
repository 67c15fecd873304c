from django.core.management.base import BaseCommand

from masthead.analytics.services import flush_counters


class Command(BaseCommand):
    help = (
        "Write pending view counts (Redis, and this process's buffer) to the "
        "database now instead of waiting for the next scheduled flush."
    )

    def handle(self, *args, **options):
        counted = flush_counters()
        self.stdout.write(f"{counted} views written")
