"""``tongqi reports rebuild [--application ID …]``: recompute the indicator rows (ADR 0013)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from tongqi.reports.services import rebuild_indicators


class Command(BaseCommand):
    help = "Indicators and dashboards: `rebuild` recomputes the per-application indicator rows."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        rebuild = sub.add_parser("rebuild", help="Recompute indicator rows (all by default).")
        rebuild.add_argument(
            "--application",
            type=int,
            action="append",
            dest="applications",
            help="Only this application (primary key); may be repeated.",
        )
        rebuild.add_argument("--batch", type=int, default=5000)

    def handle(self, *args, **options):
        started = time.perf_counter()
        n = rebuild_indicators(
            application_ids=options.get("applications"), batch=max(options["batch"], 1)
        )
        self.stdout.write(f"{n} indicator rows written in {time.perf_counter() - started:.1f} s")
