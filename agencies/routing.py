"""Routing: (topic, ward) → agency, with a reason. Pure reads, no writes: `route` reads the rules and ward
committees from the process's routing tables (agencies/reference.py), not from the database.

The reason is kept as steps — (separator, text, parameters) — so it is stored in one stable form (English,
e.g. "ward 00070 Hoàn Kiếm by point; rule #12 topic=public-lighting city-wide → Hapulico", on the case and its
event) and shown in the reader's language (`explain`, from the steps kept in the event's data).
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, Q
from django.utils.translation import gettext, gettext_noop

from . import reference
from .models import Agency, RoutingRule, RoutingTarget, Topic, Ward

Step = tuple[str, str, dict]  # (separator before it, text with %(name)s parameters, parameters): JSON-friendly
LITERAL = "%(text)s"  # a step shown as it is (an agency's name)
QUEUE = gettext_noop("dispatcher queue")
HOW = {"point": gettext_noop("point"), "address": gettext_noop("address")}  # how the ward was found
OLD_KIND = {"phường": gettext_noop("old ward"), "xã": gettext_noop("old commune"),
            "thị trấn": gettext_noop("old township")}  # an old unit's kind, as the reason says it
_WORDS = {"how": HOW, "kind": OLD_KIND}  # parameters shown translated


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
        shown = {k: tr(_WORDS[k][v]) if v in _WORDS.get(k, ()) else v for k, v in params.items()}
        out.append(sep + (tr(text) % shown if shown else tr(text)))
    return "".join(out)


def describe_ward(ward: Ward | None, how: str) -> Step:
    """'ward 00070 Hoàn Kiếm by point' / 'no ward by address' (how: point or address)."""
    if ward is None:
        return ("", gettext_noop("no ward by %(how)s"), {"how": how})
    return ("", gettext_noop("ward %(code)s %(name)s by %(how)s"), {"code": ward.code, "name": ward.name, "how": how})


def describe_old_units(place) -> tuple[Step, ...]:
    """How an old address (`addresses.AddressPlace` read from old units) gave its ward, or its candidates:
    'old ward Hàng Bài (Hoàn Kiếm) → Phường Cửa Nam',
    'old ward Tràng Tiền (Hoàn Kiếm) split between Phường Cửa Nam, Phường Hoàn Kiếm'."""
    if place is None or place.old is None:
        return ()
    names = {w.code: w.full_name for w in ([place.ward] if place.ward else place.candidates)}
    steps = []
    for unit in place.old.units:
        params = {"kind": unit.kind, "old": unit.name, "district": unit.district}
        sep = "; " if steps else ""
        if unit.whole:
            steps.append((sep, gettext_noop("%(kind)s %(old)s (%(district)s) → %(ward)s"),
                          {**params, "ward": names[unit.ward_codes[0]]}))
        else:
            steps.append((sep, gettext_noop("%(kind)s %(old)s (%(district)s) split between %(wards)s"),
                          {**params, "wards": ", ".join(names[c] for c in unit.ward_codes)}))
    if place.old.district_mismatch:
        steps.append(("; ", gettext_noop("the old district named fits none of them"), {}))
    elif len(place.old.units) > 1 and place.ward is None:
        steps.append(("; ", gettext_noop("the address does not tell which"), {}))
    return tuple(steps)


def route(*, topic: Topic, ward: Ward | None, ward_how: str = "point", place=None) -> RoutingDecision:
    """The most specific active rule wins (ward-specific before city-wide), then the lowest priority.

    No ward, no rule, a rule to the dispatcher, a ward without committee or an inactive agency → no agency: the
    dispatcher queue. The reason reads e.g. "ward 00070 Hoàn Kiếm by point; rule #12 topic=public-lighting
    city-wide → Hapulico"; for an old address (`place` from `addresses.place_from_address`) it starts with the old
    unit: "old ward Hàng Bài (Hoàn Kiếm) → Phường Cửa Nam; ward 00082 Cửa Nam by address; …".
    """
    old = describe_old_units(place)
    where = describe_ward(ward, ward_how)
    to_queue = (" → ", QUEUE, {})
    if ward is None:
        return RoutingDecision(None, None, (*old, to_queue) if old else (where, to_queue))
    if old:
        where = ("; ", *where[1:])
    rule = reference.first_rule(topic=topic, ward=ward)  # = candidate_rules(...).first(), from memory
    if rule is None:
        return RoutingDecision(None, None, (*old, where, ("; ", gettext_noop("no rule for topic=%(topic)s"),
                                                          {"topic": topic.code}), to_queue))
    if rule.ward_id:
        rule_step = ("; ", gettext_noop("rule #%(rule)s topic=%(topic)s ward %(ward)s"),
                     {"rule": rule.pk, "topic": topic.code, "ward": ward.code})
    else:
        rule_step = ("; ", gettext_noop("rule #%(rule)s topic=%(topic)s city-wide"),
                     {"rule": rule.pk, "topic": topic.code})
    head = (*old, where, rule_step)
    if rule.target == RoutingTarget.DISPATCHER:
        # the note says why (shown translated when it is a known text, such as the seed's, else as written)
        return RoutingDecision(None, rule, (*head, to_queue, (": ", rule.note, {})) if rule.note
                               else (*head, to_queue))
    if rule.target == RoutingTarget.WARD_COMMITTEE:
        agency = reference.committee(ward)
        if agency is None:
            return RoutingDecision(None, rule, (*head, (" → ", gettext_noop("ward has no committee"), {}), to_queue))
    else:
        agency = rule.agency
    if not agency.is_active:
        return RoutingDecision(None, rule, (*head, (" → ", gettext_noop("%(agency)s is inactive"),
                                                    {"agency": str(agency)}), to_queue))
    return RoutingDecision(agency, rule, (*head, (" → ", LITERAL, {"text": str(agency)})))


def candidate_rules(*, topic: Topic, ward: Ward | None):
    """Every active rule that could route `topic` in `ward`, in the order `route` tries them (the first wins)."""
    wards = Q(ward__isnull=True) | (Q(ward=ward) if ward is not None else Q(pk__in=[]))
    return (RoutingRule.objects.active().filter(wards, topic=topic).select_related("agency")
            .order_by(F("ward").asc(nulls_last=True), "priority", "pk"))


def find_ward(text: str) -> Ward | None:
    """A ward by its official code ("00070") or its name, with or without "Phường"/"Xã" ("Hoàn Kiếm")."""
    text = text.strip()
    return (Ward.objects.filter(code=text).first() or Ward.objects.filter(full_name__iexact=text).first()
            or Ward.objects.filter(name__iexact=text).first())
