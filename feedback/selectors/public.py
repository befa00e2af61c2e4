"""Reads for the citizen pages and the public map: topics, a case by its code, its public timeline and clock
note, nearby open reports, the map's points, a citizen's own reports."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import QuerySet

from agencies.models import Topic, Ward

from ..lifecycle import OPEN_STATUSES
from ..models import Case, CaseEvent


def active_topics() -> QuerySet[Topic]:
    return Topic.objects.active()


def case_by_code(code: str) -> Case | None:
    return (
        Case.objects.with_names()
        .filter(tracking_code=code.strip().upper())
        .first()
    )


def public_timeline(case: Case) -> QuerySet[CaseEvent]:
    return case.events.filter(is_public=True).order_by("created_at", "pk")


@dataclass(frozen=True)
class ClockNote:
    """Why a case has its current due time: the last hand-off that set it (deadlines.reset_clocks_for_handoff)."""

    rule: str  # deadlines.Handoff value
    at: datetime
    due_at: datetime
    old_due_at: datetime | None
    accept_due_at: datetime | None

    @property
    def kept_promise(self) -> bool:
        """A transfer that kept the due date the citizen was given (e.g. an approved extension)."""
        return self.old_due_at is not None and self.old_due_at == self.due_at


def clock_note(case: Case, *, public: bool = True) -> ClockNote | None:
    """For an open case whose due time was last set by a hand-off (transfer, reopening, …): what the rule
    did. `public`: only from events the citizen sees. None otherwise (e.g. an extension changed it since)."""
    if case.status not in OPEN_STATUSES or case.due_at is None:
        return None
    events = case.events.filter(data__has_key="clock")
    if public:
        events = events.filter(is_public=True)
    event = events.order_by("-created_at", "-pk").first()
    if event is None:
        return None
    clock = event.data["clock"]

    def when(value):
        return datetime.fromisoformat(value) if value else None

    note = ClockNote(rule=clock["rule"], at=event.created_at, due_at=when(clock["due_at"]),
                     old_due_at=when(clock.get("old_due_at")), accept_due_at=when(clock.get("accept_due_at")))
    return note if note.due_at == case.due_at else None




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
        Case.objects.public().open().with_names()
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
    qs = Case.objects.public().with_names().order_by("-received_at", "-pk")
    if topic:
        qs = qs.filter(topic__code=topic)
    if status:
        qs = qs.filter(status=status)
    if ward:
        qs = qs.filter(ward__code=ward)
    return qs


def reports_of(user) -> QuerySet[Case]:
    """A logged-in citizen's own reports."""
    if not getattr(user, "is_authenticated", False):
        return Case.objects.none()
    return Case.objects.with_names().filter(reporter=user).order_by("-received_at")


def wards_for_filter() -> QuerySet[Ward]:
    return Ward.objects.order_by("name").only("code", "name", "full_name", "centroid_lat", "centroid_lon")
