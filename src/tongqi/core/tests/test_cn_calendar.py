"""The built-in China table: faithful to ``holidays``, cross-checked with ``chinesecalendar``."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import holidays
import pytest

from tongqi.core.cn_calendar import (
    CORRECTIONS,
    FIRST,
    LAST,
    build_china_calendar,
    china_calendar,
    china_day_data,
)

from . import CAL

# Where ``chinesecalendar`` is wrong and ``holidays`` right, checked against the notice. Kept
# exact: a new disagreement, or a fixed one, fails the cross-check until someone looks.
CHINESECALENDAR_ERRORS = {
    # 国办发明电〔2005〕35号《国务院办公厅关于2006年部分节假日安排的通知》(2005-12-16): "元旦：
    # 1月1日—3日放假，共3天。……12月31日（星期六）上班。" chinesecalendar 1.11 files its
    # make-up days by holiday year and has no 2005-12-31 among them.
    date(2005, 12, 31): True,
}


def _days(first: date, last: date):
    d = first
    while d <= last:
        yield d
        d += timedelta(days=1)


def test_agrees_with_chinesecalendar_2004_2026_except_known_errors():
    disagree = {
        d: CAL.is_workday(d)
        for d in _days(date(2004, 1, 1), date(2026, 12, 31))
        if CAL.is_workday(d) != chinese_calendar.is_workday(d)
    }
    assert disagree == CHINESECALENDAR_ERRORS
    assert len(list(_days(date(2004, 1, 1), date(2026, 12, 31)))) == 8401


def test_faithful_to_the_holidays_package_over_the_whole_table():
    h = holidays.country_holidays("CN", years=range(FIRST.year, LAST.year + 1))
    wrong = [d for d in _days(FIRST, LAST) if CAL.is_workday(d) != h.is_working_day(d)]
    assert wrong == []
    assert (CAL.first, CAL.last) == (FIRST, LAST)


def test_make_up_days_come_from_weekend_workdays():
    _, makeup, _ = china_day_data()
    assert all(d.weekday() >= 5 for d in makeup)
    assert {date(2025, 9, 28), date(2025, 10, 11), date(2026, 1, 4), date(2026, 2, 28)} <= makeup
    assert date(2005, 12, 31) in makeup  # the 2006 notice's make-up day, filed under 2005


def test_confirmed_years_are_the_notice_years():
    _, makeup, confirmed = china_day_data()
    years = sorted(confirmed)
    assert years[0] == 2001
    assert years == list(range(2001, years[-1] + 1))  # no hole
    assert 2026 in confirmed
    # a year is confirmed exactly when the package knows its make-up days
    for year in (2027, 2028):
        assert (year in confirmed) == any(d.year == year for d in makeup)
    assert CAL.confirmed_years == confirmed


def test_2027_is_provisional_with_the_installed_data():
    # holidays 0.109 estimates 2027 (e.g. New Year's Day, Spring Festival) but has no notice.
    h = holidays.country_holidays("CN", years=[2027])
    assert date(2027, 1, 1) in h
    assert not any(d.year == 2027 for d in h.weekend_workdays)
    assert CAL.is_provisional(date(2027, 1, 1))
    assert not CAL.is_provisional(date(2026, 12, 31))
    assert not CAL.is_provisional(date(2000, 6, 1))  # before the first notice: history
    assert min(CAL.provisional_years) == 2027


@pytest.mark.parametrize(
    ("d", "works"),
    [
        # 《国务院办公厅关于2025年部分节假日安排的通知》: 10月1日至8日放假, 10月11日（周六）上班
        (date(2025, 10, 11), True),
        (date(2025, 10, 8), False),
        # 《国务院办公厅关于2026年部分节假日安排的通知》(2025-11-04): 春节 2月15日至23日放假,
        # 2月14日（周六）、2月28日（周六）上班; 1月4日（周日）上班
        (date(2026, 2, 14), True),
        (date(2026, 2, 23), False),
        (date(2026, 2, 28), True),
        (date(2026, 1, 4), True),
        (date(2005, 12, 31), True),  # 国办发明电〔2005〕35号
    ],
)
def test_spot_checks_against_notices(d, works):
    assert CAL.is_workday(d) is works


def test_corrections_are_applied_above_the_package():
    first, last = date(2025, 1, 1), date(2025, 12, 31)
    fixed = build_china_calendar(
        first,
        last,
        corrections={
            date(2025, 10, 8): (True, "test: a weekday holiday that works"),
            date(2025, 10, 11): (False, "test: a make-up Saturday that rests"),
            date(2025, 11, 15): (True, "test: an ordinary Saturday that works"),
            date(2025, 11, 17): (False, "test: an ordinary Monday that rests"),
        },
    )
    plain = build_china_calendar(first, last)
    assert [fixed.is_workday(d) for d in (date(2025, 10, 8), date(2025, 10, 11))] == [True, False]
    assert [fixed.is_workday(d) for d in (date(2025, 11, 15), date(2025, 11, 17))] == [True, False]
    assert plain.workdays_in(first, last) == fixed.workdays_in(first, last)  # +2 −2
    assert not fixed.overrides  # corrections are data, not administrator overrides


def test_no_corrections_needed_today():
    assert dict(CORRECTIONS) == {}


def test_china_calendar_is_built_once():
    assert china_calendar() is china_calendar()
