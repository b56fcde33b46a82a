"""``tongqi routing recount``: count each account manager's open applications again."""

from django.core.management.base import BaseCommand

from tongqi.applications.routing import manager_load_rebuild


class Command(BaseCommand):
    help = "Routing tools: recount the account managers' open work that routing reads."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "recount",
            help="count each account manager's open applications again from the applications "
            "(after applications were written outside the platform's actions, e.g. an import)",
        )

    def handle(self, *args, action=None, **options):
        if action == "recount":
            managers = manager_load_rebuild()
            self.stdout.write(
                f"open work recounted: {managers} account managers with open applications"
            )
