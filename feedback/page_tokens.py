"""The version tokens of the citizen pages' shared copies (ihanoi/page_cache.py). The tracking page's: one per
tracking code, replaced on every write to the case, its events, photos and supports, so the cached page of a
case is never served after a change. The topics': replaced on every write to a topic (home page, report form).

Signals cover saves and deletes (services, admin, fixtures); a service that writes with a queryset `.update()`
or `bulk_create()` (which send no signal) calls `cases_changed()` itself (the thumbnail, the sweeps' flags).
Each bump is made at once and again when the transaction commits: a reader that fetched the new token before
the commit may have rendered the old rows; the second bump retires what it stored. Connected once, from
FeedbackConfig.ready(); cache invalidation only.
"""
from __future__ import annotations

import uuid
from typing import Iterable

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

from agencies.models import Topic
from ihanoi.cache import now_and_at_commit

from .models import Case, CaseEvent, CasePhoto, Support

TOKEN_TTL = 3600  # a lost token only costs a miss; the pages themselves live far shorter
_TOPICS_KEY = "page:topics-v"


def _key(code: str) -> str:
    return f"page:track-v:{code.strip().upper()}"  # as selectors.case_by_code reads it: /track/hn-…/ is the case


def track_tokens(request, code: str) -> dict[str, int | None]:
    """The tokens of one tracking page: the case's own and the topics' (its topic's name)."""
    return {_key(code): TOKEN_TTL, _TOPICS_KEY: None}


def topic_tokens(request, *args, **kwargs) -> dict[str, int | None]:
    """The home page and the report form show the active topics: replaced on every write to a topic."""
    return {_TOPICS_KEY: None}


def _on_topic(sender, instance, **kwargs) -> None:
    cache.set(_TOPICS_KEY, uuid.uuid4().hex, None)


def cases_changed(codes: Iterable[str]) -> None:
    """The cases with these tracking codes changed: their cached tracking pages are stale (now and at commit)."""
    keys = [_key(c) for c in codes if c]
    if not keys:
        return

    now_and_at_commit(lambda: cache.set_many({k: uuid.uuid4().hex for k in keys}, TOKEN_TTL))


def _on_case(sender, instance: Case, created: bool = False, **kwargs) -> None:
    if created:  # only 200 answers are stored (page_cache): no copy of a page that did not exist can be served
        return
    cases_changed([instance.tracking_code])


def _on_child(sender, instance, **kwargs) -> None:
    """An event, photo or support: its case's code from the case already loaded on it, else one small query."""
    if sender._meta.get_field("case").is_cached(instance):
        code = instance.case.tracking_code
    else:
        code = Case.objects.filter(pk=instance.case_id).values_list("tracking_code", flat=True).first()
    cases_changed([code])


def connect_signals() -> None:
    post_save.connect(_on_case, sender=Case, dispatch_uid="track-page-case-saved")
    post_delete.connect(_on_case, sender=Case, dispatch_uid="track-page-case-deleted")
    post_save.connect(_on_topic, sender=Topic, dispatch_uid="page-topic-saved")
    post_delete.connect(_on_topic, sender=Topic, dispatch_uid="page-topic-deleted")
    for model in (CaseEvent, CasePhoto, Support):
        post_save.connect(_on_child, sender=model, dispatch_uid=f"track-page-{model.__name__}-saved")
        post_delete.connect(_on_child, sender=model, dispatch_uid=f"track-page-{model.__name__}-deleted")
