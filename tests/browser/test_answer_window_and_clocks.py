"""Issue 17, items 1 and 5 in headless chromium, as the citizen and a dispatcher would meet them.

1. An unhappy rating does not close the case: the reopen form stays, first on the page, for the window.
5. A transfer keeps the approved extension of the due date; a reopened case shows its new due date and why.
"""
from datetime import timedelta

import pytest
from django.utils import timezone

from agencies.demo import DEMO_PASSWORD, create_demo_accounts
from agencies.models import Agency
from feedback.services import case_actions
from feedback.policy import reporter_key
from feedback.lifecycle import CaseStatus, Outcome
from feedback.models import Case
from tests.factories import make_report
from tests.feedback.helpers import resolve

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def hanoi(dt) -> str:
    return timezone.localtime(dt).strftime("%d/%m/%Y %H:%M")


def due_text(page) -> str:
    return page.locator("dl.facts dt:text-is('Hạn xử lý') + dd").first.inner_text()


class LowRatingTests:
    def test_a_very_dissatisfied_rating_keeps_the_case_reopenable_and_offers_reopen_first(self, page, live_server,
                                                                                         screenshot):
        case = resolve(make_report(topic_code="waste"), note="Đã thu gom rác.")
        page.goto(f"{live_server.url}/track/{case.tracking_code}/?key={reporter_key(case)}")
        page.get_by_text("1 – rất không hài lòng").click()
        page.get_by_role("button", name="Gửi đánh giá").click()
        page.get_by_text("Cảm ơn bạn đã đánh giá.").wait_for()
        case.refresh_from_db()
        assert case.rating == 1 and case.status == CaseStatus.RESOLVED
        assert page.locator(".status-line .badge").inner_text() == "Đã giải quyết"
        reopen = page.locator("#answer form.reopen-first")
        assert reopen.count() == 1, "the reopen form must stay, offered first, after a low rating"
        assert "Rất tiếc" in reopen.locator("h3").inner_text()
        first_form = page.locator("#answer form").first
        assert first_form.get_attribute("id") == "reopen"
        assert page.get_by_role("button", name="Đổi đánh giá").is_visible()  # the rating can still be changed
        screenshot(page, "track-low-rating-reopen-first")
        reopen.locator("textarea[name=reason]").fill("Rác vẫn còn nguyên ở góc phố")
        reopen.get_by_role("button", name="Mở lại phản ánh").click()
        page.get_by_text("Phản ánh đã được mở lại và chuyển về cơ quan xử lý.").wait_for()
        case.refresh_from_db()
        assert case.status == CaseStatus.REOPENED and case.rating == 1


class HandoffClockTests:
    def test_a_transfer_keeps_the_extension_and_a_reopen_shows_its_new_due_date(self, browser_context, live_server,
                                                                                hanoi_data, screenshot):
        create_demo_accounts()
        from django.contrib.auth import get_user_model

        users = get_user_model().objects
        case = make_report(topic_code="waste", email="lan@example.com")
        extended = case.due_at + timedelta(days=7)
        ext = case_actions.request_extension(case=case, actor=users.get(username="hk_officer"), due_at=extended,
                                             reason="Chờ xe chuyên dụng")
        case_actions.decide_extension(extension=ext, actor=users.get(username="hk_manager"), approve=True)
        case.refresh_from_db()
        assert case.due_at == extended

        staff = browser_context().new_page()
        staff.goto(live_server.url + "/staff/")
        staff.fill("#id_username", "dispatcher")
        staff.fill("#id_password", DEMO_PASSWORD)
        staff.click("button[type=submit]")
        staff.wait_for_url("**/staff/")
        staff.goto(f"{live_server.url}/staff/cases/{case.tracking_code}/")
        form = staff.locator("#action-transfer")
        form.locator("select[name=to_agency]").select_option(str(Agency.objects.get(code="so-xay-dung").pk))
        form.locator("textarea[name=reason]").fill("Rác thải xây dựng thuộc Sở Xây dựng")
        form.locator("button").click()
        staff.wait_for_load_state()
        case.refresh_from_db()
        assert case.agency.code == "so-xay-dung" and case.status == CaseStatus.ASSIGNED
        assert case.due_at == extended, "a transfer must not drop the approved extension"
        assert hanoi(extended) in due_text(staff)
        assert "không bao giờ rút ngắn" in staff.locator("#clock-note").inner_text()
        screenshot(staff, "staff-case-transferred-keeps-due")

        citizen = browser_context().new_page()
        citizen.goto(f"{live_server.url}/track/{case.tracking_code}/?key={reporter_key(case)}")
        assert hanoi(extended) in due_text(citizen)
        assert "được giữ nguyên" in citizen.locator("#clock-note").inner_text()

        sxd = users.get(username="sxd_officer")
        case_actions.resolve_case(case=case, actor=sxd, outcome=Outcome.NOT_FIXED_SCHEDULED,
                                  reply="Đã lên lịch thu gom trong tuần")
        citizen.reload()
        citizen.locator("#reopen textarea[name=reason]").fill("Chưa ai đến thu gom")
        citizen.locator("#reopen button").click()
        citizen.get_by_text("Phản ánh đã được mở lại và chuyển về cơ quan xử lý.").wait_for()
        case = Case.objects.get(pk=case.pk)
        assert case.status == CaseStatus.REOPENED and case.due_at != extended
        note = citizen.locator("#clock-note").inner_text()
        assert f"Hạn xử lý mới {hanoi(case.due_at)}" in note and "mở lại" in note
        assert hanoi(case.due_at) in due_text(citizen)
        screenshot(citizen, "track-reopened-new-due")
