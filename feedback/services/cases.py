"""The case's own writes: the event log, the one status change (`transition_case`), the dispatcher's
assignment, the photos. Every service that changes a case's status goes through `transition_case`."""
from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency
from agencies.routing import RoutingDecision

from .. import page_tokens
from ..clocks import deadlines
from ..lifecycle import FINISHED_STATUSES, CaseStatus, EventKind, can_transition
from ..models import Case, CaseEvent, CasePhoto
from ..notifications import enqueue_task, notify_reporter
from ..photos import make_thumbnail
from .errors import ConflictError, TransitionError
from .locking import lock_case


def _event(*, case: Case, kind: str, created_at: datetime, actor=None, actor_label: str = "", note: str = "",
           public: bool = False, from_status: str = "", to_status: str = "", data: dict | None = None) -> CaseEvent:
    signed_in = getattr(actor, "is_authenticated", False)
    return CaseEvent(
        case=case, kind=kind, created_at=created_at, actor=actor if signed_in else None,
        actor_label=actor_label or (str(actor) if signed_in else "system"),
        note=note, is_public=public, from_status=from_status, to_status=to_status, data=data or {},
    )


def log_event(*, case: Case, kind: str, **fields) -> CaseEvent:
    """Append one event, stamped no earlier than the case's last one (see `stamps_after_last`)."""
    now = timezone.now()
    event = _event(case=case, kind=kind, created_at=CaseEvent.objects.stamps_after_last([case.pk], now)[case.pk],
                   **fields)
    event.save(force_insert=True)
    return event


def log_first_events(*, case: Case, events: list[dict], now: datetime) -> list[CaseEvent]:
    """The first events of a case just inserted, in one INSERT: a new case has no earlier event to stamp after,
    so each is stamped `now` and listed, by (created_at, pk), in the order given."""
    return CaseEvent.objects.bulk_create([_event(case=case, created_at=now, **e) for e in events])


def _apply_decision(case: Case, decision: RoutingDecision, *, now: datetime) -> None:
    """Set agency, status and clocks from a routing decision (no save)."""
    case.routing_reason = decision.reason
    case.agency = None if decision.queued else decision.agency
    case.status = CaseStatus.RECEIVED if decision.queued else CaseStatus.ASSIGNED
    clocks = deadlines.reset_clocks_for_handoff(case=case, handoff=deadlines.Handoff.SUBMIT, now=now,
                                                to_agency=not decision.queued)
    for name, value in clocks.items():
        setattr(case, name, value)


@transaction.atomic
def transition_case(*, case: Case, to: str, actor, kind: str, note: str = "", public: bool = False,
                    expected_version: int | None = None, data: dict | None = None, actor_label: str = "",
                    **changes) -> Case:
    """The only way a case changes status: lock, check the transition and the version, save, log.

    `changes` are extra field values set in the same write (e.g. agency=..., outcome=...).
    Raises TransitionError for an illegal transition, ConflictError if the case changed meanwhile.
    """
    locked = lock_case(case)
    version = expected_version if expected_version is not None else case.version
    if locked.version != version:
        raise ConflictError(_("This case was changed by someone else. Reload it and try again."))
    if not can_transition(locked.status, to):
        raise TransitionError(
            _("A case that is %(from)s cannot become %(to)s.")
            % {"from": CaseStatus(locked.status).label, "to": CaseStatus(to).label}
        )
    from_status = locked.status
    locked.status = to
    for name, value in changes.items():
        setattr(locked, name, value)
    if to in FINISHED_STATUSES and locked.resolved_at is None:
        locked.resolved_at = timezone.now()  # every answer (a rejection too) records when it was given
    if to == CaseStatus.RESOLVED:  # the dashboard's time to resolve, in working hours, from receipt to this answer
        locked.resolve_working_hours = deadlines.working_hours_to_resolve(locked)
    locked.version += 1
    locked.save()
    log_event(case=locked, kind=kind, actor=actor, actor_label=actor_label, note=note, public=public,
              from_status=from_status, to_status=to, data=data)
    case.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_")})
    return locked


def photo_make_thumbnail(*, photo_id: int) -> bool:
    photo = CasePhoto.objects.filter(pk=photo_id).first()
    if photo is None or photo.thumbnail:
        return False
    with photo.image.open("rb") as f:
        thumb = make_thumbnail(f)
    photo.thumbnail.save(f"{photo.image.name.rsplit('/', 1)[-1]}", thumb, save=False)
    CasePhoto.objects.filter(pk=photo.pk, thumbnail="").update(thumbnail=photo.thumbnail.name)
    page_tokens.cases_changed(Case.objects.filter(pk=photo.case_id).values_list("tracking_code", flat=True))
    return True


def assign_case(*, case: Case, agency: Agency, actor, note: str = "") -> Case:
    """A dispatcher assigns a queued case to an agency by hand (never to an inactive one)."""
    if not agency.is_active:
        raise ValidationError({"agency": _("This agency is inactive.")})
    clocks = deadlines.reset_clocks_for_handoff(case=case, handoff=deadlines.Handoff.ASSIGN, now=timezone.now())
    updated = transition_case(
        case=case, to=CaseStatus.ASSIGNED, actor=actor, kind=EventKind.ASSIGNED, note=note or str(agency),
        agency=agency, data={"agency": agency.pk,
                             "clock": deadlines.clock_data(handoff=deadlines.Handoff.ASSIGN, old_due_at=case.due_at,
                                                           fields=clocks)},
        **clocks,
    )
    notify_reporter(updated, event="assigned", key=f"case:{updated.pk}:assigned:{agency.pk}:{updated.version}")
    return updated


def store_photos(case: Case, processed, *, kind: str, event: CaseEvent | None = None) -> list[CasePhoto]:
    """Store verified photos (original private, public copy EXIF-free); thumbnails are made after commit."""
    stored = []
    for p in processed:
        photo = CasePhoto(case=case, kind=kind, event=event)
        photo.original.save(p.original.name, p.original, save=False)
        photo.image.save(p.public.name, p.public, save=False)
        photo.save()
        enqueue_task("feedback.tasks.make_photo_thumbnail", photo.pk)
        stored.append(photo)
    return stored
