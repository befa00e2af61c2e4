"""Notifications through an outbox: rows written in the caller's transaction, sent by Celery after commit.

A channel is anything with `send(message) -> None`; email is built in (CHANNELS). A reporter who chose SMS or
Zalo on the report form gets their messages on that channel (`channel` of the row), delivered with retries and
backoff by notify_channels/ (its adapters, its Delivery rows).
"""
from __future__ import annotations

import hashlib
import logging
import re
from urllib.parse import urlsplit

from celery import current_app
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from notify_channels import services as notify_channels

from .models import Case, OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)


class EmailChannel:
    def send(self, message: OutboxMessage) -> None:
        EmailMessage(message.subject, message.body, settings.DEFAULT_FROM_EMAIL, [message.recipient],
                     headers={"Message-ID": message_id(message)}).send()


def message_id(message: OutboxMessage) -> str:
    """The email's Message-ID, derived from its outbox row: a message sent again (the worker died after the
    relay accepted it and before the row was marked sent) is the same message to the recipient's mail system."""
    digest = hashlib.sha256(message.dedupe_key.encode()).hexdigest()[:24]
    return f"<outbox.{message.pk}.{digest}@{urlsplit(settings.SITE_URL).hostname or 'localhost'}>"


CHANNELS: dict[str, object] = {"email": EmailChannel()}


def absolute_url(path: str = "/") -> str:
    """An absolute address on the portal for a link that leaves it (emails, API notices).

    The one base is settings.SITE_URL: required in production, derived from PORT in development (bin/run
    exports it), never guessed from a request — a sweep or a Celery worker has no request.
    """
    return settings.SITE_URL.rstrip("/") + "/" + path.lstrip("/")


def enqueue_task(task: str, *args) -> None:
    """Publish a task, named as Celery registered it ("feedback.tasks.…"), after commit; if the broker is down,
    log and let the periodic drain pick it up. By name: feedback/tasks.py imports the services, so the services
    and this module never import it (no cycle); FeedbackConfig.ready() imports it, so the name is registered."""

    def publish():
        try:
            current_app.tasks[task].apply_async(args=args, retry=False)
        except Exception as exc:  # broker down: the outbox row stays pending
            log.warning("broker unavailable, %s(%s) left for the periodic drain: %s", task, args, exc)

    transaction.on_commit(publish)


def queue_message(*, recipient: str, subject: str, body: str, key: str, case: Case | None = None,
                  channel: str = "email", new_key: bool = False) -> OutboxMessage | None:
    """Store one message once (by `key`) and schedule its sending. Returns None if it was already queued.

    `new_key`: the caller knows no row can hold `key` yet (it names a case inserted in this transaction), so the
    row is inserted without the savepoint that catches a duplicate."""
    if not recipient:
        return None
    fields = dict(channel=channel, recipient=recipient, subject=subject[:300], body=body, case=case, dedupe_key=key)
    if new_key:
        msg = OutboxMessage.objects.create(**fields)
    else:
        try:
            with transaction.atomic():
                msg = OutboxMessage.objects.create(**fields)
        except IntegrityError:
            return None
    enqueue_task("feedback.tasks.send_outbox_message", msg.pk)
    return msg


NOT_NEW = object()


def notify_reporter(case: Case, *, event: str, key: str, extra: dict | None = None, new_case=NOT_NEW) -> None:
    """Email the reporter (and 'me too' supporters) about `event` in Vietnamese with the tracking link.

    Templates per event: feedback/email/<event>_subject.txt and <event>_body.txt (fallback: subject.txt,
    body.txt). Only the reporter's copy carries the private link to rate or reopen the case.
    `new_case`: for a case submitted in this transaction, its stored channel choice (a ContactChannel, or None):
    a new case has no supporters yet and no other message under `key`, so nothing is read back.
    """
    from .policy import reporter_key

    new = new_case is not NOT_NEW
    # email, or SMS/Zalo if chosen
    reporter_channel, reporter_address = notify_channels.reporter_address(case, **({"choice": new_case} if new else {}))
    recipients = [(reporter_address, True)] if reporter_address else []
    if not new:
        recipients += [(e, False) for e in case.supports.exclude(email="").values_list("email", flat=True)]
    if not recipients:
        return
    url = absolute_url(case.get_absolute_url())
    subject_tpl = [f"feedback/email/{event}_subject.txt", "feedback/email/subject.txt"]
    body_tpl = [f"feedback/email/{event}_body.txt", "feedback/email/body.txt"]
    seen = set()
    for recipient, is_reporter in recipients:
        if recipient.lower() in seen:
            continue
        seen.add(recipient.lower())
        ctx = {"case": case, "event": event, "url": url, "is_reporter": is_reporter,
               "reopen_days": settings.REOPEN_WINDOW_DAYS,
               "reporter_url": f"{url}?key={reporter_key(case)}" if is_reporter else "", **(extra or {})}
        with translation.override("vi"):
            subject = " ".join(render_to_string(subject_tpl, ctx).split())
            body = re.sub(r"\n{3,}", "\n\n", render_to_string(body_tpl, ctx)).strip() + "\n"
        queue_message(recipient=recipient, subject=subject, body=body, key=f"{key}:{recipient}", case=case,
                      channel=reporter_channel if is_reporter else "email", new_key=new)


def send_message(message_id: int) -> bool:
    """Send one pending message; idempotent (a sent message is never sent again)."""
    with transaction.atomic():
        msg = OutboxMessage.objects.select_for_update(skip_locked=True).filter(
            pk=message_id, status=OutboxStatus.PENDING
        ).first()
        if msg is None:
            return False
        if msg.channel != "email":  # SMS/Zalo: notify_channels keeps attempts and backoff, never raises
            return notify_channels.deliver(msg)
        msg.attempts += 1
        try:
            CHANNELS[msg.channel].send(msg)
        except Exception as exc:
            msg.last_error = str(exc)[:2000]
            if msg.attempts >= 8:
                msg.status = OutboxStatus.FAILED
            msg.save(update_fields=["attempts", "last_error", "status"])
            raise
        msg.status = OutboxStatus.SENT
        msg.sent_at = timezone.now()
        msg.save(update_fields=["attempts", "status", "sent_at"])
        return True


def pending_message_ids(limit: int = 500) -> list[int]:
    return list(
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING)
        .exclude(delivery__next_attempt_at__gt=timezone.now())  # an SMS/Zalo retry not due yet
        .order_by("created_at", "pk").values_list("pk", flat=True)[:limit]
    )
