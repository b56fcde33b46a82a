"""The calendar in force, overrides and their recompute, the import, the commands, the page."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from tongqi.audit.models import AuditRecord
from tongqi.core import clock as core
from tongqi.core.workdays import SHANGHAI
from tongqi.sla import services
from tongqi.sla.calendar import current_calendar
from tongqi.sla.models import CalendarOverride, Clock
from tongqi.testing.matrix import assert_matrix

pytestmark = pytest.mark.django_db


def _clock(accepted: datetime, days: int) -> Clock:
    c = services.clock_create(budget_days=days)
    return services.clock_record(clock=c, kind=core.START, at=accepted)


def test_worked_example_through_a_clock():
    c = _clock(datetime(2025, 9, 30, 10, tzinfo=SHANGHAI), 3)
    assert c.deadline == datetime(2025, 10, 12, tzinfo=SHANGHAI)


def test_an_override_moves_open_deadlines_and_is_audited(people):
    c = _clock(datetime(2025, 9, 30, 10, tzinfo=SHANGHAI), 3)
    # Saturday 11 October was a make-up working day; an override makes it a day off
    report = services.calendar_set_overrides(
        rows=[(date(2025, 10, 11), False, "test notice")], actor=people.sysadmin
    )
    c.refresh_from_db()
    assert report.clocks == 1 and report.moved == 1
    assert c.deadline == datetime(2025, 10, 14, tzinfo=SHANGHAI)  # Thu 9, Fri 10, Mon 13
    assert AuditRecord.objects.filter(object_type="sla.calendar", actor=people.sysadmin).exists()
    services.calendar_remove_override(day=date(2025, 10, 11), actor=people.sysadmin)
    c.refresh_from_db()
    assert c.deadline == datetime(2025, 10, 12, tzinfo=SHANGHAI)


def test_stopped_clocks_are_not_recomputed():
    c = _clock(datetime(2025, 9, 30, 10, tzinfo=SHANGHAI), 3)
    services.clock_record(clock=c, kind=core.STOP, at=datetime(2025, 10, 10, 9, tzinfo=SHANGHAI))
    before = c.deadline
    report = services.calendar_set_overrides(rows=[(date(2025, 10, 9), False, "n")])
    c.refresh_from_db()
    assert report.clocks == 0 and c.deadline == before


def test_provisional_year_until_confirmed():
    c = _clock(datetime(2026, 12, 28, 10, tzinfo=SHANGHAI), 5)
    assert c.provisional
    services.calendar_confirm_year(year=2027, notice="国务院办公厅通知（测试）")
    c.refresh_from_db()
    assert not c.provisional
    assert not current_calendar().is_provisional(date(2027, 5, 1))


def test_import_refuses_a_bad_file_whole():
    text = (
        "date,is_workday,note\n2027-01-01,0,元旦\n2027-02-30,0,bad date\n"
        "2027-02-06,2,bad flag\n2027-02-07,1,\n2027-01-01,1,dup\n"
    )
    with pytest.raises(services.CalendarImportError) as exc:
        services.calendar_import_csv(text=text)
    assert [n for n, _m in exc.value.errors] == [3, 4, 5, 6]
    assert CalendarOverride.objects.count() == 0


def test_import_applies_a_good_file():
    count, _report = services.calendar_import_csv(
        text="date,is_workday,note\n2027-02-06,1,春节调休上班\n2027-02-11,0,春节\n"
    )
    assert count == 2
    cal = current_calendar()
    assert cal.is_workday(date(2027, 2, 6)) and not cal.is_workday(date(2027, 2, 11))


def test_command_due_prints_the_worked_example():
    out = io.StringIO()
    call_command(
        "calendar",
        "due",
        "--accepted",
        "2025-09-30T10:00:00+08:00",
        "--days",
        "3",
        stdout=out,
        stderr=io.StringIO(),
    )
    assert out.getvalue().strip() == "2025-10-12T00:00:00+08:00"


@pytest.mark.parametrize(
    "args",
    [
        ["--accepted", "not-a-date", "--days", "3"],
        ["--accepted", "2025-09-30T10:00", "--days", "0"],
        ["--accepted", "2025-09-30T10:00", "--days", "three"],
    ],
)
def test_command_due_refuses_bad_arguments_with_code_2(args):
    with pytest.raises(CommandError) as exc:
        call_command("calendar", "due", *args, stdout=io.StringIO(), stderr=io.StringIO())
    assert exc.value.returncode == 2


def test_command_import_reports_line_numbers(tmp_path):
    f = tmp_path / "notice.csv"
    f.write_text("date,is_workday,note\n2027-01-01,0,元旦\nnot-a-date,0,x\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("calendar", "import", str(f), stdout=io.StringIO(), stderr=err)
    assert exc.value.returncode == 2
    assert f"{f}:3:" in err.getvalue()
    assert CalendarOverride.objects.count() == 0


def test_recompute_after_an_override_moves_open_deadlines_in_bulk():
    accepted = datetime(2026, 3, 2, 10, tzinfo=SHANGHAI)
    clocks = [_clock(accepted + timedelta(hours=i), 8) for i in range(30)]
    before = {c.pk: c.deadline for c in Clock.objects.filter(pk__in=[c.pk for c in clocks])}
    services.calendar_set_overrides(rows=[(date(2026, 3, 5), False, "临时停工")])
    after = {c.pk: c.deadline for c in Clock.objects.filter(pk__in=before)}
    assert all(after[pk] > before[pk] for pk in before)


def test_calendar_page_matrix_and_changes(people, settings):
    settings.TONGQI_REQUIRE_2FA = False
    url = reverse("sla:calendar")
    assert_matrix(url, allowed=people.sysadmin, wrong_role=people.am_a)
    client = Client()
    client.force_login(people.sysadmin)
    resp = client.get(url, {"year": 2025})
    assert resp.status_code == 200 and len(resp.context["months"]) == 12
    resp = client.post(
        reverse("sla:override_add") + "?year=2027",
        {"date": "2027-02-06", "is_workday": "1", "note": "春节调休"},
    )
    assert resp.status_code == 302
    assert CalendarOverride.objects.filter(date=date(2027, 2, 6), is_workday=True).exists()
    bad = io.BytesIO(b"date,is_workday,note\n2027-13-01,0,x\n")
    bad.name = "bad.csv"
    resp = client.post(reverse("sla:import"), {"file": bad})
    assert resp.status_code == 422 and resp.context["errors"][0][0] == 2
    # a leader sees the calendar but cannot change it
    c2 = Client()
    c2.force_login(people.leader)
    assert c2.get(url).status_code == 200
    assert c2.post(reverse("sla:confirm"), {"year": 2027, "notice": "x"}).status_code == 403


def test_administrators_are_alerted_about_a_provisional_year(people, settings):
    from tongqi.sla.alerts import alerts_for

    _clock(datetime(2026, 12, 28, 10, tzinfo=SHANGHAI), 16)
    assert alerts_for(people.sysadmin)
    assert alerts_for(people.am_a) == []


@pytest.mark.django_db
def test_the_overrides_of_a_year_export_to_excel(people, settings):
    from openpyxl import load_workbook

    settings.TONGQI_REQUIRE_2FA = False
    services.calendar_set_overrides(
        rows=[(date(2026, 12, 31), False, "示例通知"), (date(2025, 1, 2), True, "去年")],
        actor=people.sysadmin,
    )
    client = Client()
    client.force_login(people.leader)  # a report reader sees the calendar too
    resp = client.get(reverse("sla:calendar"), {"year": "2026", "export": "1"})
    assert resp.status_code == 200
    rows = list(load_workbook(io.BytesIO(resp.getvalue())).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("日期", "工作日", "依据文件")
    assert len(rows) == 2 and rows[1][2] == "示例通知" and rows[1][1] == "否"
    assert AuditRecord.objects.filter(action="export", object_type="sla.calendaroverride").exists()


def test_a_recompute_reads_instants_floored_to_the_second_as_the_core_does():
    # given: a clock resumed at 10:00:00.7 (services record instants with microseconds)
    c = _clock(datetime(2026, 3, 2, 10, tzinfo=SHANGHAI), 8)
    services.clock_record(
        clock=c,
        kind=core.PAUSE,
        at=datetime(2026, 3, 2, 11, tzinfo=SHANGHAI),
        reason=core.CUSTOMER_DOCUMENTS,
    )
    c = services.clock_record(
        clock=c, kind=core.RESUME, at=datetime(2026, 3, 4, 10, 0, 0, 700_000, tzinfo=SHANGHAI)
    )
    before = Clock.objects.get(pk=c.pk).deadline
    # when: nothing changed, a bulk recompute runs
    report = services.recompute_open_clocks(now=datetime(2026, 3, 5, 9, tzinfo=SHANGHAI))
    # then: it moves nothing (PostgreSQL's EXTRACT(EPOCH) cast to bigint rounded .7 s up)
    assert report.moved == 0
    assert Clock.objects.get(pk=c.pk).deadline == before
