"""Channel adapters: each has a `name`, `is_configured()` and `send(message) -> DeliveryResult`.

- email: Django's mail (today's path; feedback/notifications.py still sends email itself, unchanged).
- sms: a generic HTTP SMS gateway (not a specific provider's API): POST SMS_GATEWAY_URL with
  `Authorization: Bearer SMS_GATEWAY_TOKEN` and the JSON body {"from": SMS_SENDER_ID, "to": "+84…", "text": …}.
  A provider with another format (eSMS, SpeedSMS, …) needs a small adapter of its own or a relay.
- zalo: Zalo Official Account API v3 customer-service text message, as in Zalo's own SDK
  (zaloplatform/zalo-java-sdk, src/test/java/v3/SendTextCSMessage.java): POST
  {ZALO_OA_API_URL}/v3.0/oa/message/cs, header `access_token`, body
  {"recipient": {"user_id": …}, "message": {"text": …}}; the answer is JSON whose `error` is 0 on success.

HTTP with the standard library (urllib.request), a short timeout (NOTIFY_HTTP_TIMEOUT). A 5xx, 429, timeout or
connection error is transient (retried with backoff); any other 4xx, or a Zalo `error` other than 0, is
permanent.
"""
from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail


@dataclass(frozen=True)
class DeliveryResult:
    ok: bool
    permanent: bool = False  # a failure that no retry will fix (bad number, refused token…)
    detail: str = ""
    provider_id: str = ""


URL_RE = re.compile(r"https?://\S+")


def short_text(message) -> str:
    """What fits a text message: the subject (it carries the tracking code) and the case's tracking link."""
    urls = URL_RE.findall(message.body)
    return f"{message.subject}\n{urls[0]}" if urls else message.subject


def post_json(url: str, payload: dict, headers: dict[str, str]) -> tuple[DeliveryResult, dict]:
    """POST `payload` as JSON; the result and the decoded JSON answer (empty if there was none)."""
    data = json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=data, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", "Accept": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=settings.NOTIFY_HTTP_TIMEOUT) as response:
            raw = response.read(65536)
    except urllib.error.HTTPError as exc:
        body = exc.read(2000).decode(errors="replace")
        transient = exc.code >= 500 or exc.code == 429
        return DeliveryResult(ok=False, permanent=not transient, detail=f"HTTP {exc.code}: {body}"), {}
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        return DeliveryResult(ok=False, detail=f"{type(exc).__name__}: {exc}"), {}
    try:
        answer = json.loads(raw or b"{}")
    except ValueError:
        answer = {}
    return DeliveryResult(ok=True), answer if isinstance(answer, dict) else {}


class EmailChannel:
    name = "email"

    def is_configured(self) -> bool:
        return True

    def send(self, message) -> DeliveryResult:
        send_mail(message.subject, message.body, settings.DEFAULT_FROM_EMAIL, [message.recipient])
        return DeliveryResult(ok=True)


class SmsGatewayChannel:
    name = "sms"

    def is_configured(self) -> bool:
        return bool(settings.SMS_GATEWAY_URL and settings.SMS_GATEWAY_TOKEN)

    def send(self, message) -> DeliveryResult:
        result, answer = post_json(
            settings.SMS_GATEWAY_URL,
            {"from": settings.SMS_SENDER_ID, "to": message.recipient, "text": short_text(message)},
            {"Authorization": f"Bearer {settings.SMS_GATEWAY_TOKEN}"},
        )
        if result.ok:
            return DeliveryResult(ok=True, provider_id=str(answer.get("id") or answer.get("message_id") or "")[:100])
        return result


class ZaloOAChannel:
    name = "zalo"
    path = "/v3.0/oa/message/cs"

    def is_configured(self) -> bool:
        return bool(settings.ZALO_OA_API_URL and settings.ZALO_OA_ACCESS_TOKEN)

    def send(self, message) -> DeliveryResult:
        result, answer = post_json(
            settings.ZALO_OA_API_URL.rstrip("/") + self.path,
            {"recipient": {"user_id": message.recipient}, "message": {"text": short_text(message)[:2000]}},
            {"access_token": settings.ZALO_OA_ACCESS_TOKEN},
        )
        if not result.ok:
            return result
        if answer.get("error", 0) != 0:  # Zalo answers HTTP 200 with an error code in the body
            return DeliveryResult(ok=False, permanent=True,
                                  detail=f"Zalo error {answer.get('error')}: {answer.get('message', '')}")
        return DeliveryResult(ok=True, provider_id=str((answer.get("data") or {}).get("message_id", ""))[:100])


ADAPTERS = {adapter.name: adapter for adapter in (EmailChannel(), SmsGatewayChannel(), ZaloOAChannel())}
