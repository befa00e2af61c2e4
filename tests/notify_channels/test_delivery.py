"""Delivery through the outbox: backoff on transient failures, failed on permanent ones, visible in the admin."""
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from feedback.models import OutboxMessage, OutboxStatus
from feedback.notifications import pending_message_ids, queue_message
from feedback.tasks import drain_outbox
from notify_channels.models import Delivery, DeliveryStatus

pytestmark = pytest.mark.django_db


def sms_message(django_capture_on_commit_callbacks) -> OutboxMessage:
    with django_capture_on_commit_callbacks(execute=True):  # the first attempt runs after commit
        return queue_message(recipient="+84912345678", subject="[iHanoi] HN-1: cập nhật",
                             body="http://127.0.0.1:8000/track/HN-1/", key="t:1", channel="sms")


def make_due(msg) -> None:
    Delivery.objects.filter(message=msg).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


class BackoffTests:
    def test_a_5xx_schedules_a_retry_then_success_marks_it_delivered(self, sms_on,
                                                                     django_capture_on_commit_callbacks):
        sms_on.replies.append((502, {"message": "upstream down"}))
        before = timezone.now()
        msg = sms_message(django_capture_on_commit_callbacks)
        delivery = Delivery.objects.get(message=msg)
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)
        assert "502" in delivery.last_error
        assert before + timedelta(seconds=59) < delivery.next_attempt_at <= timezone.now() + timedelta(seconds=60)
        assert pending_message_ids() == [] and drain_outbox() == 0 and len(sms_on.requests) == 1  # not due yet

        make_due(msg)
        assert drain_outbox() == 1
        delivery.refresh_from_db()
        msg.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (DeliveryStatus.DELIVERED, 2, None)
        assert msg.status == OutboxStatus.SENT and msg.sent_at and len(sms_on.requests) == 2
        assert drain_outbox() == 0 and len(sms_on.requests) == 2  # never sent twice

    def test_backoff_grows_1_5_30_120_minutes_then_the_message_fails(self, sms_on,
                                                                     django_capture_on_commit_callbacks):
        sms_on.replies += [(503, {})] * 5
        msg = sms_message(django_capture_on_commit_callbacks)
        waits = []
        for _ in range(4):
            delivery = Delivery.objects.get(message=msg)
            waits.append(round((delivery.next_attempt_at - delivery.updated_at).total_seconds() / 60))
            make_due(msg)
            drain_outbox()
        delivery = Delivery.objects.get(message=msg)
        msg.refresh_from_db()
        assert waits == [1, 5, 30, 120]
        assert (delivery.status, delivery.attempts, msg.status) == (DeliveryStatus.FAILED, 5, OutboxStatus.FAILED)
        assert len(sms_on.requests) == 5 and mail.outbox == []

    def test_a_4xx_fails_at_once_and_operators_see_it_in_the_admin(self, sms_on, admin_client,
                                                                   django_capture_on_commit_callbacks):
        sms_on.replies.append((422, {"message": "invalid destination"}))
        msg = sms_message(django_capture_on_commit_callbacks)
        delivery = Delivery.objects.get(message=msg)
        msg.refresh_from_db()
        assert (delivery.status, delivery.attempts, msg.status) == (DeliveryStatus.FAILED, 1, OutboxStatus.FAILED)
        make_due(msg)
        assert drain_outbox() == 0 and len(sms_on.requests) == 1

        html = admin_client.get("/admin/notify_channels/delivery/?status__exact=failed").content.decode()
        assert "+84912345678" in html and "invalid destination" in html
        ok = admin_client.get("/admin/notify_channels/delivery/?status__exact=delivered").content.decode()
        assert "+84912345678" not in ok

    def test_a_channel_switched_off_since_fails_with_the_reason(self, django_capture_on_commit_callbacks):
        msg = sms_message(django_capture_on_commit_callbacks)
        delivery = Delivery.objects.get(message=msg)
        assert delivery.status == DeliveryStatus.FAILED and "not configured" in delivery.last_error
