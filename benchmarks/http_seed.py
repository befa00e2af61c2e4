"""Seed the HTTP benchmark's database (run by benchmarks/http_load.py with the production settings).

Cases get the fields `submit_report` gives them — ward by point (`ward_at`), routing decision and reason
(`agencies.routing.route`), status, agency and clocks (`feedback.services.cases._apply_decision`), the SUBMITTED and
ROUTED events — but are written with bulk_create, received over the last 120 days; about a third of the routed
ones are then resolved (outcome fixed, `resolve_working_hours` as staff actions store it). No emails, no photos.
The tally is rebuilt afterwards (`manage.py rebuild_tally`, as the README says after a bulk load).

Also issues the Open311 API key through `feedback.api_clients` and prints one JSON line:
{"cases": N, "code": <a tracking code>, "api_key": …, "service_code": …, "topic": …}.

    python benchmarks/http_seed.py N
"""
from __future__ import annotations

import json
import os
import random
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ihanoi.settings.production")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from agencies.models import Topic, Ward  # noqa: E402
from agencies.routing import route  # noqa: E402
from agencies.selectors import ward_at  # noqa: E402
from feedback.api_clients import new_api_key, set_api_key  # noqa: E402
from feedback.lifecycle import CaseStatus, EventKind, Outcome  # noqa: E402
from feedback.models import ApiClient, Case, CaseEvent  # noqa: E402
from feedback.services.cases import _apply_decision  # noqa: E402
from feedback.services.intake import new_tracking_code  # noqa: E402
from feedback.clocks.deadlines import working_hours_to_resolve  # noqa: E402

CLIENT_NAME = "bench-http"
DESCRIPTIONS = ["Đèn đường trước số 12 tắt cả tuần nay", "Rác tồn đọng ba ngày ở đầu ngõ",
                "Cây đổ chắn ngang vỉa hè", "Nắp cống bị vỡ, nguy hiểm cho người đi bộ",
                "Nước ngập sau mưa, không thoát được"]


def seed(n: int, rng: random.Random) -> int:
    have = Case.objects.count()
    if have >= n:
        return have
    topics = list(Topic.objects.filter(is_active=True))
    wards = list(Ward.objects.filter(centroid_lat__isnull=False))
    now = timezone.now()
    codes = set(Case.objects.values_list("tracking_code", flat=True))
    decisions = {}  # (topic, ward) → RoutingDecision: route() is pure for a given pair
    cases, events = [], []
    for i in range(have, n):
        topic, w = rng.choice(topics), rng.choice(wards)
        lat, lon = w.centroid_lat + rng.uniform(-0.003, 0.003), w.centroid_lon + rng.uniform(-0.003, 0.003)
        ward = ward_at(lat=lat, lon=lon)
        received = now - timedelta(days=rng.uniform(0, 120))
        case = Case(topic=topic, description=f"{rng.choice(DESCRIPTIONS)} (#{i})", latitude=lat, longitude=lon,
                    ward=ward, urgency=topic.urgency, channel="web", received_at=received,
                    reporter_email=f"citizen{i}@example.com" if i % 3 == 0 else "")
        key = (topic.pk, ward.pk if ward else None)
        if key not in decisions:
            decisions[key] = route(topic=topic, ward=ward, ward_how="point")
        decision = decisions[key]
        _apply_decision(case, decision, now=received)
        code = new_tracking_code(received)
        while code in codes:
            code = new_tracking_code(received)
        codes.add(code)
        case.tracking_code = code
        if not decision.queued and rng.random() < 0.35:
            case.status, case.outcome = CaseStatus.RESOLVED, Outcome.FIXED
            case.accepted_at = received + timedelta(hours=rng.uniform(0.5, 6))
            case.resolved_at = min(now, received + timedelta(days=rng.uniform(0.5, 12)))
            case.resolve_working_hours = working_hours_to_resolve(case)
        cases.append((case, decision))
    with transaction.atomic():
        Case.objects.bulk_create([c for c, _d in cases], batch_size=1000)
        for case, decision in cases:
            events.append(CaseEvent(case=case, kind=EventKind.SUBMITTED, actor_label="citizen", is_public=True,
                                    to_status=CaseStatus.RECEIVED, data={"channel": "web"},
                                    created_at=case.received_at))
            events.append(CaseEvent(
                case=case, kind=EventKind.QUEUED if decision.queued else EventKind.ROUTED, actor_label="system",
                note=decision.reason, from_status=CaseStatus.RECEIVED,
                to_status=CaseStatus.RECEIVED if decision.queued else CaseStatus.ASSIGNED,
                data={"rule": decision.rule.pk if decision.rule else None,
                      "agency": decision.agency.pk if decision.agency else None, "routing": decision.data()},
                created_at=case.received_at + timedelta(microseconds=1)))
            if case.status == CaseStatus.RESOLVED:
                events.append(CaseEvent(case=case, kind=EventKind.RESOLVED, actor_label=str(case.agency),
                                        is_public=True, from_status=CaseStatus.ASSIGNED,
                                        to_status=CaseStatus.RESOLVED, note="Đã xử lý xong.",
                                        created_at=case.resolved_at))
        CaseEvent.objects.bulk_create(events, batch_size=2000)
    call_command("rebuild_tally", verbosity=0)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return Case.objects.count()


def api_key() -> str:
    ApiClient.objects.filter(name=CLIENT_NAME).delete()
    key = new_api_key()
    set_api_key(client=ApiClient(name=CLIENT_NAME), api_key=key)
    return key


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2500
    rng = random.Random(16)
    total = seed(n, rng)
    sample = Case.objects.filter(status=CaseStatus.ASSIGNED).order_by("-received_at").first()
    topic = Topic.objects.filter(is_active=True, code="waste").first() or Topic.objects.filter(is_active=True).first()
    print(json.dumps({"cases": total, "code": sample.tracking_code, "api_key": api_key(),
                      "topic": topic.code, "topic_pk": topic.pk, "ward_lat": 21.0288, "ward_lon": 105.8525}))


if __name__ == "__main__":
    main()
