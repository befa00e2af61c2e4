"""The routing tables in each process (`ihanoi.snapshots`): the active topics, the wards (without their
boundaries), the active routing rules with their agencies and the ward committees, read once and rebuilt when
a topic, ward, agency or rule is written — so routing a report reads none of them from the database.

The instances are shared by every request of the process: read them, never change them.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F

from ihanoi.snapshots import Snapshot

from .models import Agency, RoutingRule, Topic, Ward


@dataclass(frozen=True)
class RoutingTables:
    topics_by_pk: dict[int, Topic]  # active topics
    topics_by_code: dict[str, Topic]
    wards_by_code: dict[str, Ward]  # boundary deferred
    ward_rules: dict[tuple[int, int], list[RoutingRule]]  # (topic, ward) → active rules, by priority then pk
    citywide_rules: dict[int, list[RoutingRule]]  # topic → active city-wide rules, by priority then pk
    committees: dict[int, Agency]  # ward pk → the agency of that ward (its committee)


def _build(alias: str) -> RoutingTables:
    topics = list(Topic.objects.using(alias).active())
    wards = list(Ward.objects.using(alias).defer("boundary"))
    ward_rules: dict[tuple[int, int], list[RoutingRule]] = {}
    citywide: dict[int, list[RoutingRule]] = {}
    for rule in (RoutingRule.objects.using(alias).active().select_related("agency")
                 .order_by(F("ward").asc(nulls_last=True), "priority", "pk")):
        if rule.ward_id is None:
            citywide.setdefault(rule.topic_id, []).append(rule)
        else:
            ward_rules.setdefault((rule.topic_id, rule.ward_id), []).append(rule)
    committees = {a.ward_id: a for a in Agency.objects.using(alias).filter(ward__isnull=False)}
    return RoutingTables(
        topics_by_pk={t.pk: t for t in topics}, topics_by_code={t.code: t for t in topics},
        wards_by_code={w.code: w for w in wards}, ward_rules=ward_rules, citywide_rules=citywide,
        committees=committees,
    )


routing_tables = Snapshot("routing-tables", _build,
                          models=("agencies.Topic", "agencies.Ward", "agencies.Agency", "agencies.RoutingRule"))


def tables() -> RoutingTables:
    return routing_tables.get()


def active_topic(*, code: str | None = None, pk: int | None = None) -> Topic | None:
    t = tables()
    return t.topics_by_code.get(code) if code is not None else t.topics_by_pk.get(pk)


def ward(code: str) -> Ward | None:
    return tables().wards_by_code.get(code)


def first_rule(*, topic: Topic, ward: Ward) -> RoutingRule | None:
    """The rule `route` applies (as `routing.candidate_rules(...).first()`): ward-specific before city-wide,
    then the lowest priority, then the oldest."""
    t = tables()
    rules = t.ward_rules.get((topic.pk, ward.pk)) or t.citywide_rules.get(topic.pk) or [None]
    return rules[0]


def committee(ward: Ward) -> Agency | None:
    return tables().committees.get(ward.pk)
