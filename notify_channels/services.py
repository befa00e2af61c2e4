"""Writes and decisions of the notification channels: the citizen's choice, and delivering one message.

Retry policy of SMS/Zalo messages (NOTIFY_RETRY_BACKOFF, default 1 min, 5 min, 30 min, 2 h): a transient
failure schedules the next attempt after the next step; after the last step fails the message is failed. A
permanent failure (4xx, Zalo error) fails at once. Due messages are sent again by feedback's outbox drain
(beat, every minute). Email keeps feedback's own path and retries.
"""
from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone

from .adapters import ADAPTERS
from .models import ChannelName, ContactChannel, Delivery, DeliveryStatus

VN_MOBILE = re.compile(r"^(?:\+?84|0)([35789][0-9]{8})$")


def vn_mobile_e164(phone: str) -> str | None:
    """A Vietnamese mobile number (0912 345 678, +84 912 345 678, 84912345678) as +84912345678; else None."""
    match = VN_MOBILE.match(re.sub(r"[ .\-()]", "", phone or ""))
    return f"+84{match.group(1)}" if match else None


def available_channels() -> list[tuple[str, str]]:
    """(name, label) of the channels a citizen may choose: email always, SMS and Zalo when configured."""
    return [(c.value, c.label) for c in ChannelName if ADAPTERS[c.value].is_configured()]


_READ = object()


def reporter_address(case, *, choice=_READ) -> tuple[str, str]:
    """(channel, address) the reporter is notified on: the chosen channel if it is still configured, else email.
    `choice`: the case's ContactChannel (or None) when the caller holds it (a case being submitted), else read."""
    if choice is _READ:
        choice = ContactChannel.objects.filter(case=case).first() if case.pk else None
    if choice and ADAPTERS[choice.channel].is_configured():
        return choice.channel, choice.address
    return "email", case.reporter_email


def save_choice(case, channel: str, address: str) -> ContactChannel | None:
    """Store the citizen's channel for a case being submitted (submit_report, before the receipt is queued).
    Returns None (nothing stored) for email."""
    if channel == ChannelName.EMAIL or not address:
        return None
    return ContactChannel.objects.create(case=case, channel=channel, address=address)


def backoff_steps() -> list[timedelta]:
    from django.conf import settings

    return [timedelta(seconds=s) for s in settings.NOTIFY_RETRY_BACKOFF]


def deliver(msg) -> bool:
    """Send one pending outbox message (locked by the caller) through its channel; True if it was delivered.

    A message whose next attempt is not due yet is left alone (False).
    """
    from feedback.models import OutboxStatus

    now = timezone.now()
    delivery, _created = Delivery.objects.get_or_create(message=msg, defaults={"channel": msg.channel})
    if delivery.status != DeliveryStatus.PENDING or (delivery.next_attempt_at and delivery.next_attempt_at > now):
        return False
    adapter = ADAPTERS.get(msg.channel)
    delivery.attempts += 1
    if adapter is None or not adapter.is_configured():
        result_ok, permanent, detail = False, True, f"channel {msg.channel!r} is not configured"
    else:
        try:
            result = adapter.send(msg)
        except Exception as exc:  # an adapter bug must not block the drain; retried like a transient failure
            result_ok, permanent, detail = False, False, f"{type(exc).__name__}: {exc}"
        else:
            result_ok, permanent, detail = result.ok, result.permanent, result.detail
            delivery.provider_id = result.provider_id
    steps = backoff_steps()
    if result_ok:
        delivery.status, delivery.next_attempt_at, msg.status, msg.sent_at = (
            DeliveryStatus.DELIVERED, None, OutboxStatus.SENT, now)
    elif permanent or delivery.attempts > len(steps):
        delivery.status, delivery.next_attempt_at, msg.status = DeliveryStatus.FAILED, None, OutboxStatus.FAILED
    else:
        delivery.next_attempt_at = now + steps[delivery.attempts - 1]
    if not result_ok:
        delivery.last_error = msg.last_error = detail[:2000]
    msg.attempts = delivery.attempts
    delivery.save()
    msg.save(update_fields=["attempts", "status", "sent_at", "last_error"])
    return result_ok
