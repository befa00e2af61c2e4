"""Routing: (topic, ward) → agency, with a reason. Pure reads, no writes.

The reason is kept as steps — (separator, text, parameters) — so it is stored in one stable form (English,
e.g. "ward 00070 Hoàn Kiếm by point; rule #12 topic=public-lighting city-wide → Hapulico", on the case and its
event) and shown in the reader's language (`explain`, from the steps kept in the event's data).
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, Q
from django.utils.translation import gettext, gettext_noop

from .models import Agency, RoutingRule, RoutingTarget, Topic, Ward

Step = tuple[str, str, dict]  # (separator before it, text with %(name)s parameters, parameters): JSON-friendly
LITERAL = "%(text)s"  # a step shown as it is (an agency's name)
QUEUE = gettext_noop("dispatcher queue")
HOW = {"point": gettext_noop("point"), "address": gettext_noop("address")}  # how the ward was found


@dataclass(frozen=True)
class RoutingDecision:
    agency: Agency | None
    rule: RoutingRule | None
    steps: tuple[Step, ...]

    @property
    def queued(self) -> bool:
        """True when no agency was found: the case goes to the dispatcher queue."""
        return self.agency is None

    @property
    def reason(self) -> str:
        """The stored form of the reason (English, the same whatever the reader's language)."""
        return explain(self.steps, translate=False)

    def data(self) -> list[list]:
        """The steps for an event's JSON data (`explain` shows them translated)."""
        return [list(step) for step in self.steps]


def explain(steps, *, translate: bool = True) -> str:
    """Steps → the reason as text, in the current language (or untranslated)."""
    tr = gettext if translate else str
    out = []
    for sep, text, params in steps:
        if text == LITERAL:
            out.append(f"{sep}{params['text']}")
            continue
        shown = {k: tr(HOW[v]) if k == "how" and v in HOW else v for k, v in params.items()}
        out.append(sep + (tr(text) % shown if shown else tr(text)))
    return "".join(out)


def describe_ward(ward: Ward | None, how: str) -> Step:
    """'ward 00070 Hoàn Kiếm by point' / 'no ward by address' (how: point or address)."""
    if ward is None:
        return ("", gettext_noop("no ward by %(how)s"), {"how": how})
    return ("", gettext_noop("ward %(code)s %(name)s by %(how)s"), {"code": ward.code, "name": ward.name, "how": how})


def route(*, topic: Topic, ward: Ward | None, ward_how: str = "point") -> RoutingDecision:
    """The most specific active rule wins (ward-specific before city-wide), then the lowest priority.

    No ward, no rule, a ward without committee or an inactive agency → no agency: the dispatcher queue.
    The reason reads e.g. "ward 00070 Hoàn Kiếm by point; rule #12 topic=public-lighting city-wide → Hapulico".
    """
    where = describe_ward(ward, ward_how)
    to_queue = (" → ", QUEUE, {})
    if ward is None:
        return RoutingDecision(None, None, (where, to_queue))
    rule = (
        RoutingRule.objects.active()
        .filter(Q(ward__isnull=True) | Q(ward=ward), topic=topic)
        .select_related("agency")
        .order_by(F("ward").asc(nulls_last=True), "priority", "pk")
        .first()
    )
    if rule is None:
        return RoutingDecision(None, None, (where, ("; ", gettext_noop("no rule for topic=%(topic)s"),
                                                    {"topic": topic.code}), to_queue))
    if rule.ward_id:
        rule_step = ("; ", gettext_noop("rule #%(rule)s topic=%(topic)s ward %(ward)s"),
                     {"rule": rule.pk, "topic": topic.code, "ward": ward.code})
    else:
        rule_step = ("; ", gettext_noop("rule #%(rule)s topic=%(topic)s city-wide"),
                     {"rule": rule.pk, "topic": topic.code})
    if rule.target == RoutingTarget.WARD_COMMITTEE:
        agency = Agency.objects.filter(ward=ward).first()
        if agency is None:
            return RoutingDecision(None, rule, (where, rule_step, (" → ", gettext_noop("ward has no committee"), {}),
                                                to_queue))
    else:
        agency = rule.agency
    if not agency.is_active:
        return RoutingDecision(None, rule, (where, rule_step, (" → ", gettext_noop("%(agency)s is inactive"),
                                                               {"agency": str(agency)}), to_queue))
    return RoutingDecision(agency, rule, (where, rule_step, (" → ", LITERAL, {"text": str(agency)})))
