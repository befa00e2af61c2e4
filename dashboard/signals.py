"""The one signal module of the figures: every write to a case (a service's save, the admin, a fixture) makes the
cached figures stale and marks the case's receipt day for the tally to recompute. Connected once, in
DashboardConfig.ready(); cache invalidation only, no business logic. A queryset `.update()` of a counted field
sends no signal: the service that runs one calls `bump_version()` and `tally.mark_stale()` itself.

The token is replaced at the write and again when its transaction commits: a reader that took the new token
before the commit (and so read the old rows) cannot keep its answer under the token readers use afterwards. A
public note (a reply: an event with no case save) replaces it too, at commit: the Open311 requests show it."""
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from feedback.lifecycle import CaseStatus
from feedback.models import Case, CaseEvent

from ihanoi.cache import now_and_at_commit

from . import tally
from .cache import bump_version

# A case joins the resolved cases whose hours make the median only as resolved or closed, and leaves them only
# by being reopened: a write that leaves a case in any other status cannot have changed a median.
_MAY_CHANGE_A_RESOLUTION = frozenset({CaseStatus.RESOLVED, CaseStatus.CLOSED, CaseStatus.REOPENED})


def case_changed(instance: Case, *, deleted: bool = False) -> None:
    """A case was written (or deleted): the figures are stale, and so is its receipt day's tally."""
    resolutions = deleted or instance.status in _MAY_CHANGE_A_RESOLUTION
    now_and_at_commit(lambda: bump_version(resolutions=resolutions))
    tally.mark_stale(instance.received_at)


def _bump_cases() -> None:
    bump_version(resolutions=False)


def _on_public_note(sender, instance: CaseEvent, created: bool = False, **kwargs) -> None:
    if created and instance.is_public and instance.note:
        transaction.on_commit(_bump_cases)  # at once outside a transaction


def _on_case_change(sender, instance: Case, **kwargs) -> None:
    case_changed(instance, deleted="created" not in kwargs)  # post_delete sends no "created"


def connect_signals() -> None:
    """Called once from DashboardConfig.ready(): the one place where case writes invalidate the figures."""
    post_save.connect(_on_case_change, sender=Case, dispatch_uid="stats-case-saved")
    post_delete.connect(_on_case_change, sender=Case, dispatch_uid="stats-case-deleted")
    post_save.connect(_on_public_note, sender=CaseEvent, dispatch_uid="stats-public-note")
