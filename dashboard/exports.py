"""CSV (streamed) and XLSX (openpyxl write-only) exports of the dashboard's tables and of case lists.

No reporter contact data is ever exported: case rows carry the tracking code, topic, place, agency and clocks.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

from .results import Table

TABLE_FIELDS = ("received", "handled", "handled_rate", "fixed", "fixed_rate", "rejected", "on_time", "late",
                "pending", "on_time_rate", "accept_on_time", "accept_late", "accept_on_time_rate", "timed",
                "avg_hours", "median_hours", "overdue", "rated", "rating_avg", "satisfied", "satisfied_share",
                "reopened", "answered", "reopen_rate")

CASE_FIELDS = ("tracking_code", "topic__code", "ward__code", "ward__full_name", "agency__code", "agency__name",
               "status", "outcome", "urgency", "channel", "received_at", "accept_due_at", "accepted_at", "due_at",
               "resolved_at", "resolve_working_hours", "is_overdue", "rating", "reopen_count", "transfer_count",
               "support_count")


class _Echo:
    def write(self, value):
        return value


def _value(v):
    if isinstance(v, float):
        return round(v, 4)
    if hasattr(v, "tzinfo") and getattr(v, "tzinfo", None) is not None:
        return timezone.localtime(v).isoformat(timespec="seconds")
    return "" if v is None else v


def table_rows(table: Table) -> Iterator[list]:
    """Header then one line per row: the group's code and label, then every count, average and rate."""
    yield [table.group, "label", *TABLE_FIELDS]
    for row in table.rows:
        d = row.figures.as_dict()
        yield [row.code, row.label, *(_value(d[name]) for name in TABLE_FIELDS)]


def _stream(rows: Iterable[list], filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # BOM: spreadsheet programs then read the Vietnamese names as UTF-8
        for r in rows:
            yield writer.writerow(r)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def table_csv(table: Table, filename: str) -> StreamingHttpResponse:
    return _stream(table_rows(table), filename)


def table_xlsx(table: Table, filename: str) -> HttpResponse:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=table.group[:31])
    for r in table_rows(table):
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    response = HttpResponse(
        buf.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def case_rows(qs) -> Iterator[list]:
    """Header then one line per case, read in chunks with .iterator() (constant memory)."""
    yield list(CASE_FIELDS)
    for values in qs.select_related(None).values_list(*CASE_FIELDS).iterator(chunk_size=2000):
        yield [_value(v) for v in values]


def cases_csv(qs, filename: str) -> StreamingHttpResponse:
    return _stream(case_rows(qs), filename)
