"""Figures for the leaders' dashboard and the public on-time board, computed in the database.

Definitions (also written on the dashboard; `dashboard.metrics` holds each as a Q over cases):
- received: cases received in the period (receipt time, which never changes; a transferred case counts for its
  current agency);
- handled: the agency has given its answer — status resolved, rejected (with a reason) or closed;
  fixed: handled with the outcome "resolved – fixed" ("resolved – not fixed" is handled but never fixed);
- on time: handled at or before the due time; late: handled after it, or still open past it;
  pending: open and not yet due — excluded from the on-time rate (on time + late + pending = received);
- acceptance on time: accepted (or answered, if never formally accepted) by the acceptance due time;
- time to resolve: working hours from receipt to resolution (`Case.resolve_working_hours`, stored at
  resolution by `feedback.clocks.working_hours_to_resolve`), over cases resolved (fixed or not);
- overdue now: open cases past their due time, whatever their receipt date (a current state, not a period one);
- satisfaction: mean rating (1–5) and share of rated cases rated 4 or 5;
- reopen rate: cases reopened at least once / cases answered at least once.

How they are computed (no Python loop over cases, no N+1):
- the clock-independent counters of a group (received, handled, on time, finished late, open, …) come, for the
  whole city, from the daily tally (`dashboard.tally`, kept exact on every case write), and for a narrower view
  (a manager's agencies, a filter) from one GROUP BY GROUPING SETS scan of its cases;
- the clock-dependent part — open cases now past their due time or acceptance time, and "overdue now" — is,
  for the city, the tally's dated open cases minus the open cases not yet due (read live: only the next days'
  cases); for a narrower view, its open cases past due, read live. The median comes from the resolved cases'
  index, cached under a token that only resolutions change.
`totals()` and `table()` compute the same figures straight from the cases (the reference the tests hold the
dashboard to).

Caching: results are cached under a version token that `bump_version()` replaces whenever a case is saved or
deleted (dashboard/signals.py, the one signal module, connected in DashboardConfig.ready),
plus a short TTL (`CACHE_TTL`) because "overdue now" and "late" change with the clock alone. A queryset
`.update()` of a counted field sends no signal: call `bump_version()` and `tally.mark_stale()` after one.

Split by subject: periods.py (period, scope, the user's slice), results.py (what a figure is: Figures, Row,
Table, Dashboard), cache.py (the version tokens), wardmap.py (the ward map's GeoJSON); this module keeps the
queries and the cached entry points (over 300 lines: the queries share private helpers that read best together).
"""
from __future__ import annotations

import hashlib
import statistics
from contextlib import contextmanager
from collections import defaultdict
from datetime import date, datetime

from django.core.cache import cache
from django.db import connection, connections, router, transaction
from django.db.models import IntegerField, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.utils import timezone

from agencies.models import Agency, Topic, Ward
from feedback.models import Case

from . import metrics, tally
from .cache import _TIMED_KEY, CACHE_TTL, _cache_key, _token, bump_version, current_version  # noqa: F401
from .grouping import DIMS, SETS, Median, by_sets, month_expr, month_key
from .periods import (  # noqa: F401 (re-exported: callers name the figures' period and slice from here)
    CITY, TREND_MONTHS, Period, Scope, Slice, _add_months, dashboard_slice, month_period, sliced_cases,
)
from .results import COUNTED, METRICS, RATES, Dashboard, Figures, Row, Table, _figures, conditions  # noqa: F401
from .wardmap import ward_map  # noqa: F401

GROUPS = ("agency", "ward", "topic", "month")


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


def _medians(timed: QuerySet, counts: dict | None = None) -> dict:
    """The median hours to resolve of `timed` cases, in the shape of `grouping.by_sets` ({set: {key: median}}).

    PostgreSQL: one statement, a UNION ALL of one GROUP BY per set (`_median_sql`), each read from its own index
    of the resolved cases in (group, hours) order (case_timed_{agency,ward,topic}_hours, case_timed_by_hours)
    for a long period, so every group's PERCENTILE_CONT sorts presorted input; a short period's few rows come
    from case_timed_hours (the planner's choice). One GROUPING SETS sort of a two-year period took 1.9 s.
    With `counts` (each group's number of timed cases, {set: {key: n}}, from the tally) the middle values are
    read by rank instead (`_medians_by_rank`). Without PERCENTILE_CONT (SQLite) the stored hours are fetched
    and the medians taken in Python."""
    if _has_percentile() and counts is not None:
        found = _medians_by_rank(timed, counts)
        if found is not None:
            return found
    if _has_percentile():
        sql, params = _median_sql(timed)
        out: dict = {name: {} for name in SETS}
        with connections[timed.db].cursor() as cursor:
            cursor.execute(sql, params)
            for name, key, median in cursor.fetchall():
                out[name or None][key if name else None] = median
        return out
    per: dict = {name: defaultdict(list) for name in SETS}
    for agency, ward, topic, hours in timed.values_list(*DIMS, "resolve_working_hours"):
        for name, key in ((None, None), ("agency", agency), ("ward", ward), ("topic", topic)):
            per[name][key].append(hours)
    return {name: {k: statistics.median(v) for k, v in keys.items()} for name, keys in per.items()}


def _median_sql(timed: QuerySet) -> tuple[str, list]:
    """(set name or '', key, median) rows: the whole, then one GROUP BY per agency, ward and topic."""
    median = {"median_hours": Median("resolve_working_hours")}
    parts, params = [], []
    for name in SETS:
        column = f"{name}_id" if name else "whole"
        q = (timed.values(column) if name else timed.annotate(whole=Value(None, IntegerField())).values("whole"))
        sql, p = q.annotate(**median).order_by().query.get_compiler(using=timed.db).as_sql()
        parts.append(f"SELECT '{name or ''}', CAST(t.{column} AS bigint), t.median_hours FROM ({sql}) t")
        params += p
    return " UNION ALL ".join(parts), params


def _medians_by_rank(timed: QuerySet, counts: dict) -> dict | None:
    """PERCENTILE_CONT(0.5) of each group from its one or two middle values, read by rank from the group's
    (group, hours) index: `ORDER BY hours OFFSET (n - 1) / 2 LIMIT 1 or 2` reads half the group's rows and sorts
    nothing (the city over two years: ~60 ms instead of ~250). The same arithmetic as PostgreSQL's
    (lower + 0.5 × (upper − lower)), so the same float. None when a group has fewer rows than counted (a write
    committed between the tally's read and this one): the caller falls back to the plain aggregates."""
    hours = timed.order_by("resolve_working_hours").values_list("resolve_working_hours")
    parts, params, wanted = [], [], []
    for name in SETS:
        keyed = [(k, n) for k, n in counts.get(name, {}).items() if n]
        if name is None:
            keyed = keyed[:1]
        for key, n in keyed:
            lo, hi = (n - 1) // 2, n // 2
            if name is None or key is None:
                q = hours if name is None else hours.filter(**{f"{name}_id__isnull": True})
                sql, p = q.query.get_compiler(using=timed.db).as_sql()
                parts.append(f"SELECT '{name or ''}', NULL::bigint, ARRAY({sql} OFFSET %s LIMIT %s)")
                params += [*p, lo, hi - lo + 1]
            else:
                wanted.append((name, key, lo, hi - lo + 1))
    for name in SETS[1:]:
        rows = [(k, off, lim) for n, k, off, lim in wanted if n == name]
        if not rows:
            continue
        q = hours.filter(**{f"{name}_id": RawSQL("v.k", [])})
        sql, p = q.query.get_compiler(using=timed.db).as_sql()
        values = ", ".join(["(%s, %s, %s)"] * len(rows))
        parts.append(f"SELECT '{name}', v.k, ARRAY({sql} OFFSET v.off LIMIT v.lim) FROM (VALUES {values}) "
                     f"AS v(k, off, lim)")
        params += [*p, *(x for r in rows for x in r)]  # the subquery's, then the VALUES'
    out: dict = {name: {} for name in SETS}
    if not parts:
        out[None][None] = None
        return out
    with connections[timed.db].cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for name, key, middle in cursor.fetchall():
            n = counts[name or None][key if name else None]
            if len(middle) != (1 if n % 2 else 2):
                return None
            lower, upper = middle[0], middle[-1]
            out[name or None][key if name else None] = lower if len(middle) == 1 else lower + 0.5 * (upper - lower)
    out[None].setdefault(None, None)
    return out


BY_RANK_MIN_DAYS = 90


def _by_rank_pays(period: Period, timed: int) -> bool:
    """Reading the middle values by rank reads half of each group's resolved cases of all time (its index is in
    hours order, not receipt order), sorting none; the plain aggregates read only the period's and sort them.
    By rank pays when the period holds at least a quarter of all resolved cases (two years of 1M: 300 vs
    650 ms; 30 days: 190 vs 55 ms). Short periods skip the all-time count's query."""
    if not _has_percentile() or (period.end - period.start).days + 1 < BY_RANK_MIN_DAYS:
        return False
    return 4 * timed >= tally.timed_all_time()


MEDIAN_TTL = 600  # a safety net only: the timed token changes whenever a resolution does


def _cached_medians(in_period: QuerySet, sl: Slice, period: Period, scope: Scope, counts: dict | None = None) -> dict:
    """The period's medians, cached under the token of the resolved cases (`_TIMED_KEY`): most case writes —
    new reports, acceptances, transfers — do not touch a resolution, so they do not re-sort the period.
    With the tally's `counts` (`_medians_by_rank`): not cached if a resolution changed the token meanwhile."""
    token = _token(_TIMED_KEY)
    raw = f"{token}:{sl.key()}:{period.key()}:{scope.key()}"
    key = "stats:median:" + hashlib.sha1(raw.encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = _medians(in_period.filter(metrics.base_conditions()["timed"]), counts)
        if counts is None or _token(_TIMED_KEY) == token:
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
        open_all = tally.open_by_sets(fresh=True)  # by_sets has just refreshed the stale days
        clock = {name: {k: metrics.clock_from_counts(base[name].get(k), live[name].get(k), open_all[name].get(k))
                        for k in set(base[name]) | set(open_all[name])} for name in SETS}
    else:
        base = by_sets(in_period, metrics.base_aggregates())
        clock = by_sets(_open_on_the_clock(cases, scope, now), metrics.clock_aggregates(now, _received(period)))
    counts = None
    if live is not None and _by_rank_pays(period, base[None].get(None, {}).get("timed") or 0):
        counts = {name: {k: r["timed"] for k, r in base[name].items()} for name in SETS}
    medians = _cached_medians(in_period, sl, period, scope, counts)
    out = {}
    for name in SETS:
        # a row for every group with cases in the period, and for those with cases overdue now (received earlier)
        keys = {None} if name is None else set(base[name]) | {k for k, c in clock[name].items() if c["overdue"]}
        out[name] = {k: _figures(base[name].get(k), clock[name].get(k), medians[name].get(k)) for k in keys}
    if trend is not None:
        out["month"] = _tally_trend(cases=cases, sl=sl, scope=scope, now=now, span=trend,
                                    live=live["month"] if live else None, fresh=live is not None)
    return out


def _open_not_yet_due(cases: QuerySet, scope: Scope, now: datetime) -> QuerySet:
    return cases.filter(scope.q()).filter(metrics.not_yet_due_cases(now)).select_related(None).order_by()


def _tally_trend(*, cases: QuerySet, sl: Slice, scope: Scope, now: datetime, span: Period,
                 live: dict | None = None, fresh: bool = False) -> Table:
    """The months of `span` from the tally rows of the view (`_tally_rows`), their clock part as dated − not
    yet due; `live`: the not yet due per month if already read ("trend_" counts), else read here."""
    if live is None:
        live = {month_key(r.pop("m")): r for r in _open_not_yet_due(cases, scope, now).filter(_received(span))
                .annotate(m=month_expr()).values("m")
                .annotate(**metrics.not_yet_due_aggregates(now, Q(), prefix="trend_")).order_by()}
    dim, keys = _tally_rows(sl, scope)
    months = tally.by_month(span.start, span.end, dim=dim, keys=keys, fresh=fresh)
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


STAFF_DAYS = 30


def agency_summary(*, user, agencies, days: int = STAFF_DAYS) -> dict | None:
    """A manager's figures on the staff queue: the dashboard's own figures (same definitions, same cache) for
    the managed agencies' cases received in the last `days` days; None for anyone who manages none."""
    if not agencies:
        return None
    data = dashboard(user=user, sl=Slice(tuple(sorted(a.pk for a in agencies))), period=Period.last_days(days),
                     groups=())
    f = data.totals
    return {
        "received": f.received, "answered": f.handled, "fixed": f.fixed,
        "not_fixed": f.handled - f.fixed - f.rejected, "rating": f.rating_avg, "open_overdue": f.overdue,
        "on_time_pct": None if f.on_time_rate is None else round(100 * f.on_time_rate),
        "days": days, "agencies": agencies, "figures": f,
    }
