"""Each adapter against a local fake HTTP server: method, path, auth header, JSON body, errors."""
import pytest

from feedback.models import OutboxMessage
from notify_channels.adapters import ADAPTERS, SmsGatewayChannel, ZaloOAChannel

BODY = "Xin chào,\n\nTheo dõi phản ánh:\nhttp://127.0.0.1:8000/track/HN-1/\n"


def message(recipient: str) -> OutboxMessage:
    return OutboxMessage(channel="x", recipient=recipient, subject="[iHanoi] HN-1: đã nhận phản ánh", body=BODY)


class SmsGatewayTests:
    def test_posts_json_with_bearer_token_sender_number_and_text(self, sms_on):
        result = SmsGatewayChannel().send(message("+84912345678"))
        assert result.ok and result.provider_id == "m-1"
        [req] = sms_on.requests
        assert (req["method"], req["path"]) == ("POST", "/sms/send")
        assert req["headers"]["Authorization"] == "Bearer sms-secret"
        assert req["headers"]["Content-Type"].startswith("application/json")
        assert req["json"] == {"from": "iHanoi", "to": "+84912345678",
                               "text": "[iHanoi] HN-1: đã nhận phản ánh\nhttp://127.0.0.1:8000/track/HN-1/"}

    def test_a_5xx_is_transient_a_4xx_permanent(self, sms_on):
        sms_on.replies += [(503, {"message": "busy"}), (400, {"message": "bad number"})]
        busy, bad = SmsGatewayChannel().send(message("+84912345678")), SmsGatewayChannel().send(message("+840"))
        assert not busy.ok and not busy.permanent and "503" in busy.detail
        assert not bad.ok and bad.permanent and "bad number" in bad.detail

    def test_an_unreachable_gateway_is_transient(self, settings, fake_server):
        settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_TOKEN = "http://127.0.0.1:9/sms", "t"
        result = SmsGatewayChannel().send(message("+84912345678"))
        assert not result.ok and not result.permanent

    def test_off_unless_url_and_token_are_set(self, settings):
        settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_TOKEN = "http://gw.example/sms", ""
        assert not ADAPTERS["sms"].is_configured()
        settings.SMS_GATEWAY_TOKEN = "t"
        assert ADAPTERS["sms"].is_configured()


class ZaloOATests:
    def test_posts_the_cs_text_message_with_the_access_token_header(self, zalo_on):
        zalo_on.replies.append((200, {"error": 0, "message": "Success", "data": {"message_id": "z-9"}}))
        result = ZaloOAChannel().send(message("2468458835296197922"))
        assert result.ok and result.provider_id == "z-9"
        [req] = zalo_on.requests
        assert (req["method"], req["path"]) == ("POST", "/v3.0/oa/message/cs")
        assert req["headers"]["access_token"] == "zalo-secret" and "Authorization" not in req["headers"]
        text = "[iHanoi] HN-1: đã nhận phản ánh\nhttp://127.0.0.1:8000/track/HN-1/"
        assert req["json"] == {"recipient": {"user_id": "2468458835296197922"}, "message": {"text": text}}

    def test_an_error_code_in_a_200_answer_is_a_permanent_failure(self, zalo_on):
        zalo_on.replies.append((200, {"error": -213, "message": "user has not followed the OA"}))
        result = ZaloOAChannel().send(message("1"))
        assert not result.ok and result.permanent and "-213" in result.detail and "followed" in result.detail

    def test_off_without_an_access_token(self, settings):
        settings.ZALO_OA_ACCESS_TOKEN = ""
        assert not ADAPTERS["zalo"].is_configured()

    def test_the_default_base_url_is_zalos_open_api(self, settings):
        from django.conf import settings as live

        assert live.ZALO_OA_API_URL == "https://openapi.zalo.me"
