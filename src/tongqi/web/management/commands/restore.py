"""``tongqi restore ARCHIVE --yes``: replace the database and files with a backup's."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tongqi.web.backup import BackupError, restore, table_counts


class Command(BaseCommand):
    help = "Restore the database and uploaded files from a `tongqi backup` archive."

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="confirm: the current database and files are replaced",
        )

    def handle(self, *args, archive, yes=False, **options):
        if not yes:
            raise CommandError(
                "restore replaces the current database and files; add --yes to confirm",
                returncode=2,
            )
        try:
            manifest = restore(Path(archive))
        except BackupError as exc:
            raise CommandError(str(exc), returncode=2) from None
        now = table_counts()
        differ = {t: (n, now.get(t)) for t, n in manifest["tables"].items() if now.get(t) != n}
        if differ:
            raise CommandError(f"restored, but row counts differ: {differ}")
        self.stdout.write(
            f"restored {archive}: {sum(now.values())} rows, "
            f"{sum(1 for m in manifest['members'] if m.startswith('media/'))} files"
        )
