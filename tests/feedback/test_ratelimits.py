"""Per-client-IP limits on the anonymous web forms: 429 in the reader's language with what was typed, and never a
refusal when the cache is down (fail open)."""
import pytest
from django.core.cache import cache

from feedback.models import Case, Support
from tests.factories import make_report
from tests.feedback.test_report_form import form_data

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: every cache call fails at once


@pytest.fixture
def low_rates(settings):
    settings.WEB_REPORT_RATE = "2/hour"
    settings.WEB_TRACKING_ACTION_RATE = "2/hour"
    cache.clear()
    yield
    cache.clear()


def post_reports(client, n):
    return [client.post("/report/", form_data()) for _ in range(n)]


class ReportFormLimitTests:
    def test_the_report_over_the_limit_is_refused_in_vietnamese_with_the_text_kept(self, client, low_rates):
        first, second = post_reports(client, 2)
        assert first.status_code == second.status_code == 302
        resp = client.post("/report/", form_data(description="Đèn đường hỏng trước số 12 Hàng Bài"))
        html = resp.content.decode()
        assert resp.status_code == 429
        assert 0 < int(resp["Retry-After"]) <= 3600
        assert "Có nhiều yêu cầu được gửi từ kết nối của bạn trong thời gian ngắn" in html
        assert "Vui lòng thử lại sau" in html
        assert "Đèn đường hỏng trước số 12 Hàng Bài</textarea>" in html and 'value="Lan"' in html
        assert Case.objects.count() == 2

    def test_the_message_is_in_english_when_chosen(self, english, low_rates):
        client = english
        post_reports(client, 2)
        resp = client.post("/report/", form_data())
        html = resp.content.decode()
        assert resp.status_code == 429
        assert "Many requests came from your connection in a short time. Please try again in" in html
        assert "What you typed is kept below" in html

    def test_another_client_is_not_limited(self, client, low_rates):
        post_reports(client, 3)
        resp = client.post("/report/", form_data(), REMOTE_ADDR="203.0.113.9")
        assert resp.status_code == 302

    def test_the_form_page_itself_is_never_limited(self, client, low_rates):
        post_reports(client, 3)
        assert client.get("/report/").status_code == 200

    def test_a_forged_forwarded_for_does_not_escape_the_limit(self, client, low_rates):
        post_reports(client, 2)
        resp = client.post("/report/", form_data(), HTTP_X_FORWARDED_FOR="198.51.100.7")
        assert resp.status_code == 429

    def test_behind_a_trusted_proxy_clients_are_told_apart_by_forwarded_for(self, client, low_rates, settings):
        settings.TRUSTED_PROXY_COUNT = 1
        for _ in range(2):
            assert client.post("/report/", form_data(), HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 302
        assert client.post("/report/", form_data(), HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 429
        # same proxy (REMOTE_ADDR), another citizen; a client-written first hop is not what counts
        resp = client.post("/report/", form_data(), HTTP_X_FORWARDED_FOR="198.51.100.7, 198.51.100.8")
        assert resp.status_code == 302

    def test_a_dead_cache_never_refuses_a_report(self, client, settings, caplog):
        settings.CACHES = {
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
            "limits": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": DEAD_REDIS},
        }
        settings.RATELIMIT_USE_CACHE = "limits"
        settings.WEB_REPORT_RATE = "1/hour"
        assert [r.status_code for r in post_reports(client, 3)] == [302, 302, 302]
        assert Case.objects.count() == 3
        assert "rate limit web-report not checked, request let through" in caplog.text


class TrackingActionLimitTests:
    def test_me_too_over_the_limit_is_refused_on_the_tracking_page(self, client, low_rates):
        case = make_report()
        url = f"/track/{case.tracking_code}/support/"
        for _ in range(2):
            assert client.post(url, {"name": "Minh"}).status_code == 302
        resp = client.post(url, {"name": "Minh", "email": "minh@example.com"})
        html = resp.content.decode()
        assert resp.status_code == 429 and "Retry-After" in resp
        assert case.tracking_code in html and "Vui lòng thử lại sau" in html
        assert 'value="minh@example.com"' in html  # what was typed is kept
        assert Support.objects.filter(case=case).count() == 2

    def test_rating_and_reopening_share_the_counter(self, english, low_rates):
        client = english
        case = make_report()
        client.post(f"/track/{case.tracking_code}/support/", {})
        client.post(f"/track/{case.tracking_code}/rate/", {"rating": "5"})
        resp = client.post(f"/track/{case.tracking_code}/reopen/", {"reason": "Vẫn chưa sửa"})
        assert resp.status_code == 429
        assert "Please try again in" in resp.content.decode()
