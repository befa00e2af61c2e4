"""Working time of Vietnamese public offices (08:00–12:00, 13:00–17:00), on the `holidays` VN calendar.

Which days are working days comes from `holidays.country_holidays("VN").is_working_day`: it already knows
lunar Tết, substituted days off (e.g. Mon 31/08/2026) and weekend make-up working days (e.g. Sat 22/08/2026).
The city's own exceptions (extra days off, make-up working days) are laid on top. This module only adds the
hours of the day; it never re-implements the national calendar.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PERIODS = ((time(8), time(12)), (time(13), time(17)))
HOURS_PER_DAY = 8
_MAX_DAYS_SCANNED = 3660  # a calendar with no working day for ten years is a configuration error


def working_hours_label() -> str:
    """The working periods as people write them: '08:00–12:00, 13:00–17:00'."""
    return ", ".join(f"{start:%H:%M}–{end:%H:%M}" for start, end in PERIODS)


class WorkCalendar:
    def __init__(self, *, extra_days_off: Iterable[date] = (), extra_working_days: Iterable[date] = ()):
        self.extra_days_off = frozenset(extra_days_off)
        self.extra_working_days = frozenset(extra_working_days)
        this_year = datetime.now(TZ).year
        # Populate the years in use up front (the package fills other years lazily on first lookup).
        self._vn = holidays.country_holidays("VN", years=range(this_year - 1, this_year + 3))

    def is_working_day(self, d: date) -> bool:
        if d in self.extra_working_days:
            return True
        if d in self.extra_days_off:
            return False
        return self._vn.is_working_day(d)

    def holiday_name(self, d: date) -> str | None:
        return self._vn.get(d)

    @staticmethod
    def _local(dt: datetime) -> datetime:
        if dt.tzinfo is None:
            raise ValueError("naive datetime: give an aware datetime")
        return dt.astimezone(TZ)

    @staticmethod
    def _periods(d: date):
        for a, b in PERIODS:
            yield datetime.combine(d, a, TZ), datetime.combine(d, b, TZ)

    def next_working_start(self, dt: datetime) -> datetime:
        """The first working instant at or after `dt` (after-hours receipt → the next working morning)."""
        dt = self._local(dt)
        d = dt.date()
        for _ in range(_MAX_DAYS_SCANNED):
            if self.is_working_day(d):
                for a, b in self._periods(d):
                    if dt < b:
                        return max(a, dt)
            d += timedelta(days=1)
            dt = datetime.combine(d, time(0), TZ)
        raise ValueError("no working day in ten years")

    def prev_working_end(self, dt: datetime) -> datetime:
        """The last working instant at or before `dt`."""
        dt = self._local(dt)
        d = dt.date()
        for _ in range(_MAX_DAYS_SCANNED):
            if self.is_working_day(d):
                for a, b in reversed(tuple(self._periods(d))):
                    if dt > a:
                        return min(b, dt)
            d -= timedelta(days=1)
            dt = datetime.combine(d, time.max, TZ)
        raise ValueError("no working day in ten years")

    def add_working_hours(self, start: datetime, hours: float | timedelta) -> datetime:
        """`start` plus working time; negative amounts go back in time."""
        left = hours if isinstance(hours, timedelta) else timedelta(hours=hours)
        if left < timedelta(0):
            return self.subtract_working_hours(start, -left)
        cur = self.next_working_start(start)
        while True:
            for a, b in self._periods(cur.date()):
                if cur >= b:
                    continue
                cur = max(cur, a)
                if cur + left <= b:
                    return cur + left
                left -= b - cur
                cur = b
            cur = self.next_working_start(cur)

    def subtract_working_hours(self, end: datetime, hours: float | timedelta) -> datetime:
        """The instant such that `hours` of working time lie between it and `end`."""
        left = hours if isinstance(hours, timedelta) else timedelta(hours=hours)
        cur = self.prev_working_end(end)
        while True:
            for a, b in reversed(tuple(self._periods(cur.date()))):
                if cur <= a:
                    continue
                cur = min(cur, b)
                # Strictly after the period's start: landing exactly on it means the same working instant as the
                # previous period's end, and the earliest wall-clock instant is the one to compare due times with
                # (as add_working_hours returns 17:00, not the next 08:00).
                if cur - left > a:
                    return cur - left
                left -= cur - a
                cur = a
            cur = self.prev_working_end(cur)

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """N working days of 8 working hours: Monday 10:00 + 2 days = Wednesday 10:00 (holidays skipped)."""
        return self.add_working_hours(start, days * HOURS_PER_DAY)

    def working_hours_between(self, a: datetime, b: datetime) -> float:
        a, b = self._local(a), self._local(b)
        if b < a:
            return -self.working_hours_between(b, a)
        total = timedelta()
        d = a.date()
        while d <= b.date():
            if self.is_working_day(d):
                for p, q in self._periods(d):
                    lo, hi = max(p, a), min(q, b)
                    if hi > lo:
                        total += hi - lo
            d += timedelta(days=1)
        return total.total_seconds() / 3600


@lru_cache(maxsize=1)
def default_calendar() -> WorkCalendar:
    return WorkCalendar()
