"""The channel a citizen chose for a case's notifications, and the delivery state of each non-email message.

Kept outside feedback/ on purpose: feedback's Case and OutboxMessage are untouched; a case without a
ContactChannel is notified by email as before.
"""
from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ChannelName(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    ZALO = "zalo", _("Zalo")


class ContactChannel(models.Model):
    case = models.OneToOneField("feedback.Case", on_delete=models.CASCADE, related_name="contact_channel")
    channel = models.CharField(_("channel"), max_length=10, choices=ChannelName)
    address = models.CharField(_("address"), max_length=100, help_text=_("Phone in E.164 (+84…) or Zalo user id."))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("contact channel")
        verbose_name_plural = _("contact channels")

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.address}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """One outbox message sent through SMS or Zalo: attempts, when the next one is due, the last error."""

    message = models.OneToOneField("feedback.OutboxMessage", on_delete=models.CASCADE, related_name="delivery")
    channel = models.CharField(_("channel"), max_length=10, choices=ChannelName)
    status = models.CharField(_("status"), max_length=10, choices=DeliveryStatus, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    provider_id = models.CharField(_("provider message id"), max_length=100, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-updated_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_status_next")]

    def __str__(self) -> str:
        return f"{self.channel} → {self.message.recipient} ({self.status})"
