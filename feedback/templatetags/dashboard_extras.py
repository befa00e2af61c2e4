"""Formatting and drill-down links for the dashboard tables."""
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.formats import number_format

from feedback.stats import dashboard_slice, month_period

register = template.Library()


@register.filter
def pct(value):
    """0.8333 → '83.3 %'; None (nothing to divide by) → '–'."""
    if value is None:
        return "–"
    return f"{number_format(round(value * 100, 1), 1)} %"


@register.filter
def num1(value):
    return "–" if value is None else number_format(round(value, 1), 1)


@register.filter
def sortval(value):
    """A plain number for the table sorter (empty values sort last)."""
    return "" if value is None else f"{value:.6f}" if isinstance(value, float) else value


@register.simple_tag(takes_context=True)
def drill(context, metric: str, row=None, group: str = ""):
    """The URL of the list of cases behind one number, keeping the page's period and filters."""
    period = context["period"]
    params = dict(context.get("scope_params", {}))
    if row is not None and group == "month":
        period = month_period(row.key, period.trend())
    elif row is not None and group:
        params[group] = row.code
    params.update({"metric": metric, "from": period.start.isoformat(), "to": period.end.isoformat()})
    return reverse("dashboard:cases") + "?" + urlencode(params)


@register.filter
def sees_dashboard(user) -> bool:
    """For the nav: city leaders and agency managers get the dashboard link."""
    return dashboard_slice(user) is not None
