"""``tongqi generate --applications N``: realistic synthetic data for load tests and dashboards."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from tongqi.core.context import acting

HELP = """Add N synthetic applications, in every stage, with everything around them: enterprises
(valid USCCs and mobile numbers), customer accounts, the timeline of each application, the SLA
clock ledger (pauses with reasons), site surveys, quotes and their lines, receivables and
payments after gas-on, 容缺 commitments, callbacks, satisfaction surveys and complaints.

Nothing is ever deleted or changed: rows are only added. When the database has no organisation
yet, a provincial one is created (about 20 subsidiaries, their districts and grids, staff with
unusable passwords); otherwise applications go to the existing grids and staff. The catalogue
(packages, prices, policy) is created only when there is none.

The command refuses to run when the database holds applications it did not generate (real data,
or the demo's): pass --force to add synthetic data to them anyway. No notification, status push
or audit record is made per row (one audit record for the run); runs are listed in the
administration (web → synthetic data runs).

Same --seed and the same starting database give the same data, whatever --jobs is. Rows are
made in Python, on PostgreSQL by --jobs worker processes (one batch each at a time), and written
in batches with COPY on PostgreSQL (bulk inserts on SQLite), one transaction per batch, in order;
bench/run generate measures the throughput (about 10 application and clock event rows per
application)."""


class Command(BaseCommand):
    help = HELP

    def add_arguments(self, parser):
        parser.add_argument("--applications", type=int, required=True, help="how many to add")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--batch", type=int, default=5000, help="applications per transaction (default 5000)"
        )
        parser.add_argument(
            "--years",
            type=float,
            default=2.0,
            help="submissions spread over this many years up to now (default 2)",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="add to a database that holds applications the generator did not make",
        )
        parser.add_argument(
            "--unchecked",
            action="store_true",
            help="PostgreSQL, as a superuser: skip the per-row foreign-key checks while loading "
            "(session_replication_role = replica). About twice as fast; the rows are consistent "
            "by construction.",
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=None,
            help="processes making rows (default: the number of CPU cores; 1: this process "
            "only). Several only on PostgreSQL; the same seed gives the same data whatever "
            "the number.",
        )
        parser.add_argument(
            "--no-indicators",
            action="store_true",
            help="do not rebuild the report indicators afterwards",
        )

    def handle(
        self,
        *args,
        applications,
        seed,
        batch,
        years,
        force,
        unchecked,
        no_indicators,
        jobs=None,
        **opts,
    ):
        from tongqi.web.synthetic import RealDataPresent, generate

        if applications < 1:
            raise CommandError("--applications must be at least 1")
        if not 1 <= batch <= 100_000:
            raise CommandError("--batch must be between 1 and 100000")
        if not 0.1 <= years <= 10:
            raise CommandError("--years must be between 0.1 and 10")
        if jobs is not None and not 1 <= jobs <= 64:
            raise CommandError("--jobs must be between 1 and 64")
        out = self.stdout.write
        try:
            with acting(channel="cli"):
                report = generate(
                    applications=applications,
                    seed=seed,
                    batch=batch,
                    years=years,
                    force=force,
                    fast=unchecked,
                    jobs=jobs,
                    progress=out,
                )
        except RealDataPresent as exc:
            raise CommandError(
                f"this database holds {exc.count} application(s) that were not generated; "
                "refusing to mix synthetic data with them (pass --force to do it anyway)"
            ) from None
        if report.setup:
            out("created for the run: " + ", ".join(f"{k} {v}" for k, v in report.setup.items()))
        out("rows written:")
        for name, count in sorted(report.rows.items(), key=lambda kv: -kv[1]):
            out(f"  {name:<18} {count:>12,}")
        out(f"  {'total':<18} {report.total_rows:>12,}")
        out("stages: " + ", ".join(f"{k} {v}" for k, v in sorted(report.statuses.items())))
        seconds = max(report.seconds, 1e-9)
        out(
            f"{report.applications:,} applications in {report.seconds:.1f} s: "
            f"{report.applications / seconds:,.0f} applications/s, "
            f"{report.total_rows / seconds:,.0f} rows/s "
            f"(making rows {report.make_seconds:.1f} s in {report.jobs} process(es), "
            f"writing {report.write_seconds:.1f} s)"
        )
        if not no_indicators:
            self._indicators(out)

    def _indicators(self, out):
        try:
            from tongqi.reports.services import rebuild_indicators
        except ImportError:
            out(
                "note: tongqi.reports.services.rebuild_indicators is not available; indicators not rebuilt"
            )
            return
        import time

        t0 = time.perf_counter()
        with acting(channel="cli"):
            result = rebuild_indicators()
        out(
            f"indicators rebuilt in {time.perf_counter() - t0:.1f} s"
            + (f": {result}" if result else "")
        )
