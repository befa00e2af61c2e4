"""The dashboard's Celery task: thin, no arguments."""
from celery import shared_task

from .tally import refresh_stale


@shared_task
def refresh_tally() -> int:
    """Recompute the dashboard tally's stale days off the request path (a read still recomputes what is left)."""
    return refresh_stale()
