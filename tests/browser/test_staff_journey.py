"""The demo ward officer finds a new case, replies, resolves it with a proof photo; the citizen sees it."""
import io

import pytest
from PIL import Image

from agencies.demo import DEMO_PASSWORD, create_demo_accounts
from tests.browser.conftest import choose_language
from tests.factories import make_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def proof_jpeg(tmp_path):
    path = tmp_path / "da-don-sach.jpg"
    buf = io.BytesIO()
    Image.new("RGB", (640, 480), (40, 140, 60)).save(buf, format="JPEG")
    path.write_bytes(buf.getvalue())
    return path


class StaffJourneyTests:
    def test_ward_officer_replies_and_resolves_with_a_photo(self, browser_context, live_server, hanoi_data,
                                                            screenshot, tmp_path):
        create_demo_accounts()
        case = make_report(topic_code="waste", description="Rác chất đống trước số 5 phố Hàng Bài",
                           email="lan@example.com")
        code = case.tracking_code
        ctx = browser_context(locale="en-US")
        choose_language(ctx, live_server.url, "en")
        page = ctx.new_page()
        page.goto(live_server.url + "/staff/")
        page.fill("#id_username", "hk_officer")
        page.fill("#id_password", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/staff/")
        row = page.locator("table.queue tbody tr", has_text=code)
        assert row.is_visible() and "Assigned" in row.inner_text()
        screenshot(page, "staff-queue")

        page.fill("#id_q", code)
        page.click("form.filters button[type=submit]")
        page.click(f"a.code:has-text('{code}')")
        page.wait_for_url(f"**/staff/cases/{code}/")
        assert page.locator("#casemap.leaflet-container").is_visible()

        page.fill("#id_reply-text", "Chúng tôi đã cử tổ vệ sinh đến hiện trường.")
        page.click("#action-reply button")
        assert page.locator(".messages").inner_text().strip() == "Reply published and sent to the citizen."

        page.select_option("#id_outcome", "fixed")
        page.fill("#id_reply", "Đã thu gom toàn bộ rác, khu vực đã sạch.")
        page.set_input_files("#id_proof_photos", str(proof_jpeg(tmp_path)))
        page.click("#action-resolve button")
        assert "Case resolved" in page.locator(".messages").inner_text()
        assert page.locator("h1 .status").inner_text() == "Resolved"
        assert page.locator(".photos img[alt='Proof photo']").count() == 1
        screenshot(page, "staff-case-resolved")

        citizen_ctx = browser_context(locale="en-US")
        choose_language(citizen_ctx, live_server.url, "en")
        citizen = citizen_ctx.new_page()
        citizen.goto(f"{live_server.url}/track/{code}/")
        assert citizen.locator(".status-line .badge").inner_text() == "Resolved"
        timeline = citizen.locator(".timeline").inner_text()
        assert "Chúng tôi đã cử tổ vệ sinh đến hiện trường." in timeline
        assert "Đã thu gom toàn bộ rác, khu vực đã sạch." in timeline
        screenshot(citizen, "track-resolved")
