"""Celery tasks: thin, take ids, idempotent, call services."""
from __future__ import annotations

import logging

from celery import shared_task

log = logging.getLogger(__name__)


@shared_task(bind=True, autoretry_for=(Exception,), retry_backoff=True, retry_backoff_max=600, max_retries=7)
def send_outbox_message(self, message_id: int) -> bool:
    from .notifications import send_message

    return send_message(message_id)


@shared_task
def drain_outbox() -> int:
    """Send what is pending (e.g. queued while the broker was down). Runs from beat."""
    from .notifications import pending_message_ids, send_message

    sent = 0
    for pk in pending_message_ids():
        try:
            sent += send_message(pk)
        except Exception as exc:  # one bad address must not block the rest
            log.warning("outbox message %s failed: %s", pk, exc)
    return sent


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def make_photo_thumbnail(photo_id: int) -> bool:
    from .services import photo_make_thumbnail

    return photo_make_thumbnail(photo_id=photo_id)
