"""Notifications written with the change that causes them, sent by a task."""
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .case import Case


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboxMessage(models.Model):
    """A notification written in the same transaction as the change that causes it; a task sends it.

    `dedupe_key` makes every notification idempotent: the same event never notifies anyone twice.
    """

    channel = models.CharField(max_length=20, default="email")
    recipient = models.CharField(max_length=254)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="outbox")
    dedupe_key = models.CharField(max_length=200, unique=True)
    status = models.CharField(max_length=10, choices=OutboxStatus, default=OutboxStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "created_at"], name="outbox_status_created")]
