from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from agencies.models import Agency
from feedback.lifecycle import CaseStatus, EventKind
from feedback.models import AppendOnlyError, Case, CaseEvent
from feedback.services import Location, assign_case
from tests.factories import make_report

pytestmark = pytest.mark.django_db


class SubmitReportTests:
    def test_report_lands_with_ward_agency_and_due_time(self):
        before = timezone.now()
        case = make_report(topic_code="waste")
        case.refresh_from_db()
        assert case.ward.code == "00070"
        assert case.agency.name == "UBND Phường Hoàn Kiếm"
        assert case.status == CaseStatus.ASSIGNED
        assert case.tracking_code.startswith("HN-")
        assert case.due_at > before + timedelta(hours=1)  # 2 working days, never sooner than 16 working hours
        assert case.accept_due_at <= case.due_at
        assert "ward 00070 Hoàn Kiếm by point" in case.routing_reason
        assert "→ UBND Phường Hoàn Kiếm" in case.routing_reason

    def test_city_level_topic_goes_to_the_utility(self):
        case = make_report(topic_code="public-lighting")
        assert case.agency.code == "chieu-sang-hapulico"

    def test_events_are_logged_and_public_timeline_has_the_receipt(self):
        case = make_report()
        kinds = list(case.events.values_list("kind", flat=True))
        assert kinds == [EventKind.SUBMITTED, EventKind.ROUTED]
        assert case.events.get(kind=EventKind.ROUTED).is_public is False

    def test_outside_the_city_goes_to_the_dispatcher_queue(self):
        case = make_report(lat=20.40, lon=105.90)
        assert case.ward is None and case.agency is None
        assert case.status == CaseStatus.RECEIVED
        assert case.due_at is not None
        assert Case.objects.unrouted().filter(pk=case.pk).exists()

    def test_a_routed_report_gets_one_email_saying_received_and_where_it_went(
            self, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            case = make_report(email="lan@example.com")
        [message] = mail.outbox  # not "received" then "sent to …" a second later, in either order
        code = case.tracking_code
        assert message.subject == f"[iHanoi] {code}: đã nhận phản ánh của bạn và chuyển đến UBND Phường Hoàn Kiếm"
        due = timezone.localtime(case.due_at).strftime("%d/%m/%Y %H:%M")
        assert f"Chúng tôi đã nhận phản ánh {code} của bạn." in message.body
        assert "đã được chuyển đến UBND Phường Hoàn Kiếm" in message.body
        assert f"Cơ quan phải trả lời trước {due}." in message.body
        assert "08:00–12:00, 13:00–17:00" in message.body
        assert f"http://127.0.0.1:8000/track/{code}/?key=" in message.body

    def test_a_queued_report_says_it_is_being_assigned_and_the_dispatch_gets_its_own_email(
            self, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            case = make_report(lat=20.40, lon=105.90, email="lan@example.com")
        [received] = mail.outbox
        assert received.subject == f"[iHanoi] {case.tracking_code}: đã nhận phản ánh của bạn"
        assert "Trung tâm điều phối của thành phố đang giao phản ánh" in received.body
        assert "chuyển đến" not in received.subject
        with django_capture_on_commit_callbacks(execute=True):
            assign_case(case=case, agency=Agency.objects.get(code="ubnd-00070"), actor=None)
        assert [m.subject for m in mail.outbox[1:]] == [
            f"[iHanoi] {case.tracking_code}: đã chuyển đến UBND Phường Hoàn Kiếm"]

    def test_location_is_required(self):
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError):
            Location()
        with pytest.raises(ValidationError):
            Location(lat=21.0)
        assert Location(address="12 Hàng Bài").address

    def test_events_are_append_only(self):
        event = make_report().events.first()
        event.note = "changed"
        with pytest.raises(AppendOnlyError):
            event.save()
        with pytest.raises(AppendOnlyError):
            event.delete()
        assert CaseEvent.objects.get(pk=event.pk).note == ""

    def test_database_refuses_a_resolved_case_without_resolved_time(self):
        case = make_report()
        with pytest.raises(IntegrityError), transaction.atomic():
            Case.objects.filter(pk=case.pk).update(status=CaseStatus.RESOLVED)
