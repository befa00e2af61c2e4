import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from agencies.models import Agency, RoutingRule, StaffRole, Topic
from feedback.lifecycle import CaseStatus, EventKind
from feedback.services.rerouting import correct_location, correct_topic
from feedback.services import ConflictError, TransitionError, transition_case
from tests.factories import make_report, make_staff

pytestmark = pytest.mark.django_db
HAPULICO = "Công ty TNHH MTV Chiếu sáng và Thiết bị đô thị (Hapulico)"  # shown by its official name

BA_DINH = (21.0368, 105.8347)  # Hồ Chí Minh Mausoleum, ward 00004
OUTSIDE = (20.40, 105.90)


@pytest.fixture
def dispatcher():
    return make_staff("dispatcher", role=StaffRole.DISPATCHER, agency_code=None)


def _kinds(case):
    return list(case.events.order_by("pk").values_list("kind", flat=True))


class CorrectLocationTests:
    def test_new_ward_moves_the_case_with_fresh_clocks(self, dispatcher, django_capture_on_commit_callbacks):
        case = make_report(topic_code="waste")  # Hoàn Kiếm → UBND Hoàn Kiếm
        old_accept_due, version = case.accept_due_at, case.version
        with django_capture_on_commit_callbacks(execute=True):
            updated = correct_location(case=case, actor=dispatcher, lat=BA_DINH[0], lon=BA_DINH[1])
        assert case.agency.code == "ubnd-00004" and case.ward.code == "00004"  # the caller's instance too
        case.refresh_from_db()
        assert updated.pk == case.pk and case.version == version + 1
        assert case.ward.code == "00004" and case.agency.code == "ubnd-00004"
        assert case.status == CaseStatus.ASSIGNED
        assert (case.latitude, case.longitude) == BA_DINH
        assert case.accept_due_at >= old_accept_due and case.assigned_at > case.received_at
        assert case.routing_reason.startswith("ward 00004 Ba Đình by point; rule #")
        assert _kinds(case)[-2:] == [EventKind.LOCATION_CHANGED, EventKind.REROUTED]
        moved = case.events.get(kind=EventKind.LOCATION_CHANGED)
        assert moved.actor == dispatcher
        assert (moved.data["from"]["ward"], moved.data["to"]["ward"]) == ("00070", "00004")
        rerouted = case.events.get(kind=EventKind.REROUTED)
        assert rerouted.note == case.routing_reason and rerouted.is_public is False
        assert rerouted.from_status == rerouted.to_status == CaseStatus.ASSIGNED
        assert rerouted.data["from_agency"] == Agency.objects.get(code="ubnd-00070").pk
        assert [case.tracking_code in m.subject for m in mail.outbox] == [True]  # "assigned" to the new agency

    def test_in_progress_case_goes_back_to_assigned_for_the_new_agency(self, dispatcher):
        case = make_report(topic_code="waste")
        officer = make_staff("officer-hk")
        transition_case(case=case, to=CaseStatus.IN_PROGRESS, actor=officer, kind=EventKind.ACCEPTED,
                        assigned_officer=officer)
        correct_location(case=case, actor=dispatcher, lat=BA_DINH[0], lon=BA_DINH[1])
        case.refresh_from_db()
        assert case.status == CaseStatus.ASSIGNED and case.assigned_officer is None
        assert case.agency.code == "ubnd-00004"

    def test_same_agency_keeps_status_and_clocks(self, dispatcher):
        case = make_report(topic_code="public-lighting")  # Hapulico, city-wide
        accept_due, due = case.accept_due_at, case.due_at
        correct_location(case=case, actor=dispatcher, lat=BA_DINH[0], lon=BA_DINH[1])
        assert case.ward.code == "00004"
        case.refresh_from_db()
        assert case.agency.code == "chieu-sang-hapulico" and case.ward.code == "00004"
        assert (case.accept_due_at, case.due_at) == (accept_due, due)
        assert case.events.get(kind=EventKind.REROUTED).note.endswith(f"→ {HAPULICO} (unchanged)")

    def test_location_outside_the_city_sends_the_case_to_the_queue(self, dispatcher):
        case = make_report(topic_code="waste")
        correct_location(case=case, actor=dispatcher, lat=OUTSIDE[0], lon=OUTSIDE[1])
        case.refresh_from_db()
        assert case.status == CaseStatus.RECEIVED and case.agency is None and case.ward is None
        assert case.assigned_at is None and case.accept_due_at is None and case.due_at is not None
        event = case.events.get(kind=EventKind.REROUTED)
        assert event.note == "no ward by point → dispatcher queue" and event.to_status == CaseStatus.RECEIVED

    def test_queued_case_gets_routed_once_its_location_is_known(self, dispatcher):
        case = make_report(topic_code="waste", lat=None, lon=None, address="12 Hàng Bài")
        assert case.status == CaseStatus.RECEIVED
        correct_location(case=case, actor=dispatcher, lat=None, lon=None, address="12 Hàng Bài, P. Hoàn Kiếm")
        case.refresh_from_db()
        assert case.status == CaseStatus.ASSIGNED and case.agency.code == "ubnd-00070"
        assert case.routing_reason.startswith("ward 00070 Hoàn Kiếm by address")

    def test_queued_case_that_stays_unroutable_stays_queued(self, dispatcher):
        case = make_report(topic_code="waste", lat=OUTSIDE[0], lon=OUTSIDE[1])
        correct_location(case=case, actor=dispatcher, lat=20.41, lon=105.91)
        case.refresh_from_db()
        assert case.status == CaseStatus.RECEIVED and case.agency is None
        assert _kinds(case)[-2:] == [EventKind.LOCATION_CHANGED, EventKind.REROUTED]

    def test_pin_correction_keeps_the_citizens_address(self, dispatcher):
        case = make_report(topic_code="waste", address="Bờ hồ")
        correct_location(case=case, actor=dispatcher, lat=BA_DINH[0], lon=BA_DINH[1])
        case.refresh_from_db()
        assert case.address == "Bờ hồ"

    def test_unchanged_location_is_refused(self, dispatcher):
        case = make_report(topic_code="waste")
        with pytest.raises(ValidationError):
            correct_location(case=case, actor=dispatcher, lat=case.latitude, lon=case.longitude)
        with pytest.raises(ValidationError):
            correct_location(case=case, actor=dispatcher, lat=None, lon=None, address="")
        assert _kinds(case) == [EventKind.SUBMITTED, EventKind.ROUTED]


class CorrectTopicTests:
    def test_city_level_topic_moves_the_case_to_the_utility(self, dispatcher):
        case = make_report(topic_code="waste")
        correct_topic(case=case, actor=dispatcher, topic=Topic.objects.get(code="public-lighting"))
        case.refresh_from_db()
        rule = RoutingRule.objects.get(topic__code="public-lighting", ward=None)
        assert case.topic.code == "public-lighting" and case.agency.code == "chieu-sang-hapulico"
        assert case.routing_reason == (
            f"ward 00070 Hoàn Kiếm by point; rule #{rule.pk} topic=public-lighting city-wide → {HAPULICO}"
        )
        assert _kinds(case)[-2:] == [EventKind.TOPIC_CHANGED, EventKind.REROUTED]
        assert case.events.get(kind=EventKind.TOPIC_CHANGED).note == "waste → public-lighting"

    def test_urgent_topic_takes_its_urgency_and_shorter_due_time(self, dispatcher):
        case = make_report(topic_code="trees")
        due = case.due_at
        correct_topic(case=case, actor=dispatcher, topic=Topic.objects.get(code="fallen-tree"))
        case.refresh_from_db()
        assert case.urgency == "urgent" and case.agency.code == "cong-vien-cay-xanh"
        assert case.due_at < due  # 4 working hours instead of 3 working days

    def test_topic_without_a_rule_sends_the_case_to_the_queue(self, dispatcher):
        case = make_report(topic_code="waste")
        RoutingRule.objects.filter(topic__code="trees").update(is_active=False)
        correct_topic(case=case, actor=dispatcher, topic=Topic.objects.get(code="trees"))
        case.refresh_from_db()
        assert case.status == CaseStatus.RECEIVED and case.agency is None
        assert case.routing_reason.endswith("no rule for topic=trees → dispatcher queue")

    def test_same_or_inactive_topic_is_refused(self, dispatcher):
        case = make_report(topic_code="waste")
        with pytest.raises(ValidationError):
            correct_topic(case=case, actor=dispatcher, topic=case.topic)
        inactive = Topic.objects.get(code="other")
        inactive.is_active = False
        inactive.save()
        with pytest.raises(ValidationError):
            correct_topic(case=case, actor=dispatcher, topic=inactive)


class ReroutingPermissionTests:
    def test_officer_of_another_agency_may_not_correct(self):
        case = make_report(topic_code="waste")  # UBND Hoàn Kiếm's case
        other = make_staff("officer-bd", agency_code="ubnd-00004")
        with pytest.raises(PermissionDenied):
            correct_topic(case=case, actor=other, topic=Topic.objects.get(code="trees"))
        assert _kinds(case) == [EventKind.SUBMITTED, EventKind.ROUTED]

    def test_officer_of_the_cases_agency_may_correct(self):
        case = make_report(topic_code="waste")
        officer = make_staff("officer-hk")
        correct_topic(case=case, actor=officer, topic=Topic.objects.get(code="trees"))
        case.refresh_from_db()
        assert case.agency.code == "cong-vien-cay-xanh"
        assert case.events.get(kind=EventKind.REROUTED).actor == officer

    def test_reporter_and_anonymous_may_not_correct(self, django_user_model):
        from django.contrib.auth.models import AnonymousUser

        citizen = django_user_model.objects.create_user("citizen")
        case = make_report(topic_code="waste")
        case.reporter = citizen
        case.save()
        for actor in (citizen, AnonymousUser()):
            with pytest.raises(PermissionDenied):
                correct_location(case=case, actor=actor, lat=BA_DINH[0], lon=BA_DINH[1])

    def test_stale_version_and_closed_cases_are_refused(self, dispatcher):
        case = make_report(topic_code="waste")
        with pytest.raises(ConflictError):
            correct_location(case=case, actor=dispatcher, lat=BA_DINH[0], lon=BA_DINH[1],
                             expected_version=case.version - 1)
        transition_case(case=case, to=CaseStatus.REJECTED, actor=dispatcher, kind=EventKind.REJECTED,
                        outcome="spam")
        with pytest.raises(TransitionError):
            correct_location(case=case, actor=dispatcher, lat=BA_DINH[0], lon=BA_DINH[1])
