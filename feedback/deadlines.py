"""Deadlines in working time: the city calendar (national holidays + city exceptions) applied to a case."""
from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.cache import cache

from agencies.models import Topic, Urgency

from .models import CalendarDayKind, CalendarException
from .workcalendar import WorkCalendar

_CALENDAR_CACHE_KEY = "feedback:calendar-version"
_local: dict = {}


def city_calendar() -> WorkCalendar:
    """The working calendar with the city's extra days off and make-up days; rebuilt when they change."""
    version = cache.get(_CALENDAR_CACHE_KEY)
    if version is None:
        version = tuple(CalendarException.objects.order_by("date").values_list("date", "kind"))
        cache.set(_CALENDAR_CACHE_KEY, version, 300)
    if _local.get("version") != version:
        _local["calendar"] = WorkCalendar(
            extra_days_off=[d for d, k in version if k == CalendarDayKind.DAY_OFF],
            extra_working_days=[d for d, k in version if k == CalendarDayKind.WORKING_DAY],
        )
        _local["version"] = version
    return _local["calendar"]


def invalidate_calendar() -> None:
    cache.delete(_CALENDAR_CACHE_KEY)


def accept_due(start: datetime) -> datetime:
    """The agency must accept (or return) within N working hours of routing (8 by Decision 1207/QĐ-UBND)."""
    return city_calendar().add_working_hours(start, settings.ACCEPT_WITHIN_WORKING_HOURS)


def resolve_due(*, topic: Topic, urgency: str, start: datetime) -> datetime:
    """Due time to resolve, counted in working time from `start` by the topic's deadline rule."""
    cal = city_calendar()
    if urgency == Urgency.URGENT:
        hours = topic.deadline_hours or 4
        return cal.add_working_hours(start, hours)
    if topic.deadline_hours:
        return cal.add_working_hours(start, topic.deadline_hours)
    days = topic.deadline_days
    if urgency == Urgency.COMPLEX:
        days = max(days, 10)
    return cal.add_working_days(start, days)
