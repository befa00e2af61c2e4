"""A hand-built set of cases with known dashboard figures (used by the stats, dashboard and browser tests).

Cases are submitted through `submit_report`; their lifecycle fields are then set with one explicit
`.update(...)` per case (`set_lifecycle`) so every clock is exact, and the figures' cache is invalidated.

The period is one whole calendar month two months back; one case (c8) is received the month before and is
still open past due, so it counts only in "overdue now".

| case | agency      | state                         | on time? | accept  | hours | rating |
| c1   | A           | resolved fixed before due     | on time  | on time | 10    | 5      |
| c2   | A           | resolved not fixed, after due | late     | late    | 30    | 2      |
| c3   | A           | rejected duplicate before due | on time  | on time (answered) | – | – |
| c4   | A           | in progress, past due         | late     | on time | –     | –      |
| c5   | B           | assigned, not yet due         | pending  | pending | –     | –      |
| c6   | B           | reopened once, not yet due    | pending  | on time | –     | –      |
| c7   | B (from A)  | closed fixed before due, transferred once | on time | on time | 6 | 4 |
| c9   | C (ward 2)  | resolved fixed after due      | late     | late    | 20    | –      |
| c8   | A           | received before the period, in progress past due: overdue now only |
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.utils import timezone

from agencies.models import Agency, Topic, Ward
from dashboard import figures as stats, tally
from feedback.lifecycle import CaseStatus, Outcome
from feedback.models import Case
from feedback.services import Contact, Location, submit_report
from feedback.clocks.calendar import TZ

A = "ubnd-00070"  # UBND Phường Hoàn Kiếm (waste at Hoàn Kiếm goes to the ward's committee)
B = "chieu-sang-hapulico"  # public lighting goes to Hapulico
HOAN_KIEM = (21.0288, 105.8525)
REPORTER_EMAIL = "secret.reporter@example.com"
REPORTER_NAME = "Nguyễn Văn Bí Mật"
REPORTER_PHONE = "0912345678"


def set_lifecycle(case: Case, **fields) -> Case:
    """Put a case's status/outcome/clocks to exact values (one UPDATE, no signal), then invalidate the cached
    figures and the tally of its old and new receipt days, as any such write must."""
    before = case.received_at
    Case.objects.filter(pk=case.pk).update(**fields)
    case.refresh_from_db()
    stats.bump_version()
    tally.mark_stale(before, case.received_at)
    return case


def _report(topic_code: str, *, ward: Ward | None = None) -> Case:
    topic = Topic.objects.get(code=topic_code)
    location = (Location(lat=HOAN_KIEM[0], lon=HOAN_KIEM[1]) if ward is None
                else Location(address=f"Số 1, {ward.full_name}"))
    return submit_report(topic=topic, description="Sự cố cần xử lý gấp ở đây", location=location, ward=ward,
                         contact=Contact(name=REPORTER_NAME, phone=REPORTER_PHONE, email=REPORTER_EMAIL))


@dataclass
class KnownSet:
    period: stats.Period
    cases: dict[str, Case]
    agency_a: Agency
    agency_b: Agency
    agency_c: Agency
    ward_2: Ward


def build_known_cases() -> KnownSet:
    today = timezone.localdate()
    month = stats._add_months(today.replace(day=1), -2)
    period = stats.Period(month, stats._add_months(month, 1) - timedelta(days=1))
    t0 = datetime.combine(month + timedelta(days=9), time(9), TZ)  # received
    due = t0 + timedelta(days=3)
    acc = t0 + timedelta(days=1)
    future = timezone.now() + timedelta(days=10)
    ward_2 = Ward.objects.exclude(code="00070").order_by("code").first()
    agency_b = Agency.objects.get(code=B)
    common = {"received_at": t0, "due_at": due, "accept_due_at": acc}
    c = {}
    c["c1"] = set_lifecycle(_report("waste"), **common, status=CaseStatus.RESOLVED, outcome=Outcome.FIXED,
                            accepted_at=acc - timedelta(hours=2), resolved_at=due - timedelta(hours=1),
                            resolve_working_hours=10, rating=5)
    c["c2"] = set_lifecycle(_report("waste"), **common, status=CaseStatus.RESOLVED,
                            outcome=Outcome.NOT_FIXED_INFEASIBLE, accepted_at=acc + timedelta(hours=1),
                            resolved_at=due + timedelta(hours=2), resolve_working_hours=30, rating=2)
    c["c3"] = set_lifecycle(_report("waste"), **common, status=CaseStatus.REJECTED, outcome=Outcome.DUPLICATE,
                            accepted_at=None, resolved_at=acc - timedelta(hours=3))
    c["c4"] = set_lifecycle(_report("waste"), **common, status=CaseStatus.IN_PROGRESS, accepted_at=acc)
    c["c5"] = set_lifecycle(_report("public-lighting"), received_at=t0, due_at=future, accept_due_at=future,
                            status=CaseStatus.ASSIGNED, accepted_at=None)
    c["c6"] = set_lifecycle(_report("public-lighting"), received_at=t0, due_at=future, accept_due_at=acc,
                            accepted_at=acc - timedelta(hours=1), status=CaseStatus.REOPENED, reopen_count=1,
                            resolved_at=None, outcome="")
    c["c7"] = set_lifecycle(_report("waste"), **common, agency=agency_b, transfer_count=1,
                            status=CaseStatus.CLOSED, outcome=Outcome.FIXED, accepted_at=acc - timedelta(hours=5),
                            resolved_at=due - timedelta(days=1), resolve_working_hours=6, rating=4)
    c["c9"] = set_lifecycle(_report("waste", ward=ward_2), **common, status=CaseStatus.RESOLVED,
                            outcome=Outcome.FIXED, accepted_at=acc + timedelta(hours=4),
                            resolved_at=due + timedelta(days=1), resolve_working_hours=20)
    before = t0 - timedelta(days=31)
    c["c8"] = set_lifecycle(_report("waste"), received_at=before, due_at=before + timedelta(days=3),
                            accept_due_at=before + timedelta(days=1), accepted_at=before + timedelta(hours=2),
                            status=CaseStatus.IN_PROGRESS)
    return KnownSet(period=period, cases=c, agency_a=Agency.objects.get(code=A), agency_b=agency_b,
                    agency_c=Agency.objects.get(ward=ward_2), ward_2=ward_2)


# The known answers for the period.
TOTALS = {
    "received": 8, "handled": 5, "fixed": 3, "rejected": 1, "on_time": 3, "late": 3, "pending": 2,
    "accept_on_time": 5, "accept_late": 2, "timed": 4, "rated": 3, "satisfied": 2, "reopened": 1, "answered": 6,
    "overdue": 2,
}
TOTAL_VALUES = {
    "handled_rate": 5 / 8, "fixed_rate": 3 / 8, "on_time_rate": 0.5, "accept_on_time_rate": 5 / 7,
    "avg_hours": 16.5, "median_hours": 15.0, "rating_avg": 11 / 3, "satisfied_share": 2 / 3, "reopen_rate": 1 / 6,
}
BY_AGENCY = {  # code: (received, handled, on_time, late, pending, overdue)
    A: (4, 3, 2, 2, 0, 2),
    B: (3, 1, 1, 0, 2, 0),
}
CASES_BEHIND = {  # metric: the cases it lists
    "received": {"c1", "c2", "c3", "c4", "c5", "c6", "c7", "c9"},
    "handled": {"c1", "c2", "c3", "c7", "c9"},
    "fixed": {"c1", "c7", "c9"},
    "rejected": {"c3"},
    "on_time": {"c1", "c3", "c7"},
    "late": {"c2", "c4", "c9"},
    "pending": {"c5", "c6"},
    "accept_on_time": {"c1", "c3", "c4", "c6", "c7"},
    "accept_late": {"c2", "c9"},
    "timed": {"c1", "c2", "c7", "c9"},
    "rated": {"c1", "c2", "c7"},
    "satisfied": {"c1", "c7"},
    "reopened": {"c6"},
    "answered": {"c1", "c2", "c3", "c6", "c7", "c9"},
    "overdue": {"c4", "c8"},
}
