"""Reads for the staff surfaces: the visibility boundary (`cases_visible_to`), the queue, its counts, a case
for a staff page, officers and managers, pending extensions."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from agencies.models import Agency, StaffRole
from agencies.selectors import agencies_of, has_role

from ..clocks.overdue import overdue_q as clocks_overdue_q
from ..lifecycle import OPEN_STATUSES, CaseStatus
from ..models import Case, CaseEvent, DeadlineExtension, ExtensionStatus
from ..policy import agency_ids, can_dispatch, is_staff_member


def cases_visible_to(user) -> QuerySet[Case]:
    """Every staff surface (admin, staff pages, API) starts from this queryset."""
    qs = Case.objects.with_names()
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if user.is_superuser or has_role(user, StaffRole.LEADER, StaffRole.DISPATCHER):
        return qs
    agencies = agencies_of(user)
    if agencies:
        return qs.filter(agency__in=agencies)
    return qs.filter(reporter=user)


# --- Staff: who may see and act on which case -------------------------------------------------------------------
# The same functions guard the staff pages, the admin, the API and the services in feedback.services.case_actions.

DUE_SOON = timedelta(hours=24)


def staff_cases(user) -> QuerySet[Case]:
    """Cases on the staff surfaces: `cases_visible_to` without the citizen's own reports."""
    if not is_staff_member(user):
        return Case.objects.none()
    return cases_visible_to(user)


def officers_of(agency_id: int | None) -> QuerySet:
    """Users who can be given a case of this agency (its officers and managers)."""
    User = get_user_model()
    if agency_id is None:
        return User.objects.none()
    return (
        User.objects.filter(
            memberships__agency_id=agency_id, memberships__role__in=[StaffRole.OFFICER, StaffRole.MANAGER],
            is_active=True,
        )
        .distinct()
        .order_by("username")
    )


def managers_of(agency_id: int | None) -> QuerySet:
    return get_user_model().objects.filter(
        memberships__agency_id=agency_id, memberships__role=StaffRole.MANAGER, is_active=True
    ).distinct()


def transfer_targets() -> QuerySet[Agency]:
    return Agency.objects.active().order_by("name")


def overdue_q(now=None) -> Q:
    """The one definition of overdue (feedback/clocks/overdue.py), at `now` or this instant."""
    return clocks_overdue_q(now or timezone.now())


@dataclass(frozen=True)
class QueueFilters:
    """What the staff queue is filtered by; every field optional."""

    status: str = ""
    topic: int | None = None
    ward: int | None = None
    agency: int | None = None
    overdue: bool = False
    unrouted: bool = False
    mine: bool = False
    received_from: date | None = None
    received_to: date | None = None
    q: str = ""


def staff_queue(user, filters: QueueFilters = QueueFilters()) -> QuerySet[Case]:
    """The staff queue: open cases first, overdue and due-soon first, then the rest by due time."""
    now = timezone.now()
    qs = staff_cases(user).with_names("assigned_officer")
    if filters.status == "open":
        qs = qs.open()
    elif filters.status:
        qs = qs.filter(status=filters.status)
    if filters.topic:
        qs = qs.filter(topic_id=filters.topic)
    if filters.ward:
        qs = qs.filter(ward_id=filters.ward)
    if filters.agency:
        qs = qs.filter(agency_id=filters.agency)
    if filters.overdue:
        qs = qs.filter(overdue_q(now))
    if filters.unrouted:
        qs = qs.unrouted()
    if filters.mine:
        qs = qs.filter(assigned_officer=user)
    tz = timezone.get_current_timezone()
    if filters.received_from:
        qs = qs.filter(received_at__gte=datetime.combine(filters.received_from, time.min, tzinfo=tz))
    if filters.received_to:
        qs = qs.filter(received_at__lt=datetime.combine(filters.received_to + timedelta(days=1), time.min, tzinfo=tz))
    if filters.q:
        term = filters.q.strip()
        qs = qs.filter(
            Q(tracking_code__iexact=term) | Q(description__icontains=term) | Q(address__icontains=term)
        )
    return qs.annotate(
        open_rank=models.Case(models.When(status__in=OPEN_STATUSES, then=0), default=1),
        late=models.Case(models.When(overdue_q(now), then=1), default=0, output_field=models.IntegerField()),
        due_soon=models.Case(
            models.When(Q(status__in=OPEN_STATUSES, due_at__gte=now, due_at__lt=now + DUE_SOON), then=1),
            default=0, output_field=models.IntegerField(),
        ),
    ).order_by("open_rank", "-late", "-due_soon", F("due_at").asc(nulls_last=True), "-received_at")


def queue_counts(user) -> dict[str, int]:
    """Counts by status of the cases this user sees, plus 'open', 'overdue', 'unrouted' and 'pending_extensions'."""
    qs = staff_cases(user)
    counts = {s: 0 for s in CaseStatus.values}
    counts.update(dict(qs.order_by().values_list("status").annotate(n=Count("pk"))))
    counts["open"] = sum(counts[s] for s in OPEN_STATUSES)
    counts["overdue"] = qs.filter(overdue_q()).count()
    counts["unrouted"] = qs.unrouted().count() if can_dispatch(user) else 0
    counts["pending_extensions"] = pending_extensions_for(user).count()
    return counts


def case_for_staff(user, *, pk: int | None = None, code: str | None = None) -> Case | None:
    """One case for a staff page, or None when it does not exist or the user may not see it."""
    qs = staff_cases(user).with_names("assigned_officer", "merged_into")
    if pk is not None:
        return qs.filter(pk=pk).first()
    if code:
        return qs.filter(tracking_code=code.strip().upper()).first()
    return None


def staff_timeline(case: Case) -> QuerySet[CaseEvent]:
    """Every event of a case, public and internal (staff only)."""
    return case.events.select_related("actor").order_by("created_at", "pk")


def pending_extensions_for(user) -> QuerySet[DeadlineExtension]:
    """Extension requests a manager may decide (their agencies' cases)."""
    qs = DeadlineExtension.objects.filter(status=ExtensionStatus.PENDING).select_related(
        "case", "case__topic", "case__agency", "requested_by"
    )
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if user.is_superuser:
        return qs
    return qs.filter(case__agency_id__in=agency_ids(user, StaffRole.MANAGER))


def managed_agencies(user) -> list[Agency]:
    return agencies_of(user, roles=(StaffRole.MANAGER,))
