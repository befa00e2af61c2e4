"""The one state machine of a case: statuses, allowed transitions, open/closed groups.

Only `feedback.services.transition_case` changes a case's status; it consults `ALLOWED_TRANSITIONS`.
The staff actions in `feedback.services.case_actions` map onto it:

    received ──assign (dispatcher)──▶ assigned ──accept──▶ in progress ──resolve──▶ resolved ──▶ closed
        ▲                               │  ▲                  │                        │
        └──transfer to queue / not in ──┘  └──transfer────────┘        reopen (citizen)▼
           remit (back to dispatcher)       (another agency)          reopened ──accept──▶ in progress
    assigned | in progress | reopened ──reject (duplicate, spam)──▶ rejected ──▶ closed
"""
from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    RECEIVED = "received", _("Received")  # stored, waiting in the dispatcher queue (no agency)
    ASSIGNED = "assigned", _("Assigned")  # routed to an agency, waiting for it to accept
    IN_PROGRESS = "in_progress", _("In progress")  # accepted by the agency
    RESOLVED = "resolved", _("Resolved")  # answered with an outcome (fixed or not fixed, with reason)
    REJECTED = "rejected", _("Rejected")  # duplicate / spam, with a reason
    REOPENED = "reopened", _("Reopened")  # the citizen was not satisfied; back to the same agency
    CLOSED = "closed", _("Closed")  # final, after rating or a quiet period


ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    CaseStatus.RECEIVED: frozenset({CaseStatus.ASSIGNED, CaseStatus.REJECTED}),
    CaseStatus.ASSIGNED: frozenset(
        {CaseStatus.ASSIGNED, CaseStatus.RECEIVED, CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED, CaseStatus.REJECTED}
    ),
    CaseStatus.IN_PROGRESS: frozenset(
        {CaseStatus.ASSIGNED, CaseStatus.RECEIVED, CaseStatus.RESOLVED, CaseStatus.REJECTED}
    ),
    CaseStatus.RESOLVED: frozenset({CaseStatus.REOPENED, CaseStatus.CLOSED}),
    CaseStatus.REJECTED: frozenset({CaseStatus.CLOSED}),
    CaseStatus.REOPENED: frozenset(
        {CaseStatus.IN_PROGRESS, CaseStatus.ASSIGNED, CaseStatus.RECEIVED, CaseStatus.RESOLVED, CaseStatus.REJECTED}
    ),
    CaseStatus.CLOSED: frozenset(),
}

# Open = someone still has to act; finished = the agency has given its answer.
OPEN_STATUSES = frozenset(
    {CaseStatus.RECEIVED, CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS, CaseStatus.REOPENED}
)
FINISHED_STATUSES = frozenset({CaseStatus.RESOLVED, CaseStatus.REJECTED, CaseStatus.CLOSED})


def can_transition(from_status: str, to_status: str) -> bool:
    return to_status in ALLOWED_TRANSITIONS.get(from_status, frozenset())


class Outcome(models.TextChoices):
    FIXED = "fixed", _("Resolved – fixed")
    NOT_FIXED_SCHEDULED = "scheduled", _("Resolved – not fixed yet (scheduled)")
    NOT_FIXED_INFEASIBLE = "infeasible", _("Resolved – not fixed (not feasible)")
    NOT_IN_REMIT = "not_in_remit", _("Not in remit")
    DUPLICATE = "duplicate", _("Duplicate")
    SPAM = "spam", _("Spam")


RESOLVED_OUTCOMES = frozenset({Outcome.FIXED, Outcome.NOT_FIXED_SCHEDULED, Outcome.NOT_FIXED_INFEASIBLE})
REJECTED_OUTCOMES = frozenset({Outcome.DUPLICATE, Outcome.SPAM, Outcome.NOT_IN_REMIT})


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("Report received")
    ROUTED = "routed", _("Routed")
    REROUTED = "rerouted", _("Re-routed")
    QUEUED = "queued", _("Sent to the dispatcher queue")
    ASSIGNED = "assigned", _("Assigned by dispatcher")
    ACCEPTED = "accepted", _("Accepted by the agency")
    OFFICER_ASSIGNED = "officer_assigned", _("Officer assigned")
    REPLY = "reply", _("Public reply")
    NOTE = "note", _("Internal note")
    TRANSFERRED = "transferred", _("Transferred")
    LOCATION_CHANGED = "location_changed", _("Location corrected")
    TOPIC_CHANGED = "topic_changed", _("Topic corrected")
    URGENCY_CHANGED = "urgency_changed", _("Urgency changed")
    EXTENSION_REQUESTED = "extension_requested", _("Deadline extension requested")
    EXTENSION_APPROVED = "extension_approved", _("Deadline extension approved")
    EXTENSION_REJECTED = "extension_rejected", _("Deadline extension refused")
    RESOLVED = "resolved", _("Resolved")
    REJECTED = "rejected", _("Rejected")
    MERGED = "merged", _("Merged into another case")
    REOPENED = "reopened", _("Reopened by the citizen")
    RATED = "rated", _("Rated by the citizen")
    CLOSED = "closed", _("Closed")
    SUPPORTED = "supported", _("Another citizen reported the same")
    OVERDUE = "overdue", _("Overdue")
    ESCALATED = "escalated", _("Escalated")
    REMINDED = "reminded", _("Due-soon reminder sent")
