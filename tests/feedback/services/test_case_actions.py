"""Staff services: every action through feedback.services.case_actions, checked on the DB rows, events and emails."""
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from PIL import Image

from agencies.models import Agency, StaffRole, Topic
from feedback.services import case_actions as actions
from feedback.lifecycle import CaseStatus, EventKind, Outcome
from feedback.models import Case, CasePhoto, ExtensionStatus, PhotoKind, Support
from feedback.services import ConflictError, TransitionError
from tests.factories import make_report, make_staff

pytestmark = pytest.mark.django_db


def jpeg(name="proof.jpg", color=(20, 120, 40)):
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buf, format="JPEG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


@pytest.fixture
def officer():
    return make_staff("hk1")


@pytest.fixture
def manager():
    return make_staff("hkm", role=StaffRole.MANAGER)


@pytest.fixture
def other_officer():
    return make_staff("sxd1", agency_code="so-xay-dung")


@pytest.fixture
def dispatcher():
    return make_staff("disp", role=StaffRole.DISPATCHER, agency_code="ioc-hanoi")


@pytest.fixture
def leader():
    return make_staff("boss", role=StaffRole.LEADER, agency_code=None)


@pytest.fixture
def case():
    return make_report(topic_code="waste", email="lan@example.com")  # → UBND Phường Hoàn Kiếm


class AcceptTests:
    def test_accept_moves_to_in_progress_and_takes_the_case(self, case, officer):
        actions.accept_case(case=case, actor=officer, note="Đã tiếp nhận")
        case.refresh_from_db()
        assert case.status == CaseStatus.IN_PROGRESS
        assert case.accepted_at is not None and case.assigned_officer == officer
        event = case.events.latest("pk")
        assert (event.kind, event.actor, event.from_status, event.to_status, event.is_public) == (
            EventKind.ACCEPTED, officer, CaseStatus.ASSIGNED, CaseStatus.IN_PROGRESS, True)

    def test_officer_of_another_agency_and_leader_are_refused(self, case, other_officer, leader):
        for user in (other_officer, leader):
            with pytest.raises(PermissionDenied):
                actions.accept_case(case=case, actor=user)
        case.refresh_from_db()
        assert case.status == CaseStatus.ASSIGNED and case.events.count() == 2

    def test_accepting_twice_is_an_illegal_transition(self, case, officer):
        actions.accept_case(case=case, actor=officer)
        with pytest.raises(TransitionError):
            actions.accept_case(case=case, actor=officer)

    def test_stale_copy_conflicts(self, case, officer, manager):
        stale = Case.objects.get(pk=case.pk)
        actions.accept_case(case=case, actor=manager)
        with pytest.raises(ConflictError):
            actions.resolve_case(case=stale, actor=officer, outcome=Outcome.NOT_FIXED_SCHEDULED, reply="Sẽ xử lý tuần sau")


class ReplyAndNoteTests:
    def test_public_reply_is_logged_and_emailed(self, case, officer, django_capture_on_commit_callbacks):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            event = actions.reply_case(case=case, actor=officer, text="Chúng tôi sẽ cử người đến kiểm tra.")
        assert event.is_public and event.kind == EventKind.REPLY
        assert len(mail.outbox) == 1 and mail.outbox[0].to == ["lan@example.com"]
        assert "Chúng tôi sẽ cử người đến kiểm tra." in mail.outbox[0].body

    def test_empty_reply_is_refused(self, case, officer):
        with pytest.raises(ValidationError):
            actions.reply_case(case=case, actor=officer, text="   ")

    def test_internal_note_is_not_public_and_not_emailed(self, case, officer, django_capture_on_commit_callbacks):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            event = actions.add_internal_note(case=case, actor=officer, text="Gọi cho tổ dân phố")
        assert event.is_public is False and mail.outbox == []


class TransferTests:
    def test_transfer_to_another_agency_resets_clocks_but_keeps_receipt(self, case, officer):
        actions.accept_case(case=case, actor=officer)
        received = Case.objects.get(pk=case.pk).received_at
        target = Agency.objects.get(code="so-xay-dung")
        actions.transfer_case(case=case, actor=officer, to_agency=target, reason="Thuộc thẩm quyền Sở Xây dựng")
        case.refresh_from_db()
        assert case.agency == target and case.status == CaseStatus.ASSIGNED
        assert case.received_at == received and case.transfer_count == 1
        assert case.assigned_officer is None and case.accepted_at is None
        assert case.accept_due_at > timezone.now() and case.due_at > case.accept_due_at - timedelta(days=30)
        event = case.events.latest("pk")
        assert event.kind == EventKind.TRANSFERRED and event.data["to_agency"] == target.pk

    def test_transfer_clears_the_overdue_flags_of_the_previous_holder(self, case, officer):
        Case.objects.filter(pk=case.pk).update(is_overdue=True, is_accept_overdue=True)
        case.refresh_from_db()
        actions.transfer_case(case=case, actor=officer, to_agency=Agency.objects.get(code="so-xay-dung"),
                              reason="Thuộc Sở Xây dựng")
        case.refresh_from_db()
        assert not case.is_overdue and not case.is_accept_overdue and case.due_at > timezone.now()

    def test_old_agency_loses_access_after_transfer(self, case, officer):
        actions.transfer_case(case=case, actor=officer, to_agency=Agency.objects.get(code="so-xay-dung"),
                              reason="Không thuộc phường")
        with pytest.raises(PermissionDenied):
            actions.reply_case(case=case, actor=officer, text="Vẫn còn ở đây?")

    def test_transfer_back_to_dispatcher_queue(self, case, officer):
        actions.transfer_case(case=case, actor=officer, to_agency=None, reason="Không rõ đơn vị phụ trách")
        case.refresh_from_db()
        assert case.status == CaseStatus.RECEIVED and case.agency is None
        assert Case.objects.unrouted().filter(pk=case.pk).exists()

    def test_transfer_needs_a_reason_and_another_agency(self, case, officer):
        with pytest.raises(ValidationError):
            actions.transfer_case(case=case, actor=officer, to_agency=None, reason="")
        with pytest.raises(ValidationError):
            actions.transfer_case(case=case, actor=officer, to_agency=case.agency, reason="Cùng đơn vị")


class DispatcherTests:
    def test_dispatcher_assigns_a_queued_case(self, dispatcher, officer):
        case = make_report(lat=20.40, lon=105.90, address="Ngoài ranh giới")
        assert case.status == CaseStatus.RECEIVED
        agency = Agency.objects.get(code="ubnd-00070")
        actions.dispatch_case(case=case, agency=agency, actor=dispatcher)
        case.refresh_from_db()
        assert case.status == CaseStatus.ASSIGNED and case.agency == agency
        actions.accept_case(case=case, actor=officer)

    def test_officer_cannot_dispatch(self, officer):
        case = make_report(lat=20.40, lon=105.90, address="Ngoài ranh giới")
        with pytest.raises(PermissionDenied):
            actions.dispatch_case(case=case, agency=Agency.objects.get(code="ubnd-00070"), actor=officer)

    def test_dispatcher_rejects_a_queued_case_as_not_in_remit(self, dispatcher):
        case = make_report(lat=20.40, lon=105.90, address="Ngoài ranh giới")
        actions.reject_case(case=case, actor=dispatcher, outcome=Outcome.NOT_IN_REMIT, reason="Ngoài địa bàn Hà Nội")
        case.refresh_from_db()
        assert case.status == CaseStatus.REJECTED and case.outcome == Outcome.NOT_IN_REMIT


class ExtensionTests:
    def test_request_then_manager_approves(self, case, officer, manager):
        new_due = case.due_at + timedelta(days=5)
        ext = actions.request_extension(case=case, actor=officer, due_at=new_due, reason="Chờ vật tư thay thế")
        assert ext.status == ExtensionStatus.PENDING
        with pytest.raises(PermissionDenied):
            actions.decide_extension(extension=ext, actor=officer, approve=True)
        actions.decide_extension(extension=ext, actor=manager, approve=True, note="Đồng ý")
        case.refresh_from_db()
        ext.refresh_from_db()
        assert ext.status == ExtensionStatus.APPROVED and ext.decided_by == manager
        assert case.due_at == new_due
        kinds = list(case.events.values_list("kind", flat=True))
        assert EventKind.EXTENSION_REQUESTED in kinds and EventKind.EXTENSION_APPROVED in kinds

    def test_an_approved_extension_starts_the_late_case_state_afresh(self, case, officer, manager):
        """A case that ran late (flagged overdue, reminded, manager told, escalated) and gets more time is on time
        again: the sweeps remind before the new due time and escalate only if that one passes too."""
        from feedback.services import sweeps

        late = timezone.now() + timedelta(days=30)
        ext = actions.request_extension(case=case, actor=officer, due_at=case.due_at + timedelta(days=40),
                                        reason="Chờ vật tư thay thế")
        sweeps.flag_overdue(late)
        sweeps.escalate(late)
        case.refresh_from_db()
        assert case.is_overdue and case.is_escalated and case.manager_notified_at and case.reminded_at is None
        Case.objects.filter(pk=case.pk).update(reminded_at=case.due_at - timedelta(hours=2))
        actions.decide_extension(extension=ext, actor=manager, approve=True)  # now: the new due time is ahead
        case.refresh_from_db()
        assert (case.is_overdue, case.overdue_at, case.is_escalated, case.escalated_at, case.manager_notified_at,
                case.reminded_at) == (False, None, False, None, None, None)
        # reminded again before the new due time
        assert sweeps.send_due_soon_reminders(case.due_at - timedelta(hours=3))["reminded"] == 1

    def test_managers_are_emailed_about_a_request(self, case, officer, manager, django_capture_on_commit_callbacks):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            actions.request_extension(case=case, actor=officer, due_at=case.due_at + timedelta(days=2),
                                      reason="Chờ vật tư")
        assert [m.to for m in mail.outbox] == [["hkm@example.com"]]
        assert case.tracking_code in mail.outbox[0].subject

    def test_refused_extension_keeps_the_due_time(self, case, officer, manager):
        old_due = case.due_at
        ext = actions.request_extension(case=case, actor=officer, due_at=old_due + timedelta(days=2), reason="Thiếu người")
        actions.decide_extension(extension=ext, actor=manager, approve=False)
        case.refresh_from_db()
        assert case.due_at == old_due
        with pytest.raises(ConflictError):
            actions.decide_extension(extension=ext, actor=manager, approve=True)

    def test_one_pending_request_and_a_later_due_time(self, case, officer):
        with pytest.raises(ValidationError):
            actions.request_extension(case=case, actor=officer, due_at=case.due_at - timedelta(hours=1), reason="Sớm hơn?")
        actions.request_extension(case=case, actor=officer, due_at=case.due_at + timedelta(days=1), reason="Lý do một")
        with pytest.raises(ValidationError):
            actions.request_extension(case=case, actor=officer, due_at=case.due_at + timedelta(days=2), reason="Lý do hai")

    def test_manager_of_another_agency_cannot_decide(self, case, officer):
        ext = actions.request_extension(case=case, actor=officer, due_at=case.due_at + timedelta(days=1), reason="Chờ vật tư")
        other_manager = make_staff("sxdm", role=StaffRole.MANAGER, agency_code="so-xay-dung")
        with pytest.raises(PermissionDenied):
            actions.decide_extension(extension=ext, actor=other_manager, approve=True)


class ResolveTests:
    def test_resolve_fixed_with_proof_photo(self, case, officer, django_capture_on_commit_callbacks):
        actions.accept_case(case=case, actor=officer)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            actions.resolve_case(case=case, actor=officer, outcome=Outcome.FIXED, reply="Đã thu gom rác xong.",
                                 proof_photos=[jpeg()])
        case.refresh_from_db()
        assert case.status == CaseStatus.RESOLVED and case.outcome == Outcome.FIXED and case.resolved_at
        photo = CasePhoto.objects.get(case=case)
        assert photo.kind == PhotoKind.PROOF and photo.event.kind == EventKind.RESOLVED
        assert photo.event.note == "Đã thu gom rác xong." and photo.event.is_public
        assert any("Đã thu gom rác xong." in m.body for m in mail.outbox)

    def test_fixed_without_photo_is_refused_when_the_topic_requires_one(self, case, officer):
        with pytest.raises(ValidationError) as err:
            actions.resolve_case(case=case, actor=officer, outcome=Outcome.FIXED, reply="Đã xử lý xong")
        assert "proof_photos" in err.value.message_dict
        assert Case.objects.get(pk=case.pk).status == CaseStatus.ASSIGNED

    def test_topic_may_waive_the_proof_photo(self, case, officer):
        Topic.objects.filter(pk=case.topic_id).update(proof_photo_required=False)
        actions.resolve_case(case=case, actor=officer, outcome=Outcome.FIXED, reply="Đã xử lý xong")
        assert Case.objects.get(pk=case.pk).status == CaseStatus.RESOLVED

    def test_not_fixed_outcome_needs_no_photo_but_a_reply(self, case, officer):
        with pytest.raises(ValidationError):
            actions.resolve_case(case=case, actor=officer, outcome=Outcome.NOT_FIXED_SCHEDULED, reply="")
        actions.resolve_case(case=case, actor=officer, outcome=Outcome.NOT_FIXED_SCHEDULED,
                             reply="Đã đưa vào kế hoạch sửa chữa quý 1")
        case.refresh_from_db()
        assert case.outcome == Outcome.NOT_FIXED_SCHEDULED

    def test_bad_outcome_and_bad_photo_write_nothing(self, case, officer):
        with pytest.raises(ValidationError):
            actions.resolve_case(case=case, actor=officer, outcome=Outcome.SPAM, reply="Không hợp lệ")
        bad = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
        with pytest.raises(ValidationError):
            actions.resolve_case(case=case, actor=officer, outcome=Outcome.FIXED, reply="Đã xong", proof_photos=[bad])
        assert Case.objects.get(pk=case.pk).status == CaseStatus.ASSIGNED and not CasePhoto.objects.exists()


class RejectTests:
    def test_spam_is_rejected_quietly(self, case, officer, django_capture_on_commit_callbacks):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            actions.reject_case(case=case, actor=officer, outcome=Outcome.SPAM, reason="Nội dung quảng cáo")
        case.refresh_from_db()
        assert case.status == CaseStatus.REJECTED and case.outcome == Outcome.SPAM
        assert not Case.objects.public().filter(pk=case.pk).exists()
        assert mail.outbox == []

    def test_not_in_remit_returns_to_the_dispatcher_queue(self, case, officer):
        actions.reject_case(case=case, actor=officer, outcome=Outcome.NOT_IN_REMIT, reason="Thuộc Sở Xây dựng")
        case.refresh_from_db()
        assert case.status == CaseStatus.RECEIVED and case.agency is None and case.outcome == ""
        event = case.events.latest("pk")
        assert event.data["outcome"] == Outcome.NOT_IN_REMIT and event.data["agency"] is not None

    def test_reason_is_required(self, case, officer):
        with pytest.raises(ValidationError):
            actions.reject_case(case=case, actor=officer, outcome=Outcome.SPAM, reason="")


class MergeTests:
    def test_merge_moves_followers_and_they_get_the_answer(self, officer, django_capture_on_commit_callbacks):
        main = make_report(email="first@example.com", description="Rác ở góc phố Hàng Bài")
        dup = make_report(email="second@example.com", description="Rác ở Hàng Bài lâu ngày")
        Support.objects.create(case=dup, email="third@example.com")
        actions.merge_case(case=dup, into=main, actor=officer)
        dup.refresh_from_db()
        main.refresh_from_db()
        assert dup.status == CaseStatus.REJECTED and dup.outcome == Outcome.DUPLICATE and dup.merged_into == main
        assert set(main.supports.values_list("email", flat=True)) == {"second@example.com", "third@example.com"}
        assert main.support_count == 2
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            actions.resolve_case(case=main, actor=officer, outcome=Outcome.FIXED, reply="Đã dọn sạch.",
                                 proof_photos=[jpeg()])
        answered = {m.to[0] for m in mail.outbox if "Đã dọn sạch." in m.body}
        assert answered == {"first@example.com", "second@example.com", "third@example.com"}

    def test_merge_into_an_answered_case_sends_its_answer_at_once(self, officer, django_capture_on_commit_callbacks):
        main = make_report(email="first@example.com")
        actions.resolve_case(case=main, actor=officer, outcome=Outcome.NOT_FIXED_INFEASIBLE,
                             reply="Không thể xử lý vì đất tư nhân.")
        dup = make_report(email="late@example.com")
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            actions.merge_case(case=dup, into=main, actor=officer)
        bodies = [m.body for m in mail.outbox if m.to == ["late@example.com"]]
        assert any("Không thể xử lý vì đất tư nhân." in b for b in bodies)
        assert not any(m.to == ["first@example.com"] for m in mail.outbox)

    def test_cannot_merge_into_itself_or_an_invisible_case(self, case, officer):
        with pytest.raises(ValidationError):
            actions.merge_case(case=case, into=case, actor=officer)
        elsewhere = make_report(topic_code="public-lighting")  # Hapulico's case
        with pytest.raises(ValidationError):
            actions.merge_case(case=case, into=elsewhere, actor=officer)
        assert Case.objects.get(pk=case.pk).status == CaseStatus.ASSIGNED


class AssignOfficerTests:
    def test_manager_assigns_in_bulk(self, manager, officer):
        cases = [make_report(), make_report()]
        assert actions.assign_officer(cases=cases, officer=officer, actor=manager) == 2
        assert Case.objects.filter(assigned_officer=officer).count() == 2
        assert actions.assign_officer(cases=cases, officer=officer, actor=manager) == 0

    def test_officer_may_only_take_cases_themself(self, officer):
        colleague = make_staff("hk2")
        case = make_report()
        with pytest.raises(PermissionDenied):
            actions.assign_officer(cases=[case], officer=colleague, actor=officer)
        assert actions.assign_officer(cases=[case], officer=officer, actor=officer) == 1

    def test_all_or_nothing_when_one_case_is_foreign(self, manager, officer):
        mine, foreign = make_report(), make_report(topic_code="public-lighting")
        with pytest.raises(PermissionDenied):
            actions.assign_officer(cases=[mine, foreign], officer=officer, actor=manager)
        assert not Case.objects.filter(assigned_officer=officer).exists()

    def test_officer_of_another_agency_cannot_be_given_the_case(self, manager, other_officer):
        with pytest.raises(ValidationError):
            actions.assign_officer(cases=[make_report()], officer=other_officer, actor=manager)


class CloseTests:
    def test_system_closes_a_resolved_case(self, case, officer):
        actions.resolve_case(case=case, actor=officer, outcome=Outcome.NOT_FIXED_SCHEDULED, reply="Đã lên lịch xử lý")
        actions.close_case(case=case, note="Quiet period over")
        case.refresh_from_db()
        assert case.status == CaseStatus.CLOSED and case.closed_at
        assert case.events.latest("pk").actor_label == "system"

    def test_the_agency_cannot_close_a_resolved_case_while_the_citizen_may_reopen_it(self, case, officer):
        actions.resolve_case(case=case, actor=officer, outcome=Outcome.NOT_FIXED_SCHEDULED, reply="Đã lên lịch xử lý")
        with pytest.raises(ValidationError):
            actions.close_case(case=case, actor=officer)
        case.refresh_from_db()
        assert case.status == CaseStatus.RESOLVED

    def test_open_case_cannot_be_closed(self, case, officer):
        with pytest.raises(TransitionError):
            actions.close_case(case=case, actor=officer)


class InactiveAgencyTests:
    """An inactive agency never gets a case: ValidationError with a translated message, nothing written."""

    @pytest.fixture
    def closed_agency(self):
        Agency.objects.filter(code="so-xay-dung").update(is_active=False)
        return Agency.objects.get(code="so-xay-dung")

    @staticmethod
    def snapshot(case):
        case = Case.objects.get(pk=case.pk)
        return case.status, case.agency_id, case.version, case.events.count(), case.outbox.count()

    def test_assign_case_refuses_an_inactive_agency(self, dispatcher, closed_agency):
        from feedback.services import assign_case

        case = make_report(lat=20.40, lon=105.90, address="Ngoài ranh giới")
        before = self.snapshot(case)
        with translation.override("en"), pytest.raises(ValidationError) as exc:
            assign_case(case=case, agency=closed_agency, actor=dispatcher)
        assert exc.value.message_dict == {"agency": ["This agency is inactive."]}
        assert self.snapshot(case) == before

    def test_dispatch_and_transfer_refuse_an_inactive_agency(self, dispatcher, officer, case, closed_agency):
        queued = make_report(lat=20.40, lon=105.90, address="Ngoài ranh giới")
        before = self.snapshot(queued), self.snapshot(case)
        with pytest.raises(ValidationError) as exc:
            actions.dispatch_case(case=queued, agency=closed_agency, actor=dispatcher)
        assert list(exc.value.message_dict) == ["agency"]
        with pytest.raises(ValidationError) as exc:
            actions.transfer_case(case=case, actor=officer, to_agency=closed_agency, reason="Thuộc Sở Xây dựng")
        assert list(exc.value.message_dict) == ["to_agency"]
        assert (self.snapshot(queued), self.snapshot(case)) == before
