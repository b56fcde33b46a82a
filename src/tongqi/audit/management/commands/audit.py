"""``tongqi audit verify``: recompute the audit chain; exit 1 if anything was altered or lost."""

from django.core.management.base import BaseCommand, CommandError

from tongqi.audit.selectors import audit_verify


class Command(BaseCommand):
    help = "Audit log tools: verify the tamper-evident chain."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="recompute the HMAC chain and report any break")

    def handle(self, *args, action=None, **options):
        if action == "verify":
            report = audit_verify()
            if report.ok:
                self.stdout.write(f"audit chain intact: {report.checked} records")
                return
            for problem in report.problems:
                self.stderr.write(problem)
            raise CommandError(
                f"audit chain broken: {len(report.problems)} problem(s) in {report.checked} records"
            )
