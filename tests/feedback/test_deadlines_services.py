from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from agencies.models import StaffRole, Urgency
from feedback import deadlines, sweeps
from feedback.deadlines_services import change_urgency
from feedback.lifecycle import CaseStatus, EventKind
from feedback.models import Case
from feedback.services import transition_case
from tests.factories import make_report, make_staff

pytestmark = pytest.mark.django_db


class ChangeUrgencyTests:
    def test_officer_raises_to_urgent_and_the_due_time_shrinks(self):
        officer = make_staff("hk_off")
        case = make_report(topic_code="waste")
        before = case.due_at
        change_urgency(case=case, actor=officer, urgency=Urgency.URGENT, reason="Rác chắn lối đi")
        case.refresh_from_db()
        assert case.urgency == Urgency.URGENT
        assert case.due_at == deadlines.city_calendar().add_working_hours(case.received_at, 4)
        assert case.due_at < before
        event = case.events.get(kind=EventKind.URGENCY_CHANGED)
        assert event.actor == officer and event.note == "Rác chắn lối đi"
        assert event.data["from"] == Urgency.NORMAL and event.data["to"] == Urgency.URGENT

    def test_urgent_after_acceptance_counts_from_acceptance(self):
        officer = make_staff("hk_off")
        case = make_report(topic_code="waste")
        accepted = timezone.now()
        transition_case(case=case, to=CaseStatus.IN_PROGRESS, actor=officer, kind=EventKind.ACCEPTED,
                        accepted_at=accepted)
        change_urgency(case=case, actor=officer, urgency=Urgency.URGENT, reason="nguy hiểm")
        assert Case.objects.get(pk=case.pk).due_at == deadlines.city_calendar().add_working_hours(accepted, 4)

    def test_dispatcher_lowers_it_and_the_overdue_flag_clears(self):
        dispatcher = make_staff("ioc", role=StaffRole.DISPATCHER, agency_code=None)
        case = make_report(topic_code="fallen-tree")
        assert case.urgency == Urgency.URGENT
        sweeps.flag_overdue(now=case.due_at + timedelta(minutes=1))
        assert Case.objects.get(pk=case.pk).is_overdue
        change_urgency(case=case, actor=dispatcher, urgency=Urgency.NORMAL, reason="Cây đã được dọn khỏi lòng đường")
        case.refresh_from_db()
        assert case.due_at == deadlines.city_calendar().add_working_days(case.received_at, 1)
        assert case.due_at > timezone.now()
        assert not case.is_overdue and case.overdue_at is None

    def test_due_after_acceptance_keeps_the_due_time_of_a_normal_case(self):
        case = make_report(topic_code="waste")
        assert deadlines.due_after_acceptance(case=case, accepted_at=timezone.now()) == case.due_at

    def test_other_agencies_and_leaders_may_not(self):
        case = make_report(topic_code="waste")  # UBND Hoàn Kiếm
        other = make_staff("sxd", agency_code="so-xay-dung")
        leader = make_staff("leader", role=StaffRole.LEADER, agency_code=None)
        for user in (other, leader):
            with pytest.raises(PermissionDenied):
                change_urgency(case=case, actor=user, urgency=Urgency.URGENT, reason="x")
        assert not case.events.filter(kind=EventKind.URGENCY_CHANGED).exists()

    def test_bad_input_is_refused(self):
        officer = make_staff("hk_off")
        case = make_report(topic_code="waste")
        with pytest.raises(ValidationError):
            change_urgency(case=case, actor=officer, urgency="very", reason="x")
        with pytest.raises(ValidationError):
            change_urgency(case=case, actor=officer, urgency=Urgency.URGENT, reason="  ")
        with pytest.raises(ValidationError):
            change_urgency(case=case, actor=officer, urgency=Urgency.NORMAL, reason="same")


class ClockResetTests:
    def test_a_later_due_time_clears_the_overdue_flag_and_rearms_the_reminder(self):
        now = timezone.now()
        assert deadlines.due_reset_fields(due_at=now + timedelta(days=1), now=now) == {
            "due_at": now + timedelta(days=1), "is_overdue": False, "overdue_at": None, "reminded_at": None}
        assert deadlines.due_reset_fields(due_at=now - timedelta(hours=1), now=now) == {
            "due_at": now - timedelta(hours=1)}

    def test_a_transfer_restarts_the_accept_clock_for_the_new_agency(self):
        case = make_report()
        sweeps.flag_overdue(now=case.accept_due_at + timedelta(minutes=1))
        sweeps.escalate(now=case.accept_due_at + timedelta(minutes=2))
        start = timezone.now()
        Case.objects.filter(pk=case.pk).update(**deadlines.accept_reset_fields(start=start))
        case.refresh_from_db()
        assert not case.is_accept_overdue and case.manager_notified_at is None
        assert case.accept_due_at == deadlines.accept_due(start)
