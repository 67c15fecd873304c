import time

from django.core.management.base import BaseCommand, CommandError

from masthead.core.moving import MoveError, MoveReport, move_database


class Command(BaseCommand):
    help = (
        "Copy the site's database into another one (SQLite to PostgreSQL, or back): "
        "migrates the target, copies every table, rebuilds the search index, then "
        "compares every table's rows and every live page's HTML. Refuses a target "
        "that has tables unless --force. Exits non-zero on any difference."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--to",
            required=True,
            metavar="DATABASE_URL",
            help="postgres://user:password@host:port/name or sqlite:////path",
        )
        parser.add_argument(
            "--from",
            dest="source",
            default=None,
            metavar="DATABASE_URL",
            help="the database to copy; by default the site's own",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace every row of a target that already has tables",
        )

    def handle(self, *args, to, source, force, **options):
        started = time.monotonic()
        try:
            report = move_database(
                to,
                source_url=source,
                force=force,
                progress=lambda step: self.stdout.write(
                    f"[{time.monotonic() - started:4.0f} s] {step}"
                ),
            )
        except MoveError as error:
            raise CommandError(str(error)) from None
        self.write_counts(report)
        for url, status in report.not_rendered.items():
            self.stdout.write(f"Note: {url} answered {status}, not a page to compare")
        for difference in report.page_differences:
            self.stdout.write(f"Differs: {difference.url}\n{difference.detail}")
        if not report.ok:
            raise CommandError(
                f"The copy in {report.target} differs from {report.source}: "
                f"{len(report.table_mismatches)} table(s) and "
                f"{len(report.page_differences)} of {report.pages} page(s), "
                "listed above. Keep the site on its old database."
            )
        self.stdout.write(
            f"Moved {report.source} to {report.target} in "
            f"{time.monotonic() - started:.0f} s: every table has the same rows, "
            f"all {report.pages} live pages render the same. Point DATABASE_URL "
            "at the target and restart the site."
        )

    def write_counts(self, report: MoveReport) -> None:
        width = max((len(count.table) for count in report.tables), default=5)
        self.stdout.write(f"{'table':<{width}}  {'source':>9}  {'target':>9}")
        for count in report.tables:
            source = "-" if count.source is None else f"{count.source:,}"
            target = "-" if count.target is None else f"{count.target:,}"
            mark = count.note if count.note else ("" if count.matches else "DIFFERS")
            self.stdout.write(
                f"{count.table:<{width}}  {source:>9}  {target:>9}  {mark}".rstrip()
            )
