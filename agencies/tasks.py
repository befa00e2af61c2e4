"""Celery: routing suggestions from staff transfers (nightly, CELERY_BEAT_SCHEDULE "suggest-routing-rules")."""
from __future__ import annotations

from celery import shared_task

from feedback.tasks import RETRY


@shared_task(**RETRY)
def suggest_routing_rules() -> int:
    """Recompute the suggested routing rules from the transfers of the window; the number of open ones."""
    from .learning import refresh_suggestions

    return refresh_suggestions()
