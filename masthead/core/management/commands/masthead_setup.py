from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from masthead.core.services import ensure_local_admin, sync_default_site
from masthead.news.models import ArticlePage


class Command(BaseCommand):
    help = (
        "Prepare an embedded site: demo content when the database has no story, "
        "and a local admin account whose credentials are printed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--articles",
            type=int,
            default=120,
            help="How many demo articles an empty site gets.",
        )
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, articles, seed, **options):
        if not settings.DEBUG:
            self.stdout.write(
                "masthead_setup prepares an embedded site (DEBUG on) and did nothing "
                "here: create accounts with `manage.py createsuperuser`, and load "
                "demo content, if you want it, with `manage.py masthead_demo`."
            )
            return
        site = sync_default_site(settings.SITE_URL)
        self.stdout.write(f"The site answers at {site.root_url}/")
        if not ArticlePage.objects.exists():
            self.stdout.write("The database has no story yet: loading demo content.")
            call_command(
                "masthead_demo", articles=articles, seed=seed, stdout=self.stdout
            )
        admin = ensure_local_admin()
        self.stdout.write(
            self.style.SUCCESS(
                "\n  Admin:    /admin/\n"
                f"  Username: {admin.username}\n"
                f"  Password: {admin.password}\n"
            )
        )
        if settings.MASTHEAD_REQUIRE_2FA:
            self.stdout.write(
                "  The first sign-in sets up an authenticator app (a QR code);\n"
                "  `MASTHEAD_REQUIRE_2FA=false make run` turns that step off here.\n"
            )
