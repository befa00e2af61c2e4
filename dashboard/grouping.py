"""GROUP BY GROUPING SETS for the dashboard's figures: one scan gives the whole and each agency, ward and topic.

Shared by `dashboard.figures` (aggregates over cases) and `dashboard.tally` (the day tally's INSERT … SELECT). On
PostgreSQL the ORM writes the query with a plain GROUP BY, which `grouping_sets_sql` replaces; elsewhere
`by_sets` runs one query per set.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.db import connections
from django.db.models import Aggregate, FloatField, IntegerField, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from feedback.clocks.calendar import TZ

DIMS = ("agency_id", "ward_id", "topic_id")
SETS = (None, "agency", "ward", "topic")  # None = the whole slice
SET_OF_BITS = {7: None, 3: "agency", 5: "ward", 6: "topic"}  # GROUPING(agency_id, ward_id, topic_id) → the set


class Median(Aggregate):
    """PostgreSQL's PERCENTILE_CONT(0.5) ordered-set aggregate (FILTER appended by Django when given)."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


class Grouping(Aggregate):
    """PostgreSQL's GROUPING(a, b, c): which grouping set a row of GROUP BY GROUPING SETS belongs to."""

    function = "GROUPING"
    name = "Grouping"
    output_field = IntegerField()


def month_expr():
    return TruncMonth("received_at", tzinfo=TZ)


def month_key(value) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):  # a raw cursor gives PostgreSQL's local (naive) month start as it is
        return value.date() if timezone.is_naive(value) else timezone.localtime(value, TZ).date()
    return value


def grouping_sets_sql(q: QuerySet, sets: str, *, leading: list[str]) -> tuple[str, list]:
    """The SQL and parameters of a values().annotate() query with its GROUP BY replaced by
    GROUP BY GROUPING SETS (`sets`, by output column number). `leading`: the names its first output columns
    must have, which the column numbers refer to."""
    compiler = q.query.get_compiler(using=q.db)
    sql, params = compiler.as_sql()
    columns = [alias for _, _, alias in compiler.select]
    at = sql.rfind(" GROUP BY ")  # Django writes "GROUP BY 1, 2, 3" or the column names, and nothing after
    if (columns[:len(leading)] != leading or at < 0
            or any(word in sql[at:] for word in (" HAVING ", " ORDER BY ", " LIMIT "))):
        raise RuntimeError(f"unexpected grouped query: columns {columns[:len(leading)]}, {sql[at:][:200]}")
    return f"{sql[:at]} GROUP BY GROUPING SETS ({sets})", list(params)


def by_sets(qs: QuerySet, aggs: dict, *, month: bool = False) -> dict:
    """`aggs` over `qs` for the whole and per agency, ward and topic (and, with `month`, per receipt month):
    {None: {None: row}, "agency": {id: row}, "ward": {...}, "topic": {...}, "month": {first day: row}}.

    PostgreSQL: one scan (GROUP BY GROUPING SETS); elsewhere one query per set."""
    out: dict = {name: {} for name in SETS + (("month",) if month else ())}
    db = connections[qs.db]  # the queryset's database: the read replica on the public pages (ihanoi/db_router.py)
    if db.vendor != "postgresql":
        out[None][None] = qs.aggregate(**aggs)
        for name in SETS[1:]:
            for r in qs.values(f"{name}_id").annotate(**aggs).order_by():
                out[name][r.pop(f"{name}_id")] = r
        if month:
            for r in qs.annotate(m=month_expr()).values("m").annotate(**aggs).order_by():
                out["month"][month_key(r.pop("m"))] = r
        return out
    leading = [*DIMS, "m"] if month else list(DIMS)
    q = (qs.annotate(m=month_expr()) if month else qs).values(*leading)
    # the three ids are the first output columns, the receipt month the fourth
    sql, params = grouping_sets_sql(q.annotate(gset=Grouping(*DIMS), **aggs).order_by(),
                                    "(1), (2), (3), ()" + (", (4)" if month else ""), leading=leading)
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [c[0] for c in cursor.description]
        rows = cursor.fetchall()
    for row in rows:
        # A raw cursor skips the ORM's converters: SUM and AVG of integers come back as Decimal.
        r = {n: float(v) if isinstance(v, Decimal) else v for n, v in zip(columns, row)}
        name = SET_OF_BITS[r.pop("gset")]
        m = r.pop("m", None)
        if name is None and m is not None:  # GROUPING(agency, ward, topic) says "none of them": () or the month
            out["month"][month_key(m)] = r
        else:
            out[name][r[f"{name}_id"] if name else None] = r
        for d in DIMS:
            r.pop(d)
    return out
