"""Every read of the feedback domain, one module per audience: the staff surfaces (staff.py, with the
visibility boundary `cases_visible_to`) and the citizen pages (public.py). Views never filter cases by hand."""
from .public import (  # noqa: F401
    ClockNote,
    EARTH_RADIUS_M,
    METRES_PER_DEGREE_LAT,
    active_topics,
    case_by_code,
    clock_note,
    distance_m,
    nearby_open_cases,
    public_cases,
    public_timeline,
    reports_of,
    wards_for_filter,
)
from .public_map import MapCases, MapView, map_cases  # noqa: F401
from .staff import (  # noqa: F401
    DUE_SOON,
    QueueFilters,
    case_for_staff,
    cases_visible_to,
    managed_agencies,
    managers_of,
    officers_of,
    overdue_q,
    pending_extensions_for,
    queue_counts,
    staff_cases,
    staff_queue,
    staff_timeline,
    transfer_targets,
)
