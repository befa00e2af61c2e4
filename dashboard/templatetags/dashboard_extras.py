"""Formatting and drill-down links for the dashboard tables."""
import html
from functools import lru_cache
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.formats import get_format
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, gettext_lazy

from dashboard.figures import dashboard_slice, month_period

register = template.Library()


def _one_decimal(value: float, sep: str | None = None) -> str:
    return f"{value:.1f}".replace(".", sep or get_format("DECIMAL_SEPARATOR"))


@register.filter
def pct(value):
    """0.8333 → '83.3 %' (the language's decimal mark); None (nothing to divide by) → '–'."""
    return "–" if value is None else f"{_one_decimal(value * 100)} %"


def _grouped(value: int, thousands: str | None = None) -> str:
    return f"{value:,}".replace(",", thousands or get_format("THOUSAND_SEPARATOR"))


@register.filter
def count(value):
    """28641 → '28,641' (the language's thousands separator)."""
    return "–" if value is None else _grouped(value)


@register.filter
def num1(value):
    return "–" if value is None else _one_decimal(value)


@register.filter
def sortval(value):
    """A plain number for the table sorter (empty values sort last)."""
    return "" if value is None else f"{value:.6f}" if isinstance(value, float) else value


@register.simple_tag(takes_context=True)
def drill(context, metric: str):
    """The URL of the list of cases behind one of the page's totals, keeping its period and filters."""
    period = context["period"]
    params = {**context.get("scope_params", {}), "metric": metric, "from": period.start.isoformat(),
              "to": period.end.isoformat()}
    return reverse("dashboard:cases") + "?" + urlencode(params)


@register.filter
def sees_dashboard(user) -> bool:
    """For the nav: city leaders and agency managers get the dashboard link."""
    return dashboard_slice(user) is not None


# (header, figure, kind: n = count, p = rate, h = one decimal; drill metric or ""; dashboard-only;
#  not in the monthly trend)
COLUMNS = (
    (gettext_lazy("Received"), "received", "n", "received", False, False),
    (gettext_lazy("Handled"), "handled", "n", "handled", False, False),
    (gettext_lazy("Handled rate"), "handled_rate", "p", "", True, False),
    (gettext_lazy("Fixed rate"), "fixed_rate", "p", "fixed", True, False),
    (gettext_lazy("On time"), "on_time", "n", "on_time", False, False),
    (gettext_lazy("Late"), "late", "n", "late", False, False),
    (gettext_lazy("Pending"), "pending", "n", "pending", False, False),
    (gettext_lazy("On-time rate"), "on_time_rate", "p", "", False, False),
    (gettext_lazy("Accepted on time"), "accept_on_time_rate", "p", "accept_late", True, False),
    (gettext_lazy("Avg. hours"), "avg_hours", "h", "timed", True, False),
    (gettext_lazy("Median hours"), "median_hours", "h", "", True, True),
    (gettext_lazy("Overdue now"), "overdue", "n", "overdue", False, True),
    (gettext_lazy("Rating"), "rating_avg", "h", "rated", True, False),
    (gettext_lazy("Rated 4–5"), "satisfied_share", "p", "", True, False),
    (gettext_lazy("Reopen rate"), "reopen_rate", "p", "reopened", True, False),
)


def _cell(value, kind: str, sep: str, thousands: str) -> str:
    if value is None:
        return "–"
    if kind == "n":
        return _grouped(value, thousands)
    return f"{_one_decimal(value * 100, sep)} %" if kind == "p" else _one_decimal(value, sep)


@lru_cache(maxsize=8192)
def _row_html(f, code: str, label: str, cols: tuple, base: str, query: str, sep: str, thousands: str,
              language: str) -> str:
    """One table row. Memoised on everything it shows (the figures are a frozen dataclass): after a case write
    only the rows whose figures changed are drawn again. (`language`: the labels' and formats' language.)"""
    escape = html.escape
    label = escape(label)
    cells = [f'<tr data-code="{escape(code)}"><th scope="row" data-sort="{label}">{label}</th>']
    for name, kind, metric in cols:
        value = getattr(f, name)
        shown = _cell(value, kind, sep, thousands)
        if base and metric:
            shown = f'<a href="{base}?metric={metric}&amp;{query}">{shown}</a>'
        cells.append(f'<td data-sort="{sortval(value)}" data-figure="{name}">{shown}</td>')
    return "".join(cells) + "</tr>"


@register.simple_tag(takes_context=True)
def stats_table(context, table, group: str, caption: str, label_header: str, public: bool = False):
    """A sortable table of one grouping, rendered in Python (hundreds of rows × 15 figures)."""
    cols = [c for c in COLUMNS if not (public and c[4]) and not (group == "month" and c[5])]
    sep, thousands = get_format("DECIMAL_SEPARATOR"), get_format("THOUSAND_SEPARATOR")
    escape = html.escape
    links = not public
    base = reverse("dashboard:cases") if links else ""
    period = context["period"]
    scope = dict(context.get("scope_params", {}))
    head = "".join(f'<th scope="col"><button type="button">{escape(str(h))}</button></th>' for h, *_ in cols)
    out = [f'<div class="table-wrap"><table class="sortable stats" id="table-{group}" data-group="{group}">'
           f"<caption>{escape(caption)}</caption><thead><tr>"
           f'<th scope="col" data-type="text"><button type="button">{escape(label_header)}</button></th>'
           f"{head}</tr></thead><tbody>"]
    # the period's part of every link, encoded once (a month row has its own period)
    same = escape(urlencode({**{k: v for k, v in scope.items() if k != group},
                             "from": period.start.isoformat(), "to": period.end.isoformat()}))
    shown_cols = tuple((name, kind, metric) for _h, name, kind, metric, _d, _m in cols)
    for row in table.rows:
        query = ""
        if links:
            if group == "month":
                p = month_period(row.key, table.period)
                query = escape(urlencode({**scope, "from": p.start.isoformat(), "to": p.end.isoformat()}))
            else:
                query = escape(urlencode({group: row.code})) + "&amp;" + same
        out.append(_row_html(row.figures, row.code, row.label, shown_cols, base if links else "", query, sep, thousands,
                             get_language()))
    if not table.rows:
        out.append(f'<tr><td colspan="{len(cols) + 1}">{escape(gettext("No cases in this period."))}</td></tr>')
    out.append("</tbody></table></div>")
    return mark_safe("".join(out))
