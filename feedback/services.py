"""Writes for the feedback domain. Every change to a case goes through here, atomically, with an event."""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.addresses import place_from_address
from agencies.models import Agency, Topic, Ward
from agencies.routing import RoutingDecision, route
from agencies.selectors import ward_at

from .clocks import deadlines
from .lifecycle import FINISHED_STATUSES, CaseStatus, EventKind, can_transition
from .models import Case, CaseEvent, CasePhoto, PhotoKind
from .notifications import enqueue_task, notify_reporter
from .photos import make_thumbnail, process_photo

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: easy to read aloud and type


@dataclass(frozen=True)
class Location:
    lat: float | None = None
    lon: float | None = None
    address: str = ""

    def __post_init__(self):
        if (self.lat is None) != (self.lon is None):
            raise ValidationError(_("Give both latitude and longitude, or neither."))
        if self.lat is not None and not (-90 <= self.lat <= 90 and -180 <= self.lon <= 180):
            raise ValidationError(_("The location is not a valid latitude/longitude."))
        if self.lat is None and not self.address.strip():
            raise ValidationError(_("Give a location: a point on the map, your GPS position or an address."))


@dataclass(frozen=True)
class Contact:
    name: str = ""
    phone: str = ""
    email: str = ""
    user: object | None = field(default=None, compare=False)


class TransitionError(ValidationError):
    """An illegal status change for the case's current state."""


class ConflictError(Exception):
    """Someone else changed the case first; reload and try again."""


def new_tracking_code(now: datetime | None = None) -> str:
    now = timezone.localtime(now or timezone.now())
    return f"HN-{now:%y%m}-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(4))


def log_event(*, case: Case, kind: str, actor=None, actor_label: str = "", note: str = "", public: bool = False,
              from_status: str = "", to_status: str = "", data: dict | None = None) -> CaseEvent:
    now = timezone.now()
    return CaseEvent.objects.create(
        case=case, kind=kind, created_at=CaseEvent.objects.stamps_after_last([case.pk], now)[case.pk], actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=actor_label or (str(actor) if getattr(actor, "is_authenticated", False) else "system"),
        note=note, is_public=public, from_status=from_status, to_status=to_status, data=data or {},
    )


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
def submit_report(*, topic: Topic, description: str, location: Location, photos=(), contact: Contact = Contact(),
                  channel: str = "web", ward: Ward | None = None, intake: dict | None = None) -> Case:
    """Store a citizen's report, find its ward, route it and set its due times, in one transaction.

    `intake` is extra data from the channel (e.g. Open311 attribute answers), kept on the SUBMITTED event.
    """
    description = (description or "").strip()
    if len(description) < 10:
        raise ValidationError({"description": _("Describe the problem in at least 10 characters.")})
    if not topic.is_active:
        raise ValidationError({"topic": _("This topic is no longer accepted.")})
    processed = [process_photo(p) for p in photos]  # validate every photo before writing anything
    now = timezone.now()
    ward_how, place = "point", None
    if ward is None and location.lat is not None:
        ward = ward_at(lat=location.lat, lon=location.lon)
    else:  # no pin: the ward the address names (a new one, or an old unit gone whole into one), if unambiguous;
        ward_how = "address"  # else the dispatcher queue (with an old unit's candidate wards in the reason)
        if ward is None:
            place = place_from_address(location.address)
            ward = place.ward
    case = Case(
        topic=topic, description=description, latitude=location.lat, longitude=location.lon,
        address=location.address.strip()[:300], ward=ward, urgency=topic.urgency, channel=channel,
        received_at=now, reporter=contact.user if getattr(contact.user, "is_authenticated", False) else None,
        reporter_name=contact.name.strip(), reporter_phone=contact.phone.strip(),
        reporter_email=contact.email.strip(),
    )
    decision = route(topic=topic, ward=ward, ward_how=ward_how, place=place)
    _apply_decision(case, decision, now=now)
    case.full_clean(exclude=["tracking_code"])
    for _attempt in range(10):
        case.tracking_code = new_tracking_code(now)
        try:
            with transaction.atomic():
                case.save(force_insert=True)
            break
        except IntegrityError:
            if Case.objects.filter(tracking_code=case.tracking_code).exists():
                case.pk = None
                continue
            raise
    log_event(case=case, kind=EventKind.SUBMITTED, actor_label="citizen", public=True, to_status=CaseStatus.RECEIVED,
              data={**(intake or {}), "channel": channel})
    log_event(case=case, kind=EventKind.QUEUED if decision.queued else EventKind.ROUTED, note=decision.reason,
              from_status=CaseStatus.RECEIVED, to_status=case.status,
              data={"rule": decision.rule.pk if decision.rule else None,
                    "agency": decision.agency.pk if decision.agency else None, "routing": decision.data()})
    for p in processed:
        photo = CasePhoto(case=case, kind=PhotoKind.REPORT)
        photo.original.save(p.original.name, p.original, save=False)
        photo.image.save(p.public.name, p.public, save=False)
        photo.save()
        from .tasks import make_photo_thumbnail

        enqueue_task(make_photo_thumbnail, photo.pk)
    # One email says both facts: received, and where it went with its due time (or that the dispatcher is
    # assigning it). A later dispatch, transfer or re-route sends its own "assigned" email.
    notify_reporter(case, event="received", key=f"case:{case.pk}:received")
    return case


@transaction.atomic
def transition_case(*, case: Case, to: str, actor, kind: str, note: str = "", public: bool = False,
                    expected_version: int | None = None, data: dict | None = None, actor_label: str = "",
                    **changes) -> Case:
    """The only way a case changes status: lock, check the transition and the version, save, log.

    `changes` are extra field values set in the same write (e.g. agency=..., outcome=...).
    Raises TransitionError for an illegal transition, ConflictError if the case changed meanwhile.
    """
    locked = Case.objects.select_for_update().get(pk=case.pk)
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
