"""Reads for the feedback domain. Views never filter cases by hand."""
from __future__ import annotations

from django.db.models import QuerySet

from agencies.models import StaffRole, Topic
from agencies.selectors import agencies_of, has_role

from .models import Case, CaseEvent


def active_topics() -> QuerySet[Topic]:
    return Topic.objects.active()


def case_by_code(code: str) -> Case | None:
    return (
        Case.objects.select_related("topic", "ward", "agency")
        .filter(tracking_code=code.strip().upper())
        .first()
    )


def public_timeline(case: Case) -> QuerySet[CaseEvent]:
    return case.events.filter(is_public=True).order_by("created_at", "pk")


def cases_visible_to(user) -> QuerySet[Case]:
    """Every staff surface (admin, staff pages, API) starts from this queryset."""
    qs = Case.objects.select_related("topic", "ward", "agency")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if user.is_superuser or has_role(user, StaffRole.LEADER, StaffRole.DISPATCHER):
        return qs
    agencies = agencies_of(user)
    if agencies:
        return qs.filter(agency__in=agencies)
    return qs.filter(reporter=user)
