"""What a figure is: each counter's name, the rates derived from them, and the rows and tables of a dashboard."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from . import metrics
from .periods import Period, Scope


# --- the definitions ---------------------------------------------------------------------------------------------

conditions = metrics.conditions  # each figure as a Q over cases (dashboard.metrics holds the definitions)

COUNTED = ("received", "handled", "fixed", "rejected", "on_time", "late", "pending", "accept_on_time", "accept_late",
           "timed", "rated", "satisfied", "reopened", "answered")
METRICS = COUNTED + ("overdue",)  # the names a drill-down accepts


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


@dataclass(frozen=True)
class Figures:
    received: int = 0
    handled: int = 0
    fixed: int = 0
    rejected: int = 0
    on_time: int = 0
    late: int = 0
    pending: int = 0
    accept_on_time: int = 0
    accept_late: int = 0
    timed: int = 0
    rated: int = 0
    satisfied: int = 0
    reopened: int = 0
    answered: int = 0
    overdue: int = 0
    avg_hours: float | None = None
    median_hours: float | None = None
    rating_avg: float | None = None

    @property
    def handled_rate(self) -> float | None:
        return _ratio(self.handled, self.received)

    @property
    def fixed_rate(self) -> float | None:
        return _ratio(self.fixed, self.received)

    @property
    def on_time_rate(self) -> float | None:
        return _ratio(self.on_time, self.on_time + self.late)

    @property
    def accept_on_time_rate(self) -> float | None:
        return _ratio(self.accept_on_time, self.accept_on_time + self.accept_late)

    @property
    def satisfied_share(self) -> float | None:
        return _ratio(self.satisfied, self.rated)

    @property
    def reopen_rate(self) -> float | None:
        return _ratio(self.reopened, self.answered)

    def as_dict(self) -> dict:
        """Counts, averages and rates, for JSON, CSV and the API."""
        out = {name: getattr(self, name) for name in self.__dataclass_fields__}
        for name in RATES:
            out[name] = getattr(self, name)
        return out


RATES = ("handled_rate", "fixed_rate", "on_time_rate", "accept_on_time_rate", "satisfied_share", "reopen_rate")


def _figures(base: dict | None, clock: dict | None = None, median: float | None = None) -> Figures:
    """A group's figures from its clock-independent counters (cases or tally) and its open cases' clock part."""
    b = {name: (base or {}).get(name) or 0 for name in metrics.BASE}
    c = {name: (clock or {}).get(name) or 0 for name in metrics.CLOCK}
    return Figures(
        received=b["received"], handled=b["handled"], fixed=b["fixed"], rejected=b["rejected"],
        on_time=b["on_time"], late=b["finished_late"] + c["past_due"], pending=b["open"] - c["past_due"],
        accept_on_time=b["accept_on_time"], accept_late=b["accept_late_answered"] + c["accept_past_due"],
        timed=b["timed"], rated=b["rated"], satisfied=b["satisfied"], reopened=b["reopened"],
        answered=b["answered"], overdue=c["overdue"],
        avg_hours=b["hours_sum"] / b["timed"] if b["timed"] else None, median_hours=median,
        rating_avg=b["rating_sum"] / b["rated"] if b["rated"] else None,
    )


@dataclass(frozen=True)
class Row:
    key: object  # agency/ward/topic id, or the month's first day; None = no agency/ward yet
    code: str  # what a drill-down link passes (agency code, ward code, topic code, YYYY-MM)
    label: str
    figures: Figures


@dataclass(frozen=True)
class Table:
    group: str
    period: Period
    rows: list[Row] = field(default_factory=list)


@dataclass(frozen=True)
class Dashboard:
    period: Period
    scope: Scope
    totals: Figures
    tables: dict[str, Table]
    computed_at: datetime
