import pytest
from django.core import mail

from agencies.models import Agency, RoutingRule, RoutingTarget, Topic, Ward
from agencies.routing import explain, route
from feedback.lifecycle import CaseStatus, EventKind
from feedback.services import assign_case
from tests.factories import make_report, make_staff

pytestmark = pytest.mark.django_db
HAPULICO = "Công ty TNHH MTV Chiếu sáng và Thiết bị đô thị (Hapulico)"  # shown by its official name


@pytest.fixture
def hoan_kiem_ward():
    return Ward.objects.get(code="00070")


def _rule(topic, **kwargs):
    rule = RoutingRule(topic=topic, **kwargs)
    rule.full_clean()
    rule.save()
    return rule


class RulePrecedenceTests:
    def test_city_level_topic_goes_to_its_utility_with_the_reason(self, hoan_kiem_ward):
        topic = Topic.objects.get(code="public-lighting")
        decision = route(topic=topic, ward=hoan_kiem_ward)
        rule = RoutingRule.objects.get(topic=topic, ward=None)
        assert decision.agency.code == "chieu-sang-hapulico"
        assert decision.reason == (
            f"ward 00070 Hoàn Kiếm by point; rule #{rule.pk} topic=public-lighting city-wide → {HAPULICO}"
        )

    def test_ward_level_topic_goes_to_the_wards_committee(self):
        ward = Ward.objects.get(code="09574")
        decision = route(topic=Topic.objects.get(code="waste"), ward=ward)
        assert decision.agency.code == "ubnd-09574"
        assert decision.reason.endswith("city-wide → UBND Phường Sơn Tây")

    def test_ward_specific_rule_beats_city_wide_even_with_a_worse_priority(self, hoan_kiem_ward):
        topic = Topic.objects.get(code="public-lighting")
        _rule(topic, ward=hoan_kiem_ward, priority=500, target=RoutingTarget.WARD_COMMITTEE)
        decision = route(topic=topic, ward=hoan_kiem_ward)
        assert decision.agency.code == "ubnd-00070"
        assert f"rule #{decision.rule.pk} topic=public-lighting ward 00070 → UBND Phường Hoàn Kiếm" in decision.reason
        # other wards keep the city-wide rule
        assert route(topic=topic, ward=Ward.objects.get(code="00004")).agency.code == "chieu-sang-hapulico"

    def test_lower_priority_wins_among_equally_specific_rules(self, hoan_kiem_ward):
        topic = Topic.objects.get(code="waste")
        urenco, evn = Agency.objects.get(code="urenco"), Agency.objects.get(code="evn-hanoi")
        _rule(topic, ward=hoan_kiem_ward, priority=20, agency=evn)
        best = _rule(topic, ward=hoan_kiem_ward, priority=10, agency=urenco)
        assert route(topic=topic, ward=hoan_kiem_ward).rule == best
        city_better = _rule(topic, priority=1, agency=evn)
        assert route(topic=topic, ward=Ward.objects.get(code="00004")).rule == city_better
        assert route(topic=topic, ward=hoan_kiem_ward).rule == best

    def test_inactive_rules_are_ignored(self, hoan_kiem_ward):
        topic = Topic.objects.get(code="waste")
        _rule(topic, ward=hoan_kiem_ward, priority=1, agency=Agency.objects.get(code="urenco"), is_active=False)
        assert route(topic=topic, ward=hoan_kiem_ward).agency.code == "ubnd-00070"


class DispatcherQueueTests:
    def test_no_ward_goes_to_the_queue(self):
        decision = route(topic=Topic.objects.get(code="waste"), ward=None)
        assert decision.queued and decision.reason == "no ward by point → dispatcher queue"

    def test_no_rule_goes_to_the_queue(self, hoan_kiem_ward):
        topic = Topic.objects.get(code="trees")
        RoutingRule.objects.filter(topic=topic).update(is_active=False)
        decision = route(topic=topic, ward=hoan_kiem_ward)
        assert decision.queued
        assert decision.reason == "ward 00070 Hoàn Kiếm by point; no rule for topic=trees → dispatcher queue"

    def test_inactive_agency_goes_to_the_queue(self, hoan_kiem_ward):
        Agency.objects.filter(code="chieu-sang-hapulico").update(is_active=False)
        decision = route(topic=Topic.objects.get(code="public-lighting"), ward=hoan_kiem_ward)
        assert decision.queued and decision.reason.endswith(f"→ {HAPULICO} is inactive → dispatcher queue")

    def test_inactive_ward_committee_goes_to_the_queue(self, hoan_kiem_ward):
        Agency.objects.filter(code="ubnd-00070").update(is_active=False)
        case = make_report(topic_code="waste")
        assert case.agency is None and case.status == CaseStatus.RECEIVED
        queued = case.events.get(kind=EventKind.QUEUED)
        assert queued.note == case.routing_reason
        assert queued.note.endswith("→ UBND Phường Hoàn Kiếm is inactive → dispatcher queue")

    def test_point_outside_the_city_is_queued_with_its_reason(self):
        case = make_report(lat=20.40, lon=105.90)
        assert case.ward is None and case.agency is None and case.status == CaseStatus.RECEIVED
        assert case.events.get(kind=EventKind.QUEUED).note == "no ward by point → dispatcher queue"

    def test_dispatcher_assigns_a_queued_case_and_it_is_logged(self, django_capture_on_commit_callbacks):
        case = make_report(lat=20.40, lon=105.90)
        dispatcher = make_staff("dieu-phoi", role="dispatcher", agency_code=None)
        agency = Agency.objects.get(code="ubnd-00070")
        with django_capture_on_commit_callbacks(execute=True):
            assign_case(case=case, agency=agency, actor=dispatcher, note="Hồ Gươm, phường Hoàn Kiếm")
        case.refresh_from_db()
        assert case.status == CaseStatus.ASSIGNED and case.agency == agency
        event = case.events.get(kind=EventKind.ASSIGNED)
        assert event.actor == dispatcher and event.note == "Hồ Gươm, phường Hoàn Kiếm"
        assert any(case.tracking_code in m.subject for m in mail.outbox)


class SubmitRoutingTests:
    def test_routed_event_carries_the_reason(self):
        case = make_report(topic_code="public-lighting")
        rule = RoutingRule.objects.get(topic__code="public-lighting", ward=None)
        expected = f"ward 00070 Hoàn Kiếm by point; rule #{rule.pk} topic=public-lighting city-wide → {HAPULICO}"
        assert case.routing_reason == expected
        event = case.events.get(kind=EventKind.ROUTED)
        assert event.note == expected
        assert (event.data["rule"], event.data["agency"]) == (rule.pk, case.agency_id)
        assert explain(event.data["routing"], translate=False) == expected  # the steps it is shown from

    @pytest.mark.parametrize("place, lat, lon, code", [
        ("Hoàn Kiếm Lake", 21.0288, 105.8525, "00070"),
        ("Nội Bài airport", 21.2187, 105.8050, "00433"),
        ("Mỹ Đình stadium", 21.0205, 105.7640, "00592"),
    ])
    def test_reports_at_landmarks_reach_the_wards_committee(self, place, lat, lon, code):
        case = make_report(topic_code="waste", lat=lat, lon=lon)
        assert case.ward.code == code and case.agency.code == f"ubnd-{code}"


class AddressOnlyReportTests:
    def test_address_naming_a_ward_is_routed_by_address(self):
        case = make_report(topic_code="waste", lat=None, lon=None, address="12 Hàng Bài, P. Hoàn Kiếm, Hà Nội")
        case.refresh_from_db()
        assert case.latitude is None and case.address == "12 Hàng Bài, P. Hoàn Kiếm, Hà Nội"
        assert case.ward.code == "00070" and case.agency.code == "ubnd-00070"
        assert case.status == CaseStatus.ASSIGNED
        assert case.routing_reason.startswith("ward 00070 Hoàn Kiếm by address; rule #")

    def test_address_without_a_ward_is_kept_and_queued(self):
        case = make_report(topic_code="waste", lat=None, lon=None, address="12 Hàng Bài, Hoàn Kiếm")
        case.refresh_from_db()
        assert case.address == "12 Hàng Bài, Hoàn Kiếm"
        assert case.ward is None and case.agency is None and case.status == CaseStatus.RECEIVED
        assert case.routing_reason == "no ward by address → dispatcher queue"
        assert case.events.get(kind=EventKind.QUEUED).note == case.routing_reason
