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


@shared_task
def purge_pending_photos() -> int:
    """Daily: delete photos kept for a report form that was never sent again."""
    from .uploads import purge_expired

    return purge_expired()


@shared_task
def make_missing_thumbnails() -> int:
    """Thumbnails whose task could not be published (broker down) are made when the beat runs again."""
    from datetime import timedelta

    from django.utils import timezone

    from .models import CasePhoto

    stale = CasePhoto.objects.filter(thumbnail="", created_at__lt=timezone.now() - timedelta(minutes=2))
    made = 0
    for pk in stale.values_list("pk", flat=True)[:200]:
        made += bool(make_photo_thumbnail.run(pk))
    return made
