import pytest
from django.core import mail

from feedback.models import OutboxMessage
from feedback.notifications import CHANNELS
from tests.factories import make_report
from tests.feedback.helpers import reply, resolve

pytestmark = pytest.mark.django_db


class ReporterEmailTests:
    def test_receipt_assignment_reply_resolution_in_order(self, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            case = make_report(email="lan@example.com")
        with django_capture_on_commit_callbacks(execute=True):
            reply(case, "Chúng tôi sẽ cử đội thu gom trong hôm nay.")
        with django_capture_on_commit_callbacks(execute=True):
            resolve(case, note="Đã thu gom xong.")
        code = case.tracking_code
        assert [m.subject for m in mail.outbox] == [
            f"[iHanoi] {code}: đã nhận phản ánh của bạn",
            f"[iHanoi] {code}: đã chuyển đến UBND Phường Hoàn Kiếm",
            f"[iHanoi] {code}: cơ quan xử lý đã trả lời",
            f"[iHanoi] {code}: phản ánh của bạn đã được giải quyết",
        ]
        url = f"http://127.0.0.1:8000/track/{code}/"
        assert all(m.to == ["lan@example.com"] and url in m.body for m in mail.outbox)
        assert "Chúng tôi sẽ cử đội thu gom trong hôm nay." in mail.outbox[2].body
        assert "Đã thu gom xong." in mail.outbox[3].body and "mở lại" in mail.outbox[3].body
        assert "Phường Hoàn Kiếm" in mail.outbox[0].body and "Xin chào" in mail.outbox[0].body

    def test_no_email_no_message(self, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            make_report(email="")
        assert mail.outbox == [] and not OutboxMessage.objects.exists()

    def test_the_channel_is_pluggable(self, monkeypatch, django_capture_on_commit_callbacks):
        sent = []

        class FakeSms:
            def send(self, message):
                sent.append(message.subject)

        monkeypatch.setitem(CHANNELS, "email", FakeSms())
        with django_capture_on_commit_callbacks(execute=True):
            make_report(email="lan@example.com")
        assert len(sent) == 2 and mail.outbox == []
