"""Routing that learns from transfers (agencies/learning.py): the nightly task, the admin decision, the audit."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies import learning
from agencies.models import (Agency, RoutingRule, RoutingSuggestion, RoutingSuggestionDecision, RoutingTarget,
                             SuggestionStatus, Topic, Ward)
from agencies.tasks import suggest_routing_rules
from feedback.services import case_actions
from feedback.models import Case
from tests.factories import make_report, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def thresholds(settings):
    settings.ROUTING_SUGGEST_MIN_TRANSFERS = 3
    settings.ROUTING_SUGGEST_WINDOW_DAYS = 90
    settings.ROUTING_SUGGEST_MIN_SHARE = 0.5


@pytest.fixture
def officer():
    return make_staff("officer-hk")  # of ubnd-00070, where the seed sends waste reports of Hoàn Kiếm


@pytest.fixture
def urenco():
    return Agency.objects.get(code="urenco")


def _moved(n: int, *, officer, to: Agency, kept: int = 0) -> list[Case]:
    """n waste reports of Hoàn Kiếm moved by the ward's officer to `to` (the real transfer service), and `kept`
    more that stay with the ward."""
    cases = [make_report() for _ in range(n + kept)]
    assert {c.agency.code for c in cases} == {"ubnd-00070"}
    for case in cases[:n]:
        case_actions.transfer_case(case=case, actor=officer, to_agency=to, reason="Thuộc URENCO")
    return cases


def _only_suggestion() -> RoutingSuggestion:
    (suggestion,) = RoutingSuggestion.objects.all()
    return suggestion


class SuggestTaskTests:
    def test_repeated_transfers_make_one_suggestion_with_the_counts(self, officer, urenco):
        cases = _moved(4, officer=officer, to=urenco, kept=1)
        assert suggest_routing_rules.apply().get() == 1
        s = _only_suggestion()
        assert (s.topic.code, s.ward.code, s.from_agency.code, s.to_agency) == ("waste", "00070", "ubnd-00070",
                                                                                 urenco)
        assert (s.transfer_count, s.case_count, s.status) == (4, 5, SuggestionStatus.OPEN)
        assert sorted(s.case_ids) == sorted(c.pk for c in cases[:4])

    def test_below_the_minimum_of_transfers_nothing_is_suggested(self, officer, urenco):
        _moved(2, officer=officer, to=urenco)
        suggest_routing_rules.apply().get()
        assert not RoutingSuggestion.objects.exists()

    def test_below_the_minimum_share_of_the_cells_cases_nothing_is_suggested(self, officer, urenco):
        _moved(3, officer=officer, to=urenco, kept=4)  # 3 of 7
        suggest_routing_rules.apply().get()
        assert not RoutingSuggestion.objects.exists()

    def test_transfers_before_the_window_do_not_count(self, officer, urenco, settings):
        _moved(3, officer=officer, to=urenco)
        assert learning.transfer_patterns(now=timezone.now() + timedelta(days=91)) == []
        assert len(learning.transfer_patterns(now=timezone.now() + timedelta(days=89))) == 1

    def test_a_pattern_an_active_rule_covers_is_not_suggested(self, officer, urenco):
        _moved(3, officer=officer, to=urenco)
        RoutingRule.objects.create(topic=Topic.objects.get(code="waste"), ward=Ward.objects.get(code="00070"),
                                   agency=urenco, priority=50)
        suggest_routing_rules.apply().get()
        assert not RoutingSuggestion.objects.exists()

    def test_running_again_updates_the_same_row(self, officer, urenco):
        _moved(3, officer=officer, to=urenco)
        learning.refresh_suggestions()
        first = _only_suggestion()
        _moved(1, officer=officer, to=urenco)
        learning.refresh_suggestions()
        again = _only_suggestion()
        assert again.pk == first.pk and again.transfer_count == 4

    def test_the_aggregation_is_one_query_whatever_the_number_of_transfers(self, officer, urenco,
                                                                          django_assert_num_queries):
        _moved(3, officer=officer, to=urenco)
        with django_assert_num_queries(1):
            assert len(learning.transfer_patterns()) == 1
        _moved(5, officer=officer, to=Agency.objects.get(code="so-xay-dung"))
        with django_assert_num_queries(1):
            assert len(learning.transfer_patterns(min_share=0.3)) == 2

    def test_the_command_runs_the_same(self, officer, urenco):
        from django.core.management import call_command

        _moved(3, officer=officer, to=urenco)
        call_command("suggest_routing_rules")
        assert _only_suggestion().transfer_count == 3


@pytest.fixture
def admin_client_en(admin_client):
    admin_client.cookies["django_language"] = "en"
    return admin_client


def _url(name, suggestion):
    return reverse(f"admin:agencies_routingsuggestion_{name}", args=[suggestion.pk])


class AdminDecisionTests:
    def test_the_change_page_shows_the_evidence_and_the_buttons(self, officer, urenco, admin_client_en):
        cases = _moved(3, officer=officer, to=urenco)
        learning.refresh_suggestions()
        page = admin_client_en.get(_url("change", _only_suggestion())).content.decode()
        assert reverse("admin:feedback_case_change", args=[cases[0].pk]) in page
        assert "Create this routing rule" in page and "Why dismiss it?" in page

    def test_accepting_makes_the_rule_logs_who_and_new_reports_go_to_the_new_agency(
            self, officer, urenco, admin_client_en, admin_user):
        _moved(3, officer=officer, to=urenco)
        learning.refresh_suggestions()
        suggestion = _only_suggestion()
        response = admin_client_en.post(_url("accept", suggestion))
        assert response.status_code == 302
        rule = RoutingRule.objects.get(topic__code="waste", ward__code="00070", agency=urenco, is_active=True)
        assert rule.target == RoutingTarget.AGENCY
        suggestion.refresh_from_db()
        assert suggestion.status == SuggestionStatus.ACCEPTED and suggestion.rule == rule
        decision = RoutingSuggestionDecision.objects.get(suggestion=suggestion)
        assert decision.actor == admin_user and decision.rule == rule
        assert decision.evidence["transfer_count"] == 3 and len(decision.evidence["case_ids"]) == 3
        from django.contrib.admin.models import LogEntry

        assert LogEntry.objects.get(object_id=str(rule.pk), content_type__model="routingrule").user == admin_user
        assert make_report().agency == urenco  # through submit_report
        learning.refresh_suggestions()  # covered by the rule now: nothing new is offered
        assert RoutingSuggestion.objects.open().count() == 0

    def test_the_new_rule_wins_over_the_wards_own_rule(self, officer, urenco, admin_client_en):
        # as in a commune, where a ward rule sends lighting to the commune committee
        own = RoutingRule.objects.create(topic=Topic.objects.get(code="waste"), ward=Ward.objects.get(code="00070"),
                                         target=RoutingTarget.WARD_COMMITTEE, priority=100)
        _moved(3, officer=officer, to=urenco)
        learning.refresh_suggestions()
        admin_client_en.post(_url("accept", _only_suggestion()))
        rule = _only_suggestion().rule
        assert rule.priority < own.priority
        assert make_report().agency == urenco

    def test_accepting_twice_makes_one_rule(self, officer, urenco, admin_client_en):
        _moved(3, officer=officer, to=urenco)
        learning.refresh_suggestions()
        suggestion = _only_suggestion()
        admin_client_en.post(_url("accept", suggestion))
        response = admin_client_en.post(_url("accept", suggestion), follow=True)
        assert "already decided" in response.content.decode()
        assert RoutingRule.objects.filter(topic__code="waste", ward__code="00070", agency=urenco).count() == 1

    def test_a_get_does_not_accept(self, officer, urenco, admin_client_en):
        _moved(3, officer=officer, to=urenco)
        learning.refresh_suggestions()
        assert admin_client_en.get(_url("accept", _only_suggestion())).status_code == 405
        assert not RoutingRule.objects.filter(agency=urenco, ward__code="00070").exists()

    def test_staff_without_the_rule_permission_may_not_accept(self, officer, urenco, client):
        _moved(3, officer=officer, to=urenco)
        learning.refresh_suggestions()
        client.force_login(officer)
        response = client.post(_url("accept", _only_suggestion()))
        assert response.status_code == 403
        assert not RoutingRule.objects.filter(agency=urenco, ward__code="00070").exists()
        assert _only_suggestion().status == SuggestionStatus.OPEN

    def test_dismiss_hides_it_until_the_pattern_grows(self, officer, urenco, admin_client_en, admin_user):
        _moved(3, officer=officer, to=urenco)
        learning.refresh_suggestions()
        suggestion = _only_suggestion()
        assert admin_client_en.post(_url("dismiss", suggestion), {"reason": ""}).status_code == 302
        assert _only_suggestion().status == SuggestionStatus.OPEN  # a reason is required
        admin_client_en.post(_url("dismiss", suggestion), {"reason": "Chỉ là đợt ra quân tháng này"})
        decision = RoutingSuggestionDecision.objects.get(suggestion=suggestion)
        assert (decision.actor, decision.reason) == (admin_user, "Chỉ là đợt ra quân tháng này")
        learning.refresh_suggestions()
        assert RoutingSuggestion.objects.open().count() == 0
        changelist = admin_client_en.get(reverse("admin:agencies_routingsuggestion_changelist")
                                         + "?status__exact=open").content.decode()
        assert "0 suggested routing rules" in changelist
        _moved(1, officer=officer, to=urenco)  # the pattern grows: offered again
        learning.refresh_suggestions()
        assert _only_suggestion().status == SuggestionStatus.OPEN and _only_suggestion().transfer_count == 4

    def test_the_page_is_in_vietnamese_by_default(self, officer, urenco, admin_client):
        _moved(3, officer=officer, to=urenco)
        learning.refresh_suggestions()
        page = admin_client.get(_url("change", _only_suggestion())).content.decode()
        assert "Tạo quy tắc phân luồng này" in page and "Vì sao bỏ qua?" in page


def test_the_task_runs_nightly(settings):
    from ihanoi.celery_app import app

    entry = settings.CELERY_BEAT_SCHEDULE["suggest-routing-rules"]
    assert entry["task"] == "agencies.tasks.suggest_routing_rules"
    assert entry["task"] in app.tasks
