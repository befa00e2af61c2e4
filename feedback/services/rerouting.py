"""Staff corrections of a case's location or topic: routing runs again and every step is logged.

`correct_location` / `correct_topic` log LOCATION_CHANGED / TOPIC_CHANGED (old → new), then route the case again
and log REROUTED with the routing reason. A case that lands with another agency moves through
`transition_case` (→ ASSIGNED with fresh clocks, or → RECEIVED in the dispatcher queue); a case that stays with
its agency keeps its status and acceptance clock (a new topic recomputes its due time). Only open cases, only
staff who may see the case (officers and managers of its agency, dispatchers, superusers).
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from agencies.addresses import place_from_address
from agencies.models import Topic, Ward
from agencies.routing import RoutingDecision, explain, route
from agencies.selectors import has_role, ward_at

from ..clocks import deadlines
from ..lifecycle import CaseStatus, EventKind
from ..models import Case
from ..notifications import notify_reporter
from ..policy import can_correct
from ..selectors import cases_visible_to
from .cases import log_event, transition_case
from .errors import ConflictError, TransitionError
from .intake import Location
from .locking import lock_case

UNCHANGED = gettext_noop("(unchanged)")  # a re-routing that lands with the same agency


def _check_actor(actor, case: Case) -> None:
    allowed = can_correct(actor)
    if not allowed or not cases_visible_to(actor).filter(pk=case.pk).exists():
        raise PermissionDenied(_("You may not correct this case."))


def _lock(case: Case, expected_version: int | None) -> Case:
    locked = lock_case(case, related=("topic", "ward", "agency"))
    version = expected_version if expected_version is not None else case.version
    if locked.version != version:
        raise ConflictError(_("This case was changed by someone else. Reload it and try again."))
    if not locked.is_open:
        raise TransitionError(_("Only an open case can be corrected and re-routed."))
    return locked


def _place(lat, lon, address: str, ward: Ward | None) -> dict:
    return {"lat": lat, "lon": lon, "address": address, "ward": ward.code if ward else None}


def _describe_place(p: dict) -> str:
    point = f"{p['lat']:.5f}, {p['lon']:.5f}" if p["lat"] is not None else "no pin"
    return f"{point}; {p['address'] or 'no address'}; ward {p['ward'] or '-'}"


def _sync(case: Case, source: Case) -> None:
    """Give the caller's instance the saved values, related objects included (no stale `case.agency`)."""
    case.__dict__.update({k: v for k, v in source.__dict__.items() if not k.startswith("_")})
    case._state.fields_cache = dict(source._state.fields_cache)


def _reroute(*, case: Case, locked: Case, actor, decision: RoutingDecision, changes: dict,
             topic_changed: bool = False) -> Case:
    """Apply `changes` and the routing decision to the locked case; log REROUTED."""
    now = timezone.now()
    changes["routing_reason"] = decision.reason
    data = {"rule": decision.rule.pk if decision.rule else None,
            "agency": decision.agency.pk if decision.agency else None, "from_agency": locked.agency_id,
            "routing": decision.data()}
    topic, urgency = changes.get("topic", locked.topic), changes.get("urgency", locked.urgency)
    queued_now = locked.status == CaseStatus.RECEIVED
    same_agency = decision.agency is not None and decision.agency.pk == locked.agency_id and not queued_now
    if decision.queued and queued_now:
        changes["agency"] = None  # stays in the dispatcher queue
    if same_agency or (decision.queued and queued_now):
        if topic_changed:
            changes["due_at"] = deadlines.resolve_due(topic=topic, urgency=urgency,
                                                      start=locked.assigned_at or locked.received_at)
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.version += 1
        locked.save()
        data["routing"].append([" ", UNCHANGED, {}])
        log_event(case=locked, kind=EventKind.REROUTED, actor=actor, note=explain(data["routing"], translate=False),
                  from_status=locked.status, to_status=locked.status, data=data)
        _sync(case, locked)
        return locked
    handoff = deadlines.Handoff.QUEUE if decision.queued else deadlines.Handoff.TRANSFER
    clocks = deadlines.reset_clocks_for_handoff(case=locked, handoff=handoff, now=now,
                                                to_agency=not decision.queued, topic=topic, urgency=urgency)
    data["clock"] = deadlines.clock_data(handoff=handoff, old_due_at=locked.due_at, fields=clocks)
    moved = dict(changes, agency=decision.agency, assigned_officer=None, accepted_at=None, **clocks)
    updated = transition_case(case=locked, to=CaseStatus.RECEIVED if decision.queued else CaseStatus.ASSIGNED,
                              actor=actor, kind=EventKind.REROUTED, note=decision.reason, data=data, **moved)
    _sync(case, updated)
    if not decision.queued:
        notify_reporter(updated, event="assigned",
                        key=f"case:{updated.pk}:assigned:{decision.agency.pk}:{updated.version}")
    return updated


@transaction.atomic
def correct_location(*, case: Case, actor, lat: float | None, lon: float | None, address: str = "",
                     expected_version: int | None = None) -> Case:
    """Move the case's pin (and/or address) and route it again. With a pin, an empty `address` keeps the
    current one; without a pin the address is required and its ward (if it names one) is used."""
    _check_actor(actor, case)
    location = Location(lat=lat, lon=lon, address=address)
    locked = _lock(case, expected_version)
    new_address = (location.address.strip() or (locked.address if lat is not None else ""))[:300]
    place = None
    if lat is not None:
        ward, how = ward_at(lat=lat, lon=lon), "point"
    else:
        place = place_from_address(new_address)
        ward, how = place.ward, "address"
    old = _place(locked.latitude, locked.longitude, locked.address, locked.ward)
    new = _place(lat, lon, new_address, ward)
    if old == new:
        raise ValidationError(_("The location is unchanged."))
    log_event(case=locked, kind=EventKind.LOCATION_CHANGED, actor=actor,
              note=f"{_describe_place(old)} → {_describe_place(new)}", data={"from": old, "to": new})
    decision = route(topic=locked.topic, ward=ward, ward_how=how, place=place)
    return _reroute(case=case, locked=locked, actor=actor, decision=decision,
                    changes={"latitude": lat, "longitude": lon, "address": new_address, "ward": ward})


@transaction.atomic
def correct_topic(*, case: Case, actor, topic: Topic, expected_version: int | None = None) -> Case:
    """Change the case's topic and route it again; the due time follows the new topic's deadline rule."""
    _check_actor(actor, case)
    if not topic.is_active:
        raise ValidationError({"topic": _("This topic is no longer accepted.")})
    locked = _lock(case, expected_version)
    old_topic = locked.topic
    if topic.pk == old_topic.pk:
        raise ValidationError({"topic": _("The case already has this topic.")})
    changes = {"topic": topic}
    if locked.urgency == old_topic.urgency:  # not set by hand: follow the new topic's default
        changes["urgency"] = topic.urgency
    log_event(case=locked, kind=EventKind.TOPIC_CHANGED, actor=actor, note=f"{old_topic.code} → {topic.code}",
              data={"from": old_topic.code, "to": topic.code})
    how = "point" if locked.latitude is not None else "address"
    decision = route(topic=topic, ward=locked.ward, ward_how=how)
    return _reroute(case=case, locked=locked, actor=actor, decision=decision, changes=changes, topic_changed=True)
