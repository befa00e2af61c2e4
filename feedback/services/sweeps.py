"""Deadline sweeps run by Celery beat (and `manage.py run_sweeps`): overdue flags, due-soon reminders,
escalation, daily digests, closing answered cases when their reopen window ends.

Each sweep is set-based: it selects the ids it may act on in bounded batches (locked, skip-locked so two
sweeps never take the same rows), updates them with the same condition in one UPDATE, then writes the
events and notifications of exactly those rows with bulk inserts — a constant number of queries per batch,
whatever the number of open cases. The flag columns make every sweep idempotent; the outbox's dedupe keys
make sure nobody is notified twice.

Over 300 lines: the five sweeps share the skip-locked batch claiming and the grouped notifications.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agencies.models import Agency, StaffMembership, StaffRole

from .. import page_tokens
from ..clocks.deadlines import city_calendar
from ..clocks.overdue import overdue_q
from ..lifecycle import CaseStatus, EventKind
from ..models import (
    SWEEP_ACCEPT_OVERDUE,
    SWEEP_ESCALATION,
    SWEEP_MANAGER,
    SWEEP_OVERDUE,
    SWEEP_REMINDER,
    SWEPT_STATUSES,
    Case,
    CaseEvent,
    OutboxMessage,
    OutboxStatus,
)
from ..notifications import absolute_url, enqueue_task, queue_message
from .case_actions import close_case
from .errors import ConflictError, TransitionError

BATCH_SIZE = 1000
ROW_FIELDS = ("pk", "tracking_code", "agency_id", "assigned_officer__email", "due_at", "accept_due_at")
DIGEST_LIST_LIMIT = 30
EMAIL_LANGUAGE = "vi"  # agency staff read Vietnamese


# --- who hears about an agency's cases --------------------------------------------------------------------------
@dataclass
class AgencyContacts:
    """Emails per agency (and of the dispatchers, who hold the queue of cases with no agency), read once per
    sweep (two queries)."""

    contact: dict[int, str] = field(default_factory=dict)
    officers: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    managers: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    leaders: list[str] = field(default_factory=list)
    dispatchers: list[str] = field(default_factory=list)

    @classmethod
    def load(cls) -> AgencyContacts:
        c = cls()
        c.contact = dict(Agency.objects.exclude(email="").values_list("pk", "email"))
        rows = (
            StaffMembership.objects.filter(user__is_active=True)
            .exclude(user__email="")
            .values_list("agency_id", "role", "user__email")
        )
        for agency_id, role, email in rows:
            if role == StaffRole.OFFICER and agency_id:
                c.officers[agency_id].append(email)
            elif role == StaffRole.MANAGER and agency_id:
                c.managers[agency_id].append(email)
            elif role == StaffRole.LEADER:
                c.leaders.append(email)
            elif role == StaffRole.DISPATCHER:
                c.dispatchers.append(email)
        return c

    def workers(self, row: dict) -> list[str]:
        """The agency's inbox and whoever works the case: the assigned officer, else the agency's officers;
        for a case in the dispatcher queue (no agency), the dispatchers."""
        agency = row["agency_id"]
        if agency is None:
            return _unique(self.dispatchers)
        people = [row["assigned_officer__email"]] if row["assigned_officer__email"] else self.officers[agency]
        return _unique([self.contact.get(agency, ""), *people])

    def managers_of(self, row: dict) -> list[str]:
        agency = row["agency_id"]
        if agency is None:
            return []
        return _unique(self.managers[agency] or [self.contact.get(agency, "")])


def _unique(emails: Iterable[str]) -> list[str]:
    return [e for e in dict.fromkeys(e.strip().lower() for e in emails if e) if e]


# --- the batch engine -------------------------------------------------------------------------------------------
def _sweep(candidates: QuerySet, *, updates: dict, on_batch: Callable[[list[dict]], None], order: str) -> int:
    """Flag every candidate row, BATCH_SIZE at a time: SELECT ids (FOR UPDATE SKIP LOCKED), one UPDATE
    with the same condition, then `on_batch(rows)` writes that batch's events and notifications.

    `order` is the column of the sweep's partial index: the batch is then a short index range scan
    (ordering by another column lets PostgreSQL walk the primary key through every case instead)."""
    total = 0
    while True:
        with transaction.atomic():
            rows = list(
                candidates.select_for_update(skip_locked=True, of=("self",))
                .order_by(order)
                .values(*ROW_FIELDS)[:BATCH_SIZE]
            )
            if not rows:
                return total
            ids = [r["pk"] for r in rows]
            flagged = candidates.filter(pk__in=ids).update(**updates)
            if flagged != len(rows):  # only without row locks (SQLite): another sweep took some rows first
                mine = set(Case.objects.filter(pk__in=ids, **updates).values_list("pk", flat=True))
                rows = [r for r in rows if r["pk"] in mine]
            on_batch(rows)
            page_tokens.cases_changed(r["tracking_code"] for r in rows)  # the flags show on the tracking pages
            total += flagged
        if len(ids) < BATCH_SIZE:
            return total


def _log_events(rows: list[dict], *, kind: str, now: datetime, note: str, data: Callable[[dict], dict]) -> None:
    """One event per row, stamped `now` or just after the case's last event (never before it: an
    escalation must not be listed before the overdue event it follows)."""
    stamps = CaseEvent.objects.stamps_after_last([r["pk"] for r in rows], now)
    CaseEvent.objects.bulk_create(
        [
            CaseEvent(case_id=r["pk"], kind=kind, actor_label="system", note=note, data=data(r),
                      created_at=stamps[r["pk"]])
            for r in rows
        ],
        batch_size=BATCH_SIZE,
    )


def _case_lines(rows: list[dict], clock_field: str = "due_at") -> dict[int, str]:
    """One line per case: code, due time (Hanoi), tracking link. `reverse` once, not once per row."""
    url = absolute_url(reverse("feedback:track", kwargs={"code": "CODE"}))
    lines = {}
    for row in rows:
        due = row[clock_field]
        when = timezone.localtime(due).strftime("%H:%M %d/%m/%Y") if due else "—"
        code = row["tracking_code"]
        lines[row["pk"]] = f"- {code} ({when}) {url.replace('CODE', code)}"
    return lines


def queue_grouped(*, kind: str, rows: list[dict], recipients: Callable[[dict], list[str]], subject: str,
                  intro: str, clock_field: str = "due_at") -> int:
    """One email per recipient listing their rows of this batch, stored in the outbox with one bulk insert.

    The dedupe key is (kind, recipient, the batch's case ids): a retried batch never mails anyone twice.
    One task is published after commit for the whole batch. Returns the number of messages queued.
    """
    by_recipient: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        for email in recipients(row):
            by_recipient[email].append(row)
    if not by_recipient:
        return 0
    lines = _case_lines(rows, clock_field)
    messages = []
    for email, its_rows in by_recipient.items():
        case_ids = ",".join(str(r["pk"]) for r in its_rows)
        digest = hashlib.sha1(f"{email}|{case_ids}".encode()).hexdigest()[:20]
        body = intro + "\n\n" + "\n".join(lines[r["pk"]] for r in its_rows) + "\n"
        messages.append(
            OutboxMessage(
                channel="email", recipient=email, subject=f"{subject} ({len(its_rows)})"[:300], body=body,
                case_id=its_rows[0]["pk"] if len(its_rows) == 1 else None, dedupe_key=f"{kind}:{digest}",
            )
        )
    OutboxMessage.objects.bulk_create(messages, ignore_conflicts=True, batch_size=500)
    ids = list(
        OutboxMessage.objects.filter(
            dedupe_key__in=[m.dedupe_key for m in messages], status=OutboxStatus.PENDING
        ).values_list("pk", flat=True)
    )
    if ids:
        enqueue_task("feedback.tasks.send_outbox_messages", ids)
    return len(ids)


# --- the sweeps -------------------------------------------------------------------------------------------------
def flag_overdue(now: datetime | None = None) -> dict[str, int]:
    """Flag open cases past their resolve time, and assigned cases past their accept time. Idempotent."""
    now = now or timezone.now()
    contacts = AgencyContacts.load()
    counts = {"overdue": 0, "accept_overdue": 0, "messages": 0}

    with translation.override(EMAIL_LANGUAGE):
        def resolve_batch(rows):
            _log_events(rows, kind=EventKind.OVERDUE, now=now, note=_("Past its due time, not resolved."),
                        data=lambda r: {"clock": "resolve", "due_at": r["due_at"].isoformat()})
            counts["messages"] += queue_grouped(
                kind="overdue", rows=rows, recipients=contacts.workers, subject=_("Overdue cases"),
                intro=_("These cases are past their due time and not resolved yet:"),
            )

        def accept_batch(rows):
            _log_events(rows, kind=EventKind.OVERDUE, now=now, note=_("Not accepted within the time allowed."),
                        data=lambda r: {"clock": "accept", "accept_due_at": r["accept_due_at"].isoformat()})
            counts["messages"] += queue_grouped(
                kind="accept-overdue", rows=rows, recipients=contacts.workers,
                subject=_("Cases waiting too long for acceptance"),
                intro=_("These cases were not accepted (or returned) within the time allowed:"),
                clock_field="accept_due_at",
            )

        counts["overdue"] = _sweep(
            Case.objects.filter(SWEEP_OVERDUE & overdue_q(now)),  # the one definition, not yet flagged
            updates={"is_overdue": True, "overdue_at": now}, on_batch=resolve_batch, order="due_at",
        )
        counts["accept_overdue"] = _sweep(
            Case.objects.filter(SWEEP_ACCEPT_OVERDUE, accept_due_at__lt=now),
            updates={"is_accept_overdue": True}, on_batch=accept_batch, order="accept_due_at",
        )
    return counts


def due_soon_limit(now: datetime) -> datetime:
    """Cases due before this instant are 'due soon' (DUE_SOON_WORKING_DAYS working days ahead)."""
    return city_calendar().add_working_days(now, settings.DUE_SOON_WORKING_DAYS)


def send_due_soon_reminders(now: datetime | None = None) -> dict[str, int]:
    """Remind the agency (its inbox, the assigned officer or its officers, its managers) once per case."""
    now = now or timezone.now()
    contacts = AgencyContacts.load()
    counts = {"reminded": 0, "messages": 0}

    def recipients(row):
        return _unique([*contacts.workers(row), *contacts.managers[row["agency_id"]]])

    with translation.override(EMAIL_LANGUAGE):
        def batch(rows):
            _log_events(rows, kind=EventKind.REMINDED, now=now, note=_("Due-soon reminder sent to the agency."),
                        data=lambda r: {"due_at": r["due_at"].isoformat()})
            counts["messages"] += queue_grouped(
                kind="due-soon", rows=rows, recipients=recipients, subject=_("Cases due soon"),
                intro=_("These cases are due within one working day:"),
            )

        counts["reminded"] = _sweep(
            Case.objects.filter(SWEEP_REMINDER, agency__isnull=False, due_at__gt=now, due_at__lte=due_soon_limit(now)),
            updates={"reminded_at": now}, on_batch=batch, order="due_at",
        )
    return counts


def escalation_cutoff(now: datetime) -> datetime:
    """Cases due before this instant are overdue by more than ESCALATE_AFTER_WORKING_DAYS working days."""
    return city_calendar().add_working_days(now, -settings.ESCALATE_AFTER_WORKING_DAYS)


def escalate(now: datetime | None = None) -> dict[str, int]:
    """Tell the agency's managers about its overdue cases (once per case); mark cases overdue by more than
    ESCALATE_AFTER_WORKING_DAYS working days as escalated (the city leaders' board) and tell the leaders."""
    now = now or timezone.now()
    contacts = AgencyContacts.load()
    counts = {"managers_notified": 0, "escalated": 0, "messages": 0}
    days = settings.ESCALATE_AFTER_WORKING_DAYS

    with translation.override(EMAIL_LANGUAGE):
        def manager_batch(rows):
            counts["messages"] += queue_grouped(
                kind="overdue-manager", rows=rows, recipients=contacts.managers_of,
                subject=_("Overdue cases in your agency"),
                intro=_("These cases of your agency are overdue (resolve or acceptance clock):"),
            )

        def escalation_batch(rows):
            _log_events(rows, kind=EventKind.ESCALATED, now=now,
                        note=_("Overdue by more than %(days)s working days.") % {"days": days},
                        data=lambda r: {"due_at": r["due_at"].isoformat(), "after_working_days": days})
            counts["messages"] += queue_grouped(
                kind="escalated", rows=rows,
                recipients=lambda r: _unique([*contacts.managers_of(r), *contacts.leaders]),
                subject=_("Escalated cases"),
                intro=_("These cases are overdue by more than %(days)s working days and were escalated:")
                % {"days": days},
            )

        counts["managers_notified"] = _sweep(
            Case.objects.filter(SWEEP_MANAGER, agency__isnull=False),
            updates={"manager_notified_at": now}, on_batch=manager_batch, order="pk",
        )
        counts["escalated"] = _sweep(
            Case.objects.filter(SWEEP_ESCALATION, due_at__lt=escalation_cutoff(now)),
            updates={"is_escalated": True, "escalated_at": now}, on_batch=escalation_batch, order="due_at",
        )
    return counts


def send_daily_digests(now: datetime | None = None) -> dict[str, int]:
    """Each agency manager gets one email a working day: open, due-soon and overdue counts, and the lists."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    if not city_calendar().is_working_day(today):
        return {"digests": 0, "skipped_day_off": 1}
    soon = due_soon_limit(now)
    managers = list(
        StaffMembership.objects.filter(role=StaffRole.MANAGER, agency__isnull=False, user__is_active=True)
        .exclude(user__email="")
        .values_list("user_id", "user__email", "agency_id", "agency__name")
    )
    open_cases = Case.objects.filter(status__in=SWEPT_STATUSES, agency_id__in={m[2] for m in managers})
    due_soon_q = Q(is_overdue=False, due_at__gt=now, due_at__lte=soon)
    stats = {
        row["agency_id"]: row
        for row in open_cases.values("agency_id").annotate(
            open=Count("pk"), due_soon=Count("pk", filter=due_soon_q), overdue=Count("pk", filter=Q(is_overdue=True))
        )
    }
    lists = {}
    for kind, cond in (("overdue", Q(is_overdue=True)), ("due_soon", due_soon_q)):
        rows = list(
            open_cases.filter(cond)
            .annotate(rank=Window(RowNumber(), partition_by=[F("agency_id")], order_by=[F("due_at").asc(), F("pk")]))
            .filter(rank__lte=DIGEST_LIST_LIMIT)
            .order_by("agency_id", "due_at", "pk")
            .values(*ROW_FIELDS)
        )
        lines = _case_lines(rows)
        by_agency = defaultdict(list)
        for r in rows:
            by_agency[r["agency_id"]].append(lines[r["pk"]])
        lists[kind] = by_agency
    sent = 0
    with translation.override(EMAIL_LANGUAGE):
        for user_id, email, agency_id, agency_name in managers:
            s = stats.get(agency_id, {"open": 0, "due_soon": 0, "overdue": 0})
            lines = [
                _("Daily summary for %(agency)s, %(date)s") % {"agency": agency_name, "date": f"{today:%d/%m/%Y}"},
                "",
                _("Open cases: %(n)s") % {"n": s["open"]},
                _("Due within one working day: %(n)s") % {"n": s["due_soon"]},
                _("Overdue: %(n)s") % {"n": s["overdue"]},
            ]
            titles = {"overdue": _("Overdue"), "due_soon": _("Due soon")}
            for kind, by_agency in lists.items():
                if by_agency.get(agency_id):
                    lines += ["", f"{titles[kind]}:", *by_agency[agency_id]]
            subject = _("iHanoi daily summary %(date)s: %(overdue)s overdue, %(soon)s due soon") % {
                "date": f"{today:%d/%m/%Y}", "overdue": s["overdue"], "soon": s["due_soon"]
            }
            msg = queue_message(recipient=email, subject=subject, body="\n".join(lines) + "\n",
                                key=f"digest:{today.isoformat()}:{agency_id}:{user_id}")
            sent += msg is not None
    return {"digests": sent}


def close_after_reopen_window(now: datetime | None = None) -> dict[str, int]:
    """Close the resolved cases whose window to rate or reopen (REOPEN_WINDOW_DAYS after the answer) has
    ended. Each goes through the state machine (case_actions.close_case → transition_case, CLOSED event),
    BATCH_SIZE at a time, skip-locked; a case reopened meanwhile is left as it is."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.REOPEN_WINDOW_DAYS)
    with translation.override(EMAIL_LANGUAGE):
        note = _("The time to rate or reopen the answer has ended.")
    counts = {"closed": 0, "skipped": 0}
    skipped: list[int] = []
    while True:
        with transaction.atomic():
            ids = list(
                Case.objects.filter(status=CaseStatus.RESOLVED, resolved_at__lt=cutoff).exclude(pk__in=skipped)
                .select_for_update(skip_locked=True).order_by("resolved_at").values_list("pk", flat=True)[:BATCH_SIZE]
            )
            for case in Case.objects.filter(pk__in=ids):
                try:
                    close_case(case=case, note=note)
                    counts["closed"] += 1
                except (TransitionError, ConflictError):
                    skipped.append(case.pk)
        if len(ids) < BATCH_SIZE:
            counts["skipped"] = len(skipped)
            return counts


SWEEPS: dict[str, Callable[..., dict]] = {
    "overdue": flag_overdue,
    "reminders": send_due_soon_reminders,
    "escalation": escalate,
    "digest": send_daily_digests,
    "closing": close_after_reopen_window,
}


def escalated_cases(qs: QuerySet[Case]) -> QuerySet[Case]:
    """For the city leaders' board: open escalated cases of a visible queryset (cases_visible_to)."""
    return qs.filter(status__in=SWEPT_STATUSES, is_escalated=True).order_by("due_at")

