from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from feedback.lifecycle import CaseStatus, EventKind
from feedback.models import AppendOnlyError, Case, CaseEvent
from feedback.services import Location
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
        assert "→ UBND Hoàn Kiếm" in case.routing_reason

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

    def test_reporter_gets_receipt_and_assignment_emails(self, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            case = make_report(email="lan@example.com")
        subjects = [m.subject for m in mail.outbox]
        assert len(subjects) == 2
        assert all(case.tracking_code in s for s in subjects)
        assert case.get_absolute_url() in mail.outbox[0].body

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
