"""The dashboard's period (whole local days), scope (one agency/ward/topic) and slice (what a user may see)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from agencies.models import StaffRole
from agencies.selectors import agencies_of, has_role
from feedback.models import Case
from feedback.clocks.calendar import TZ

TREND_MONTHS = 12


# --- period, scope, slice --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    """Whole local days, both ends included."""

    start: date
    end: date

    @classmethod
    def last_days(cls, days: int, *, today: date | None = None) -> "Period":
        today = today or timezone.localdate()
        return cls(today - timedelta(days=days - 1), today)

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        return (datetime.combine(self.start, time(0), TZ), datetime.combine(self.end + timedelta(days=1), time(0), TZ))

    def trend(self) -> "Period":
        """The monthly trend: at least the last TREND_MONTHS months up to the period's end."""
        first = _add_months(self.end.replace(day=1), -(TREND_MONTHS - 1))
        return Period(min(first, self.start), self.end)

    def key(self) -> str:
        return f"{self.start:%Y%m%d}-{self.end:%Y%m%d}"


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    return d.replace(year=d.year + y, month=m + 1)


def month_period(month_start: date, within: Period) -> Period:
    """The part of a calendar month inside a period (for drilling down from a month row)."""
    end = _add_months(month_start, 1) - timedelta(days=1)
    return Period(max(month_start, within.start), min(end, within.end))


@dataclass(frozen=True)
class Scope:
    """Optional narrowing to one agency, ward and/or topic (by id)."""

    agency_id: int | None = None
    ward_id: int | None = None
    topic_id: int | None = None

    def q(self) -> Q:
        q = Q()
        for name in ("agency_id", "ward_id", "topic_id"):
            value = getattr(self, name)
            if value is not None:
                q &= Q(**{name: value})
        return q

    def key(self) -> str:
        return f"{self.agency_id}-{self.ward_id}-{self.topic_id}"


@dataclass(frozen=True)
class Slice:
    """What a user may see on the dashboard: everything (city leader) or some agencies (a manager's own)."""

    agency_ids: tuple[int, ...] | None  # None = the whole city

    @property
    def is_city(self) -> bool:
        return self.agency_ids is None

    def key(self) -> str:
        return "city" if self.is_city else "a" + ",".join(map(str, self.agency_ids))


CITY = Slice(None)


def dashboard_slice(user) -> Slice | None:
    """City leaders (and superusers) see the city, managers their own agencies; anyone else nothing (None)."""
    if not getattr(user, "is_authenticated", False):
        return None
    if user.is_superuser or has_role(user, StaffRole.LEADER):
        return CITY
    managed = sorted({a.pk for a in agencies_of(user, roles=(StaffRole.MANAGER,))})
    return Slice(tuple(managed)) if managed else None


def sliced_cases(user, sl: Slice) -> QuerySet[Case]:
    """The permission boundary (`cases_visible_to`) narrowed to the dashboard slice."""
    from feedback.selectors import cases_visible_to

    qs = cases_visible_to(user) if user is not None else Case.objects.all()
    return qs if sl.is_city else qs.filter(agency_id__in=sl.agency_ids)
