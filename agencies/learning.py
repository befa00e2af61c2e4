"""Routing that learns from transfers: staff who keep moving one topic's cases in one ward from agency A to
agency B are telling us a routing rule is missing. The pattern is offered in the admin as a suggested rule.

- `transfer_patterns` — ONE aggregation over the transfer events (`CaseEvent` kind TRANSFERRED, whose data
  holds `from_agency`/`to_agency`, written by `feedback.services.case_actions.transfer_case`), grouped by the
  case's topic and ward and the two agencies, over the last ROUTING_SUGGEST_WINDOW_DAYS, kept when at least
  ROUTING_SUGGEST_MIN_TRANSFERS cases moved and they are at least ROUTING_SUGGEST_MIN_SHARE of that topic's
  cases in that ward received in the window.
- `refresh_suggestions` — upserts `RoutingSuggestion` rows from it (nightly task, `manage.py
  suggest_routing_rules`); a pattern an active rule already covers (topic + ward → B) is skipped; a dismissed one
  comes back only when more cases were moved than when it was dismissed.
- `accept_suggestion` / `dismiss_suggestion` — the staff decision, with an audit row (who, when, why, evidence).

Counted per case, not per event (a case moved A→B twice counts once); the topic and ward are the case's current
ones. Reads `feedback`'s models through their public fields only.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, IntegerField, Max, OuterRef, Q, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import (Agency, RoutingRule, RoutingSuggestion, RoutingSuggestionDecision, RoutingTarget,
                     SuggestionAction, SuggestionStatus)

EVIDENCE_LIMIT = 200  # case ids kept as evidence per suggestion (the counts are exact whatever the number)
RULE_PRIORITY = 100  # the new rule's priority when the ward has no rule of its own for the topic


@dataclass(frozen=True)
class TransferPattern:
    topic_id: int
    ward_id: int
    from_agency_id: int
    to_agency_id: int
    transfer_count: int
    case_count: int
    last_transfer_at: datetime


def _thresholds(min_transfers, window_days, min_share):
    return (settings.ROUTING_SUGGEST_MIN_TRANSFERS if min_transfers is None else min_transfers,
            settings.ROUTING_SUGGEST_WINDOW_DAYS if window_days is None else window_days,
            settings.ROUTING_SUGGEST_MIN_SHARE if min_share is None else min_share)


def _transfers(since: datetime):
    """Transfer events from one agency to another of cases with a ward received since `since`."""
    from feedback.lifecycle import EventKind
    from feedback.models import CaseEvent

    return (CaseEvent.objects.filter(kind=EventKind.TRANSFERRED, created_at__gte=since,
                                     case__received_at__gte=since, case__ward__isnull=False)
            .exclude(Q(data__from_agency=None) | Q(data__to_agency=None))
            .annotate(from_id=Cast(KT("data__from_agency"), IntegerField()),
                      to_id=Cast(KT("data__to_agency"), IntegerField())))


def transfer_patterns(*, now: datetime | None = None, min_transfers: int | None = None,
                      window_days: int | None = None, min_share: float | None = None) -> list[TransferPattern]:
    """The (topic, ward, A → B) cells over the thresholds: one SQL query, whatever the number of transfers."""
    from feedback.models import Case

    min_transfers, window_days, min_share = _thresholds(min_transfers, window_days, min_share)
    since = (now or timezone.now()) - timedelta(days=window_days)
    cell_cases = (Case.objects.filter(topic=OuterRef("case__topic"), ward=OuterRef("case__ward"),
                                      received_at__gte=since)
                  .order_by().values("topic").annotate(n=Count("pk")).values("n"))
    rows = (_transfers(since).order_by()
            .values("case__topic", "case__ward", "from_id", "to_id")
            .annotate(moved=Count("case", distinct=True), last=Max("created_at"), cell=Subquery(cell_cases))
            .filter(moved__gte=max(min_transfers, 1))
            .exclude(from_id=F("to_id")))
    return [TransferPattern(r["case__topic"], r["case__ward"], r["from_id"], r["to_id"], r["moved"], r["cell"],
                            r["last"])
            for r in rows if r["cell"] and r["moved"] / r["cell"] >= min_share]


def _covered(patterns: list[TransferPattern]) -> set[tuple[int, int, int]]:
    """(topic, ward, agency) already sent there by an active ward rule (to B itself or to B as the ward's
    committee): those patterns need no suggestion."""
    if not patterns:
        return set()
    rules = (RoutingRule.objects.active().filter(topic__in={p.topic_id for p in patterns},
                                                 ward__in={p.ward_id for p in patterns})
             .filter(Q(target=RoutingTarget.AGENCY) | Q(target=RoutingTarget.WARD_COMMITTEE))
             .values_list("topic_id", "ward_id", "target", "agency_id"))
    committees = dict(Agency.objects.filter(ward__in={p.ward_id for p in patterns}).values_list("ward_id", "pk"))
    return {(topic, ward, agency if target == RoutingTarget.AGENCY else committees.get(ward))
            for topic, ward, target, agency in rules}


def _evidence(patterns: list[TransferPattern], since: datetime) -> dict[tuple, list[int]]:
    """The moved cases of each pattern (up to EVIDENCE_LIMIT each), in one query."""
    if not patterns:
        return {}
    cells = Q()
    for p in patterns:
        cells |= Q(case__topic=p.topic_id, case__ward=p.ward_id, from_id=p.from_agency_id, to_id=p.to_agency_id)
    out: dict[tuple, list[int]] = {}
    rows = (_transfers(since).filter(cells).order_by("-created_at")
            .values_list("case__topic", "case__ward", "from_id", "to_id", "case_id"))
    for topic, ward, a, b, case_id in rows:
        ids = out.setdefault((topic, ward, a, b), [])
        if case_id not in ids and len(ids) < EVIDENCE_LIMIT:
            ids.append(case_id)
    return out


@transaction.atomic
def refresh_suggestions(*, now: datetime | None = None) -> int:
    """Upsert the suggestions from today's patterns; open suggestions no longer seen are removed (dismissed and
    accepted ones stay, for the audit). Returns the number of open suggestions."""
    now = now or timezone.now()
    _, window_days, _ = _thresholds(None, None, None)
    patterns = transfer_patterns(now=now)
    covered = _covered(patterns)
    patterns = [p for p in patterns if (p.topic_id, p.ward_id, p.to_agency_id) not in covered]
    evidence = _evidence(patterns, now - timedelta(days=window_days))
    existing = {(s.topic_id, s.ward_id, s.from_agency_id, s.to_agency_id): s
                for s in RoutingSuggestion.objects.select_for_update()}
    seen = set()
    for p in patterns:
        key = (p.topic_id, p.ward_id, p.from_agency_id, p.to_agency_id)
        seen.add(key)
        values = dict(transfer_count=p.transfer_count, case_count=p.case_count, window_days=window_days,
                      case_ids=evidence.get(key, []), last_transfer_at=p.last_transfer_at)
        suggestion = existing.get(key)
        if suggestion is None:
            RoutingSuggestion.objects.create(topic_id=p.topic_id, ward_id=p.ward_id, from_agency_id=p.from_agency_id,
                                             to_agency_id=p.to_agency_id, **values)
            continue
        if suggestion.status == SuggestionStatus.ACCEPTED:
            continue  # its rule exists (or was switched off on purpose): never suggested again
        if suggestion.status == SuggestionStatus.DISMISSED:
            if p.transfer_count <= (suggestion.dismissed_at_count or 0):
                continue
            values["status"] = SuggestionStatus.OPEN  # the pattern grew since it was dismissed
        for field, value in values.items():
            setattr(suggestion, field, value)
        suggestion.save()
    stale = [s.pk for key, s in existing.items() if key not in seen and s.status == SuggestionStatus.OPEN]
    RoutingSuggestion.objects.filter(pk__in=stale).delete()
    return RoutingSuggestion.objects.open().count()


def can_decide(user) -> bool:
    """Who may accept or dismiss: whoever may add routing rules in the admin."""
    return bool(getattr(user, "is_active", False) and user.is_staff and user.has_perm("agencies.add_routingrule"))


def _snapshot(s: RoutingSuggestion) -> dict:
    return {"topic": s.topic.code, "ward": s.ward.code, "from_agency": s.from_agency.code,
            "to_agency": s.to_agency.code, "transfer_count": s.transfer_count, "case_count": s.case_count,
            "window_days": s.window_days, "case_ids": s.case_ids,
            "computed_at": s.updated_at.isoformat() if s.updated_at else None}


def _lock_open(suggestion: RoutingSuggestion, actor) -> RoutingSuggestion:
    if not can_decide(actor):
        raise PermissionDenied(_("You may not change routing rules."))
    locked = (RoutingSuggestion.objects.select_for_update(of=("self",))
              .select_related("topic", "ward", "from_agency", "to_agency").get(pk=suggestion.pk))
    if locked.status != SuggestionStatus.OPEN:
        raise ValidationError(_("This suggestion was already decided."))
    return locked


def _new_rule_priority(s: RoutingSuggestion) -> int:
    """Below the ward's own rules for the topic, so the new rule wins (lower priority wins)."""
    lowest = (RoutingRule.objects.filter(topic=s.topic, ward=s.ward).order_by("priority")
              .values_list("priority", flat=True).first())
    if lowest is None:
        return RULE_PRIORITY
    if lowest == 0:
        raise ValidationError(_("A rule of this ward has priority 0; raise its priority first."))
    return lowest - 1


@transaction.atomic
def accept_suggestion(*, suggestion: RoutingSuggestion, actor) -> RoutingRule:
    """Make the rule (topic + ward → B), validated like the admin's rule form (full_clean: clash, inactive
    agency), and log who accepted it with the evidence."""
    pending = _lock_open(suggestion, actor)
    rule = RoutingRule(topic=pending.topic, ward=pending.ward, target=RoutingTarget.AGENCY, agency=pending.to_agency,
                       priority=_new_rule_priority(pending),
                       note=f"suggested from {pending.transfer_count} transfers in {pending.window_days} days"[:200])
    rule.full_clean()
    rule.save()
    RoutingSuggestionDecision.objects.create(suggestion=pending, action=SuggestionAction.ACCEPTED, actor=actor,
                                             actor_label=actor.get_username(), evidence=_snapshot(pending), rule=rule)
    pending.status, pending.rule = SuggestionStatus.ACCEPTED, rule
    pending.save(update_fields=["status", "rule", "updated_at"])
    return rule


@transaction.atomic
def dismiss_suggestion(*, suggestion: RoutingSuggestion, actor, reason: str) -> RoutingSuggestion:
    """Hide the suggestion until more cases are moved than now; the reason is required and logged."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why this suggestion is dismissed.")})
    pending = _lock_open(suggestion, actor)
    RoutingSuggestionDecision.objects.create(suggestion=pending, action=SuggestionAction.DISMISSED, actor=actor,
                                             actor_label=actor.get_username(), reason=reason,
                                             evidence=_snapshot(pending))
    pending.status, pending.dismissed_at_count = SuggestionStatus.DISMISSED, pending.transfer_count
    pending.save(update_fields=["status", "dismissed_at_count", "updated_at"])
    return pending
