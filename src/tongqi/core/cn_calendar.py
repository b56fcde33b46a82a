"""The built-in mainland-China day table, read from the ``holidays`` package (no Django).

How ``holidays`` (checked against 0.109, ``holidays/countries/china.py``) encodes China:

* public holidays are the keys of ``holidays.China(years=...)``, including the State Council's
  shifted days off, which ``ChinaStaticHolidays.special_public_holidays`` lists per notice year as
  ``(to_month, to_day, from_month, from_day[, from_year])`` — "day off on *to*, worked on *from*";
* the *from* dates that fall on a weekend are the make-up working days (调休上班); the package
  collects them in the public attribute ``weekend_workdays`` while it populates each year, and
  ``is_working_day(d)`` is ``d in weekend_workdays if weekend else d not in holidays``;
* for years without a notice it only estimates: fixed-date and lunar holidays plus "observed"
  Mondays, and no make-up workdays.

So a year is *confirmed* here when its notice is in the package, i.e. ``special_public_holidays``
has substituted entries for it (2001–2026 in 0.109). The tests cross-check the result day by day
against ``chinesecalendar`` for 2004–2026; they agree everywhere except 2005-12-31, where
``chinesecalendar`` is wrong (see ``tests/test_cn_calendar.py``) — so no correction is needed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import lru_cache

from .workdays import WorkCalendar

FIRST = date(2000, 1, 1)
LAST = date(2040, 12, 31)

# Dates where the ``holidays`` package is wrong against the State Council notice: date → (is
# working day, the notice). Applied above the package's data and below administrator overrides.
# Empty: the 2004–2026 cross-check found no error in ``holidays`` 0.109. Add a line per error,
# citing the notice, rather than patching around it elsewhere.
CORRECTIONS: Mapping[date, tuple[bool, str]] = {}


@lru_cache(maxsize=4)
def china_day_data(
    first_year: int = FIRST.year, last_year: int = LAST.year
) -> tuple[frozenset[date], frozenset[date], frozenset[int]]:
    """(public holidays, make-up weekend workdays, confirmed years) from ``holidays``."""
    import holidays  # imported lazily: it takes ~0.1 s and only the built-in table needs it

    h = holidays.country_holidays("CN", years=range(first_year, last_year + 1))
    days_off = frozenset(h.keys())
    makeup = frozenset(d for d in h.weekend_workdays if first_year <= d.year <= last_year)
    special = getattr(h, "special_public_holidays", None)
    if special is not None:
        # A notice year has at least one substituted (4- or 5-item) entry.
        confirmed = frozenset(
            year for year, entries in special.items() if any(len(e) >= 4 for e in _entries(entries))
        )
    else:  # a future layout of the package: fall back to "the years with make-up days"
        confirmed = frozenset(d.year for d in h.weekend_workdays)
    return days_off, makeup, confirmed


def _entries(value: object) -> tuple:
    """``special_public_holidays[year]`` is one tuple or a tuple of tuples."""
    if isinstance(value, tuple) and value and not isinstance(value[0], tuple):
        return (value,)
    return tuple(value)  # type: ignore[arg-type]


def build_china_calendar(
    first: date = FIRST,
    last: date = LAST,
    *,
    corrections: Mapping[date, tuple[bool, str]] = CORRECTIONS,
) -> WorkCalendar:
    """A fresh mainland-China calendar: ``holidays`` data, then ``corrections``; no overrides."""
    days_off, makeup, confirmed = china_day_data(first.year, last.year)
    holidays_ = {d for d in days_off if d not in corrections}
    makeup_ = {d for d in makeup if d not in corrections}
    for d, (is_workday, _notice) in corrections.items():
        if is_workday and d.weekday() >= 5:
            makeup_.add(d)
        elif not is_workday:
            holidays_.add(d)
    return WorkCalendar(
        first, last, holidays=holidays_, makeup_workdays=makeup_, confirmed_years=confirmed
    )


@lru_cache(maxsize=1)
def china_calendar() -> WorkCalendar:
    """The built-in calendar 2000–2040 (cached); add administrators' overrides with_overrides()."""
    return build_china_calendar()
