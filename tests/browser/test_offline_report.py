"""The offline-safe report form (issue 18) in headless chromium: the service worker serves the form without a
connection, the draft survives a reload, and a report sent offline is queued on the phone and filed exactly once
when the connection returns."""
import pytest
from rest_framework.test import APIClient

from feedback.models import Case
from offline.models import SubmissionKey
from tests.browser.test_citizen_journey import HK, WASTE, click_map_at, jpeg

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAVED = "Đã lưu trên điện thoại, sẽ gửi khi có mạng."
DRAFT_JS = """() => new Promise((resolve) => {
    const req = indexedDB.open("ihanoi-offline", 1);
    req.onupgradeneeded = () => req.transaction.abort();  // no database yet: do not create it empty
    req.onerror = () => resolve(null);
    req.onsuccess = () => {
        const db = req.result;
        if (!db.objectStoreNames.contains("drafts")) return resolve(null);
        const get = db.transaction("drafts").objectStore("drafts").get("report");
        get.onsuccess = () => resolve(get.result ? {fields: get.result.fields, photos: (get.result.photos || []).length}
                                                 : null);
    };
})"""


def wait_for_draft(page, photos: int = 0, **fields):
    """Until the draft in IndexedDB holds these field values (and at least that many photos). Polled from here:
    wait_for_function does not wait for a predicate's promise."""
    for _ in range(100):
        d = page.evaluate(DRAFT_JS)
        if d and d["photos"] >= photos and all(d["fields"].get(k) == v for k, v in fields.items()):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"the draft never held {fields}: {d}")


def open_form_with_worker(page, live_server):
    """The form, online, until its service worker controls the page (installed: the form and assets cached)."""
    page.goto(live_server.url + "/report/")
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


class OfflineReportTests:
    def test_offline_form_queues_the_report_and_sends_it_once_back_online(self, browser_context, live_server,
                                                                          hanoi_data, screenshot):
        ctx = browser_context(width=390, height=844)
        page = ctx.new_page()
        open_form_with_worker(page, live_server)

        ctx.set_offline(True)
        response = page.reload()
        assert response.from_service_worker  # the cached form, not the network
        page.wait_for_function("() => window.ihanoiMaps && window.ihanoiMaps.reportmap")  # Leaflet from the cache
        page.select_option("#id_topic", label=WASTE)
        page.fill("#id_description", "Ngập sâu ở đầu phố Hàng Bài, xe máy chết máy")
        click_map_at(page, *HK)
        page.set_input_files("#id_photos", files=[jpeg("ngap.jpg")])
        page.fill("#id_email", "lan@example.com")
        page.click("#submit-report")
        page.locator("#offline-status", has_text=SAVED).wait_for()
        screenshot(page, "offline-report-saved-390")
        assert not Case.objects.exists()

        ctx.set_offline(False)  # the "online" event sends the queued report
        code = page.locator("#offline-tracking-code")
        code.wait_for()
        case = Case.objects.get()
        assert code.inner_text() == case.tracking_code
        assert code.get_attribute("href").endswith(f"/track/{case.tracking_code}/")
        assert "Mã theo dõi" in page.locator("#offline-status").inner_text()
        assert case.ward.code == "00070" and case.photos.count() == 1 and case.reporter_email == "lan@example.com"
        screenshot(page, "offline-report-sent-390")

        # the phone sends it again (say, a second tab): the same case, never a second one
        key = str(SubmissionKey.objects.get(case=case).key)
        again = APIClient().post("/api/v1/reports/", {"topic": "waste", "description": "Ngập sâu ở đầu phố Hàng Bài",
                                                      "address": "Hàng Bài"}, format="json",
                                 HTTP_IDEMPOTENCY_KEY=key)
        assert again.status_code == 200 and again.json()["tracking_code"] == case.tracking_code
        assert Case.objects.count() == 1

        # sent: the draft is gone, a reload shows an empty form and sends nothing more
        assert page.input_value("#id_description") == ""
        page.reload()
        page.wait_for_function("() => window.ihanoiMaps && window.ihanoiMaps.reportmap")
        assert page.input_value("#id_description") == ""
        assert Case.objects.count() == 1

    def test_a_signed_in_citizens_queued_report_is_sent_with_the_csrf_cookie(self, browser_context, live_server,
                                                                            hanoi_data):
        from django.contrib.auth import get_user_model

        citizen = get_user_model().objects.create_user("lan", email="lan@example.com", password="lan-pass-2025")
        ctx = browser_context()
        page = ctx.new_page()
        page.goto(live_server.url + "/accounts/login/?next=/report/")
        page.fill("#id_username", "lan")
        page.fill("#id_password", "lan-pass-2025")
        page.click("form.stack button[type=submit]")
        page.wait_for_url("**/report/")
        open_form_with_worker(page, live_server)
        ctx.set_offline(True)
        page.reload()
        page.select_option("#id_topic", label=WASTE)
        page.fill("#id_description", "Ngập sâu ở đầu phố Hàng Bài, xe máy chết máy")
        page.fill("#id_address", "12 Hàng Bài")
        page.set_input_files("#id_photos", files=[jpeg("ngap.jpg")])
        page.click("#submit-report")
        page.locator("#offline-status", has_text=SAVED).wait_for()
        ctx.set_offline(False)
        page.locator("#offline-tracking-code").wait_for()  # the session's POST passed DRF's CSRF check
        assert Case.objects.get().reporter == citizen

    def test_an_incomplete_report_is_not_queued(self, browser_context, live_server, hanoi_data):
        ctx = browser_context()
        page = ctx.new_page()
        open_form_with_worker(page, live_server)
        ctx.set_offline(True)
        page.reload()
        page.fill("#id_description", "Ngập sâu ở đầu phố Hàng Bài")
        page.click("#submit-report")
        status = page.locator("#offline-status")
        status.get_by_text("Hãy thêm ít nhất một ảnh").wait_for()
        assert SAVED not in status.inner_text()


class DraftTests:
    def test_the_draft_survives_a_reload(self, page, live_server):
        page.goto(live_server.url + "/report/")
        page.select_option("#id_topic", label=WASTE)
        page.fill("#id_description", "Đèn đường tắt cả tuần ở ngõ 12")
        click_map_at(page, *HK)
        page.set_input_files("#id_photos", files=[jpeg("den.jpg")])
        page.fill("#id_phone", "0912 345 678")
        wait_for_draft(page, photos=1, description="Đèn đường tắt cả tuần ở ngõ 12", phone="0912 345 678",
                       latitude=page.input_value("#id_latitude"))

        page.reload()
        page.locator("#report-form[data-draft=ready]").wait_for(state="attached")
        assert page.input_value("#id_description") == "Đèn đường tắt cả tuần ở ngõ 12"
        assert page.input_value("#id_phone") == "0912 345 678"
        assert page.locator("#id_topic option:checked").inner_text() == WASTE
        assert abs(float(page.input_value("#id_latitude")) - HK[0]) < 1e-4
        page.locator("#photo-previews img").first.wait_for()  # the photo came back from IndexedDB
        assert page.locator("#photo-previews").inner_text().strip() == "den.jpg"

        # sent by the ordinary form: the draft's key comes along, and the next form starts empty
        page.click("#submit-report")
        page.wait_for_url("**/track/HN-*/")
        case = Case.objects.get()
        assert SubmissionKey.objects.get().case == case and case.photos.count() == 1
        page.goto(live_server.url + "/report/")
        page.wait_for_function("() => window.ihanoiMaps && window.ihanoiMaps.reportmap")
        page.locator("#report-form[data-draft=ready]").wait_for(state="attached")  # the look-up restored nothing
        assert page.input_value("#id_description") == ""
