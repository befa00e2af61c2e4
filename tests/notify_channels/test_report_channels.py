"""The citizen chooses the channel on the report form; the notifications then go that way, not by email."""
import pytest
from django.core import mail

from feedback.models import Case, OutboxMessage
from notify_channels.models import ContactChannel, Delivery, DeliveryStatus
from tests.feedback.helpers import reply
from tests.feedback.test_report_form import form_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def post(client, capture, **overrides):
    with capture(execute=True):
        return client.post("/report/", form_data(**overrides))


class NotConfiguredTests:
    def test_no_choice_is_offered_and_the_email_path_is_unchanged(self, client, django_capture_on_commit_callbacks):
        html = client.get("/report/").content.decode()
        assert 'name="notify_by"' not in html and "SMS" not in html
        resp = post(client, django_capture_on_commit_callbacks, notify_by="sms")  # ignored: not offered
        case = Case.objects.get()
        assert resp.status_code == 302 and not ContactChannel.objects.exists() and not Delivery.objects.exists()
        assert [m.to for m in mail.outbox] == [["lan@example.com"]] and case.tracking_code in mail.outbox[0].subject
        assert OutboxMessage.objects.get().channel == "email"


class SmsChosenTests:
    def test_only_configured_channels_are_offered(self, client, sms_on):
        html = client.get("/report/").content.decode()
        assert 'name="notify_by"' in html and 'value="sms"' in html and 'value="email"' in html
        assert 'value="zalo"' not in html and 'name="zalo_user_id"' not in html

    def test_the_receipt_goes_to_the_sms_gateway_with_the_code_and_link_not_by_email(
            self, client, sms_on, django_capture_on_commit_callbacks):
        resp = post(client, django_capture_on_commit_callbacks, notify_by="sms", phone="0912 345 678")
        case = Case.objects.get()
        assert resp.status_code == 302 and mail.outbox == []
        assert (case.contact_channel.channel, case.contact_channel.address) == ("sms", "+84912345678")
        [req] = sms_on.requests
        assert req["json"]["to"] == "+84912345678" and req["headers"]["Authorization"] == "Bearer sms-secret"
        assert case.tracking_code in req["json"]["text"]
        assert f"http://127.0.0.1:8000/track/{case.tracking_code}/" in req["json"]["text"]
        assert Delivery.objects.get().status == DeliveryStatus.DELIVERED
        assert list(OutboxMessage.objects.values_list("channel", "recipient")) == [("sms", "+84912345678")]

        with django_capture_on_commit_callbacks(execute=True):  # later events follow the same channel
            reply(case, "Chúng tôi sẽ cử đội thu gom trong hôm nay.")
        assert len(sms_on.requests) == 2 and mail.outbox == []

    def test_sms_needs_a_vietnamese_mobile_number(self, client, sms_on, django_capture_on_commit_callbacks):
        resp = post(client, django_capture_on_commit_callbacks, notify_by="sms", phone="024 3825 6789")
        assert resp.status_code == 400 and not Case.objects.exists() and sms_on.requests == []
        assert "Vietnamese mobile number" in resp.content.decode()

    def test_email_stays_the_default_when_sms_is_offered(self, client, sms_on, django_capture_on_commit_callbacks):
        post(client, django_capture_on_commit_callbacks)
        assert [m.to for m in mail.outbox] == [["lan@example.com"]] and sms_on.requests == []


class ZaloChosenTests:
    def test_the_receipt_goes_to_the_zalo_oa_api(self, client, zalo_on, django_capture_on_commit_callbacks):
        html = client.get("/report/").content.decode()
        assert 'value="zalo"' in html and 'name="zalo_user_id"' in html and 'value="sms"' not in html
        resp = post(client, django_capture_on_commit_callbacks, notify_by="zalo", zalo_user_id="2468458835296197922",
                    email="")
        case = Case.objects.get()
        assert resp.status_code == 302 and mail.outbox == []
        [req] = zalo_on.requests
        assert req["path"] == "/v3.0/oa/message/cs" and req["headers"]["access_token"] == "zalo-secret"
        assert req["json"]["recipient"] == {"user_id": "2468458835296197922"}
        assert case.tracking_code in req["json"]["message"]["text"]

    def test_zalo_needs_the_user_id(self, client, zalo_on, django_capture_on_commit_callbacks):
        resp = post(client, django_capture_on_commit_callbacks, notify_by="zalo")
        assert resp.status_code == 400 and "Zalo user id" in resp.content.decode() and zalo_on.requests == []


@pytest.mark.django_db
def test_the_choice_speaks_vietnamese_by_default(settings, fake_server):
    from django.test import Client

    settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_TOKEN = f"{fake_server.url}/sms", "t"
    html = Client().get("/report/").content.decode()
    assert "Nhận thông báo qua" in html and "số di động Việt Nam" in html
