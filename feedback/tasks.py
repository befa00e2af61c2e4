"""Celery tasks: thin, take ids, idempotent, call services.

The deadline sweeps are periodic (beat, see CELERY_BEAT_SCHEDULE) and safe to run twice or concurrently.
Transient database errors (a restarted PostgreSQL, a dropped connection) retry with exponential backoff.
"""
from __future__ import annotations

import logging

from datetime import timedelta

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from .services import sweeps
from .models import CasePhoto
from .notifications import pending_message_ids, send_message
from .services import photo_make_thumbnail
from .uploads import purge_expired

log = logging.getLogger(__name__)

TRANSIENT = (OperationalError, InterfaceError, ConnectionError, TimeoutError)
RETRY = {"autoretry_for": TRANSIENT, "retry_backoff": True, "retry_backoff_max": 300, "retry_jitter": True,
         "max_retries": 5}


@shared_task(bind=True, autoretry_for=(Exception,), retry_backoff=True, retry_backoff_max=600, max_retries=7)
def send_outbox_message(self, message_id: int) -> bool:
    return send_message(message_id)


def _send_each(message_ids) -> int:
    sent = 0
    for pk in message_ids:
        try:
            sent += send_message(pk)
        except Exception as exc:  # one bad address must not block the rest; it stays pending for the drain
            log.warning("outbox message %s failed: %s", pk, exc)
    return sent


@shared_task(**RETRY)
def send_outbox_messages(message_ids: list[int]) -> int:
    """Send a batch of outbox messages (a sweep's notifications); sent ones are skipped."""
    return _send_each(message_ids)


@shared_task(**RETRY)
def drain_outbox() -> int:
    """Send what is pending (e.g. queued while the broker was down). Runs from beat."""
    return _send_each(pending_message_ids())


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def make_photo_thumbnail(photo_id: int) -> bool:
    return photo_make_thumbnail(photo_id=photo_id)


@shared_task(**RETRY)
def sweep_overdue() -> dict:
    return sweeps.flag_overdue()


@shared_task(**RETRY)
def send_due_soon_reminders() -> dict:
    return sweeps.send_due_soon_reminders()


@shared_task(**RETRY)
def escalate_overdue() -> dict:
    return sweeps.escalate()


@shared_task(**RETRY)
def close_answered_cases() -> dict:
    """Close resolved cases whose window to rate or reopen has ended."""
    return sweeps.close_after_reopen_window()


@shared_task(**RETRY)
def send_daily_digests() -> dict:
    return sweeps.send_daily_digests()


@shared_task
def purge_pending_photos() -> int:
    """Daily: delete photos kept for a report form that was never sent again."""
    return purge_expired()


@shared_task
def make_missing_thumbnails() -> int:
    """Thumbnails whose task could not be published (broker down) are made when the beat runs again."""
    stale = CasePhoto.objects.filter(thumbnail="", created_at__lt=timezone.now() - timedelta(minutes=2))
    made = 0
    for pk in stale.values_list("pk", flat=True)[:200]:
        made += bool(make_photo_thumbnail.run(pk))
    return made
