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


QUEUE = "dispatcher queue"


def describe_ward(ward: Ward | None, how: str) -> str:
    """'ward 00070 Hoàn Kiếm by point' / 'no ward by address' (how: point, address, dispatcher…)."""
    if ward is None:
        return f"no ward by {how}"
    return f"ward {ward.code} {ward.name} by {how}"


def route(*, topic: Topic, ward: Ward | None, ward_how: str = "point") -> RoutingDecision:
    """The most specific active rule wins (ward-specific before city-wide), then the lowest priority.

    No ward, no rule, a ward without committee or an inactive agency → no agency: the dispatcher queue.
    The reason reads e.g. "ward 00070 Hoàn Kiếm by point; rule #12 topic=public-lighting city-wide → Hapulico".
    """
    where = describe_ward(ward, ward_how)
    if ward is None:
        return RoutingDecision(None, None, f"{where} → {QUEUE}")
    rule = (
        RoutingRule.objects.active()
        .filter(Q(ward__isnull=True) | Q(ward=ward), topic=topic)
        .select_related("agency")
        .order_by(F("ward").asc(nulls_last=True), "priority", "pk")
        .first()
    )
    if rule is None:
        return RoutingDecision(None, None, f"{where}; no rule for topic={topic.code} → {QUEUE}")
    scope = f"ward {ward.code}" if rule.ward_id else "city-wide"
    rule_text = f"rule #{rule.pk} topic={topic.code} {scope}"
    if rule.target == RoutingTarget.WARD_COMMITTEE:
        agency = Agency.objects.filter(ward=ward).first()
        if agency is None:
            return RoutingDecision(None, rule, f"{where}; {rule_text} → ward has no committee → {QUEUE}")
    else:
        agency = rule.agency
    if not agency.is_active:
        return RoutingDecision(None, rule, f"{where}; {rule_text} → {agency} is inactive → {QUEUE}")
    return RoutingDecision(agency, rule, f"{where}; {rule_text} → {agency}")
