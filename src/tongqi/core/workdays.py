"""The working-day calendar (工作日历): an immutable day table with O(1) queries, no Django.

SPEC §3: a working day is Monday–Friday, minus public holidays, plus make-up working days (调休上班)
on weekends; an administrator's override for a date wins over all of that. Working time accrues
continuously from 00:00 to 24:00 (Asia/Shanghai) on working days and not at all on other days.

How it stays fast: at construction the calendar builds, over its whole range [first, last], a
prefix sum ``cum[i]`` = number of working days before day ``i`` and the sorted list ``wd`` of the
indices of working days. Then

* working time accrued from the start of the table to a local instant (day ``i``, second ``s``)
  is ``W = cum[i] * 86400 + (s if day i works else 0)``, so ``working_seconds(a, b) = W(b) - W(a)``;
* the inverse (``advance``) is a ``divmod`` of the target ``W`` by 86400: the quotient ``k`` says
  how many whole working days are used up, and ``wd[k]`` is the day where the remainder falls;
* the T-th working day after a date ``d`` is ``wd[cum[d + 1] + T - 1]``.

No query loops over days; the same formulas run vectorised over numpy arrays for bulk recomputes
(``*_many`` methods, instants as POSIX epoch seconds in ``int64``).

Resolution is one second: sub-second parts of instants are dropped (floored) before any arithmetic,
so ``working_seconds`` is exact, additive and antisymmetric on whole seconds.
"""

from __future__ import annotations

import hashlib
import operator
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = 86_400
WEEKMASK_MON_FRI = "1111100"
# China has kept UTC+8 without daylight saving since 1991; the vectorised methods rely on it
# (local seconds = epoch seconds + 8 h), and the constructor checks it over the table's range.
UTC_OFFSET_SECONDS = 8 * 3600
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_NAIVE = "naive datetime {t} is not an instant; attach a tzinfo"


class CalendarRangeError(ValueError):
    """A date or instant lies outside the calendar's day table."""


class NaiveDatetimeError(ValueError):
    """A naive datetime was given where an aware instant is required."""


def _to_shanghai(t: datetime) -> datetime:
    """The same instant in Asia/Shanghai; refuses naive datetimes (they have no instant)."""
    if t.tzinfo is SHANGHAI:
        return t
    if t.tzinfo is None or t.utcoffset() is None:
        raise NaiveDatetimeError(_NAIVE.format(t=t.isoformat()))
    return t.astimezone(SHANGHAI)


def local_date(t: datetime) -> date:
    """The calendar date of an aware instant in Asia/Shanghai."""
    return _to_shanghai(t).date()


def accrual_origin(accepted_at: datetime) -> datetime:
    """00:00 of the day after the acceptance date: accrual may begin here (期间开始的当日不计入).

    It does not depend on the calendar: the days between it and the first working day accrue
    nothing, so counting from here equals counting from ``clock_start`` — which is why a cached
    checkpoint can use it and stay valid when the calendar changes.
    """
    d = local_date(accepted_at)
    return datetime.combine(d + timedelta(days=1), time(), SHANGHAI)


def to_epoch(t: datetime) -> int:
    """POSIX epoch seconds of an aware instant, floored to the whole second."""
    if t.tzinfo is None or t.utcoffset() is None:
        raise NaiveDatetimeError(_NAIVE.format(t=t.isoformat()))
    return int(t.replace(microsecond=0).timestamp())


def from_epoch(seconds: int) -> datetime:
    """The Asia/Shanghai datetime of POSIX epoch seconds."""
    return datetime.fromtimestamp(int(seconds), SHANGHAI)


def _weekmask(mask: str | Iterable[bool]) -> tuple[bool, ...]:
    bits = tuple(c == "1" for c in mask) if isinstance(mask, str) else tuple(bool(b) for b in mask)
    if len(bits) != 7:
        raise ValueError("weekmask needs 7 entries, Monday first")
    return bits


class WorkCalendar:
    """An immutable working-day calendar over [first, last] with O(1) queries (see module doc)."""

    __slots__ = (
        "first",
        "last",
        "weekmask",
        "holidays",
        "makeup_workdays",
        "overrides",
        "confirmed_years",
        "_base",
        "_n",
        "_work",
        "_cum",
        "_cum1",
        "_cumsec",
        "_wd",
        "_wd_start",
        "_wd_end",
        "_midnight",
        "_origin",
        "_origin_utc",
        "_shift",
        "_work_np",
        "_cum_np",
        "_wd_np",
        "_prov_cum_np",
        "_digest",
    )

    def __init__(
        self,
        first: date,
        last: date,
        *,
        holidays: Iterable[date] = (),
        makeup_workdays: Iterable[date] = (),
        overrides: Mapping[date, bool] | None = None,
        confirmed_years: Iterable[int] = (),
        weekmask: str | Iterable[bool] = WEEKMASK_MON_FRI,
        _midnight: list[datetime] | None = None,
    ) -> None:
        if isinstance(first, datetime) or isinstance(last, datetime):
            raise TypeError("first and last are dates, not datetimes")
        if last < first:
            raise ValueError("last must not be before first")
        for year in range(first.year, last.year + 2):
            for month in (1, 7):
                off = datetime(year, month, 1, tzinfo=SHANGHAI).utcoffset()
                if off != timedelta(seconds=UTC_OFFSET_SECONDS):
                    raise ValueError(f"Asia/Shanghai is not UTC+8 in {year}; table unsupported")
        s = object.__setattr__
        base = first.toordinal()
        n = last.toordinal() - base + 1
        mask = _weekmask(weekmask)
        overrides = dict(overrides or {})
        for d in overrides:
            if not first <= d <= last:
                raise CalendarRangeError(f"override {d} is outside the calendar {first}..{last}")
        hol = frozenset(d for d in holidays if first <= d <= last)
        mk = frozenset(d for d in makeup_workdays if first <= d <= last)

        # Precedence, lowest first: the weekday rule, then holidays, then make-up workdays (a
        # weekend day the State Council turns into a working day), then the administrator.
        work = np.array(mask, dtype=bool)[(np.arange(n) + first.weekday()) % 7]
        if hol:
            work[np.fromiter((d.toordinal() - base for d in hol), np.int64, len(hol))] = False
        if mk:
            work[np.fromiter((d.toordinal() - base for d in mk), np.int64, len(mk))] = True
        for d, flag in overrides.items():
            work[d.toordinal() - base] = bool(flag)
        work.flags.writeable = False
        cum = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(work, out=cum[1:])
        cum.flags.writeable = False
        wd = np.flatnonzero(work).astype(np.int64)
        wd.flags.writeable = False

        confirmed = frozenset(int(y) for y in confirmed_years)
        years = np.arange(first.year, last.year + 1)
        prov_year = np.array([_provisional_year(int(y), confirmed) for y in years], dtype=bool)
        day_years = (
            np.arange(first, last + timedelta(days=1), dtype="datetime64[D]")
            .astype("datetime64[Y]")
            .astype(np.int64)
            + 1970
        )
        prov_cum = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(prov_year[day_years - first.year], out=prov_cum[1:])
        prov_cum.flags.writeable = False

        if _midnight is None or len(_midnight) != n + 1:
            _midnight = [
                datetime.combine(date.fromordinal(base + i), time(), SHANGHAI) for i in range(n + 1)
            ]
        s(self, "first", first)
        s(self, "last", last)
        s(self, "weekmask", "".join("1" if b else "0" for b in mask))
        s(self, "holidays", hol)
        s(self, "makeup_workdays", mk)
        s(self, "overrides", _FrozenMap(overrides))
        s(self, "confirmed_years", confirmed)
        s(self, "_base", base)
        s(self, "_n", n)
        # Python lists for the scalar path (list indexing beats numpy scalar indexing ~10x),
        # numpy arrays for the vectorised path.
        s(self, "_work", work.tolist())
        s(self, "_cum", cum.tolist())
        s(self, "_cum1", cum[1:].tolist())  # working days up to and including day i
        s(self, "_cumsec", (cum * DAY).tolist())
        s(self, "_wd", wd.tolist())
        s(self, "_wd_start", [_midnight[j] for j in self._wd])  # 00:00 of the k-th working day
        s(self, "_wd_end", [_midnight[j + 1] for j in self._wd])  # and its 24:00
        s(self, "_midnight", _midnight)
        s(self, "_origin", _midnight[0])
        s(self, "_origin_utc", _midnight[0].astimezone(UTC))
        # epoch seconds + _shift = seconds since 00:00 local of the table's first day
        s(self, "_shift", UTC_OFFSET_SECONDS - (base - _EPOCH_ORDINAL) * DAY)
        s(self, "_work_np", np.append(work, False))  # day n (the 24:00 sentinel) never works
        s(self, "_cum_np", cum)
        s(self, "_wd_np", wd)
        s(self, "_prov_cum_np", prov_cum)
        digest = hashlib.sha256(
            first.isoformat().encode()
            + np.packbits(work).tobytes()
            + ",".join(map(str, sorted(confirmed))).encode()
        ).hexdigest()[:16]
        s(self, "_digest", digest)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("WorkCalendar is immutable; use with_overrides() for a new one")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("WorkCalendar is immutable")

    def __repr__(self) -> str:
        return (
            f"<WorkCalendar {self.first}..{self.last} overrides={len(self.overrides)} "
            f"confirmed={_years_text(self.confirmed_years)} digest={self._digest}>"
        )

    # --- derived calendars -------------------------------------------------------------------

    def with_overrides(
        self, overrides: Mapping[date, bool], confirmed_years: Iterable[int] | None = None
    ) -> WorkCalendar:
        """A new calendar with these overrides on top of this one's (new ones win)."""
        merged = {**self.overrides, **overrides}
        return WorkCalendar(
            self.first,
            self.last,
            holidays=self.holidays,
            makeup_workdays=self.makeup_workdays,
            overrides=merged,
            confirmed_years=self.confirmed_years if confirmed_years is None else confirmed_years,
            weekmask=self.weekmask,
            _midnight=self._midnight,
        )

    @property
    def digest(self) -> str:
        """A short fingerprint of the working-day table and confirmed years (for cache keys)."""
        return self._digest

    # --- days ---------------------------------------------------------------------------------

    def _index(self, d: date) -> int:
        if isinstance(d, datetime):
            raise TypeError("pass a date; for an instant use local_date(t)")
        i = d.toordinal() - self._base
        if not 0 <= i < self._n:
            raise CalendarRangeError(f"{d} is outside the calendar {self.first}..{self.last}")
        return i

    def is_workday(self, d: date) -> bool:
        """Whether ``d`` is a working day."""
        return self._work[self._index(d)]

    def workdays_in(self, a: date, b: date) -> int:
        """Working days in [a, b); negative when b < a, as numpy.busday_count (b may be last+1)."""
        ia = self._index(a)
        if isinstance(b, datetime):
            raise TypeError("pass a date; for an instant use local_date(t)")
        ib = b.toordinal() - self._base
        if not 0 <= ib <= self._n:
            raise CalendarRangeError(f"{b} is outside the calendar {self.first}..{self.last}")
        return self._cum[ib] - self._cum[ia]

    def nth_workday_after(self, d: date, n: int) -> date:
        """The n-th working day strictly after ``d`` (n ≥ 1)."""
        if n < 1:
            raise ValueError("n must be at least 1")
        k = self._cum[self._index(d) + 1] + n - 1
        if k >= len(self._wd):
            raise CalendarRangeError(f"the {n}th working day after {d} is beyond {self.last}")
        return date.fromordinal(self._base + self._wd[k])

    # --- instants -----------------------------------------------------------------------------

    def _day_sec(self, t: datetime) -> tuple[int, int]:
        """(day index in the table, second of that day) of an aware instant, floored.

        Subtracting the table's first midnight gives both in one C call, and with no time-zone
        arithmetic when both sides share a tzinfo: so the origin is kept in Asia/Shanghai and
        in UTC (what Django hands back from the database). UTC+8 has no DST, so the two agree.
        """
        tz = t.tzinfo
        if tz is SHANGHAI:
            d = t - self._origin
        elif tz is UTC:
            d = t - self._origin_utc
        else:
            d = _to_shanghai(t) - self._origin
        return d.days, d.seconds

    def _w(self, t: datetime) -> int:
        """Working seconds accrued from the start of the table to instant ``t``."""
        i, sec = self._day_sec(t)
        if 0 <= i < self._n:
            return self._cumsec[i] + sec if self._work[i] else self._cumsec[i]
        if i == self._n and not sec:
            return self._cumsec[i]  # 24:00 of the last day
        raise CalendarRangeError(f"{t.isoformat()} is outside {self.first}..{self.last}")

    def _at(self, target: int) -> datetime:
        """The earliest instant at which ``W`` reaches ``target`` (> 0)."""
        k, rem = divmod(target, DAY)
        if rem:
            # Strictly inside the (k+1)-th working day, whose 00:00 has W = k * 86400.
            if k >= len(self._wd):
                raise CalendarRangeError(f"the deadline falls beyond {self.last}")
            return self._wd_start[k] + timedelta(seconds=rem)
        # Exactly k whole working days: the earliest such instant is 24:00 of the k-th one, not
        # 00:00 of the next working day (which may be days later, after a weekend).
        if k > len(self._wd):
            raise CalendarRangeError(f"the deadline falls beyond {self.last}")
        return self._wd_end[k - 1]

    def working_seconds(self, t0: datetime, t1: datetime) -> int:
        """Working seconds accrued from t0 to t1 (negative when t1 < t0)."""
        # This is _w(t1) - _w(t0) with the common case inlined: it is called per open
        # application on every dashboard load, and two method calls would double its cost.
        tz = t0.tzinfo
        if tz is SHANGHAI:
            d = t0 - self._origin
        elif tz is UTC:
            d = t0 - self._origin_utc
        else:
            d = _to_shanghai(t0) - self._origin
        i0, s0 = d.days, d.seconds
        tz = t1.tzinfo
        if tz is SHANGHAI:
            d = t1 - self._origin
        elif tz is UTC:
            d = t1 - self._origin_utc
        else:
            d = _to_shanghai(t1) - self._origin
        i1, s1 = d.days, d.seconds
        if i0 >= 0 and i1 >= 0:  # (a negative index would wrap around silently)
            work, cumsec = self._work, self._cumsec
            try:
                return (cumsec[i1] + s1 if work[i1] else cumsec[i1]) - (
                    cumsec[i0] + s0 if work[i0] else cumsec[i0]
                )
            except IndexError:  # past the last day: _w knows the 24:00 edge and the error
                pass
        return self._w(t1) - self._w(t0)  # the 24:00-of-the-last-day edge, or a range error

    def advance(self, t0: datetime, seconds: int) -> datetime:
        """The first instant at which ``seconds`` of working time have accrued from t0."""
        seconds = operator.index(seconds)  # an int (numpy ints too); not a float
        if seconds < 0:
            raise ValueError("seconds must not be negative")
        if seconds == 0:
            return _to_shanghai(t0)
        return self._at(self._w(t0) + seconds)

    def clock_start(self, accepted_at: datetime) -> datetime:
        """00:00 of the first working day after the acceptance date (that day never counts)."""
        i = self._day_sec(accepted_at)[0]
        if not 0 <= i < self._n:
            raise CalendarRangeError(f"{accepted_at.isoformat()} is outside the calendar")
        try:
            return self._wd_start[self._cum1[i]]
        except IndexError:
            raise CalendarRangeError(f"no working day after it before {self.last}") from None

    def due(self, accepted_at: datetime, days: int) -> datetime:
        """Deadline with no pauses: 24:00 of the ``days``-th working day after acceptance date."""
        # Inlined like working_seconds: the common case is a subtraction and two list lookups.
        tz = accepted_at.tzinfo
        if tz is SHANGHAI:
            i = accepted_at.toordinal() - self._base
        elif tz is UTC:
            i = (accepted_at - self._origin_utc).days
        else:
            i = self._day_sec(accepted_at)[0]
        if not 0 <= i < self._n:
            raise CalendarRangeError(f"{accepted_at.isoformat()} is outside the calendar")
        if days < 1:
            raise ValueError("days must be at least 1")
        try:
            return self._wd_end[self._cum1[i] + days - 1]
        except IndexError:
            raise CalendarRangeError(f"the deadline falls beyond {self.last}") from None

    # --- provisional years --------------------------------------------------------------------

    def is_provisional(self, d: date) -> bool:
        """Whether ``d`` lies in a year whose official schedule is not confirmed yet."""
        return _provisional_year(d.year, self.confirmed_years)

    @property
    def provisional_years(self) -> frozenset[int]:
        """The provisional years within the table's range."""
        return frozenset(
            y
            for y in range(self.first.year, self.last.year + 1)
            if _provisional_year(y, self.confirmed_years)
        )

    def touches_provisional(self, t0: datetime, t1: datetime) -> bool:
        """Whether the instants [t0, t1) touch any day of a provisional year."""
        if t1 <= t0:
            return False
        i0 = max(_to_shanghai(t0).toordinal() - self._base, 0)
        # The last day touched is the one holding t1's previous second (24:00 ends a day).
        i1 = min((_to_shanghai(t1) - timedelta(seconds=1)).toordinal() - self._base, self._n - 1)
        if i1 < i0:
            return False
        return bool(self._prov_cum_np[i1 + 1] - self._prov_cum_np[i0])

    # --- vectorised (bulk) API: instants are int64 POSIX epoch seconds -------------------------

    def _split_many(self, epoch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        local = np.asarray(epoch, dtype=np.int64) + self._shift
        i, sec = np.divmod(local, DAY)
        bad = (i < 0) | (i > self._n) | ((i == self._n) & (sec > 0))
        if bad.any():
            raise CalendarRangeError(f"{int(bad.sum())} instants are outside the calendar")
        return i, sec

    def _w_many(self, epoch: np.ndarray) -> np.ndarray:
        i, sec = self._split_many(epoch)
        return self._cum_np[i] * DAY + np.where(self._work_np[i], sec, 0)

    def _at_many(self, target: np.ndarray) -> np.ndarray:
        """Vectorised ``_at``: epoch seconds of the earliest instant where W reaches target > 0."""
        k, rem = np.divmod(target, DAY)
        inside = rem > 0
        pos = np.where(inside, k, k - 1)
        if pos.size and (pos.max() >= len(self._wd_np) or pos.min() < 0):
            raise CalendarRangeError("a deadline falls outside the calendar")
        day = self._wd_np[pos] + ~inside  # ~inside is 1 where the deadline is 24:00
        return day * DAY + rem - self._shift

    def working_seconds_many(self, t0: np.ndarray, t1: np.ndarray) -> np.ndarray:
        """Vectorised ``working_seconds`` over epoch-second arrays."""
        return self._w_many(t1) - self._w_many(t0)

    def advance_many(self, t0: np.ndarray, seconds: np.ndarray) -> np.ndarray:
        """Vectorised ``advance``: epoch seconds at which ``seconds`` have accrued from t0."""
        t0 = np.asarray(t0, dtype=np.int64)
        seconds = np.broadcast_to(np.asarray(seconds, dtype=np.int64), t0.shape)
        if (seconds < 0).any():
            raise ValueError("seconds must not be negative")
        out = t0.copy()
        moving = seconds > 0
        if moving.any():
            out[moving] = self._at_many(self._w_many(t0[moving]) + seconds[moving])
        return out

    def due_many(self, accepted: np.ndarray, days: np.ndarray) -> np.ndarray:
        """Vectorised ``due``: epoch-second deadlines from acceptance epochs and budgets in days."""
        i, _ = self._split_many(accepted)
        days = np.asarray(days, dtype=np.int64)
        if (days < 1).any():
            raise ValueError("days must be at least 1")
        if (i >= self._n).any():
            raise CalendarRangeError("an acceptance instant is outside the calendar")
        k = self._cum_np[i + 1] + days - 1
        if k.size and k.max() >= len(self._wd_np):
            raise CalendarRangeError("a deadline falls beyond the calendar")
        return (self._wd_np[k] + 1) * DAY - self._shift

    def touches_provisional_many(self, t0: np.ndarray, t1: np.ndarray) -> np.ndarray:
        """Vectorised ``touches_provisional`` over epoch-second arrays."""
        t0 = np.asarray(t0, dtype=np.int64)
        t1 = np.asarray(t1, dtype=np.int64)
        shift = self._shift
        i0 = np.clip((t0 + shift) // DAY, 0, self._n)
        i1 = np.clip((t1 - 1 + shift) // DAY, -1, self._n - 1)
        nonempty = (t1 > t0) & (i1 >= i0)
        i1 = np.maximum(i1, i0 - 1)
        return nonempty & (self._prov_cum_np[i1 + 1] - self._prov_cum_np[i0] > 0)


def _provisional_year(year: int, confirmed: frozenset[int]) -> bool:
    """Not confirmed, and not before the first confirmed year (older years are history)."""
    if not confirmed:
        return True
    return year not in confirmed and year > min(confirmed)


def _years_text(years: frozenset[int]) -> str:
    if not years:
        return "{}"
    ys = sorted(years)
    if ys == list(range(ys[0], ys[-1] + 1)):
        return f"{ys[0]}-{ys[-1]}"
    return ",".join(map(str, ys))


class _FrozenMap(Mapping[date, bool]):
    """A read-only mapping (the overrides of an immutable calendar)."""

    __slots__ = ("_d",)

    def __init__(self, d: Mapping[date, bool]) -> None:
        self._d = {k: bool(v) for k, v in d.items()}

    def __getitem__(self, key: date) -> bool:
        return self._d[key]

    def __iter__(self):
        return iter(self._d)

    def __len__(self) -> int:
        return len(self._d)

    def __repr__(self) -> str:
        return f"{{{', '.join(f'{k}: {v}' for k, v in sorted(self._d.items()))}}}"
