"""Working time of Vietnamese public offices (08:00–12:00, 13:00–17:00), on the `holidays` VN calendar."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PERIODS = ((time(8), time(12)), (time(13), time(17)))
HOURS_PER_DAY = 8


class WorkCalendar:
    def __init__(self, *, extra_days_off: Iterable[date] = (), extra_working_days: Iterable[date] = ()):
        self.extra_days_off = frozenset(extra_days_off)
        self.extra_working_days = frozenset(extra_working_days)
        self._vn = holidays.country_holidays("VN")

    def is_working_day(self, d: date) -> bool:
        if d in self.extra_working_days:
            return True
        if d in self.extra_days_off:
            return False
        return self._vn.is_working_day(d)

    @staticmethod
    def _local(dt: datetime) -> datetime:
        if dt.tzinfo is None:
            raise ValueError("naive datetime: give an aware datetime")
        return dt.astimezone(TZ)

    def _periods(self, d: date):
        for a, b in PERIODS:
            yield datetime.combine(d, a, TZ), datetime.combine(d, b, TZ)

    def next_working_start(self, dt: datetime) -> datetime:
        dt = self._local(dt)
        d = dt.date()
        while True:
            if self.is_working_day(d):
                for a, b in self._periods(d):
                    if dt < b:
                        return max(a, dt)
            d += timedelta(days=1)
            dt = datetime.combine(d, time(0), TZ)

    def add_working_hours(self, start: datetime, hours: float | timedelta) -> datetime:
        left = hours if isinstance(hours, timedelta) else timedelta(hours=hours)
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

    def add_working_days(self, start: datetime, days: int) -> datetime:
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
