"""What agency staff do to a case: accept, reply, note, transfer, extend, resolve, reject, merge, assign, close.

Every function is keyword-only and atomic, checks the actor through `feedback.selectors` (PermissionDenied),
changes status only through `services.transition_case` (TransitionError for an illegal transition,
ConflictError when someone else changed the case first) and writes the event log. Bad input raises
ValidationError with a translated message. Views, admin and API call these and nothing else.

Over 300 lines: one short function per staff action over shared private helpers (lock, text, officer).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency

from .. import policy, selectors
from ..clocks import deadlines
from ..lifecycle import REJECTED_OUTCOMES, RESOLVED_OUTCOMES, CaseStatus, EventKind, Outcome
from ..models import Case, CaseEvent, CasePhoto, DeadlineExtension, ExtensionStatus, PhotoKind, Support
from ..notifications import absolute_url, enqueue_task, notify_reporter, queue_message
from ..photos import process_photo
from .cases import assign_case, log_event, store_photos, transition_case
from .errors import ConflictError
from .locking import lock_case, lock_cases

__all__ = [
    "ConflictError", "accept_case", "add_internal_note", "assign_officer", "close_case", "decide_extension",
    "dispatch_case", "merge_case", "reject_case", "reply_case", "request_extension", "resolve_case",
    "transfer_case",
]

MIN_TEXT = 3


def _lock(case: Case, actor, *, allowed=policy.can_act_on, check_version: bool = False) -> Case:
    """Lock the case row and check the actor against its current agency (not a stale copy)."""
    return lock_case(case, related=("topic", "agency"), actor=actor, allowed=allowed, check_version=check_version)


def _text(value: str, *, field: str, message: str) -> str:
    value = (value or "").strip()
    if len(value) < MIN_TEXT:
        raise ValidationError({field: message})
    return value


def _last_event(case: Case, kind: str) -> CaseEvent:
    return case.events.filter(kind=kind).order_by("-pk").first()


def _officer_if_none(case: Case, actor) -> dict:
    """The agency member who accepts or resolves an unassigned case becomes its officer."""
    if case.assigned_officer_id is None and policy.is_member_of(actor, case.agency_id):
        return {"assigned_officer": actor}
    return {}


def _sync(target: Case, source: Case) -> Case:
    """Copy the saved state back into the caller's instance, as transition_case does."""
    if target is not source:
        target.__dict__.update({k: v for k, v in source.__dict__.items() if not k.startswith("_")})
        target._state.fields_cache.clear()  # related objects (agency, officer) may have changed
    return target


@transaction.atomic
def accept_case(*, case: Case, actor, note: str = "") -> Case:
    """The agency takes the case on (assigned or reopened → in progress); the actor becomes its officer."""
    locked = _lock(case, actor, check_version=True)
    changes = _officer_if_none(locked, actor)
    if locked.accepted_at is None:
        changes["accepted_at"] = timezone.now()
    updated = transition_case(case=locked, to=CaseStatus.IN_PROGRESS, actor=actor, kind=EventKind.ACCEPTED,
                              note=note.strip(), public=True, **changes)
    return _sync(case, updated)


@transaction.atomic
def reply_case(*, case: Case, actor, text: str) -> CaseEvent:
    """A public reply on the tracking page, emailed to the reporter and supporters."""
    text = _text(text, field="text", message=_("Write a reply of at least %(n)d characters.") % {"n": MIN_TEXT})
    locked = _lock(case, actor)
    if locked.status == CaseStatus.CLOSED:
        raise ValidationError(_("This case is closed; it cannot get new replies."))
    event = log_event(case=locked, kind=EventKind.REPLY, actor=actor, note=text, public=True)
    notify_reporter(locked, event="reply", key=f"case:{locked.pk}:reply:{event.pk}", extra={"message": text})
    return event


@transaction.atomic
def add_internal_note(*, case: Case, actor, text: str) -> CaseEvent:
    """A note for staff only; never shown to the citizen."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the note.")})
    locked = _lock(case, actor)
    return log_event(case=locked, kind=EventKind.NOTE, actor=actor, note=text, public=False)


@transaction.atomic
def dispatch_case(*, case: Case, agency: Agency, actor, note: str = "") -> Case:
    """The dispatcher sends a queued case to an active agency (services.assign_case, with the permission check)."""
    if not policy.can_dispatch(actor):
        raise PermissionDenied(_("Only dispatchers assign cases from the queue."))
    locked = _lock(case, actor, allowed=policy.can_transfer, check_version=True)
    return _sync(case, assign_case(case=locked, agency=agency, actor=actor, note=note.strip()))


def _handoff_changes(case: Case, *, to_agency: Agency | None, now) -> dict:
    """A hand-off to another agency or the dispatcher queue: the next holder starts without an officer, and
    the clocks follow the one hand-off rule (deadlines.reset_clocks_for_handoff; received_at never moves)."""
    handoff = deadlines.Handoff.TRANSFER if to_agency is not None else deadlines.Handoff.QUEUE
    clocks = deadlines.reset_clocks_for_handoff(case=case, handoff=handoff, now=now, to_agency=to_agency is not None)
    return dict(clocks, agency=to_agency, assigned_officer=None, accepted_at=None,
                transfer_count=case.transfer_count + 1,
                clock=deadlines.clock_data(handoff=handoff, old_due_at=case.due_at, fields=clocks))


@transaction.atomic
def transfer_case(*, case: Case, actor, to_agency: Agency | None, reason: str) -> Case:
    """Hand the case to another agency (→ assigned) or back to the dispatcher queue (to_agency=None → received).

    The receipt time is kept; the new agency gets its own accept clock and the citizen's resolve date is not
    shortened (deadlines.reset_clocks_for_handoff).
    """
    reason = _text(reason, field="reason", message=_("Give the reason for the transfer."))
    locked = _lock(case, actor, allowed=policy.can_transfer, check_version=True)
    if to_agency is not None and to_agency.pk == locked.agency_id:
        raise ValidationError({"to_agency": _("The case is already with this agency.")})
    if to_agency is not None and not to_agency.is_active:
        raise ValidationError({"to_agency": _("This agency is inactive.")})
    changes = _handoff_changes(locked, to_agency=to_agency, now=timezone.now())
    data = {"from_agency": locked.agency_id, "to_agency": to_agency.pk if to_agency else None,
            "clock": changes.pop("clock")}
    updated = transition_case(case=locked, to=CaseStatus.ASSIGNED if to_agency else CaseStatus.RECEIVED,
                              actor=actor, kind=EventKind.TRANSFERRED, note=reason, public=True, data=data,
                              **changes)
    if to_agency is not None:
        notify_reporter(updated, event="assigned",
                        key=f"case:{updated.pk}:assigned:{to_agency.pk}:{updated.version}")
    return _sync(case, updated)


@transaction.atomic
def request_extension(*, case: Case, actor, due_at: datetime, reason: str) -> DeadlineExtension:
    """An officer asks the agency's manager for a later due time (one pending request per case)."""
    reason = _text(reason, field="reason", message=_("Explain why more time is needed."))
    locked = _lock(case, actor)
    if not locked.is_open:
        raise ValidationError(_("Only an open case can get more time."))
    if due_at is None or due_at <= timezone.now() or (locked.due_at and due_at <= locked.due_at):
        raise ValidationError({"due_at": _("The new due time must be later than the current one.")})
    ext = DeadlineExtension(case=locked, requested_by=actor, requested_due_at=due_at, reason=reason)
    ext.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            ext.save()
    except IntegrityError:
        raise ValidationError(_("An extension request for this case is already waiting for a decision."))
    log_event(case=locked, kind=EventKind.EXTENSION_REQUESTED, actor=actor, note=reason,
              data={"extension": ext.pk, "requested_due_at": due_at.isoformat(),
                    "current_due_at": locked.due_at.isoformat() if locked.due_at else None})
    subject = _("[iHanoi] %(code)s: deadline extension requested") % {"code": locked.tracking_code}
    body = f"{locked.tracking_code}\n{reason}\n{absolute_url(reverse('staff:extensions'))}"
    for manager in selectors.managers_of(locked.agency_id).exclude(email=""):
        queue_message(recipient=manager.email, subject=subject, body=body, case=locked,
                      key=f"extension:{ext.pk}:requested:{manager.pk}")
    return ext


@transaction.atomic
def decide_extension(*, extension: DeadlineExtension, actor, approve: bool, note: str = "") -> DeadlineExtension:
    """The manager of the case's agency approves (the due time moves) or refuses a pending request."""
    ext = DeadlineExtension.objects.select_for_update().select_related("case").get(pk=extension.pk)
    locked = lock_case(ext.case_id)
    if not policy.is_manager_of(actor, locked.agency_id):
        raise PermissionDenied(_("Only a manager of the agency decides extension requests."))
    if ext.status != ExtensionStatus.PENDING:
        raise ConflictError(_("This request has already been decided."))
    now = timezone.now()
    ext.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REJECTED
    ext.decided_by, ext.decided_at = actor, now
    ext.full_clean(validate_constraints=False)
    ext.save()
    data = {"extension": ext.pk, "old_due_at": locked.due_at.isoformat() if locked.due_at else None}
    if approve:  # the one rule for a due time that moves (feedback/clocks/deadlines.py)
        fields = deadlines.due_reset_fields(due_at=ext.requested_due_at, now=now) if locked.is_open else {
            "due_at": ext.requested_due_at}
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save(update_fields=[*fields, "updated_at"])
        data["new_due_at"] = ext.requested_due_at.isoformat()
    log_event(case=locked, kind=EventKind.EXTENSION_APPROVED if approve else EventKind.EXTENSION_REJECTED,
              actor=actor, note=note.strip(), data=data)
    _sync(extension, ext)
    return ext


@transaction.atomic
def resolve_case(*, case: Case, actor, outcome: str, reply: str, proof_photos: Sequence = ()) -> Case:
    """Give the agency's answer: an honest outcome, a public reply and (for 'fixed', by topic) a proof photo."""
    if outcome not in RESOLVED_OUTCOMES:
        raise ValidationError({"outcome": _("Choose how the case was resolved.")})
    reply = _text(reply, field="reply",
                  message=_("Write the public answer to the citizen (at least %(n)d characters).") % {"n": MIN_TEXT})
    if len(proof_photos) > settings.PHOTOS_PER_REPORT:
        raise ValidationError({"proof_photos": _("At most %(n)d photos.") % {"n": settings.PHOTOS_PER_REPORT}})
    locked = _lock(case, actor, check_version=True)
    if outcome == Outcome.FIXED and locked.topic.proof_photo_required and not proof_photos:
        raise ValidationError({"proof_photos": _("Add a photo that shows the problem was fixed.")})
    processed = [process_photo(p) for p in proof_photos]  # every photo valid before anything is written
    now = timezone.now()
    changes = _officer_if_none(locked, actor)
    updated = transition_case(
        case=locked, to=CaseStatus.RESOLVED, actor=actor, kind=EventKind.RESOLVED, note=reply, public=True,
        outcome=outcome, resolved_at=now, accepted_at=locked.accepted_at or now, data={"outcome": outcome},
        **changes,
    )
    store_photos(updated, processed, kind=PhotoKind.PROOF, event=_last_event(updated, EventKind.RESOLVED))
    notify_reporter(updated, event="resolved", key=f"case:{updated.pk}:resolved:{updated.version}",
                    extra={"message": reply})
    return _sync(case, updated)


@transaction.atomic
def reject_case(*, case: Case, actor, outcome: str, reason: str) -> Case:
    """Duplicate or spam → rejected. Not in remit → back to the dispatcher queue (the dispatcher may then
    reject a queued case as not in the city's remit at all)."""
    if outcome not in REJECTED_OUTCOMES:
        raise ValidationError({"outcome": _("Choose why the case is rejected.")})
    reason = _text(reason, field="reason", message=_("Give the reason, it is shown to the citizen."))
    locked = _lock(case, actor, check_version=True)
    data = {"outcome": outcome, "agency": locked.agency_id}
    if outcome == Outcome.NOT_IN_REMIT and locked.agency_id is not None:
        changes = _handoff_changes(locked, to_agency=None, now=timezone.now())
        data["clock"] = changes.pop("clock")
        updated = transition_case(case=locked, to=CaseStatus.RECEIVED, actor=actor, kind=EventKind.QUEUED,
                                  note=reason, public=True, data=data, **changes)
        return _sync(case, updated)
    updated = transition_case(case=locked, to=CaseStatus.REJECTED, actor=actor, kind=EventKind.REJECTED,
                              note=reason, public=outcome != Outcome.SPAM, outcome=outcome, data=data)
    if outcome != Outcome.SPAM:
        notify_reporter(updated, event="rejected", key=f"case:{updated.pk}:rejected:{updated.version}",
                        extra={"message": reason})
    return _sync(case, updated)


@transaction.atomic
def merge_case(*, case: Case, into: Case, actor, note: str = "") -> Case:
    """`case` duplicates `into`: it is rejected as a duplicate pointing at `into`, and its reporter and
    supporters become supporters of `into`, so everyone gets `into`'s answer (at once if it has one)."""
    if case.pk == into.pk:
        raise ValidationError({"into": _("A case cannot be merged into itself.")})
    lock_cases([case.pk, into.pk])  # lock both, in order
    locked = _lock(case, actor, check_version=True)
    target = selectors.staff_cases(actor).filter(pk=into.pk).first()
    if target is None:
        raise ValidationError({"into": _("That case was not found.")})
    if target.merged_into_id or target.status == CaseStatus.REJECTED:
        raise ValidationError({"into": _("That case was itself rejected or merged; merge into the case it went to.")})
    copied = _copy_followers(source=locked, target=target)
    updated = transition_case(
        case=locked, to=CaseStatus.REJECTED, actor=actor, kind=EventKind.MERGED, public=True,
        note=note.strip() or _("Merged into %(code)s") % {"code": target.tracking_code},
        outcome=Outcome.DUPLICATE, merged_into=target, data={"into": target.pk, "followers": copied},
    )
    Case.objects.filter(pk=target.pk).update(support_count=F("support_count") + copied)
    log_event(case=target, kind=EventKind.SUPPORTED, actor=actor, public=True,
              note=_("The duplicate report %(code)s was merged into this one.") % {"code": updated.tracking_code},
              data={"merged": updated.pk})
    target.refresh_from_db()
    answer = _last_event(target, EventKind.RESOLVED) if target.status in (CaseStatus.RESOLVED,
                                                                          CaseStatus.CLOSED) else None
    if answer is not None:
        notify_reporter(target, event="resolved", key=f"case:{target.pk}:resolved:{target.version}",
                        extra={"message": answer.note})  # dedupe keys: only the new followers get it
    notify_reporter(updated, event="merged", key=f"case:{updated.pk}:merged:{target.pk}",
                    extra={"into_url": absolute_url(target.get_absolute_url())})
    return _sync(case, updated)


def _copy_followers(*, source: Case, target: Case) -> int:
    """Make the reporter and supporters of `source` supporters of `target` (once per email)."""
    known = set(target.supports.exclude(email="").values_list("email", flat=True))
    if target.reporter_email:
        known.add(target.reporter_email)
    people = [(source.reporter, source.reporter_name, source.reporter_email, source.reporter_phone)]
    people += [(s.user, s.name, s.email, s.phone) for s in source.supports.all()]
    created = 0
    for user, name, email, phone in people:
        if email and email in known:
            continue
        if not (email or phone or user):
            continue
        Support.objects.create(case=target, user=user, name=name, email=email, phone=phone)
        known.add(email)
        created += 1
    return created


@transaction.atomic
def assign_officer(*, cases: Iterable[Case], officer, actor) -> int:
    """Give open cases to an officer of their agency: a manager for anyone, an officer only to themself.
    All or nothing; returns how many cases changed hands."""
    pks = sorted({c.pk for c in cases})
    locked = lock_cases(pks)
    if len(locked) != len(pks):
        raise ValidationError(_("Some of the cases no longer exist."))
    changed = 0
    for c in locked:
        if not policy.can_act_on(actor, c):
            raise PermissionDenied(_("You cannot act on case %(code)s.") % {"code": c.tracking_code})
        if not (policy.is_manager_of(actor, c.agency_id) or officer.pk == actor.pk):
            raise PermissionDenied(_("Only a manager assigns cases to other officers."))
        if not selectors.officers_of(c.agency_id).filter(pk=officer.pk).exists():
            raise ValidationError(_("%(user)s is not an officer of the agency of %(code)s.")
                                  % {"user": officer, "code": c.tracking_code})
        if not c.is_open:
            raise ValidationError(_("Case %(code)s is no longer open.") % {"code": c.tracking_code})
        if c.assigned_officer_id == officer.pk:
            continue
        previous = c.assigned_officer_id
        Case.objects.filter(pk=c.pk).update(assigned_officer=officer, updated_at=timezone.now())
        log_event(case=c, kind=EventKind.OFFICER_ASSIGNED, actor=actor, note=str(officer),
                  data={"officer": officer.pk, "previous": previous})
        changed += 1
    return changed


@transaction.atomic
def close_case(*, case: Case, actor=None, note: str = "") -> Case:
    """Resolved or rejected → closed. A resolved case is closed by the system (actor=None) when the citizen's
    window to rate or reopen ends (sweeps.close_after_reopen_window), never earlier by the agency; a rejected
    one by the agency."""
    if actor is None:
        locked = lock_case(case)
    else:
        locked = _lock(case, actor)
        if policy.can_reopen(locked):
            raise ValidationError(
                _("The citizen can rate or reopen the answer until %(until)s; the case closes by itself then.")
                % {"until": timezone.localtime(policy.reopen_deadline(locked)).strftime("%d/%m/%Y %H:%M")}
            )
    updated = transition_case(case=locked, to=CaseStatus.CLOSED, actor=actor, kind=EventKind.CLOSED,
                              note=note.strip(), public=True, closed_at=timezone.now())
    return _sync(case, updated)
