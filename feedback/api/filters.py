from datetime import datetime, timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField

from agencies.models import Topic, Urgency, Ward, WardKind

from ..clocks.overdue import overdue_q
from ..lifecycle import CaseStatus
from ..models import Case


def in_supported_range(value: datetime) -> bool:
    """Years 2000–2100 and a real UTC offset: the database refuses offsets beyond ±14 h, and dates near
    year 1 or 9999 overflow when shifted."""
    offset = value.utcoffset()
    return 2000 <= value.year <= 2100 and (offset is None or abs(offset) <= timedelta(hours=14))


class BoundedIsoDateTimeField(IsoDateTimeField):
    def to_python(self, value):
        parsed = super().to_python(value)
        if parsed is not None and not in_supported_range(parsed):
            raise forms.ValidationError(_("Give a date between 2000 and 2100 with a UTC offset of at most 14 hours."))
        return parsed


class DateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = BoundedIsoDateTimeField


class TopicFilter(django_filters.FilterSet):
    class Meta:
        model = Topic
        fields = ["group", "urgency"]


class WardFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=WardKind.choices)
    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Name contains"))

    class Meta:
        model = Ward
        fields = ["kind", "name"]


class MyReportFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=CaseStatus.choices)

    class Meta:
        model = Case
        fields = ["status"]


class CaseFilter(django_filters.FilterSet):
    """Staff case list filters; they narrow `cases_visible_to(user)`, never widen it."""

    status = django_filters.MultipleChoiceFilter(choices=CaseStatus.choices)
    urgency = django_filters.ChoiceFilter(choices=Urgency.choices)
    topic = django_filters.CharFilter(field_name="topic__code", label=_("Topic code"))
    ward = django_filters.CharFilter(field_name="ward__code", label=_("Ward code"))
    agency = django_filters.CharFilter(field_name="agency__code", label=_("Agency code"))
    is_overdue = django_filters.BooleanFilter(method="overdue")
    received_after = DateTimeFilter(field_name="received_at", lookup_expr="gte")
    received_before = DateTimeFilter(field_name="received_at", lookup_expr="lt")
    q = django_filters.CharFilter(method="search", label=_("Tracking code, description or address contains"))

    class Meta:
        model = Case
        fields = ["status", "urgency", "topic", "ward", "agency", "is_overdue"]

    def overdue(self, queryset, name, value):
        """The one definition of overdue (feedback/clocks/overdue.py), not the sweep's stored flag."""
        q = overdue_q(timezone.now())
        return queryset.filter(q) if value else queryset.exclude(q)

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(tracking_code__iexact=value) | Q(description__icontains=value)
                               | Q(address__icontains=value)) if value else queryset
