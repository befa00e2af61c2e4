"""Reads for Open311: public cases only (no spam), with what the request fields need prefetched."""
from __future__ import annotations

import hmac
from datetime import datetime

from django.db.models import Prefetch, QuerySet

from agencies import reference
from agencies.models import Topic, Ward
from ihanoi.snapshots import Snapshot

from ..api_clients import PREFIX_LENGTH, hash_api_key
from ..lifecycle import OPEN_STATUSES, Outcome
from ..models import ApiClient, Case, CaseEvent, CasePhoto, PhotoKind

MAX_REQUESTS = 1000


def _active_clients(alias: str) -> dict[str, list[ApiClient]]:
    clients: dict[str, list[ApiClient]] = {}
    for client in ApiClient.objects.using(alias).filter(is_active=True):
        clients.setdefault(client.key_prefix, []).append(client)
    return clients


active_clients = Snapshot("api-clients", _active_clients, models=("feedback.ApiClient",))


def active_client(api_key: str) -> ApiClient | None:
    """The active client whose key this is: found by the key's prefix, checked by its hash in constant time
    (from the process's copy of the active clients, ihanoi.snapshots: no query per request)."""
    digest = hash_api_key(api_key)
    candidates = active_clients.get().get(api_key[:PREFIX_LENGTH], ())
    return next((c for c in candidates if hmac.compare_digest(c.key_hash, digest)), None)


def ward(code: str) -> Ward | None:
    """`address_id` is a ward's official code."""
    return reference.ward(code.strip())


def services() -> QuerySet[Topic]:
    return Topic.objects.active()


def service(code: str) -> Topic | None:
    """The active topic of this service_code (from the routing tables, agencies/reference.py)."""
    return reference.active_topic(code=code)


def _requests() -> QuerySet[Case]:
    return (
        Case.objects.exclude(outcome=Outcome.SPAM)
        .with_names()
        .prefetch_related(
            Prefetch("events", queryset=CaseEvent.objects.filter(is_public=True).order_by("created_at", "pk"),
                     to_attr="public_events"),
            Prefetch("photos", queryset=CasePhoto.objects.filter(kind=PhotoKind.REPORT), to_attr="report_photos"),
        )
    )


def service_request(code: str) -> Case | None:
    return _requests().filter(tracking_code=code.strip().upper()).first()


def service_requests(*, ids: list[str] | None = None, service_codes: list[str] | None = None,
                     statuses: list[str] | None = None, start: datetime | None = None,
                     end: datetime | None = None) -> list[Case]:
    """GET requests: `ids` overrides every other filter; at most MAX_REQUESTS, newest first."""
    qs = _requests()
    if ids:
        qs = qs.filter(tracking_code__in=[i.strip().upper() for i in ids])
    else:
        qs = qs.filter(merged_into__isnull=True)
        if service_codes:
            qs = qs.filter(topic__code__in=service_codes)
        if statuses and set(statuses) != {"open", "closed"}:
            qs = qs.filter(status__in=OPEN_STATUSES) if "open" in statuses else qs.exclude(status__in=OPEN_STATUSES)
        if start:
            qs = qs.filter(received_at__gte=start)
        if end:
            qs = qs.filter(received_at__lte=end)
    return list(qs.order_by("-received_at", "-pk")[:MAX_REQUESTS])
