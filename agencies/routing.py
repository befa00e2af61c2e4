"""Routing: (topic, ward) → agency, with a human-readable reason. Pure reads, no writes."""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, Q

from .models import Agency, RoutingRule, RoutingTarget, Topic, Ward


@dataclass(frozen=True)
class RoutingDecision:
    agency: Agency | None
    rule: RoutingRule | None
    reason: str

    @property
    def queued(self) -> bool:
        """True when no agency was found: the case goes to the dispatcher queue."""
        return self.agency is None


def describe_ward(ward: Ward | None, how: str) -> str:
    if ward is None:
        return f"no ward ({how})"
    return f"ward {ward.code} {ward.name} by {how}"


def route(*, topic: Topic, ward: Ward | None, ward_how: str = "point") -> RoutingDecision:
    """The most specific active rule wins (ward-specific before city-wide), then the lowest priority."""
    where = describe_ward(ward, ward_how)
    if ward is None:
        return RoutingDecision(None, None, f"{where}; → dispatcher queue")
    rule = (
        RoutingRule.objects.active()
        .filter(Q(ward__isnull=True) | Q(ward=ward), topic=topic)
        .order_by(F("ward").asc(nulls_last=True), "priority", "pk")
        .first()
    )
    if rule is None:
        return RoutingDecision(None, None, f"{where}; no rule for topic={topic.code} → dispatcher queue")
    scope = f"ward {ward.code}" if rule.ward_id else "city-wide"
    rule_text = f"rule #{rule.pk} topic={topic.code} {scope}"
    if rule.target == RoutingTarget.WARD_COMMITTEE:
        agency = Agency.objects.filter(ward=ward).first()
        if agency is None:
            return RoutingDecision(None, rule, f"{where}; {rule_text} → ward has no committee → dispatcher queue")
    else:
        agency = Agency.objects.get(pk=rule.agency_id)
    if not agency.is_active:
        return RoutingDecision(None, rule, f"{where}; {rule_text} → {agency} is inactive → dispatcher queue")
    return RoutingDecision(agency, rule, f"{where}; {rule_text} → {agency}")
