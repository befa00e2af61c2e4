"""Reads of the notification channels (admin, health)."""
from __future__ import annotations

from .models import Delivery, DeliveryStatus


def failed_delivery_count() -> int:
    return Delivery.objects.filter(status=DeliveryStatus.FAILED).count()
