"""A report sent in chromium gets ONE email that says both what happened: it was received, and where it went
(the agency, the due time, the tracking link) — or that the coordination centre is assigning it."""
import pytest
from django.core import mail
from django.utils import timezone

from feedback.models import Case
from tests.browser.test_citizen_journey import WASTE, fill_report, jpeg

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class ReceivedEmailTests:
    def test_a_routed_report_gets_one_email_with_the_agency_and_the_due_time(self, page, live_server):
        fill_report(page, live_server, photo=jpeg())
        page.click("#submit-report")
        page.wait_for_url("**/track/HN-*/")
        case = Case.objects.get()
        code, due = case.tracking_code, timezone.localtime(case.due_at).strftime("%d/%m/%Y %H:%M")

        [message] = mail.outbox
        assert message.to == ["lan@example.com"]
        assert message.subject == f"[iHanoi] {code}: đã nhận phản ánh của bạn và chuyển đến UBND Phường Hoàn Kiếm"
        assert f"Chúng tôi đã nhận phản ánh {code} của bạn." in message.body
        assert "đã được chuyển đến UBND Phường Hoàn Kiếm" in message.body
        assert f"Cơ quan phải trả lời trước {due}." in message.body
        assert f"/track/{code}/" in message.body

    def test_a_report_for_the_dispatcher_says_it_is_being_assigned(self, page, live_server):
        page.goto(live_server.url + "/report/")
        page.select_option("#id_topic", label=WASTE)
        page.fill("#id_description", "Rác đổ trộm ở bãi đất trống cuối ngõ")
        page.fill("#id_address", "Bãi đất trống cuối ngõ, gần chợ")  # names no ward: the dispatcher queue
        page.set_input_files("#id_photos", files=[jpeg()])
        page.fill("#id_email", "lan@example.com")
        page.click("#submit-report")
        page.wait_for_url("**/track/HN-*/")
        case = Case.objects.get()
        assert case.agency is None

        [message] = mail.outbox
        assert message.subject == f"[iHanoi] {case.tracking_code}: đã nhận phản ánh của bạn"
        assert "Trung tâm điều phối của thành phố đang giao phản ánh cho cơ quan có trách nhiệm" in message.body
