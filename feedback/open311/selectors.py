"""Reads for Open311: public cases only (no spam), as rows of the columns the request fields show."""
from __future__ import annotations

import hmac
from datetime import datetime

from django.db.models import OuterRef, QuerySet, Subquery

from agencies import reference
from agencies.models import Topic, Ward
from ihanoi.snapshots import Snapshot

from ..api_clients import PREFIX_LENGTH, hash_api_key
from ..lifecycle import OPEN_STATUSES, EventKind, Outcome
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


# The columns a service request shows (serializers.request_record), read as plain rows: no model instances.
REQUEST_COLUMNS = ("tracking_code", "status", "topic__code", "topic__name_vi", "topic__name_en", "description",
                   "agency_id", "agency__name", "due_at", "received_at", "updated_at", "closed_at", "resolved_at",
                   "address", "ward__full_name", "ward__code", "latitude", "longitude")


def _requests() -> QuerySet[Case]:
    """Public cases as rows, with what the request fields need from their events and photos as correlated
    subqueries of the same query (one query for 1 or 1000 cases): the last public note (status_notes), the
    first citizen's photo and the media_url the partner sent with the report (media_url)."""
    events = CaseEvent.objects.filter(case=OuterRef("pk"), is_public=True)
    return (
        Case.objects.exclude(outcome=Outcome.SPAM)
        .annotate(
            status_note=Subquery(events.exclude(note="").order_by("-created_at", "-pk").values("note")[:1]),
            photo=Subquery(CasePhoto.objects.filter(case=OuterRef("pk"), kind=PhotoKind.REPORT)
                           .order_by("created_at", "pk").values("image")[:1]),
            sent_media_url=Subquery(events.filter(kind=EventKind.SUBMITTED).order_by("created_at", "pk")
                                    .values("data__media_url")[:1]),
        )
        .values(*REQUEST_COLUMNS, "status_note", "photo", "sent_media_url")
    )


def service_request(code: str) -> dict | None:
    """One public case as a row (see `_requests`), merged or not, by its tracking code."""
    return _requests().filter(tracking_code=code.strip().upper()).first()


def service_requests(*, ids: list[str] | None = None, service_codes: list[str] | None = None,
                     statuses: list[str] | None = None, start: datetime | None = None,
                     end: datetime | None = None) -> list[dict]:
    """GET requests as rows: `ids` overrides every other filter; at most MAX_REQUESTS, newest first."""
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
