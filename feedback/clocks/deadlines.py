"""Deadlines in working time: the city calendar (national holidays + city exceptions) applied to a case.

Two clocks (Decision 1207/QĐ-UBND): the agency accepts (or returns) within ACCEPT_WITHIN_WORKING_HOURS of
routing, and resolves by `due_at`. Urgent cases are resolved within URGENT_RESOLVE_WORKING_HOURS of acceptance.

Functions other modules call: `city_calendar()`, `accept_due(start)`, `resolve_due(topic=, urgency=, start=)`,
`due_after_acceptance(case=, accepted_at=)`, `due_reset_fields(due_at=, now=)`,
`reset_clocks_for_handoff(case=, handoff=, now=)` — the one rule for the clocks when a case changes hands.

The hand-off rule (Decision 1207/QĐ-UBND), applied by `reset_clocks_for_handoff` only:
- an agency that receives the case (routing, the dispatcher's assignment, a transfer) gets its own accept
  clock from that moment; the dispatcher queue has none;
- the resolve date promised to the citizen is never shortened by a transfer: it becomes the later of the
  promised date (an approved extension included) and a full resolve period from the transfer;
- a reopened case gets a new resolve clock: a full period from the moment the citizen reopened it;
- whenever the resolve date moves into the future the overdue, reminder and escalation state starts afresh,
  so the (new) agency's manager is told again if the case runs late. The old OVERDUE events stay logged.
"""
from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from agencies.models import Topic, Urgency
from ihanoi.snapshots import Snapshot

from ..models import CalendarDayKind, CalendarException, Case
from .calendar import WorkCalendar


def _build_calendar(alias: str) -> WorkCalendar:
    rows = list(CalendarException.objects.using(alias).values_list("date", "kind"))
    return WorkCalendar(
        extra_days_off=[d for d, k in rows if k == CalendarDayKind.DAY_OFF],
        extra_working_days=[d for d, k in rows if k == CalendarDayKind.WORKING_DAY],
    )


# Saving or deleting a CalendarException rebuilds it here at once and in every other process within a second
# of the commit (ihanoi/snapshots.py: a version token in the shared cache, read at most once a second).
calendar_snapshot = Snapshot("calendar", _build_calendar, models=("feedback.CalendarException",))


def city_calendar() -> WorkCalendar:
    """The working calendar with the city's extra days off and make-up days (kept per process)."""
    return calendar_snapshot.get()


def invalidate_calendar() -> None:
    """Make every process rebuild its calendar."""
    calendar_snapshot.bump()


def accept_due(start: datetime) -> datetime:
    """The agency must accept (or return) within N working hours of routing (8 by Decision 1207/QĐ-UBND)."""
    return city_calendar().add_working_hours(start, settings.ACCEPT_WITHIN_WORKING_HOURS)


def resolve_due(*, topic: Topic, urgency: str, start: datetime) -> datetime:
    """Due time to resolve, counted in working time from `start` by the topic's deadline rule.

    urgent: the topic's hours, else URGENT_RESOLVE_WORKING_HOURS (4); normal: the topic's hours when it has
    an hourly rule of its own (not the urgent one), else its working days; complex: at least
    COMPLEX_MIN_WORKING_DAYS working days.
    """
    cal = city_calendar()
    if urgency == Urgency.URGENT:
        return cal.add_working_hours(start, topic.deadline_hours or settings.URGENT_RESOLVE_WORKING_HOURS)
    if urgency == Urgency.COMPLEX:
        return cal.add_working_days(start, max(topic.deadline_days, settings.COMPLEX_MIN_WORKING_DAYS))
    if topic.deadline_hours and topic.urgency != Urgency.URGENT:
        return cal.add_working_hours(start, topic.deadline_hours)
    return cal.add_working_days(start, topic.deadline_days)


def due_after_acceptance(*, case, accepted_at: datetime) -> datetime:
    """The resolve clock once the agency accepts: urgent cases get N working hours from acceptance
    (Decision 1207/QĐ-UBND); other cases keep the due time they already have."""
    if case.urgency == Urgency.URGENT:
        return resolve_due(topic=case.topic, urgency=Urgency.URGENT, start=accepted_at)
    if case.due_at is not None:
        return case.due_at
    return resolve_due(topic=case.topic, urgency=case.urgency, start=case.received_at)


def due_reset_fields(*, due_at: datetime, now: datetime | None = None) -> dict:
    """Field values for a case whose due time moves (transfer, extension, urgency change): a due time in
    the future clears the overdue and escalation flags and re-arms the due-soon reminder and the manager's
    notice. The OVERDUE and ESCALATED events stay logged."""
    now = now or timezone.now()
    fields: dict = {"due_at": due_at}
    if due_at > now:
        fields |= {"is_overdue": False, "overdue_at": None, "reminded_at": None,
                   "is_escalated": False, "escalated_at": None, "manager_notified_at": None}
    return fields


def accept_reset_fields(*, start: datetime) -> dict:
    """Field values for a case routed (again) to an agency at `start`, e.g. a transfer: a fresh accept clock,
    and the new agency's manager is told if it runs late."""
    return {"assigned_at": start, "accept_due_at": accept_due(start), "is_accept_overdue": False,
            "manager_notified_at": None}


class Handoff(models.TextChoices):
    """Why a case's clocks are set (the argument of `reset_clocks_for_handoff`)."""

    SUBMIT = "submit"
    ASSIGN = "assign"
    TRANSFER = "transfer"
    QUEUE = "queue"
    REOPEN = "reopen"
    URGENCY = "urgency"


def reset_clocks_for_handoff(*, case, handoff: str, now: datetime, to_agency: bool = True,
                             topic: Topic | None = None, urgency: str | None = None) -> dict:
    """The clock fields of `case` after `handoff` at `now` (no save): the module docstring's rule.

    `to_agency`: the case goes to an agency (False: to the dispatcher queue, no accept clock).
    `topic`, `urgency`: new values set in the same write (a staff correction; default: the case's own). A
    hand-off that also corrects the topic starts the new topic's full period from `now` (the promise was
    made for the other topic).
    """
    topic_changed = topic is not None and topic.pk != case.topic_id
    topic, urgency = topic or case.topic, urgency or case.urgency
    fields: dict = {}
    if handoff in (Handoff.SUBMIT, Handoff.ASSIGN, Handoff.TRANSFER, Handoff.QUEUE):
        fields |= accept_reset_fields(start=now) if to_agency else {
            "assigned_at": None, "accept_due_at": None, "is_accept_overdue": False}
    if handoff == Handoff.SUBMIT:
        due = resolve_due(topic=topic, urgency=urgency, start=case.received_at)
    elif handoff == Handoff.ASSIGN:
        due = case.due_at or resolve_due(topic=topic, urgency=urgency, start=case.received_at)
    elif handoff in (Handoff.TRANSFER, Handoff.QUEUE):
        fresh = resolve_due(topic=topic, urgency=urgency, start=now)
        due = max(case.due_at, fresh) if case.due_at and not topic_changed else fresh
    elif handoff == Handoff.REOPEN:
        due = resolve_due(topic=topic, urgency=urgency, start=now)
    elif handoff == Handoff.URGENCY:
        if urgency == Urgency.URGENT and case.accepted_at:
            due = resolve_due(topic=topic, urgency=Urgency.URGENT, start=case.accepted_at)
        else:
            due = resolve_due(topic=topic, urgency=urgency, start=case.received_at)
    else:
        raise ValueError(f"unknown hand-off {handoff!r}")
    return fields | due_reset_fields(due_at=due, now=now)


def clock_data(*, handoff: str, old_due_at: datetime | None, fields: dict) -> dict:
    """What a hand-off did to the clocks, kept in its event's data (shown on the tracking and staff pages)."""
    accept = fields.get("accept_due_at")
    return {"rule": handoff, "old_due_at": old_due_at.isoformat() if old_due_at else None,
            "due_at": fields["due_at"].isoformat(), "accept_due_at": accept.isoformat() if accept else None}


def working_hours_to_resolve(case: Case) -> float:
    """Working hours (city calendar) from receipt to resolution; staff actions store it on resolution."""
    if case.resolved_at is None:
        raise ValueError("the case has no resolution time")
    return round(city_calendar().working_hours_between(case.received_at, case.resolved_at), 2)
