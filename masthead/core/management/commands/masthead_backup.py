from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from masthead.core.backups import BackupError, create_backup


def size(count: int) -> str:
    return f"{count / 1_000_000:.1f} MB" if count >= 100_000 else f"{count:,} bytes"


class Command(BaseCommand):
    help = (
        "Write one archive (.tar.gz) of the database and the media files, safe "
        "while the site runs: var/backups/masthead-<time>.tar.gz unless --output "
        "names a file or folder. Restore it with masthead_restore."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", "-o", default="", help="the archive's path, or a folder"
        )

    def handle(self, *args, output, **options):
        try:
            report = create_backup(Path(output) if output else None)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Backed up the {report.vendor} database ({report.tables} tables, "
            f"{report.rows:,} rows) and {report.files} files "
            f"({size(report.file_bytes)}) to {report.path}"
        )
        for note in report.notes:
            self.stdout.write(f"Note: {note}")
