from django.core.management import call_command
from django.core.management.base import BaseCommand

from masthead.core.upgrade import migration_lock, reload_servers, site_upgraded


class Command(BaseCommand):
    help = (
        "After installing a new release: migrate once under a lock (every server "
        "may run this at the same time), collect static files, reload the "
        "masthead_serve processes of this machine and purge the page cache."
    )

    def add_arguments(self, parser):
        parser.add_argument("--skip-collectstatic", action="store_true")
        parser.add_argument(
            "--no-reload",
            action="store_true",
            help="leave the app processes alone (a service manager restarts them)",
        )

    def handle(self, *args, skip_collectstatic, no_reload, verbosity, **options):
        def waiting():
            self.stdout.write("Another server is migrating; waiting for it.")
            self.stdout.flush()

        with migration_lock(waiting):
            self.stdout.write("Migration lock taken.")
            call_command(
                "migrate", interactive=False, verbosity=verbosity, stdout=self.stdout
            )
        if not skip_collectstatic:
            call_command("collectstatic", interactive=False, verbosity=0)
            self.stdout.write("Static files collected.")
        if not no_reload:
            pids = reload_servers()
            self.stdout.write(
                f"Reloading masthead_serve {', '.join(map(str, pids))}."
                if pids
                else "No masthead_serve runs here; restart the app processes."
            )
        # After the reload: the new code renders what replaces the purged pages.
        site_upgraded.send(sender=self.__class__)
        self.stdout.write("Page cache purged. Upgrade done.")
