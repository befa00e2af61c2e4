"""A citizen's report comes in (web form, REST, Open311): stored, routed and given its due time in one
transaction; its photos and the reporter's email follow after commit."""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.addresses import place_from_address
from agencies.models import Topic, Ward
from agencies.routing import route
from agencies.selectors import ward_at
from notify_channels import services as notify_channels

from ..intake import INCOMPLETE, MISSING, description_too_short, location_problem
from ..lifecycle import CaseStatus, EventKind
from ..models import Case, PhotoKind
from ..notifications import notify_reporter
from ..photos import ProcessedPhoto, process_photo
from .cases import _apply_decision, log_first_events, store_photos

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: easy to read aloud and type
# Not checked by clean_fields() before the INSERT: the code is made unique by the retry loop, and the related
# rows are instances submit_report already holds (checking each would be a query).
UNCHECKED_FIELDS = ["tracking_code", "topic", "ward", "agency", "assigned_officer", "reporter", "merged_into"]


@dataclass(frozen=True)
class Location:
    lat: float | None = None
    lon: float | None = None
    address: str = ""

    def __post_init__(self):
        problem = location_problem(lat=self.lat, lon=self.lon, address=self.address)
        if problem == INCOMPLETE:
            raise ValidationError(_("Give both latitude and longitude, or neither."))
        if self.lat is not None and not (-90 <= self.lat <= 90 and -180 <= self.lon <= 180):
            raise ValidationError(_("The location is not a valid latitude/longitude."))
        if problem == MISSING:
            raise ValidationError(_("Give a location: a point on the map, your GPS position or an address."))


@dataclass(frozen=True)
class Contact:
    name: str = ""
    phone: str = ""
    email: str = ""
    user: object | None = field(default=None, compare=False)
    notify_by: tuple[str, str] | None = None  # (channel, address) chosen on the form; None or email: by email


def new_tracking_code(now: datetime | None = None) -> str:
    now = timezone.localtime(now or timezone.now())
    return f"HN-{now:%y%m}-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(4))


@transaction.atomic
def submit_report(*, topic: Topic, description: str, location: Location, photos=(), contact: Contact = Contact(),
                  channel: str = "web", ward: Ward | None = None, intake: dict | None = None) -> Case:
    """Store a citizen's report, find its ward, route it and set its due times, in one transaction.

    `intake` is extra data from the channel (e.g. Open311 attribute answers), kept on the SUBMITTED event.
    """
    description = (description or "").strip()
    if description_too_short(description):
        raise ValidationError({"description": _("Describe the problem in at least 10 characters.")})
    if not topic.is_active:
        raise ValidationError({"topic": _("This topic is no longer accepted.")})
    # validate every photo before writing anything (the web form hands over the ones it already verified)
    processed = [p if isinstance(p, ProcessedPhoto) else process_photo(p) for p in photos]
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
    # The fields' own checks (lengths, choices, the email's form) in Python. Not the related rows (this function
    # holds them), nor the model's CHECK constraints: the database enforces those on the INSERT, and every value
    # they cover was checked above (Location) or set here (status, urgency); each would cost a query.
    case.clean_fields(exclude=UNCHECKED_FIELDS)
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
    log_first_events(case=case, now=now, events=[
        dict(kind=EventKind.SUBMITTED, actor_label="citizen", public=True, to_status=CaseStatus.RECEIVED,
             data={**(intake or {}), "channel": channel}),
        dict(kind=EventKind.QUEUED if decision.queued else EventKind.ROUTED, note=decision.reason,
             from_status=CaseStatus.RECEIVED, to_status=case.status,
             data={"rule": decision.rule.pk if decision.rule else None,
                   "agency": decision.agency.pk if decision.agency else None, "routing": decision.data()}),
    ])
    store_photos(case, processed, kind=PhotoKind.REPORT)
    # One email says both facts: received, and where it went with its due time (or that the dispatcher is
    # assigning it). A later dispatch, transfer or re-route sends its own "assigned" email.
    # SMS/Zalo chosen: stored before the receipt is queued, so it goes that way
    choice = notify_channels.save_choice(case, *contact.notify_by) if contact.notify_by else None
    notify_reporter(case, event="received", key=f"case:{case.pk}:received", new_case=choice)
    return case
