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
            f"[iHanoi] {code}: đã nhận phản ánh của bạn và chuyển đến UBND Phường Hoàn Kiếm",
            f"[iHanoi] {code}: cơ quan xử lý đã trả lời",
            f"[iHanoi] {code}: phản ánh của bạn đã được giải quyết",
        ]
        url = f"http://127.0.0.1:8000/track/{code}/"
        assert all(m.to == ["lan@example.com"] and url in m.body for m in mail.outbox)
        assert "Chúng tôi sẽ cử đội thu gom trong hôm nay." in mail.outbox[1].body
        assert "Đã thu gom xong." in mail.outbox[2].body and "mở lại" in mail.outbox[2].body
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
        assert len(sent) == 1 and mail.outbox == []


class RejectedAndMergedEmailTests:
    """case_actions' "rejected" and "merged" events have their own wording, not the generic 'update' text."""

    @staticmethod
    def vi(text: str) -> str:
        from django.utils import translation

        with translation.override("vi"):
            return translation.gettext(text)

    def generic(self, code: str) -> list[str]:
        return [self.vi("update on your report"), self.vi("There is news on report %(code)s.") % {"code": code}]

    def test_rejected_duplicate(self, django_capture_on_commit_callbacks):
        from feedback.services import case_actions
        from tests.factories import make_staff

        officer = make_staff("hk1")
        case = make_report(email="lan@example.com")
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            case_actions.reject_case(case=case, actor=officer, outcome="duplicate", reason="Đã có phản ánh HN-1234")
        (message,) = mail.outbox
        code = case.tracking_code
        assert message.to == ["lan@example.com"]
        assert message.subject == f"[iHanoi] {code}: {self.vi('your report was not accepted')}"
        assert "Đã có phản ánh HN-1234" in message.body and self.vi("Duplicate") in message.body
        assert f"http://127.0.0.1:8000/track/{code}/" in message.body and "?key=" in message.body
        assert not any(g in message.subject + message.body for g in self.generic(code))

    def test_rejected_spam_sends_nothing(self, django_capture_on_commit_callbacks):
        from feedback.services import case_actions
        from tests.factories import make_staff

        case = make_report(email="lan@example.com")
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            case_actions.reject_case(case=case, actor=make_staff("hk1"), outcome="spam", reason="Quảng cáo")
        assert mail.outbox == [] and not OutboxMessage.objects.filter(case=case, dedupe_key__contains="rejected")

    def test_merged(self, django_capture_on_commit_callbacks):
        from feedback.services import case_actions
        from tests.factories import make_staff

        main = make_report(email="first@example.com")
        dup = make_report(email="second@example.com")
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            case_actions.merge_case(case=dup, into=main, actor=make_staff("hk1"))
        (message,) = mail.outbox
        assert message.to == ["second@example.com"]
        assert message.subject == f"[iHanoi] {dup.tracking_code}: {self.vi('merged with another report')}"
        assert f"http://127.0.0.1:8000/track/{main.tracking_code}/" in message.body
        assert f"http://127.0.0.1:8000/track/{dup.tracking_code}/" in message.body
        assert not any(g in message.subject + message.body for g in self.generic(dup.tracking_code))


class AbsoluteUrlTests:
    """Every link that leaves the portal starts with the one configured base, SITE_URL."""

    def test_links_follow_site_url(self, settings, django_capture_on_commit_callbacks):
        from feedback.notifications import absolute_url

        settings.SITE_URL = "https://phananh.example.vn/"
        assert absolute_url("/staff/extensions/") == "https://phananh.example.vn/staff/extensions/"
        assert absolute_url() == "https://phananh.example.vn/"
        with django_capture_on_commit_callbacks(execute=True):
            case = make_report(email="lan@example.com")
        [message] = mail.outbox
        links = [w for w in message.body.split() if w.startswith("http")]
        assert links and all(link.startswith(f"https://phananh.example.vn/track/{case.tracking_code}/")
                              for link in links)
