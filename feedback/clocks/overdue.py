"""The one definition of "overdue": an open case whose resolve due time has passed.

Everything that asks uses these: the overdue flag's sweep (feedback/services/sweeps.py flags exactly these cases, once),
the staff queue and its counts (feedback/selectors.py), the REST filter `?is_overdue=` (feedback/api/filters.py)
and the dashboard's "late" and "overdue now" (dashboard/metrics.py). The stored `Case.is_overdue` flag only
remembers that the sweep has told the agency; it is cleared whenever the due time moves into the future
(deadlines.reset_clocks_for_handoff / due_reset_fields), so it never disagrees with this for long.
"""
from datetime import datetime

from django.db.models import Q

from ..lifecycle import OPEN_STATUSES

OPEN = Q(status__in=sorted(OPEN_STATUSES))


def past_due_q(now: datetime) -> Q:
    """The clock part alone (callers whose WHERE already holds the open statuses, for an index-only read)."""
    return Q(due_at__lt=now)


def overdue_q(now: datetime) -> Q:
    """Open and past the resolve due time."""
    return OPEN & past_due_q(now)
