from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from masthead.core.backups import BackupError, restore_backup

from .masthead_backup import size


class Command(BaseCommand):
    help = (
        "Restore an archive written by masthead_backup: checks every file against "
        "its manifest first, refuses a database that has tables (or storages that "
        "hold files) unless --force, and counts the restored rows afterwards."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the .tar.gz written by masthead_backup")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace the database and overwrite files of the same name",
        )

    def handle(self, *args, archive, force, **options):
        try:
            report = restore_backup(Path(archive), force=force)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Restored the {report.vendor} database ({report.tables} tables, "
            f"{report.rows:,} rows, every count as in the manifest) and "
            f"{report.files} files ({size(report.file_bytes)}, every checksum "
            f"verified) from {report.path}"
        )
