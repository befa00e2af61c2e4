"""An old (pre-2025) address in the report form, in headless chromium: the live hint while typing, then the
pin asked for once on submit."""
import pytest

from feedback.lifecycle import CaseStatus
from feedback.models import Case
from tests.feedback.images import jpeg_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class OldAddressTests:
    def test_live_hint_then_the_form_asks_for_the_pin_once(self, page, live_server, screenshot):
        page.goto(live_server.url + "/report/")
        page.select_option("#id_topic", label="Rác thải, vệ sinh môi trường")
        page.fill("#id_description", "Rác tồn đọng đầu phố Tràng Tiền nhiều ngày")
        page.set_input_files("#id_photos", files=[
            {"name": "rac.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes(size=(640, 480))}])
        hint = page.locator("#address-hint")
        page.locator("#id_address").press_sequentially("5 Tràng Tiền, phường Tràng Tiền, quận Hoàn Kiếm")
        hint.get_by_text("Tràng Tiền (cũ) nay thuộc Phường Hoàn Kiếm hoặc Phường Cửa Nam.").wait_for()
        screenshot(page, "report-old-address-hint")
        page.click("#submit-report")
        page.locator("#error-summary").get_by_text("Hãy đặt ghim trên bản đồ", exact=False).wait_for()
        assert not Case.objects.exists()
        page.click("#submit-report")  # sent again as it is: to the dispatcher, with the candidate wards
        page.wait_for_url("**/track/**")
        case = Case.objects.get()
        assert case.status == CaseStatus.RECEIVED and "Phường Hoàn Kiếm, Phường Cửa Nam" in case.routing_reason

    def test_whole_unit_says_where_it_is_now(self, page, live_server):
        page.goto(live_server.url + "/report/")
        page.locator("#id_address").press_sequentially("P. Hang Bai, Q. Hoan Kiem")
        page.locator("#address-hint").get_by_text("Hàng Bài (cũ) nay thuộc Phường Cửa Nam.").wait_for()
