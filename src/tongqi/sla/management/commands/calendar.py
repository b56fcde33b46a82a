"""``tongqi calendar …``: deadlines and the working-day calendar from the command line.

    tongqi calendar due --accepted 2025-09-30T10:00 --days 3   → 2025-10-12T00:00:00+08:00
    tongqi calendar import overrides.csv                        (date,is_workday,note)
    tongqi calendar confirm 2027 --notice "国办发明电〔2026〕…号"
    tongqi calendar show 2026
    tongqi calendar recompute

Invalid arguments or a refused file: a clear message and exit code 2.
"""

from __future__ import annotations

import calendar as pycal
import sys
from datetime import date, datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from tongqi.core.workdays import SHANGHAI, CalendarRangeError


def _fail(message: str) -> CommandError:
    return CommandError(message, returncode=2)


def parse_instant(raw: str) -> datetime:
    """ISO-8601 date or date-time; without an offset it is Asia/Shanghai local time."""
    try:
        value = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise _fail(
            f"--accepted must be an ISO-8601 date-time, e.g. 2025-09-30T10:00:00+08:00 "
            f"(got {raw!r})"
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=SHANGHAI)
    return value


class Command(BaseCommand):
    help = "Working-day calendar: due dates, overrides import, year confirmation."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
        due = sub.add_parser("due", help="the deadline of N working days after an acceptance")
        due.add_argument("--accepted", required=True, help="acceptance instant, ISO-8601")
        due.add_argument("--days", required=True, help="time limit in working days (≥ 1)")
        imp = sub.add_parser("import", help="import overrides from a CSV: date,is_workday,note")
        imp.add_argument("file")
        conf = sub.add_parser("confirm", help="mark a year's official schedule as confirmed")
        conf.add_argument("year", type=int)
        conf.add_argument("--notice", required=True, help="the State Council notice")
        show = sub.add_parser("show", help="print a year: holidays, make-up days, overrides")
        show.add_argument("year", type=int)
        sub.add_parser("recompute", help="recompute every open deadline")

    def handle(self, *args, action, **options):
        return getattr(self, f"do_{action}")(**options) or None

    # -- due -----------------------------------------------------------------------------------
    def do_due(self, accepted, days, **_):
        try:
            n = int(days)
        except ValueError:
            raise _fail(f"--days must be a whole number of working days, not {days!r}") from None
        if not 1 <= n <= 1000:
            raise _fail(f"--days must be between 1 and 1000, not {n}")
        instant = parse_instant(accepted)
        cal = self._calendar()
        try:
            deadline = cal.due(instant, n)
        except CalendarRangeError as exc:
            raise _fail(f"out of the calendar's range: {exc}") from None
        self.stdout.write(deadline.astimezone(SHANGHAI).isoformat())
        if cal.touches_provisional(instant, deadline):
            self.stderr.write(
                f"note: provisional — {deadline.year} has no confirmed official schedule yet"
            )

    def _calendar(self):
        from tongqi.core.cn_calendar import china_calendar

        try:
            from tongqi.sla.calendar import current_calendar

            return current_calendar(fresh=True)
        except DatabaseError:
            self.stderr.write(
                "note: database not set up; using the built-in calendar only "
                "(run `tongqi migrate` to use administrators' overrides)"
            )
            return china_calendar()

    # -- import --------------------------------------------------------------------------------
    def do_import(self, file, **_):
        from tongqi.sla.services import CalendarImportError, calendar_import_csv

        path = Path(file)
        if not path.is_file():
            raise _fail(f"no such file: {file}")
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise _fail(f"{file} is not UTF-8 text") from None
        try:
            count, report = calendar_import_csv(text=text, filename=path.name)
        except CalendarImportError as exc:
            for lineno, message in exc.errors:
                self.stderr.write(f"{file}:{lineno}: {message}")
            raise _fail(f"nothing imported: {len(exc.errors)} bad line(s)") from None
        self.stdout.write(
            f"imported {count} override(s); recomputed {report.clocks} open clock(s), "
            f"{report.moved} deadline(s) changed"
        )

    def do_confirm(self, year, notice, **_):
        from tongqi.sla.services import calendar_confirm_year

        if not 2000 <= year <= 2040:
            raise _fail("year must be between 2000 and 2040")
        report = calendar_confirm_year(year=year, notice=notice)
        self.stdout.write(f"{year} confirmed; recomputed {report.clocks} open clock(s)")

    def do_recompute(self, **_):
        from tongqi.sla.services import recompute_open_clocks

        report = recompute_open_clocks()
        self.stdout.write(
            f"recomputed {report.clocks} open clock(s) in {report.seconds:.3f} s; "
            f"{report.moved} changed"
        )

    def do_show(self, year, **_):
        cal = self._calendar()
        if not cal.first.year <= year <= cal.last.year:
            raise _fail(f"year must be between {cal.first.year} and {cal.last.year}")
        marks = {True: "·", False: "休"}
        out = sys.stdout
        out.write(f"{year}{' (provisional)' if cal.is_provisional(date(year, 1, 1)) else ''}\n")
        for month in range(1, 13):
            out.write(f"\n{month:>2}月  一 二 三 四 五 六 日\n      ")
            first_wd, ndays = pycal.monthrange(year, month)
            out.write("   " * first_wd)
            for day in range(1, ndays + 1):
                d = date(year, month, day)
                work = cal.is_workday(d)
                weekend = d.weekday() >= 5
                mark = (
                    "班"
                    if work and weekend
                    else ("休" if not work and not weekend else marks[work] if not weekend else " ")
                )
                out.write(f"{day:>2}{mark}" if mark.strip() else f"{day:>2} ")
                if d.weekday() == 6:
                    out.write("\n      ")
            out.write("\n")
