"""Figures for the leaders' dashboard and the public on-time board, computed in the database.

Definitions (also written on the dashboard; `feedback.metrics` holds each as a Q over cases):
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

How they are computed (no Python loop over cases, no N+1):
- the clock-independent counters of a group (received, handled, on time, finished late, open, …) come, for the
  whole city, from the daily tally (`feedback.tally`, kept exact on every case write), and for a narrower view
  (a manager's agencies, a filter) from one GROUP BY GROUPING SETS scan of its cases;
- the clock-dependent part — open cases now past their due time or acceptance time, and "overdue now" — is,
  for the city, the tally's dated open cases minus the open cases not yet due (read live: only the next days'
  cases); for a narrower view, its open cases past due, read live. The median comes from the resolved cases'
  index, cached under a token that only resolutions change.
`totals()` and `table()` compute the same figures straight from the cases (the reference the tests hold the
dashboard to).

Caching: results are cached under a version token that `bump_version()` replaces whenever a case is saved or
deleted (the post_save/post_delete receivers at the bottom of this module, connected in FeedbackConfig.ready),
plus a short TTL (`CACHE_TTL`) because "overdue now" and "late" change with the clock alone. A queryset
`.update()` of a counted field sends no signal: call `bump_version()` and `tally.mark_stale()` after one.
"""
from __future__ import annotations

import hashlib
import statistics
import uuid
from contextlib import contextmanager
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.cache import cache
from django.db import connection, connections, router, transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.signals import post_delete, post_save
from django.utils import timezone, translation

from agencies.models import Agency, StaffRole, Topic, Ward
from agencies.selectors import agencies_of, has_role

from . import metrics, tally
from .grouping import DIMS, SETS, Median, by_sets, month_expr, month_key
from .lifecycle import CaseStatus
from .models import Case
from .workcalendar import TZ

CACHE_TTL = 60  # seconds; the version token makes saves visible at once, the TTL bounds clock-driven drift
_VERSION_KEY = "stats:version"
_TIMED_KEY = "stats:timed-version"  # the resolved cases' hours (the medians)
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

conditions = metrics.conditions  # each figure as a Q over cases (feedback.metrics holds the definitions)

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


# --- the queries -------------------------------------------------------------------------------------------------

def _has_percentile() -> bool:
    return connection.vendor == "postgresql"


def _received(period: Period) -> Q:
    lo, hi = period.bounds
    return Q(received_at__gte=lo, received_at__lt=hi)


def _in_period(cases: QuerySet, period: Period, scope: Scope) -> QuerySet:
    return cases.filter(scope.q(), _received(period)).select_related(None).order_by()


def _open_on_the_clock(cases: QuerySet, scope: Scope, now: datetime) -> QuerySet:
    """The open cases with a clock-dependent part now (read from the index case_open_clock)."""
    return cases.filter(scope.q()).filter(metrics.clock_cases(now)).select_related(None).order_by()


def _medians(timed: QuerySet) -> dict:
    """The median hours to resolve of `timed` cases, in the shape of `grouping.by_sets` ({set: {key: median}}).

    Its own query: sorting the narrow (group, hours) rows of the resolved cases (index case_timed_hours) is far
    cheaper than sorting the wide rows the counters need. Without PERCENTILE_CONT (SQLite) the stored hours are
    fetched and the medians taken in Python."""
    if _has_percentile():
        found = by_sets(timed, {"median_hours": Median("resolve_working_hours")})
        return {name: {k: r["median_hours"] for k, r in rows.items()} for name, rows in found.items()}
    per: dict = {name: defaultdict(list) for name in SETS}
    for agency, ward, topic, hours in timed.values_list(*DIMS, "resolve_working_hours"):
        for name, key in ((None, None), ("agency", agency), ("ward", ward), ("topic", topic)):
            per[name][key].append(hours)
    return {name: {k: statistics.median(v) for k, v in keys.items()} for name, keys in per.items()}


MEDIAN_TTL = 600  # a safety net only: the timed token changes whenever a resolution does


def _cached_medians(in_period: QuerySet, sl: Slice, period: Period, scope: Scope) -> dict:
    """The period's medians, cached under the token of the resolved cases (`_TIMED_KEY`): most case writes —
    new reports, acceptances, transfers — do not touch a resolution, so they do not re-sort the period."""
    raw = f"{_token(_TIMED_KEY)}:{sl.key()}:{period.key()}:{scope.key()}"
    key = "stats:median:" + hashlib.sha1(raw.encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = _medians(in_period.filter(metrics.base_conditions()["timed"]))
        cache.set(key, found, MEDIAN_TTL)
    return found


def _tally_rows(sl: Slice, scope: Scope) -> tuple[str, tuple | None] | None:
    """Which tally rows hold this view's whole counters, as (dimension, keys): the city's, or those of the one
    agency, ward or topic it is narrowed to, or a manager's agencies; None when it is narrowed twice."""
    narrowed = [(dim, key) for dim, key in (("agency", scope.agency_id), ("ward", scope.ward_id),
                                            ("topic", scope.topic_id)) if key is not None]
    if sl.is_city:
        if not narrowed:
            return ("city", None)
        return (narrowed[0][0], (narrowed[0][1],)) if len(narrowed) == 1 else None
    if not narrowed:
        return ("agency", sl.agency_ids)
    if narrowed == [("agency", scope.agency_id)] and scope.agency_id in sl.agency_ids:
        return ("agency", (scope.agency_id,))
    return None  # (an agency outside the manager's slice: straight from the permitted cases, which gives none)


def _tallied(sl: Slice, scope: Scope) -> bool:
    """The whole city, unfiltered, reads its tables from the daily tally; a narrower view reads its (far fewer)
    cases, since the tally holds no agency × ward or ward × topic rows. Every view with one narrowing reads
    its monthly trend from the tally (`_tally_rows`)."""
    return _tally_rows(sl, scope) == ("city", None)


def _figures_by_set(*, cases: QuerySet, sl: Slice, period: Period, scope: Scope, now: datetime,
                    trend: Period | None = None) -> dict:
    """{set: {key: Figures}} for the period: counters + the open cases' clock part + medians; with `trend`, also
    "month": the monthly trend from the tally (`_tally_rows`).

    The whole city: the counters from the day tally; the clock part as dated − not yet due, the not yet due
    read live (the next days' open cases, one scan that also gives the trend's months) and overdue now from the
    all-time open counts. A narrower view: everything straight from its cases."""
    in_period = _in_period(cases, period, scope)
    live = None
    if _tallied(sl, scope):
        base = tally.by_sets(period.start, period.end)
        aggs = metrics.not_yet_due_aggregates(now, _received(period))
        if trend is not None:
            aggs.update(metrics.not_yet_due_aggregates(now, _received(trend), prefix="trend_"))
        live = by_sets(_open_not_yet_due(cases, scope, now), aggs, month=trend is not None)
        open_all = tally.open_by_sets()
        clock = {name: {k: metrics.clock_from_counts(base[name].get(k), live[name].get(k), open_all[name].get(k))
                        for k in set(base[name]) | set(open_all[name])} for name in SETS}
    else:
        base = by_sets(in_period, metrics.base_aggregates())
        clock = by_sets(_open_on_the_clock(cases, scope, now), metrics.clock_aggregates(now, _received(period)))
    medians = _cached_medians(in_period, sl, period, scope)
    out = {}
    for name in SETS:
        # a row for every group with cases in the period, and for those with cases overdue now (received earlier)
        keys = {None} if name is None else set(base[name]) | {k for k, c in clock[name].items() if c["overdue"]}
        out[name] = {k: _figures(base[name].get(k), clock[name].get(k), medians[name].get(k)) for k in keys}
    if trend is not None:
        out["month"] = _tally_trend(cases=cases, sl=sl, scope=scope, now=now, span=trend,
                                    live=live["month"] if live else None)
    return out


def _open_not_yet_due(cases: QuerySet, scope: Scope, now: datetime) -> QuerySet:
    return cases.filter(scope.q()).filter(metrics.not_yet_due_cases(now)).select_related(None).order_by()


def _tally_trend(*, cases: QuerySet, sl: Slice, scope: Scope, now: datetime, span: Period,
                 live: dict | None = None) -> Table:
    """The months of `span` from the tally rows of the view (`_tally_rows`), their clock part as dated − not
    yet due; `live`: the not yet due per month if already read ("trend_" counts), else read here."""
    if live is None:
        live = {month_key(r.pop("m")): r for r in _open_not_yet_due(cases, scope, now).filter(_received(span))
                .annotate(m=month_expr()).values("m")
                .annotate(**metrics.not_yet_due_aggregates(now, Q(), prefix="trend_")).order_by()}
    dim, keys = _tally_rows(sl, scope)
    months = tally.by_month(span.start, span.end, dim=dim, keys=keys)
    clock = {m: metrics.clock_from_counts(row, {"not_due": live.get(m, {}).get("trend_not_due"),
                                                "accept_not_due": live.get(m, {}).get("trend_accept_not_due")})
             for m, row in months.items()}
    return _month_table(span, months, clock)


def totals(*, cases: QuerySet, period: Period, scope: Scope = Scope(), now: datetime | None = None) -> Figures:
    """The period's figures over the whole slice/scope, straight from the cases (no tally)."""
    now = now or timezone.now()
    qs = _in_period(cases, period, scope)
    base = qs.aggregate(**metrics.base_aggregates())
    clock = _open_on_the_clock(cases, scope, now).aggregate(**metrics.clock_aggregates(now, _received(period)))
    median = _medians(qs.filter(metrics.base_conditions()["timed"]))[None].get(None)
    return _figures(base, clock, median)


def table(*, cases: QuerySet, group: str, period: Period, scope: Scope = Scope(),
          now: datetime | None = None) -> Table:
    """One row per agency / ward / topic / month, straight from the cases: one GROUP BY query (with the median
    on PostgreSQL), one for the open cases' clock part, one for the labels."""
    if group not in GROUPS:
        raise ValueError(f"unknown group {group!r}")
    now = now or timezone.now()
    qs = _in_period(cases, period, scope)
    clock_qs = _open_on_the_clock(cases, scope, now)
    if group == "month":  # no median in the trend, and no "overdue now" per receipt month
        base = {month_key(r.pop("m")): r for r in qs.annotate(m=month_expr()).values("m")
                .annotate(**metrics.base_aggregates()).order_by()}
        clock_aggs = metrics.clock_aggregates(now, _received(period))
        clock_aggs.pop("overdue")
        clock = {month_key(r.pop("m")): r for r in clock_qs.filter(_received(period)).annotate(m=month_expr())
                 .values("m").annotate(**clock_aggs).order_by()}
        return _month_table(period, base, clock)
    field_name = f"{group}_id"
    aggs = metrics.base_aggregates()
    if _has_percentile():
        aggs["median_hours"] = Median("resolve_working_hours", filter=metrics.base_conditions()["timed"])
    base = {r.pop(field_name): r for r in qs.values(field_name).annotate(**aggs).order_by()}
    medians = ({k: r.pop("median_hours") for k, r in base.items()} if _has_percentile()
               else _medians(qs.filter(metrics.base_conditions()["timed"]))[group])
    clock = {r.pop(field_name): r for r in clock_qs.values(field_name)
             .annotate(**metrics.clock_aggregates(now, _received(period))).order_by()}
    keys = set(base) | {k for k, c in clock.items() if c["overdue"]}
    return _table(group, period, {k: _figures(base.get(k), clock.get(k), medians.get(k)) for k in keys})


def _month_table(period: Period, base: dict, clock: dict) -> Table:
    """Every month of the period, empty ones too."""
    figures = {}
    month = period.start.replace(day=1)
    while month <= period.end:
        figures[month] = _figures(base.get(month), clock.get(month))
        month = _add_months(month, 1)
    return _table("month", period, figures)


def _table(group: str, period: Period, figures: dict) -> Table:
    """Figures by group key → a labelled, sorted Table."""
    labels = _labels(group, figures.keys())
    out = [Row(key=k, code=labels[k][0], label=labels[k][1], figures=f) for k, f in figures.items()]
    out.sort(key=lambda r: (r.key is None, r.key) if group == "month" else (r.key is None, r.label))
    return Table(group=group, period=period, rows=out)


def _labels(group: str, keys) -> dict:
    keys = list(keys)
    if group == "month":
        return {k: (f"{k:%Y-%m}", f"{k:%m/%Y}") for k in keys}
    none = {None: ("none", str(_none_label(group)))}
    ids = [k for k in keys if k is not None]
    if group == "agency":
        found = {a.pk: (a.code, str(a)) for a in Agency.objects.filter(pk__in=ids).only("code", "name")}
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
    return (cases.filter(scope.q(), _received(period))
            .filter(conditions(now)[metric]).order_by("-received_at", "-pk"))


def working_hours_to_resolve(case: Case) -> float:
    """Working hours (city calendar) from receipt to resolution; staff actions store it on resolution."""
    from .deadlines import city_calendar

    if case.resolved_at is None:
        raise ValueError("the case has no resolution time")
    return round(city_calendar().working_hours_between(case.received_at, case.resolved_at), 2)


# --- cached entry points (views, the API, the board) -------------------------------------------------------------

def _token(key: str) -> str:
    version = cache.get(key)
    if version is None:
        version = uuid.uuid4().hex
        cache.add(key, version, None)
        version = cache.get(key, version)
    return version


def current_version() -> str:
    return _token(_VERSION_KEY)


def bump_version(*, resolutions: bool = True) -> None:
    """A case changed: every cached figure is stale (with resolutions=False: but not the medians, for a write
    that cannot have changed a resolution). A fresh random token never collides with an old one, even after a
    cache flush or a test rollback."""
    cache.set(_VERSION_KEY, uuid.uuid4().hex, None)
    if resolutions:
        cache.set(_TIMED_KEY, uuid.uuid4().hex, None)


def _cache_key(*parts: str) -> str:
    raw = ":".join(parts + (translation.get_language() or "",))
    return f"stats:{current_version()}:" + hashlib.sha1(raw.encode()).hexdigest()


def dashboard(*, user, sl: Slice, period: Period, scope: Scope = Scope(), groups=GROUPS) -> Dashboard:
    """Totals and tables for the dashboard (or, with user=None and the city slice, the public board)."""
    key = _cache_key("dash", sl.key(), period.key(), scope.key(), ",".join(groups))
    found = cache.get(key)
    if found is not None:
        return found
    using = router.db_for_read(Case)  # the read replica on the public read-only pages (ihanoi/db_router.py)
    with transaction.atomic(using=using), _no_jit(using):
        result = _compute(user=user, sl=sl, period=period, scope=scope, groups=groups)
    cache.set(key, result, CACHE_TTL)
    return result


@contextmanager
def _no_jit(using: str = "default"):
    """PostgreSQL's JIT compiles these many-aggregate queries for longer than they run: off for this transaction;
    and enough memory to group the open cases without spilling to disk."""
    if connections[using].vendor == "postgresql":
        with connections[using].cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '32MB'")
    yield


def _compute(*, user, sl: Slice, period: Period, scope: Scope, groups) -> Dashboard:
    cases = sliced_cases(user, sl)
    now = timezone.now()
    from_tally = _tally_rows(sl, scope) is not None
    span = period.trend() if "month" in groups and from_tally else None
    by_set = _figures_by_set(cases=cases, sl=sl, period=period, scope=scope, now=now, trend=span)
    tables = {g: _table(g, period, by_set[g]) for g in groups if g != "month"}
    if "month" in groups:
        tables["month"] = by_set["month"] if from_tally else trend(cases=cases, sl=sl, period=period,
                                                                   scope=scope, now=now)
    return Dashboard(period=period, scope=scope, totals=by_set[None][None], tables={g: tables[g] for g in groups},
                     computed_at=now)


def trend(*, cases: QuerySet, sl: Slice, period: Period, scope: Scope = Scope(),
          now: datetime | None = None) -> Table:
    """The monthly trend (`Period.trend()`): one row per month, empty months included. The counters come from
    the daily tally (`_tally_rows`), or from the cases of a view narrowed twice; the open cases' clock part is
    read live."""
    now = now or timezone.now()
    span = period.trend()
    if _tally_rows(sl, scope) is None:
        return table(cases=cases, group="month", period=span, scope=scope, now=now)
    return _tally_trend(cases=cases, sl=sl, scope=scope, now=now, span=span)


BOARD_DAYS = 30


def board(*, today: date | None = None) -> Dashboard:
    """The public board: the city's last BOARD_DAYS days by agency and by ward. Counts and names only."""
    return dashboard(user=None, sl=CITY, period=Period.last_days(BOARD_DAYS, today=today),
                     groups=("agency", "ward"))


# A case joins the resolved cases whose hours make the median only as resolved or closed, and leaves them only
# by being reopened: a write that leaves a case in any other status cannot have changed a median.
_MAY_CHANGE_A_RESOLUTION = frozenset({CaseStatus.RESOLVED, CaseStatus.CLOSED, CaseStatus.REOPENED})


def _on_case_change(sender, instance: Case, **kwargs) -> None:
    deleted = "created" not in kwargs  # post_delete sends no "created"
    bump_version(resolutions=deleted or instance.status in _MAY_CHANGE_A_RESOLUTION)
    tally.mark_stale(instance.received_at)


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
