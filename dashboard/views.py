"""Leaders' dashboard (login: city leaders see the city, managers their own agency) and the public board.

Thin views: parse the period and filters, call a `dashboard.figures` selector, render or export.
"""
from __future__ import annotations

from datetime import timedelta
from functools import wraps

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from agencies.models import Agency, Topic, Ward
from ihanoi.page_cache import shared_page

from . import exports, figures
from .cache import _TIMED_KEY, _VERSION_KEY

DEFAULT_DAYS = 30
MAX_DAYS = 3 * 366
OVERDUE_LIST = 20


class _Select(forms.Select):
    """A select written in Python, not through a template per option: the agency and ward lists are long
    (~150 and 126 options), and the template engine took most of the page's time drawing them."""

    def render(self, name, value, attrs=None, renderer=None):
        selected = "" if value is None else str(value)
        attrs = self.build_attrs(self.attrs, attrs)
        options = format_html_join("", '<option value="{}"{}>{}</option>', (
            (v, mark_safe(" selected") if v == selected else "", label) for v, label in self.choices))
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(attrs), options)


class PeriodForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    agency = forms.ModelChoiceField(Agency.objects.only("code", "name", "short_name"), label=gettext_lazy("Agency"), required=False,
                                    to_field_name="code", widget=_Select)
    ward = forms.ModelChoiceField(Ward.objects.only("code", "full_name"), label=gettext_lazy("Ward"), required=False,
                                  to_field_name="code", widget=_Select)
    topic = forms.ModelChoiceField(Topic.objects.all(), label=gettext_lazy("Topic"), required=False,
                                   to_field_name="code", widget=_Select)

    def __init__(self, data, *, sl: figures.Slice):
        # The query string names them from/to (readable drill-down links); the form fields cannot be "from".
        data = data.copy()
        for src, dst in (("from", "start"), ("to", "end")):
            if src in data and dst not in data:
                data[dst] = data[src]
        super().__init__(data)
        if not sl.is_city:
            self.fields["agency"].queryset = self.fields["agency"].queryset.filter(pk__in=sl.agency_ids)
        for name in ("agency", "ward", "topic"):  # one plain query per list (the field's iterator opens a cursor)
            f = self.fields[name]
            f.widget.choices = [("", f.empty_label), *((o.code, f.label_from_instance(o)) for o in f.queryset)]

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        end = data.get("end") or today
        start = data.get("start") or end - timedelta(days=DEFAULT_DAYS - 1)
        if start > end:
            raise forms.ValidationError(_("The start of the period must be on or before its end."))
        if (end - start).days >= MAX_DAYS:
            raise forms.ValidationError(_("Choose a period of at most three years."))
        data["period"] = figures.Period(start, end)
        data["scope"] = figures.Scope(
            agency_id=data["agency"].pk if data.get("agency") else None,
            ward_id=data["ward"].pk if data.get("ward") else None,
            topic_id=data["topic"].pk if data.get("topic") else None,
        )
        data["scope_params"] = {k: data[k].code for k in ("agency", "ward", "topic") if data.get(k)}
        return data


def _slice_or_403(request) -> figures.Slice:
    sl = figures.dashboard_slice(request.user)
    if sl is None:
        raise PermissionDenied(_("The dashboard is for city leaders and agency managers."))
    return sl


class _Refused(Exception):
    """A query string the dashboard cannot answer; carries the 400 response to send."""

    def __init__(self, response: HttpResponse):
        super().__init__()
        self.response = response


def _dashboard_view(view):
    """GET only, login required, the user's slice (or 403) passed in, and a refused query answered with its 400."""

    @require_GET
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, _slice_or_403(request), *args, **kwargs)
        except _Refused as refused:
            return refused.response

    return wrapper


def _parse(request, sl: figures.Slice) -> PeriodForm:
    """The valid period-and-filters form, or _Refused with the form's messages."""
    form = PeriodForm(request.GET, sl=sl)
    if not form.is_valid():
        raise _Refused(render(request, "dashboard/bad_request.html", {"form": form}, status=400))
    return form


def _figures_for(request, sl: figures.Slice):
    """(form, figures) for the period and filters in the query string."""
    form = _parse(request, sl)
    c = form.cleaned_data
    return form, figures.dashboard(user=request.user, sl=sl, period=c["period"], scope=c["scope"])


@_dashboard_view
def dashboard(request, sl: figures.Slice):
    form, data = _figures_for(request, sl)
    c = form.cleaned_data
    overdue = (figures.overdue_cases(cases=figures.sliced_cases(request.user, sl), scope=c["scope"])
               .with_names()[:OVERDUE_LIST])
    return render(request, "dashboard/dashboard.html", {
        "form": form, "data": data, "period": c["period"], "scope_params": c["scope_params"], "slice": sl,
        "overdue": overdue, "trend": _trend_json(data.tables["month"]), "query": request.GET.urlencode(),
        "sections": _sections(data, figures.GROUPS), "ttl": figures.CACHE_TTL, **_map_context(),
    })


def _map_context() -> dict:
    name, url, options = settings.LEAFLET_CONFIG["TILES"][0]
    return {"tiles_url": url, "tiles_attribution": options.get("attribution", "")}


def _sections(data: figures.Dashboard, groups) -> list[tuple]:
    titles = {
        "agency": (_("By agency"), _("Agency")), "ward": (_("By ward"), _("Ward")),
        "topic": (_("By topic"), _("Topic")), "month": (_("By month"), _("Month")),
    }
    return [(g, *titles[g], data.tables[g]) for g in groups]


def _trend_json(table: figures.Table) -> dict:
    return {
        "labels": [r.label for r in table.rows],
        "received": [r.figures.received for r in table.rows],
        "handled": [r.figures.handled for r in table.rows],
        "on_time_rate": [None if r.figures.on_time_rate is None else round(r.figures.on_time_rate * 100, 1)
                         for r in table.rows],
        "legend": {"received": _("Received"), "handled": _("Handled"), "on_time_rate": _("On-time rate (%)")},
    }


def _cases_behind(request, sl: figures.Slice, *, plain: bool = False):
    """(form, metric, cases) for the number the query string names; an unknown one is refused (as plain text
    for an export)."""
    form = _parse(request, sl)
    metric = request.GET.get("metric", "received")
    if metric not in figures.METRICS:
        message = _("Unknown figure: %(m)s") % {"m": metric}
        raise _Refused(HttpResponse(message, status=400, content_type="text/plain") if plain else render(
            request, "dashboard/bad_request.html", {"form": form, "message": message}, status=400))
    c = form.cleaned_data
    return form, metric, figures.cases_behind(cases=figures.sliced_cases(request.user, sl), metric=metric,
                                            period=c["period"], scope=c["scope"])


@_dashboard_view
def cases(request, sl: figures.Slice):
    """Drill-down: the cases behind one number."""
    form, metric, qs = _cases_behind(request, sl)
    c = form.cleaned_data
    page = Paginator(qs.with_names(), 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "dashboard/cases.html", {
        "page": page, "metric": metric, "metric_label": METRIC_LABELS[metric], "period": c["period"],
        "form": form, "query": params.urlencode(),
    })


@_dashboard_view
def export_table(request, sl: figures.Slice, group: str, fmt: str):
    if group not in figures.GROUPS or fmt not in ("csv", "xlsx"):
        raise Http404
    table = _figures_for(request, sl)[1].tables[group]
    name = f"ihanoi-{group}-{table.period.key()}"
    return exports.table_xlsx(table, name) if fmt == "xlsx" else exports.table_csv(table, name)


@_dashboard_view
def export_cases(request, sl: figures.Slice):
    form, metric, qs = _cases_behind(request, sl, plain=True)
    return exports.cases_csv(qs, f"ihanoi-cases-{metric}-{form.cleaned_data['period'].key()}")


@_dashboard_view
def dashboard_wards(request, sl: figures.Slice):
    return _geojson(figures.ward_map(_figures_for(request, sl)[1].tables["ward"]), private=True)


def _board_tokens(request) -> dict[str, None]:
    """The figures' own tokens (dashboard/cache.py): every case write replaces the first, a resolution both."""
    return {_VERSION_KEY: None, _TIMED_KEY: None}


@require_GET
@shared_page("board", tokens=_board_tokens, ttl=figures.CACHE_TTL // 2)  # + the figures' TTL: clock-driven drift
def board(request):
    data = figures.board()
    return render(request, "dashboard/board.html", {
        "data": data, "period": data.period, "sections": _sections(data, ("agency", "ward")), "ttl": figures.CACHE_TTL,
        **_map_context(),
    })


@require_GET
def board_wards(request):
    return _geojson(figures.ward_map(figures.board().tables["ward"]))


def _geojson(payload: bytes, *, private: bool = False) -> HttpResponse:
    response = HttpResponse(payload, content_type="application/geo+json")
    response["Cache-Control"] = f"{'private' if private else 'public'}, max-age={figures.CACHE_TTL}"
    return response


METRIC_LABELS = {
    "received": gettext_lazy("Received"),
    "handled": gettext_lazy("Handled"),
    "fixed": gettext_lazy("Fixed"),
    "rejected": gettext_lazy("Rejected"),
    "on_time": gettext_lazy("Handled on time"),
    "late": gettext_lazy("Late (handled late or open past due)"),
    "pending": gettext_lazy("Pending (open, not yet due)"),
    "accept_on_time": gettext_lazy("Accepted on time"),
    "accept_late": gettext_lazy("Accepted late"),
    "timed": gettext_lazy("Resolved (time to resolve)"),
    "rated": gettext_lazy("Rated"),
    "satisfied": gettext_lazy("Rated 4–5"),
    "reopened": gettext_lazy("Reopened"),
    "answered": gettext_lazy("Answered at least once"),
    "overdue": gettext_lazy("Overdue now"),
}
