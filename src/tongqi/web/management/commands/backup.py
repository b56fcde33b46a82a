"""``tongqi backup [PATH]``: the database and the uploaded files in one verified archive."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tongqi.web.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database and uploaded files to a .tar.gz archive."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="archive path (default: DATA_DIR/backups/…)")

    def handle(self, *args, path=None, **options):
        target = (
            Path(path)
            if path
            else (
                Path(settings.DATA_DIR)
                / "backups"
                / f"tongqi-{timezone.localtime():%Y%m%d-%H%M%S}.tar.gz"
            )
        )
        try:
            result = backup(target)
        except BackupError as exc:
            raise CommandError(str(exc), returncode=2) from None
        rows = sum(result.counts.values())
        self.stdout.write(
            f"backup written: {result.path} ({rows} rows in "
            f"{len(result.counts)} tables, {result.files} files)"
        )
