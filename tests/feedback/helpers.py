"""Moving a case along as agency staff would (through transition_case / notify_reporter)."""
from __future__ import annotations

from django.utils import timezone

from feedback.lifecycle import CaseStatus, EventKind, Outcome
from feedback.notifications import notify_reporter
from feedback.services import log_event, transition_case


def reply(case, text: str, actor=None):
    log_event(case=case, kind=EventKind.REPLY, actor=actor, actor_label=str(case.agency), note=text, public=True)
    notify_reporter(case, event="reply", key=f"case:{case.pk}:reply:{case.events.count()}", extra={"message": text})


def resolve(case, note: str = "Đã thu gom rác và vệ sinh khu vực.", actor=None, at=None):
    case = transition_case(case=case, to=CaseStatus.RESOLVED, actor=actor, kind=EventKind.RESOLVED, note=note,
                           public=True, resolved_at=at or timezone.now(), outcome=Outcome.FIXED)
    notify_reporter(case, event="resolved", key=f"case:{case.pk}:resolved:{case.version}", extra={"message": note})
    return case
