"""Reads for the feedback domain. Views never filter cases by hand."""
from __future__ import annotations

import math

from django.db.models import QuerySet

from agencies.models import StaffRole, Topic, Ward
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


# --- Citizen-facing reads -------------------------------------------------------------------------------------

EARTH_RADIUS_M = 6_371_000.0
METRES_PER_DEGREE_LAT = 111_320.0


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def nearby_open_cases(*, topic: Topic, lat: float, lon: float, radius_m: float = 100, limit: int = 5) -> list[Case]:
    """Open public reports of `topic` within `radius_m` of the point, nearest first (each gets `.distance_m`).

    A bounding box narrows the rows in SQL (indexed columns, any backend); the exact distance decides.
    """
    dlat = radius_m / METRES_PER_DEGREE_LAT
    dlon = radius_m / (METRES_PER_DEGREE_LAT * max(math.cos(math.radians(lat)), 0.01))
    candidates = (
        Case.objects.public().open().select_related("topic", "ward")
        .filter(topic=topic, latitude__range=(lat - dlat, lat + dlat), longitude__range=(lon - dlon, lon + dlon))
    )
    found = []
    for case in candidates:
        case.distance_m = distance_m(lat, lon, case.latitude, case.longitude)
        if case.distance_m <= radius_m:
            found.append(case)
    found.sort(key=lambda c: c.distance_m)
    return found[:limit]


def public_cases(*, topic: str = "", status: str = "", ward: str = "") -> QuerySet[Case]:
    """The public map and list: every public report, filtered by topic code, status and ward code."""
    qs = Case.objects.public().select_related("topic", "ward").order_by("-received_at", "-pk")
    if topic:
        qs = qs.filter(topic__code=topic)
    if status:
        qs = qs.filter(status=status)
    if ward:
        qs = qs.filter(ward__code=ward)
    return qs


def public_map_points(qs: QuerySet[Case], *, limit: int = 5000) -> list[dict]:
    """Only public fields: never the reporter's name, phone, email or account."""
    return list(
        qs.filter(latitude__isnull=False)
        .values("tracking_code", "latitude", "longitude", "status", "topic__name_vi", "topic__name_en",
                "ward__full_name", "received_at")[:limit]
    )


def reports_of(user) -> QuerySet[Case]:
    """A logged-in citizen's own reports."""
    if not getattr(user, "is_authenticated", False):
        return Case.objects.none()
    return Case.objects.select_related("topic", "ward", "agency").filter(reporter=user).order_by("-received_at")


def wards_for_filter() -> QuerySet[Ward]:
    return Ward.objects.order_by("name").only("code", "name", "full_name")
