"""Every permission rule of a case, in one place: who may see the staff pages, who may act on a case, which
actions the staff case page offers (derived from `lifecycle.ALLOWED_TRANSITIONS`), who may change the
urgency, and the reporter's own rights (rate, reopen) with the reporter key that proves them.

Selectors narrow querysets with these rules (`selectors.cases_visible_to` is the visibility boundary); the
services check them again on the locked row (`services.locking.lock_case`) and raise PermissionDenied.
"""
from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from agencies.models import StaffRole
from agencies.selectors import agencies_of, has_role, memberships_of

from .lifecycle import ALLOWED_TRANSITIONS, OPEN_STATUSES, CaseStatus
from .models import Case

# --- staff ------------------------------------------------------------------------------------------------------


def _authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def agency_ids(user, *roles: str) -> set[int]:
    """The agencies this user works for (as officer or manager unless `roles` says otherwise)."""
    return {a.pk for a in agencies_of(user, roles=roles or (StaffRole.OFFICER, StaffRole.MANAGER))}


def is_staff_member(user) -> bool:
    """Anyone with a staff role (or a superuser): may open the staff pages."""
    return _authenticated(user) and (user.is_superuser or bool(memberships_of(user)))


def can_dispatch(user) -> bool:
    """Dispatchers work the unrouted queue and may send any open case to any agency."""
    return _authenticated(user) and (user.is_superuser or has_role(user, StaffRole.DISPATCHER))


def can_work_cases(user) -> bool:
    """False for read-only staff (city leaders): they see everything and change nothing."""
    return _authenticated(user) and (
        user.is_superuser or bool(agencies_of(user)) or has_role(user, StaffRole.DISPATCHER))


def can_act_on(user, case: Case) -> bool:
    """Officers and managers act on their agency's cases; dispatchers on cases in their queue. Leaders never."""
    if not _authenticated(user):
        return False
    if user.is_superuser:
        return True
    if case.agency_id is None:
        return can_dispatch(user)
    return case.agency_id in agency_ids(user)


def can_transfer(user, case: Case) -> bool:
    """Hand a case to another agency (or back to the dispatcher): its own agency's staff, or a dispatcher."""
    return can_act_on(user, case) or can_dispatch(user)


# Changing the urgency moves the due time like a hand-off does: the same people may do it.
can_change_urgency = can_transfer


# who may correct a case's location or topic (services/rerouting.py; topic corrections also train topicsuggest)
CORRECTING_ROLES = (StaffRole.OFFICER, StaffRole.MANAGER, StaffRole.DISPATCHER)


def can_correct(user) -> bool:
    return _authenticated(user) and (user.is_superuser or has_role(user, *CORRECTING_ROLES))


def is_manager_of(user, agency_id: int | None) -> bool:
    """Managers decide extensions, assign officers and see their agency's figures."""
    if not _authenticated(user) or agency_id is None:
        return False
    return user.is_superuser or agency_id in agency_ids(user, StaffRole.MANAGER)


def is_member_of(user, agency_id: int | None) -> bool:
    return agency_id is not None and agency_id in agency_ids(user)


# --- what the staff case page offers, from the state machine -------------------------------------------------

def _statuses(to: str) -> frozenset[str]:
    """The statuses from which a case may become `to`."""
    return frozenset(s for s, targets in ALLOWED_TRANSITIONS.items() if to in targets)


CAN_BE_RESOLVED = _statuses(CaseStatus.RESOLVED)  # being worked on: resolve, extension, officer, transfer
CAN_BE_ACCEPTED = _statuses(CaseStatus.IN_PROGRESS)
CAN_BE_REJECTED = _statuses(CaseStatus.REJECTED)  # reject, merge
CAN_BE_ASSIGNED = _statuses(CaseStatus.ASSIGNED)
# Staff close a rejected case; a resolved one stays open to the citizen's rating/reopen until the sweep closes it.
STAFF_CLOSES = _statuses(CaseStatus.CLOSED) - {CaseStatus.RESOLVED}


def staff_actions(user, case: Case) -> set[str]:
    """The actions the staff case page offers this user for this case (the services check again)."""
    s = case.status
    found = set()
    if can_dispatch(user) and case.agency_id is None and s in CAN_BE_ASSIGNED:
        found.add("dispatch")
    if can_transfer(user, case) and s in CAN_BE_RESOLVED:
        found.add("transfer")
    if s in OPEN_STATUSES and can_correct(user):
        found.add("topic")  # services.rerouting.correct_topic
    if not can_act_on(user, case):
        return found
    if ALLOWED_TRANSITIONS[s]:  # every status but the final one takes replies and notes
        found |= {"reply", "note"}
    if s in CAN_BE_ACCEPTED:
        found.add("accept")
    if s in CAN_BE_RESOLVED:
        found |= {"resolve", "extension", "assign"}
    if s in CAN_BE_REJECTED:
        found |= {"reject", "merge"}
    if s in STAFF_CLOSES:
        found.add("close")
    return found


# --- the reporter -------------------------------------------------------------------------------------------------

KEY_SALT = "feedback.citizen.reporter-key"  # unchanged: keys already sent in emails stay valid


def reporter_key(case: Case) -> str:
    """The reporter's secret for this case (stable, so every email can carry it)."""
    return salted_hmac(KEY_SALT, f"{case.pk}:{case.tracking_code}").hexdigest()[:32]


def is_reporter(case: Case, *, key: str = "", user=None) -> bool:
    """Only the reporter rates or reopens: their account, or the reporter key."""
    if user is not None and _authenticated(user) and case.reporter_id == user.pk:
        return True
    return bool(key) and constant_time_compare(key, reporter_key(case))


def reopen_deadline(case: Case):
    """Until when the reporter may rate or reopen a resolved case (None when it is not resolved). The case
    stays resolved until then and is closed by the sweep (`sweeps.close_after_reopen_window`) after it."""
    if case.status != CaseStatus.RESOLVED or case.resolved_at is None:
        return None
    return case.resolved_at + timedelta(days=settings.REOPEN_WINDOW_DAYS)


def can_reopen(case: Case, *, now=None) -> bool:
    deadline = reopen_deadline(case)
    return deadline is not None and (now or timezone.now()) <= deadline


def can_rate(case: Case, *, now=None) -> bool:
    """Rating is open for the same window as reopening; a rating may be changed until the window ends."""
    return can_reopen(case, now=now)

