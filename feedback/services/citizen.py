"""What a citizen does to a case after reporting it: support it ("me too"), rate it, reopen it.

Only the reporter may rate or reopen. The reporter proves it with their account (when they were logged in)
or with the reporter key: an HMAC of the case under SECRET_KEY, shown on the confirmation page and put in the
reporter's emails (never in supporters' emails, never on the public page). Nothing secret is stored, so every
email can carry the same key and the key cannot be read back from the database.
"""
from __future__ import annotations


from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..clocks import deadlines
from ..lifecycle import CaseStatus, EventKind
from ..models import Case, Support
from ..notifications import absolute_url, queue_message
from ..policy import can_rate, can_reopen, is_reporter, reopen_deadline, reporter_key  # noqa: F401 (the citizen pages' rules)
from .cases import log_event, transition_case
from .locking import lock_case

LOW_RATING = 2


def _require_reporter(case: Case, key: str, user) -> None:
    if not is_reporter(case, key=key, user=user):
        raise PermissionDenied(_("Only the person who sent this report can do this."))


def is_low_rating(case: Case) -> bool:
    """A rating of 1 or 2: the tracking page offers reopening first."""
    return case.rating is not None and case.rating <= LOW_RATING


@transaction.atomic
def add_support(*, case: Case, name: str = "", email: str = "", phone: str = "", user=None) -> Support:
    """'Me too': count another citizen on an open case (optionally with contact for updates), not a duplicate."""
    case = lock_case(case)
    if not case.is_open or case.merged_into_id:
        raise ValidationError(_("This report is no longer open; send a new report instead."))
    email = email.strip().lower()
    if email:
        validate_email(email)
    user = user if getattr(user, "is_authenticated", False) else None
    if user is not None and (case.reporter_id == user.pk or case.supports.filter(user=user).exists()):
        raise ValidationError(_("You already follow this report."))
    if email and (email == case.reporter_email.lower() or case.supports.filter(email=email).exists()):
        raise ValidationError(_("This email address already follows this report."))
    support = Support(case=case, user=user, name=name.strip()[:120], email=email, phone=phone.strip()[:30])
    support.full_clean()
    support.save()
    Case.objects.filter(pk=case.pk).update(support_count=F("support_count") + 1)
    log_event(case=case, kind=EventKind.SUPPORTED, actor=user, actor_label="citizen", public=True,
              data={"support": support.pk})
    return support


@transaction.atomic
def rate_case(*, case: Case, rating: int, comment: str = "", key: str = "", user=None) -> Case:
    """The reporter rates the answer 1–5 while the reopen window is open; the case stays resolved (so it can
    still be reopened) and a later rating within the window replaces this one (each is logged)."""
    _require_reporter(case, key, user)
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": _("Choose from 1 to 5 stars.")})
    locked = lock_case(case)
    if not can_rate(locked):
        raise ValidationError(_("This report cannot be rated now."))
    previous = locked.rating
    locked.rating, locked.rating_comment, locked.rated_at = rating, comment.strip()[:2000], timezone.now()
    locked.version += 1
    locked.save(update_fields=["rating", "rating_comment", "rated_at", "version", "updated_at"])
    log_event(case=locked, kind=EventKind.RATED, actor=user, actor_label="citizen", public=True,
              data={"rating": rating, "previous": previous})
    case.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_")})
    return locked


@transaction.atomic
def reopen_case(*, case: Case, reason: str, key: str = "", user=None) -> Case:
    """The reporter is not satisfied: back to the same agency, with a fresh deadline; the agency is told."""
    _require_reporter(case, key, user)
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ValidationError({"reason": _("Say briefly why the problem is not solved.")})
    if not can_reopen(case):
        raise ValidationError(
            _("A report can be reopened only within %(days)d days of its resolution.")
            % {"days": settings.REOPEN_WINDOW_DAYS}
        )
    clocks = deadlines.reset_clocks_for_handoff(case=case, handoff=deadlines.Handoff.REOPEN, now=timezone.now())
    updated = transition_case(
        case=case, to=CaseStatus.REOPENED, actor=user, actor_label="citizen", kind=EventKind.REOPENED, note=reason,
        public=True, reopen_count=case.reopen_count + 1, **clocks,
        data={"agency": case.agency_id,
              "clock": deadlines.clock_data(handoff=deadlines.Handoff.REOPEN, old_due_at=case.due_at, fields=clocks)},
    )
    _tell_agency_reopened(updated, reason)
    return updated


def _tell_agency_reopened(case: Case, reason: str) -> None:
    from django.template.loader import render_to_string

    recipients = [case.agency.email if case.agency_id else ""]
    if case.assigned_officer_id:
        recipients.append(case.assigned_officer.email)
    ctx = {"case": case, "reason": reason, "url": absolute_url(case.get_absolute_url())}
    with translation.override("vi"):
        subject = render_to_string("feedback/email/agency_reopened_subject.txt", ctx).strip()
        body = render_to_string("feedback/email/agency_reopened_body.txt", ctx)
    for r in dict.fromkeys(filter(None, recipients)):
        queue_message(recipient=r, subject=subject, body=body, case=case,
                      key=f"case:{case.pk}:reopened:{case.reopen_count}:{r}")
