"""Writes about a case's clocks: changing its urgency level (and with it the due time), logged."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Urgency

from ..clocks import deadlines
from ..lifecycle import OPEN_STATUSES, EventKind
from ..models import Case
from ..policy import can_change_urgency
from .cases import log_event
from .locking import lock_case


@transaction.atomic
def change_urgency(*, case: Case, actor, urgency: str, reason: str) -> Case:
    """Raise or lower a case's urgency (urgent / normal / complex), recompute its due time, log URGENCY_CHANGED.

    Urgent: due within URGENT_RESOLVE_WORKING_HOURS working hours of acceptance (of receipt while not yet
    accepted); normal and complex: the topic's rule from the original receipt time.
    """
    if urgency not in Urgency.values:
        raise ValidationError({"urgency": _("Choose urgent, normal or complex.")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the urgency changes.")})
    if not can_change_urgency(actor, case):  # feedback/policy.py
        raise PermissionDenied(_("You cannot change the urgency of this case."))
    locked = lock_case(case, related=("topic",))
    if locked.status not in OPEN_STATUSES:
        raise ValidationError(_("Only an open case can change urgency."))
    if locked.urgency == urgency:
        raise ValidationError({"urgency": _("The case already has this urgency.")})
    old_urgency, old_due = locked.urgency, locked.due_at
    clocks = deadlines.reset_clocks_for_handoff(case=locked, handoff=deadlines.Handoff.URGENCY, now=timezone.now(),
                                                urgency=urgency)
    locked.urgency = urgency
    for name, value in clocks.items():
        setattr(locked, name, value)
    due = locked.due_at
    locked.version += 1
    locked.full_clean(exclude=["tracking_code"])
    locked.save()
    log_event(
        case=locked, kind=EventKind.URGENCY_CHANGED, actor=actor, note=reason,
        data={"from": old_urgency, "to": urgency, "old_due_at": old_due.isoformat() if old_due else None,
              "due_at": due.isoformat()},
    )
    case.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_")})
    return locked
