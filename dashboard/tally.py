"""The daily tally: each day's clock-independent figures, for the city and per agency, ward and topic.

The city-wide dashboard and the public board read a period's figures from a few hundred tally rows per day
instead of scanning every case received in it. `OpenTally` holds the all-time counts of open cases (with a due
time; still to be accepted, with an acceptance due time), moved by each day's recompute: past due = those − the
open cases not yet due, which `dashboard.figures` reads live (the next days' cases only, however long the backlog).
Nothing is batched overnight: the tally follows every write.

How it stays exact:
- every Case save or delete adds a `StaleTallyDay` row for the case's receipt day (signal, inside the writing
  transaction). It is an insert of a new row, so concurrent writers never wait on each other;
- before the tally is read, `refresh_stale()` recomputes the stale days from the cases and deletes exactly the
  marker rows it read. A marker of a transaction that had not committed when the refresh read the markers is
  not among them, so it survives and its day is recomputed at the next read;
- refreshes take a PostgreSQL advisory lock, so two of them never interleave;
- `rebuild()` (`manage.py rebuild_tally`, and the migration that created the tally) recomputes every day.
A write that bypasses the signals (`QuerySet.update()` of a counted field, raw SQL, COPY) must call
`mark_stale()` for the receipt days it touched, or `rebuild()`.
"""
from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from typing import Iterable

from django.db import DEFAULT_DB_ALIAS, connection, router, transaction
from django.db.models import Max, Min, Q, Sum
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from feedback.models import Case
from feedback.clocks.calendar import TZ

from . import metrics
from .grouping import DIMS, SET_OF_BITS, SETS, Grouping, grouping_sets_sql
from .models import CaseTally, MonthTally, OpenTally, StaleTallyDay, TallyDimension

log = logging.getLogger(__name__)



def _dim(name: str | None) -> str:
    """A grouping set (`grouping.SETS`: None = the whole, "agency", "ward", "topic") → its tally dimension."""
    return TallyDimension.CITY if name is None else name


def _set(dim: str) -> str | None:
    return None if dim == TallyDimension.CITY else dim


_LOCK_KEY = 0x1A11  # pg_advisory_xact_lock key of the tally refresh
_CHUNK_DAYS = 31


def receipt_day(received_at: datetime) -> date:
    return timezone.localtime(received_at, TZ).date()


def mark_stale(*received_at: datetime) -> None:
    """The cases received at these instants changed: recompute their days before the next read."""
    days = {receipt_day(r) for r in received_at if r is not None}
    StaleTallyDay.objects.bulk_create([StaleTallyDay(day=d) for d in sorted(days)])


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


def _runs(days: Iterable[date]) -> list[tuple[date, date]]:
    """Sorted days → contiguous runs (first, last), each at most _CHUNK_DAYS long."""
    runs: list[tuple[date, date]] = []
    for d in sorted(set(days)):
        if runs and d == runs[-1][1] + timedelta(days=1) and (d - runs[-1][0]).days < _CHUNK_DAYS:
            runs[-1] = (runs[-1][0], d)
        else:
            runs.append((d, d))
    return runs


_OPEN = ("open_dated", "unanswered_dated")


def _open_counts(first: date, last: date) -> dict[tuple[str, int], tuple[int, int]]:
    rows = (CaseTally.objects.filter(day__gte=first, day__lte=last).values_list("dim", "key")
            .annotate(*(Sum(n) for n in _OPEN)).order_by())
    return {(dim, key): (o or 0, u or 0) for dim, key, o, u in rows}


def _recompute(first: date, last: date, *, portable: bool = False, keep_open: bool = True) -> int:
    """Replace the tally rows of the days first…last (local) by what the cases say now, and move the all-time
    open counts (`OpenTally`) by the difference. Returns rows written.
    (`portable`: through the ORM on PostgreSQL too, which a test holds the one-statement path to.)"""
    before = _open_counts(first, last) if keep_open else {}
    written = _replace_rows(first, last, portable=portable)
    _replace_months(first, last)
    if keep_open:
        _move_open(before, _open_counts(first, last))
    return written


def _month_of(day: date) -> date:
    return day.replace(day=1)


def _next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def _replace_months(first: date, last: date) -> None:
    """Recompute the month rows (`MonthTally`) of the months of first…last from their day rows: one
    INSERT … SELECT … GROUP BY per month (a month's ~12,000 day rows at city scale, a few ms)."""
    months = []
    month = _month_of(first)
    while month <= last:
        months.append(month)
        month = _next_month(month)
    MonthTally.objects.filter(month__in=months).delete()
    q = connection.ops.quote_name
    names = ", ".join(q(n) for n in ("month", "dim", "key", *metrics.BASE))
    sums = ", ".join(f"SUM({q(n)})" for n in metrics.BASE)
    with connection.cursor() as cursor:
        for month in months:
            cursor.execute(f"INSERT INTO {q(MonthTally._meta.db_table)} ({names}) SELECT %s, {q('dim')}, {q('key')}, "
                           f"{sums} FROM {q(CaseTally._meta.db_table)} WHERE {q('day')} >= %s AND {q('day')} < %s "
                           f"GROUP BY {q('dim')}, {q('key')}", [month, month, _next_month(month)])


def _move_open(before: dict, after: dict) -> None:
    """Move the all-time open counts by what the recomputed days changed: one read, one upsert (the refresh
    holds the lock, so nobody moves them meanwhile)."""
    changed = {k for k in before.keys() | after.keys() if before.get(k, (0, 0)) != after.get(k, (0, 0))}
    if not changed:
        return
    held = {(d, k): (o, u) for d, k, o, u in OpenTally.objects.values_list("dim", "key", *_OPEN)}
    rows = []
    for dim_key in changed:
        moved = [h + a - b for h, a, b in zip(held.get(dim_key, (0, 0)), after.get(dim_key, (0, 0)),
                                               before.get(dim_key, (0, 0)))]
        rows.append(OpenTally(dim=dim_key[0], key=dim_key[1], open_dated=moved[0], unanswered_dated=moved[1]))
    OpenTally.objects.bulk_create(rows, update_conflicts=True, unique_fields=["dim", "key"],
                                  update_fields=list(_OPEN))


def _replace_rows(first: date, last: date, *, portable: bool) -> int:
    lo, hi = datetime.combine(first, time(0), TZ), datetime.combine(last + timedelta(days=1), time(0), TZ)
    CaseTally.objects.filter(day__gte=first, day__lte=last).delete()
    if connection.vendor == "postgresql" and not portable:
        sql, params = _insert_statement()
        with connection.cursor() as cursor:
            cursor.execute(sql, [lo if p is _LO else hi if p is _HI else p for p in params])
            return cursor.rowcount
    cases = (Case.objects.filter(received_at__gte=lo, received_at__lt=hi).order_by()
             .annotate(d=TruncDate("received_at", tzinfo=TZ)))
    rows = []
    for name in SETS:
        field = f"{name}_id" if name else None
        for r in cases.values(*(("d", field) if field else ("d",))).annotate(**metrics.base_aggregates()).order_by():
            key = (r.pop(field) or 0) if field else 0
            rows.append(CaseTally(day=r.pop("d"), dim=_dim(name), key=key, **{k: v or 0 for k, v in r.items()}))
    CaseTally.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


_LO, _HI = datetime(2000, 1, 1, tzinfo=TZ), datetime(2000, 1, 2, tzinfo=TZ)  # placeholders, found by identity
_statement: list = []


def _insert_statement() -> tuple[str, list]:
    """PostgreSQL: the tally rows of a range of days in ONE statement — INSERT … SELECT … GROUP BY GROUPING SETS
    ((day), (day, agency), (day, ward), (day, topic)) — built once per process from the same ORM aggregates
    (`metrics.base_aggregates`), with the range's bounds as its only changing parameters."""
    if _statement:
        return _statement[0]
    q = (Case.objects.filter(received_at__gte=_LO, received_at__lt=_HI).order_by()
         .annotate(d=TruncDate("received_at", tzinfo=TZ)).values("d", *DIMS)
         .annotate(g=Grouping(*DIMS), **metrics.base_aggregates()))
    inner, params = grouping_sets_sql(q, "(1), (1, 2), (1, 3), (1, 4)", leading=["d", *DIMS])
    dim = " ".join(f"WHEN {bit} THEN '{_dim(name)}'" for bit, name in SET_OF_BITS.items())
    key = " ".join(f"WHEN {bit} THEN s.{name}_id" for bit, name in SET_OF_BITS.items() if name)
    names = ", ".join(metrics.BASE)
    values = ", ".join(f"COALESCE(s.{n}, 0)" for n in metrics.BASE)
    statement = (f"INSERT INTO {CaseTally._meta.db_table} (day, dim, key, {names}) "
                 f"SELECT s.d, CASE s.g {dim} END, COALESCE(CASE s.g {key} END, 0), {values} FROM ({inner}) s")
    _statement.append((statement, params))
    return _statement[0]


def refresh_stale() -> int:
    """Recompute the days marked stale; returns how many. One cheap query when nothing changed."""
    if router.db_for_read(StaleTallyDay) != DEFAULT_DB_ALIAS:
        return 0  # a read from the replica (ihanoi/db_router.py): it cannot write; the beat task refreshes
    if not StaleTallyDay.objects.exists():
        return 0
    with transaction.atomic():
        _lock()
        marks = list(StaleTallyDay.objects.values_list("pk", "day"))  # read after the lock: see what others did
        days = {d for _, d in marks}
        for first, last in _runs(days):
            _recompute(first, last)
        pks = [pk for pk, _ in marks]
        for i in range(0, len(pks), 500):
            StaleTallyDay.objects.filter(pk__in=pks[i:i + 500]).delete()
    return len(days)


def rebuild(*, progress=None) -> int:
    """Recompute the whole tally from the cases (month by month). Returns the number of rows written."""
    with transaction.atomic():
        _lock()
        StaleTallyDay.objects.all().delete()
        CaseTally.objects.all().delete()
        MonthTally.objects.all().delete()
        OpenTally.objects.all().delete()
        span = Case.objects.order_by().aggregate(first=Min("received_at"), last=Max("received_at"))
        if span["first"] is None:
            return 0
        first, last = receipt_day(span["first"]), receipt_day(span["last"])
        written = 0
        month = first.replace(day=1)
        while month <= last:
            end = (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
            written += _recompute(max(month, first), min(end, last), keep_open=False)
            if progress:
                progress(month, written)
            month = end + timedelta(days=1)
        OpenTally.objects.bulk_create([OpenTally(dim=dim, key=key, open_dated=o, unanswered_dated=u)
                                       for (dim, key), (o, u) in _open_counts(first, last).items()])
        return written


# --- reads -------------------------------------------------------------------------------------------------------

_SUMS = {name: Sum(name) for name in metrics.BASE}


def _clean(row: dict) -> dict:
    return {name: row.get(name) or 0 for name in metrics.BASE}


def _by_set(rows) -> dict:
    """(dim, key, row) → {None: {None: row}, "agency": {id or None: row}, …}: the shape of `grouping.by_sets`."""
    out: dict = {name: {} for name in SETS}
    for dim, key, row in rows:
        name = _set(dim)
        out[name][(key or None) if name else None] = row
    return out


def by_sets(first: date, last: date) -> dict:
    """The days first…last summed for the city and per agency, ward and topic: its whole months from the month
    rows, the days of its partial first and last months from the day rows."""
    refresh_stale()
    whole_from, whole_end = (first if first.day == 1 else _next_month(first)), _month_of(last + timedelta(days=1))
    if whole_from >= whole_end:  # no whole month: every day from the day rows
        return _by_set(_summed(CaseTally.objects.filter(day__gte=first, day__lte=last)))
    parts = [MonthTally.objects.filter(month__gte=whole_from, month__lt=whole_end)]
    if first < whole_from or whole_end <= last:
        parts.append(CaseTally.objects.filter(Q(day__gte=first, day__lt=whole_from) | Q(day__gte=whole_end,
                                                                                        day__lte=last)))
    summed: dict = {}
    for part in parts:
        for dim, key, row in _summed(part):
            held = summed.setdefault((dim, key), dict.fromkeys(metrics.BASE, 0))
            for name, value in row.items():
                held[name] += value
    return _by_set((dim, key, row) for (dim, key), row in summed.items())


def _summed(rows) -> list[tuple]:
    return [(r["dim"], r["key"], _clean(r)) for r in rows.values("dim", "key").annotate(**_SUMS).order_by()]


def timed_all_time() -> int:
    """The city's resolved cases with a time to resolve, of all time (the month rows, already refreshed)."""
    return MonthTally.objects.filter(dim=TallyDimension.CITY).aggregate(n=Sum("timed"))["n"] or 0


def open_by_sets(*, fresh: bool = False) -> dict:
    """The all-time open counts, in the same shape (`fresh`: the caller has just refreshed the stale days)."""
    if not fresh:
        refresh_stale()
    return _by_set((dim, key, {"open_dated": o, "unanswered_dated": u})
                   for dim, key, o, u in OpenTally.objects.values_list("dim", "key", *_OPEN))


def by_month(first: date, last: date, *, dim: str = TallyDimension.CITY,
             keys: Iterable[int] | None = None, fresh: bool = False) -> dict[date, dict]:
    """The days first…last summed per calendar month — {first day of the month: row} — for the city, or for the
    agencies, wards or topics `keys` (dim). `fresh`: the caller has just refreshed the stale days."""
    if not fresh:
        refresh_stale()
    rows = CaseTally.objects.filter(dim=dim, day__gte=first, day__lte=last)
    if keys is not None:
        rows = rows.filter(key__in=list(keys))
    rows = rows.annotate(m=TruncMonth("day")).values("m").annotate(**_SUMS).order_by()
    return {r["m"]: _clean(r) for r in rows}
