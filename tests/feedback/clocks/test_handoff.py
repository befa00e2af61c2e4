from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from agencies.models import Agency, StaffRole, Urgency
from feedback import policy
from feedback.services import sweeps
from feedback.clocks import deadlines
from feedback.services.urgency import change_urgency
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
    def test_a_later_due_time_clears_the_late_state_and_rearms_the_reminder(self):
        now = timezone.now()
        assert deadlines.due_reset_fields(due_at=now + timedelta(days=1), now=now) == {
            "due_at": now + timedelta(days=1), "is_overdue": False, "overdue_at": None, "reminded_at": None,
            "is_escalated": False, "escalated_at": None, "manager_notified_at": None}
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


class HandoffClockTests:
    """deadlines.reset_clocks_for_handoff through the services that hand a case over."""

    @pytest.fixture
    def officer(self):
        return make_staff("hk_off")

    @pytest.fixture
    def manager(self):
        return make_staff("hk_mgr", role=StaffRole.MANAGER)

    def _extend(self, case, officer, manager, due_at):
        from feedback.services import case_actions

        ext = case_actions.request_extension(case=case, actor=officer, due_at=due_at, reason="Chờ vật tư thay thế")
        case_actions.decide_extension(extension=ext, actor=manager, approve=True)
        case.refresh_from_db()

    def test_a_transfer_keeps_an_approved_extension(self, officer, manager):
        from feedback.services import case_actions

        case = make_report(topic_code="waste")
        extended = case.due_at + timedelta(days=7)
        self._extend(case, officer, manager, extended)
        case_actions.transfer_case(case=case, actor=officer, to_agency=Agency.objects.get(code="so-xay-dung"),
                                   reason="Thuộc thẩm quyền Sở Xây dựng")
        case.refresh_from_db()
        assert case.due_at == extended
        event = case.events.get(kind=EventKind.TRANSFERRED)
        clock = event.data["clock"]
        assert clock["rule"] == "transfer" and datetime.fromisoformat(clock["old_due_at"]) == extended

    def test_a_transfer_never_shortens_but_gives_the_receiver_a_full_period_when_later(self, officer):
        from feedback.services import case_actions

        case = make_report(topic_code="waste")
        before = timezone.now()
        case_actions.transfer_case(case=case, actor=officer, to_agency=Agency.objects.get(code="so-xay-dung"),
                                   reason="Thuộc thẩm quyền Sở Xây dựng")
        case.refresh_from_db()
        fresh_floor = deadlines.resolve_due(topic=case.topic, urgency=case.urgency, start=before)
        assert case.due_at >= fresh_floor and case.due_at >= case.received_at

    def test_a_transfer_gives_a_fresh_accept_clock_and_resets_the_escalation_state(self, officer, manager, settings):
        from feedback.services import case_actions

        settings.ESCALATE_AFTER_WORKING_DAYS = 1
        case = make_report(topic_code="waste")
        late = deadlines.city_calendar().add_working_hours(case.due_at, 20)
        sweeps.flag_overdue(now=late)
        sweeps.escalate(now=late)
        case.refresh_from_db()
        assert case.is_overdue and case.is_escalated and case.manager_notified_at and case.overdue_at
        start = timezone.now()
        case_actions.transfer_case(case=case, actor=officer, to_agency=Agency.objects.get(code="so-xay-dung"),
                                   reason="Thuộc thẩm quyền Sở Xây dựng")
        case.refresh_from_db()
        assert case.assigned_at >= start and case.accept_due_at == deadlines.accept_due(case.assigned_at)
        assert not case.is_accept_overdue and not case.is_overdue and not case.is_escalated
        assert case.manager_notified_at is None and case.overdue_at is None and case.escalated_at is None
        assert case.due_at > timezone.now()

    def test_after_a_transfer_the_new_agencys_manager_is_told_when_it_runs_late(self, officer, manager, settings):
        from feedback.models import OutboxMessage
        from feedback.services import case_actions

        settings.ESCALATE_AFTER_WORKING_DAYS = 1
        new_manager = make_staff("sxd_manager", role=StaffRole.MANAGER, agency_code="so-xay-dung")
        case = make_report(topic_code="waste")
        late = deadlines.city_calendar().add_working_hours(case.due_at, 20)
        sweeps.flag_overdue(now=late)
        sweeps.escalate(now=late)  # the first agency's manager was told
        case_actions.transfer_case(case=case, actor=officer, to_agency=Agency.objects.get(code="so-xay-dung"),
                                   reason="Thuộc thẩm quyền Sở Xây dựng")
        case.refresh_from_db()
        told_before = set(OutboxMessage.objects.filter(recipient=new_manager.email).values_list("pk", flat=True))
        later = deadlines.city_calendar().add_working_hours(case.due_at, 20)
        sweeps.flag_overdue(now=later)
        sweeps.escalate(now=later)
        case.refresh_from_db()
        assert case.is_overdue and case.manager_notified_at is not None
        told = OutboxMessage.objects.filter(recipient=new_manager.email).exclude(pk__in=told_before)
        assert told.filter(body__contains=case.tracking_code).exists()

    def test_a_reopened_case_gets_a_new_resolve_clock(self, officer, manager):
        from feedback.services import case_actions, citizen

        case = make_report(topic_code="waste")
        self._extend(case, officer, manager, case.due_at + timedelta(days=20))
        case_actions.resolve_case(case=case, actor=officer, outcome="scheduled", reply="Đã lên lịch thu gom")
        case.refresh_from_db()
        before = timezone.now()
        case = citizen.reopen_case(case=case, reason="Rác vẫn còn nguyên", key=policy.reporter_key(case))
        after = timezone.now()
        new_due = lambda at: deadlines.resolve_due(topic=case.topic, urgency=case.urgency, start=at)  # noqa: E731
        assert new_due(before) <= case.due_at <= new_due(after)
        assert case.events.get(kind=EventKind.REOPENED).data["clock"]["rule"] == "reopen"

    def test_a_dispatcher_assignment_keeps_the_due_date_and_starts_the_accept_clock(self):
        from feedback.services import assign_case

        dispatcher = make_staff("ioc", role=StaffRole.DISPATCHER, agency_code=None)
        case = make_report(topic_code="waste", lat=None, lon=None, address="Số 5 phố nào đó")
        assert case.agency is None and case.accept_due_at is None
        due = case.due_at
        case = assign_case(case=case, agency=Agency.objects.get(code="ubnd-00070"), actor=dispatcher)
        assert case.due_at == due and case.accept_due_at == deadlines.accept_due(case.assigned_at)

    def test_the_tracking_and_staff_pages_say_why_the_due_date_is_what_it_is(self, english, officer, manager):
        from feedback.services import case_actions, citizen

        client = english

        case = make_report(topic_code="waste")
        case_actions.resolve_case(case=case, actor=officer, outcome="scheduled", reply="Đã lên lịch thu gom")
        case.refresh_from_db()
        case = citizen.reopen_case(case=case, reason="Rác vẫn còn nguyên", key=policy.reporter_key(case))
        due = timezone.localtime(case.due_at).strftime("%d/%m/%Y %H:%M")
        page = client.get(case.get_absolute_url()).content.decode()
        assert f"New due date {due}: the report was reopened on" in page
        client.force_login(officer)
        staff_page = client.get(f"/staff/cases/{case.tracking_code}/").content.decode()
        assert f"New due date {due}" in staff_page
