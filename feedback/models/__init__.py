"""The feedback app's models, one module per subject: the case (case.py), its event log (events.py), its
clocks (clocks.py: extensions, calendar exceptions), the outbox (outbox.py) and the API clients (api.py).
The dashboard's derived tallies live in dashboard/models.py."""
from .api import ApiClient
from .case import (
    SWEEP_ACCEPT_OVERDUE,
    SWEEP_ESCALATION,
    SWEEP_MANAGER,
    SWEEP_OVERDUE,
    SWEEP_REMINDER,
    SWEPT_STATUSES,
    TIMED_CASES,
    Case,
    CasePhoto,
    CaseQuerySet,
    PhotoKind,
    Support,
    _private_storage,
)
from .clocks import CalendarDayKind, CalendarException, DeadlineExtension, ExtensionStatus
from .events import AppendOnlyError, CaseEvent, CaseEventQuerySet
from .outbox import OutboxMessage, OutboxStatus

__all__ = [
    "SWEEP_ACCEPT_OVERDUE", "SWEEP_ESCALATION", "SWEEP_MANAGER", "SWEEP_OVERDUE", "SWEEP_REMINDER",
    "SWEPT_STATUSES", "TIMED_CASES", "ApiClient", "AppendOnlyError", "CalendarDayKind", "CalendarException",
    "Case", "CaseEvent", "CaseEventQuerySet", "CasePhoto", "CaseQuerySet", "DeadlineExtension",
    "ExtensionStatus", "OutboxMessage", "OutboxStatus", "PhotoKind", "Support",
]
