"""The definition of every dashboard figure, once, as conditions over cases.

A case's part in the figures splits in two:
- the clock-independent part (`base_conditions`): what its stored fields alone decide — received, handled,
  fixed, finished on time or late, open, accepted on time or late (once answered), rated, reopened… These are
  kept per day in the tally (`dashboard.tally`) and change only when the case is written;
- the clock-dependent part (`clock_conditions`): an open case becomes late (and overdue) when its due time
  passes, and late to accept when its acceptance due time passes unanswered. Only open cases have one: a
  finished case always records when it was answered (constraint `finished_case_has_resolved_at`).

`conditions(now)` composes the two into the figures the dashboard shows (late = finished late + open past due,
pending = open − open past due, …); the drill-down lists filter with exactly these, so the list behind a number
has that many rows.
"""
from __future__ import annotations

from datetime import datetime

from django.db.models import Count, F, Q, Sum

from feedback.clocks.overdue import past_due_q
from feedback.lifecycle import FINISHED_STATUSES, OPEN_STATUSES, REJECTED_OUTCOMES, CaseStatus, Outcome
from feedback.models import TIMED_CASES

IS_OPEN = Q(status__in=sorted(OPEN_STATUSES))  # same list as the partial indexes case_open_due, case_open_clock
HANDLED = Q(status__in=sorted(FINISHED_STATUSES))

# The clock-independent counters, in the order of the CaseTally columns, and its two sums.
COUNTERS = ("received", "handled", "fixed", "rejected", "on_time", "finished_late", "open", "open_dated",
            "unanswered_dated", "accept_on_time", "accept_late_answered", "timed", "rated", "satisfied", "reopened",
            "answered")
SUMS = ("hours_sum", "rating_sum")
BASE = COUNTERS + SUMS
CLOCK = ("overdue", "past_due", "accept_past_due")


def base_conditions() -> dict[str, Q]:
    """What a case's stored fields alone decide (everything but `received`, which is every case)."""
    accept_clock = Q(accept_due_at__isnull=False)
    return {
        "handled": HANDLED,
        "fixed": HANDLED & Q(outcome=Outcome.FIXED),
        "rejected": Q(status=CaseStatus.REJECTED) | Q(status=CaseStatus.CLOSED, outcome__in=REJECTED_OUTCOMES),
        "on_time": HANDLED & (Q(due_at__isnull=True) | Q(resolved_at__isnull=True) | Q(resolved_at__lte=F("due_at"))),
        "finished_late": HANDLED & Q(resolved_at__gt=F("due_at")),
        "open": IS_OPEN,
        # the open cases that have a due time, and those still to be accepted that have an acceptance due time:
        # each is either past it or not yet (`not_yet_due_aggregates`), so the tally needs no clock
        "open_dated": IS_OPEN & Q(due_at__isnull=False),
        "unanswered_dated": IS_OPEN & Q(accept_due_at__isnull=False, accepted_at__isnull=True,
                                        resolved_at__isnull=True),
        "accept_on_time": accept_clock & (
            Q(accepted_at__lte=F("accept_due_at")) | Q(accepted_at__isnull=True, resolved_at__lte=F("accept_due_at"))
        ),
        "accept_late_answered": accept_clock & (
            Q(accepted_at__gt=F("accept_due_at")) | Q(accepted_at__isnull=True, resolved_at__gt=F("accept_due_at"))
        ),
        "timed": TIMED_CASES,  # the condition of the index case_timed_hours
        "rated": Q(rating__isnull=False),
        "satisfied": Q(rating__gte=4),
        "reopened": Q(reopen_count__gt=0),
        "answered": HANDLED | Q(reopen_count__gt=0),
    }


def clock_conditions(now: datetime) -> dict[str, Q]:
    """The open cases' part that the clock changes."""
    past_due, accept_past_due = _clock_parts(now)
    return {"past_due": IS_OPEN & past_due, "accept_past_due": IS_OPEN & accept_past_due}


def conditions(now: datetime) -> dict[str, Q]:
    """Each figure the dashboard shows as a Q over cases (aggregates and drill-down lists both use these)."""
    base, clock = base_conditions(), clock_conditions(now)
    return {
        "received": Q(pk__isnull=False),
        "handled": base["handled"],
        "fixed": base["fixed"],
        "rejected": base["rejected"],
        "on_time": base["on_time"],
        "late": base["finished_late"] | clock["past_due"],
        "pending": IS_OPEN & (Q(due_at__isnull=True) | Q(due_at__gte=now)),
        "overdue": clock["past_due"],
        "accept_on_time": base["accept_on_time"],
        "accept_late": base["accept_late_answered"] | clock["accept_past_due"],
        "timed": base["timed"],
        "rated": base["rated"],
        "satisfied": base["satisfied"],
        "reopened": base["reopened"],
        "answered": base["answered"],
    }


def base_aggregates() -> dict:
    """The clock-independent counters and sums as aggregates (the tally's columns)."""
    cond = base_conditions()
    # Count the (never null) receipt time, not the id, so PostgreSQL can answer from a covering index alone.
    aggs = {"received": Count("received_at")}
    aggs.update({name: Count("received_at", filter=cond[name]) for name in COUNTERS if name != "received"})
    aggs["hours_sum"] = Sum("resolve_working_hours", filter=cond["timed"])
    aggs["rating_sum"] = Sum("rating")
    return aggs


def clock_aggregates(now: datetime, received: Q) -> dict:
    """Over the open cases of `clock_cases(now)`: overdue now (any receipt date), and the clock-dependent parts
    of the cases `received` in the period. The FILTERs leave out the status (the WHERE holds it), so PostgreSQL
    answers from the index case_open_clock alone."""
    past_due, accept_past_due = _clock_parts(now)
    return {
        "overdue": Count("received_at", filter=past_due),
        "past_due": Count("received_at", filter=past_due & received),
        "accept_past_due": Count("received_at", filter=accept_past_due & received),
    }


def _clock_parts(now: datetime) -> tuple[Q, Q]:
    """Past the resolve due time (the one definition of overdue, feedback/clocks/overdue.py, without the open
    statuses that the callers' WHERE already holds), and past the acceptance due time."""
    return past_due_q(now), Q(accept_due_at__lt=now, accepted_at__isnull=True, resolved_at__isnull=True)


def clock_cases(now: datetime) -> Q:
    """The open cases that have a clock-dependent part at this instant (the clock aggregates' WHERE)."""
    past_due, accept_past_due = _clock_parts(now)
    return IS_OPEN & (past_due | accept_past_due)


def not_yet_due_cases(now: datetime) -> Q:
    """The open cases not yet past their due time or their acceptance due time: what the clock can still change.
    Past due = dated − not yet due, so the tally's path reads only these (the next days' cases), however long
    the backlog of overdue cases."""
    return IS_OPEN & (Q(due_at__gte=now) | Q(accept_due_at__gte=now, accepted_at__isnull=True,
                                              resolved_at__isnull=True))


def not_yet_due_aggregates(now: datetime, received: Q, *, prefix: str = "") -> dict:
    """Over `not_yet_due_cases(now)`: not yet due among the cases `received` (and, without a prefix, among all)."""
    due, accept = Q(due_at__gte=now), Q(accept_due_at__gte=now, accepted_at__isnull=True, resolved_at__isnull=True)
    aggs = {f"{prefix}not_due": Count("received_at", filter=due & received),
            f"{prefix}accept_not_due": Count("received_at", filter=accept & received)}
    if not prefix:
        aggs["not_due_all"] = Count("received_at", filter=due)
    return aggs


def clock_from_counts(base: dict | None, live: dict | None, open_all: dict | None = None) -> dict:
    """The clock part (`CLOCK`) from counters: past due = dated − not yet due; overdue now likewise from the
    all-time open counts."""
    b, c = base or {}, live or {}
    out = {"past_due": (b.get("open_dated") or 0) - (c.get("not_due") or 0),
           "accept_past_due": (b.get("unanswered_dated") or 0) - (c.get("accept_not_due") or 0), "overdue": 0}
    if open_all is not None:
        out["overdue"] = (open_all.get("open_dated") or 0) - (c.get("not_due_all") or 0)
    return out
