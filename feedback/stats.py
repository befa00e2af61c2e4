"""Figures for the leaders' dashboard and the public on-time board, computed in the database.

Every figure is a `Count(..., filter=Q)` / `Avg` / median aggregate over the cases received in a period, one
query per table (GROUP BY agency, ward, topic or month): no Python loop over cases. The Q conditions in
`conditions()` are the single definition of each metric; the drill-down lists use the very same Q objects, so
the list behind a number always has that many rows.

Definitions (also written on the dashboard):
- received: cases received in the period (receipt time, which never changes; a transferred case counts for its
  current agency);
- handled: the agency has given its answer — status resolved, rejected (with a reason) or closed;
  fixed: handled with the outcome "resolved – fixed" ("resolved – not fixed" is handled but never fixed);
- on time: handled at or before the due time; late: handled after it, or still open past it;
  pending: open and not yet due — excluded from the on-time rate (on time + late + pending = received);
- acceptance on time: accepted (or answered, if never formally accepted) by the acceptance due time;
- time to resolve: working hours from receipt to resolution (`Case.resolve_working_hours`, stored at
  resolution by `working_hours_to_resolve`), over cases resolved (fixed or not);
- overdue now: open cases past their due time, whatever their receipt date (a current state, not a period one);
- satisfaction: mean rating (1–5) and share of rated cases rated 4 or 5;
- reopen rate: cases reopened at least once / cases answered at least once.

Caching: results are cached under a version token that `bump_version()` replaces whenever a case is saved or
deleted (the post_save/post_delete receivers at the bottom of this module, connected in FeedbackConfig.ready),
plus a short TTL (`CACHE_TTL`) because queryset `.update()` writes send no signal (call `bump_version()` after
one) and because "overdue now" and "late" change with the clock alone. The monthly trend's past months are
cached one by one under a per-month token bumped by the same receiver, so a change to a recent case does not
recompute the year (`trend`).
"""
from __future__ import annotations

import hashlib
import statistics
import uuid
from contextlib import contextmanager
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Aggregate, Avg, Count, F, FloatField, IntegerField, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.db.models.signals import post_delete, post_save
from django.utils import timezone, translation

from agencies.models import Agency, StaffRole, Topic, Ward
from agencies.selectors import agencies_of, has_role

from .lifecycle import FINISHED_STATUSES, OPEN_STATUSES, REJECTED_OUTCOMES, CaseStatus, Outcome
from .models import TIMED_CASES, Case
from .workcalendar import TZ

CACHE_TTL = 60  # seconds; the version token makes saves visible at once, the TTL bounds clock-driven drift
_VERSION_KEY = "stats:version"
TREND_MONTHS = 12
GROUPS = ("agency", "ward", "topic", "month")


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
    from .selectors import cases_visible_to

    qs = cases_visible_to(user) if user is not None else Case.objects.all()
    return qs if sl.is_city else qs.filter(agency_id__in=sl.agency_ids)


# --- the definitions ---------------------------------------------------------------------------------------------

def conditions(now: datetime) -> dict[str, Q]:
    """Each metric as a Q over cases; aggregates and drill-down lists both use these."""
    handled = Q(status__in=FINISHED_STATUSES)
    is_open = Q(status__in=sorted(OPEN_STATUSES))  # same list as the partial index case_open_due
    past_due = is_open & Q(due_at__lt=now)
    finished_late = handled & Q(resolved_at__gt=F("due_at"))
    accept_clock = Q(accept_due_at__isnull=False)
    answered_at_accept = Q(accepted_at__isnull=False) | Q(resolved_at__isnull=False)
    accept_late = accept_clock & (
        Q(accepted_at__gt=F("accept_due_at"))
        | Q(accepted_at__isnull=True, resolved_at__gt=F("accept_due_at"))
        | (~answered_at_accept & Q(accept_due_at__lt=now))
    )
    accept_on_time = accept_clock & (
        Q(accepted_at__lte=F("accept_due_at")) | Q(accepted_at__isnull=True, resolved_at__lte=F("accept_due_at"))
    )
    return {
        "received": Q(pk__isnull=False),
        "handled": handled,
        "fixed": handled & Q(outcome=Outcome.FIXED),
        "rejected": Q(status=CaseStatus.REJECTED) | Q(status=CaseStatus.CLOSED, outcome__in=REJECTED_OUTCOMES),
        "on_time": handled & (Q(due_at__isnull=True) | Q(resolved_at__isnull=True) | Q(resolved_at__lte=F("due_at"))),
        "late": finished_late | past_due,
        "pending": is_open & (Q(due_at__isnull=True) | Q(due_at__gte=now)),
        "overdue": past_due,
        "accept_on_time": accept_on_time,
        "accept_late": accept_late,
        "timed": TIMED_CASES,  # the condition of the index case_timed_hours
        "rated": Q(rating__isnull=False),
        "satisfied": Q(rating__gte=4),
        "reopened": Q(reopen_count__gt=0),
        "answered": handled | Q(reopen_count__gt=0),
    }


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


# --- the aggregates ----------------------------------------------------------------------------------------------

class Median(Aggregate):
    """PostgreSQL's PERCENTILE_CONT(0.5) ordered-set aggregate (FILTER appended by Django when given)."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _has_percentile() -> bool:
    return connection.vendor == "postgresql"


def _aggregates(now: datetime, *, only: tuple[str, ...] = COUNTED, median: bool = True) -> dict:
    cond = conditions(now)
    # Count the (never null) receipt time, not the id, so PostgreSQL can answer from the covering index alone.
    aggs = {name: Count("received_at", filter=None if name == "received" else cond[name]) for name in only}
    aggs["avg_hours"] = Avg("resolve_working_hours", filter=cond["timed"])
    aggs["rating_avg"] = Avg("rating")
    if median and _has_percentile():
        aggs["median_hours"] = Median("resolve_working_hours", filter=cond["timed"])
    return aggs


def _in_period(cases: QuerySet, period: Period, scope: Scope) -> QuerySet:
    lo, hi = period.bounds
    return cases.filter(scope.q(), received_at__gte=lo, received_at__lt=hi).select_related(None).order_by()


def _group_expr(group: str):
    return TruncMonth("received_at", tzinfo=TZ) if group == "month" else F(f"{group}_id")


def _month_key(value) -> date | None:
    if value is None:
        return None
    return timezone.localtime(value, TZ).date() if isinstance(value, datetime) else value


def _sqlite_medians(qs: QuerySet, now: datetime, group: str | None) -> dict:
    """Portable median: fetch only the resolved cases' stored hours (values_list), group in Python."""
    values = qs.filter(conditions(now)["timed"])
    if group is None:
        hours = list(values.values_list("resolve_working_hours", flat=True))
        return {None: statistics.median(hours)} if hours else {}
    per: dict = defaultdict(list)
    for key, hours in values.annotate(g=_group_expr(group)).values_list("g", "resolve_working_hours"):
        per[_month_key(key) if group == "month" else key].append(hours)
    return {k: statistics.median(v) for k, v in per.items()}


def _figures(row: dict) -> Figures:
    return Figures(**{k: v for k, v in row.items() if k in Figures.__dataclass_fields__})


def totals(*, cases: QuerySet, period: Period, scope: Scope = Scope(), now: datetime | None = None) -> Figures:
    """The period's figures over the whole slice/scope (one aggregate query, plus one for overdue now)."""
    now = now or timezone.now()
    qs = _in_period(cases, period, scope)
    row = qs.aggregate(**_aggregates(now))
    if not _has_percentile():
        row["median_hours"] = _sqlite_medians(qs, now, None).get(None)
    row["overdue"] = overdue_cases(cases=cases, scope=scope, now=now).count()
    return _figures(row)


def table(*, cases: QuerySet, group: str, period: Period, scope: Scope = Scope(),
          now: datetime | None = None) -> Table:
    """One row per agency / ward / topic / month: one GROUP BY query, one for overdue now, one for labels."""
    if group not in GROUPS:
        raise ValueError(f"unknown group {group!r}")
    now = now or timezone.now()
    qs = _in_period(cases, period, scope)
    # No median in the monthly trend: an ordered-set aggregate forces PostgreSQL to sort a year of rows
    # instead of hashing them into a dozen groups.
    with_median = group != "month"
    rows = list(qs.annotate(g=_group_expr(group)).values("g")
                .annotate(**_aggregates(now, median=with_median)).order_by("g"))
    medians = _sqlite_medians(qs, now, group) if with_median and not _has_percentile() else {}
    overdue: dict = {}
    if group != "month":
        overdue = dict(
            overdue_cases(cases=cases, scope=scope, now=now).select_related(None).order_by()
            .values_list(f"{group}_id").annotate(n=Count("*"))
        )
    by_key = {}
    for r in rows:
        key = _month_key(r.pop("g")) if group == "month" else r.pop("g")
        if with_median and not _has_percentile():
            r["median_hours"] = medians.get(key)
        by_key[key] = r
    return _build_table(group, period, by_key, overdue)


def _build_table(group: str, period: Period, by_key: dict, overdue: dict) -> Table:
    """Rows (aggregate dicts by group key) + overdue-now counts by key → a labelled, sorted Table."""
    overdue = dict(overdue)
    figures = {}
    for key, r in by_key.items():
        figures[key] = _figures({**r, "overdue": overdue.pop(key, 0) if group != "month" else 0})
    for key, n in overdue.items():  # overdue now, but received before the period
        figures[key] = Figures(overdue=n)
    if group == "month":  # every month of the trend, empty ones too
        month = period.start.replace(day=1)
        while month <= period.end:
            figures.setdefault(month, Figures())
            month = _add_months(month, 1)
    labels = _labels(group, figures.keys())
    out = [Row(key=k, code=labels[k][0], label=labels[k][1], figures=f) for k, f in figures.items()]
    out.sort(key=lambda r: (r.key is None, r.key) if group == "month" else (r.key is None, r.label))
    return Table(group=group, period=period, rows=out)


class Grouping(Aggregate):
    """PostgreSQL's GROUPING(a, b, c): which grouping set a row of GROUP BY GROUPING SETS belongs to."""

    function = "GROUPING"
    name = "Grouping"
    output_field = IntegerField()


_SETS = {3: "agency", 5: "ward", 6: "topic", 7: None}  # GROUPING(agency, ward, topic) bits → the set


def _one_scan(*, cases: QuerySet, period: Period, scope: Scope, now: datetime) -> tuple[Figures, dict]:
    """PostgreSQL: the totals and the agency, ward and topic tables from ONE scan of the period's cases
    (GROUP BY GROUPING SETS), and overdue now likewise from one scan of the open-cases index."""
    dims = ("agency_id", "ward_id", "topic_id")

    def grouped(qs: QuerySet, aggs: dict) -> list[dict]:
        q = qs.values(*dims).annotate(gset=Grouping(*dims), **aggs).order_by()
        sql, params = q.query.sql_with_params()
        at = sql.rfind(" GROUP BY ")  # Django writes "GROUP BY 1, 2, 3" or the column names, and nothing after
        if at < 0 or any(word in sql[at:] for word in (" HAVING ", " ORDER BY ", " LIMIT ")):
            raise RuntimeError("unexpected GROUP BY clause: " + sql[at:][:200])
        sets = ", ".join(f'("{Case._meta.db_table}"."{d}")' for d in dims)
        sql = f"{sql[:at]} GROUP BY GROUPING SETS ({sets}, ())"
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            names = [c[0] for c in cursor.description]
            # A raw cursor skips the ORM's converters: AVG of an integer comes back as Decimal.
            return [{n: float(v) if isinstance(v, Decimal) else v for n, v in zip(names, row)}
                    for row in cursor.fetchall()]

    in_period = _in_period(cases, period, scope)
    # The medians in a query of their own: sorting narrow (group, hours) rows of the resolved cases is far
    # cheaper than sorting the wide rows all the other aggregates need (which then hash).
    rows = grouped(in_period, _aggregates(now, median=False))
    medians = {(r["gset"], r["agency_id"], r["ward_id"], r["topic_id"]): r["median_hours"] for r in grouped(
        in_period.filter(conditions(now)["timed"]), {"median_hours": Median("resolve_working_hours")})}
    for r in rows:
        r["median_hours"] = medians.get((r["gset"], r["agency_id"], r["ward_id"], r["topic_id"]))
    overdue_rows = grouped(overdue_cases(cases=cases, scope=scope, now=now).select_related(None).order_by(),
                           {"n": Count("*")})
    by_set: dict = {name: {} for name in _SETS.values()}
    overdue: dict = {name: {} for name in _SETS.values()}
    for r in rows:
        name = _SETS[r.pop("gset")]
        key = r.pop(f"{name}_id") if name else None
        by_set[name][key] = r
    for r in overdue_rows:
        name = _SETS[r["gset"]]
        overdue[name][r[f"{name}_id"] if name else None] = r["n"]
    total = by_set[None].get(None) or {"received": 0}
    totals_ = _figures({**total, "overdue": overdue[None].get(None, 0)})
    tables = {name: _build_table(name, period, by_set[name], overdue[name]) for name in ("agency", "ward", "topic")}
    return totals_, tables


def _labels(group: str, keys) -> dict:
    keys = list(keys)
    if group == "month":
        return {k: (f"{k:%Y-%m}", f"{k:%m/%Y}") for k in keys}
    none = {None: ("none", str(_none_label(group)))}
    ids = [k for k in keys if k is not None]
    if group == "agency":
        found = {a.pk: (a.code, a.short_name or a.name) for a in Agency.objects.filter(pk__in=ids).only(
            "code", "name", "short_name")}
    elif group == "ward":
        found = {w.pk: (w.code, w.full_name) for w in Ward.objects.filter(pk__in=ids).only("code", "full_name")}
    else:
        found = {t.pk: (t.code, t.name) for t in Topic.objects.filter(pk__in=ids).only("code", "name_vi", "name_en")}
    return {**none, **found}


def _none_label(group: str):
    from django.utils.translation import gettext

    return gettext("Not assigned yet") if group == "agency" else gettext("Ward not determined")


def overdue_cases(*, cases: QuerySet, scope: Scope = Scope(), now: datetime | None = None) -> QuerySet[Case]:
    """Open cases past their due time, oldest due first (the live list)."""
    now = now or timezone.now()
    return cases.filter(scope.q()).filter(conditions(now)["overdue"]).order_by("due_at", "pk")


def cases_behind(*, cases: QuerySet, metric: str, period: Period, scope: Scope = Scope(),
                 now: datetime | None = None) -> QuerySet[Case]:
    """The cases counted by one number (drill-down). `overdue` ignores the period, like the figure."""
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}")
    now = now or timezone.now()
    if metric == "overdue":
        return overdue_cases(cases=cases, scope=scope, now=now)
    lo, hi = period.bounds
    return (cases.filter(scope.q(), received_at__gte=lo, received_at__lt=hi)
            .filter(conditions(now)[metric]).order_by("-received_at", "-pk"))


def working_hours_to_resolve(case: Case) -> float:
    """Working hours (city calendar) from receipt to resolution; staff actions store it on resolution."""
    from .deadlines import city_calendar

    if case.resolved_at is None:
        raise ValueError("the case has no resolution time")
    return round(city_calendar().working_hours_between(case.received_at, case.resolved_at), 2)


# --- cached entry points (views, the API, the board) -------------------------------------------------------------

def current_version() -> str:
    version = cache.get(_VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        cache.add(_VERSION_KEY, version, None)
        version = cache.get(_VERSION_KEY, version)
    return version


def bump_version(*, received_at: datetime | None = None) -> None:
    """A case changed: every cached figure is stale (and, given its receipt time, that month of the trend).

    A fresh random token never collides with an old one, even after a cache flush or a test rollback.
    """
    cache.set(_VERSION_KEY, uuid.uuid4().hex, None)
    if received_at is not None:
        cache.set(f"stats:month:{timezone.localtime(received_at, TZ):%Y%m}", uuid.uuid4().hex, None)
    else:  # unknown month: forget every month's trend row
        cache.delete_many([f"stats:month:{m:%Y%m}" for m in _all_trend_months()])


def _all_trend_months() -> list[date]:
    today = timezone.localdate().replace(day=1)
    return [_add_months(today, -i) for i in range(0, 12 * 4)]


def _cache_key(*parts: str) -> str:
    raw = ":".join(parts + (translation.get_language() or "",))
    return f"stats:{current_version()}:" + hashlib.sha1(raw.encode()).hexdigest()


def dashboard(*, user, sl: Slice, period: Period, scope: Scope = Scope(), groups=GROUPS) -> Dashboard:
    """Totals and tables for the dashboard (or, with user=None and the city slice, the public board)."""
    key = _cache_key("dash", sl.key(), period.key(), scope.key(), ",".join(groups))
    found = cache.get(key)
    if found is not None:
        return found
    with transaction.atomic(), _no_jit():
        result = _compute(user=user, sl=sl, period=period, scope=scope, groups=groups)
    cache.set(key, result, CACHE_TTL)
    return result


@contextmanager
def _no_jit():
    """PostgreSQL's JIT compiles these many-aggregate queries for longer than they run: off for this transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
    yield


def _compute(*, user, sl: Slice, period: Period, scope: Scope, groups) -> Dashboard:
    cases = sliced_cases(user, sl)
    now = timezone.now()
    if _has_percentile():  # PostgreSQL: one scan for the totals and the three tables
        total, tables = _one_scan(cases=cases, period=period, scope=scope, now=now)
    else:
        total = totals(cases=cases, period=period, scope=scope, now=now)
        tables = {g: table(cases=cases, group=g, period=period, scope=scope, now=now)
                  for g in groups if g != "month"}
    if "month" in groups:
        tables["month"] = trend(cases=cases, sl=sl, period=period, scope=scope, now=now)
    return Dashboard(period=period, scope=scope, totals=total, tables={g: tables[g] for g in groups},
                     computed_at=now)


TREND_PAST_TTL = 600  # bounds the clock-driven drift (a past month's pending case falling due) of past months


def trend(*, cases: QuerySet, sl: Slice, period: Period, scope: Scope = Scope(),
          now: datetime | None = None) -> Table:
    """The monthly trend (`Period.trend()`): one row per month, empty months included.

    A year of cases is the costliest scan of the dashboard, so each month before the period's last one is cached
    on its own, under a token that changes whenever a case received in that month is saved (`bump_version`):
    a change to a recent case recomputes only the recent month, not the year.
    """
    now = now or timezone.now()
    span = period.trend()
    last = Period(max(period.end.replace(day=1), span.start), span.end)
    months = []
    m = span.start.replace(day=1)
    while m < last.start:
        months.append(m)
        m = _add_months(m, 1)
    keys = {m: _month_key_for(m, sl, scope, span) for m in months}
    found = cache.get_many(list(keys.values())) if keys else {}
    rows = {m: found[keys[m]] for m in months if keys[m] in found}
    missing = [m for m in months if m not in rows]
    if missing:
        lo = max(missing[0], span.start)
        hi = _add_months(missing[-1], 1) - timedelta(days=1)
        computed = {r.key: r for r in table(cases=cases, group="month", period=Period(lo, hi), scope=scope,
                                            now=now).rows}
        fresh = {m: computed[m] for m in missing}
        cache.set_many({keys[m]: r for m, r in fresh.items()}, TREND_PAST_TTL)
        rows.update(fresh)
    out = [rows[m] for m in months]
    out += table(cases=cases, group="month", period=last, scope=scope, now=now).rows
    return Table(group="month", period=span, rows=out)


def _month_token(month: date) -> str:
    key = f"stats:month:{month:%Y%m}"
    token = cache.get(key)
    if token is None:
        cache.add(key, uuid.uuid4().hex, None)
        token = cache.get(key, "")
    return token


def _month_key_for(month: date, sl: Slice, scope: Scope, span: Period) -> str:
    start = max(month, span.start)  # the first month may begin inside the trend's first day
    raw = f"{sl.key()}:{scope.key()}:{start:%Y%m%d}:{_month_token(month)}"
    return "stats:trend:" + hashlib.sha1(raw.encode()).hexdigest()


BOARD_DAYS = 30


def board(*, today: date | None = None) -> Dashboard:
    """The public board: the city's last BOARD_DAYS days by agency and by ward. Counts and names only."""
    return dashboard(user=None, sl=CITY, period=Period.last_days(BOARD_DAYS, today=today),
                     groups=("agency", "ward"))


def _on_case_change(sender, instance: Case, **kwargs) -> None:
    bump_version(received_at=instance.received_at)


def connect_signals() -> None:
    """Called once from FeedbackConfig.ready(): the one place where case writes invalidate the figures."""
    post_save.connect(_on_case_change, sender=Case, dispatch_uid="stats-case-saved")
    post_delete.connect(_on_case_change, sender=Case, dispatch_uid="stats-case-deleted")


# --- the ward map ------------------------------------------------------------------------------------------------

MAP_TOLERANCE = 0.0004  # degrees (~40 m): plenty for a city-wide choropleth, a fraction of the full size
_shapes: dict = {}


def _ward_shapes() -> list[dict]:
    """The 126 wards' boundaries simplified for display (topology kept), rebuilt only when a ward changes."""
    from django.db.models import Max
    from shapely.geometry import mapping, shape

    version = tuple(Ward.objects.aggregate(n=Count("id"), last=Max("updated_at")).values())
    if _shapes.get("version") != version:
        _shapes["features"] = [
            {"id": pk, "code": code, "name": name,
             "geometry": mapping(shape(boundary).simplify(MAP_TOLERANCE, preserve_topology=True))}
            for pk, code, name, boundary in Ward.objects.order_by("code").values_list(
                "pk", "code", "full_name", "boundary")
        ]
        _shapes["version"] = version
    return _shapes["features"]


def ward_map(ward_table: Table) -> bytes:
    """GeoJSON of every ward with its on-time figures (counts only), cached with the figures' version."""
    import json

    key = _cache_key("map", ward_table.period.key(), hashlib.sha1(repr(
        [(r.key, r.figures) for r in ward_table.rows]).encode()).hexdigest())
    found = cache.get(key)
    if found is not None:
        return found
    by_ward = {r.key: r.figures for r in ward_table.rows}
    features = []
    for w in _ward_shapes():
        f = by_ward.get(w["id"], Figures())
        features.append({"type": "Feature", "geometry": w["geometry"], "properties": {
            "code": w["code"], "name": w["name"], "received": f.received, "on_time": f.on_time, "late": f.late,
            "pending": f.pending, "overdue": f.overdue,
            "on_time_rate": None if f.on_time_rate is None else round(f.on_time_rate, 4)}})
    payload = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False,
                         separators=(",", ":")).encode()
    cache.set(key, payload, CACHE_TTL)
    return payload
