"""Isolation matrix: an officer of agency A against a case of agency B on every staff surface.

Every page, action, admin view and list answers 404 (or 403) and nothing of B's case leaks in lists, counts
or search. The same officer's own case works, so the tests cannot pass by everything being refused.
"""
from datetime import timedelta

import pytest
from django.urls import reverse

from agencies.models import StaffRole
from feedback.services import case_actions as actions
from feedback.models import Case, CaseEvent, DeadlineExtension
from tests.factories import make_report, make_staff

pytestmark = pytest.mark.django_db

CASE_ACTIONS = ["accept", "reply", "note", "transfer", "dispatch", "extension", "resolve", "reject", "merge",
                "close", "assign"]


@pytest.fixture
def world():
    officer_a = make_staff("hk1")  # UBND Phường Hoàn Kiếm
    officer_b = make_staff("hapu1", agency_code="chieu-sang-hapulico")
    manager_b = make_staff("hapum", role=StaffRole.MANAGER, agency_code="chieu-sang-hapulico")
    case_a = make_report(topic_code="waste", description="Rác ở ngõ Hàng Bài bên A")
    case_b = make_report(topic_code="public-lighting", description="Đèn đường hỏng bí mật bên B")
    ext_b = actions.request_extension(case=case_b, actor=officer_b, due_at=case_b.due_at + timedelta(days=3),
                                      reason="Chờ bóng đèn")
    return {"a": officer_a, "b": officer_b, "mb": manager_b, "case_a": case_a, "case_b": case_b, "ext_b": ext_b}


def post_data(case, action):
    return {"version": case.version, "reply-text": "Xin chào", "note-text": "Ghi chú", "text": "Xin chào",
            "reason": "Lý do chuyển", "to_agency": "", "agency": case.agency_id or "", "outcome": "spam",
            "reply": "Đã xử lý", "into": "HN-0000-XXXX", "note": "", "officer": "", "approve": "1",
            "due_at": "2030-01-01T10:00"}


def snapshot(case):
    case = Case.objects.get(pk=case.pk)
    return (case.status, case.version, case.agency_id, case.assigned_officer_id, case.due_at, case.events.count())


class StaffPagesIsolationTests:
    def test_case_page_of_another_agency_is_404(self, client, world):
        client.force_login(world["a"])
        assert client.get(reverse("staff:case", args=[world["case_b"].tracking_code])).status_code == 404
        assert client.get(reverse("staff:case", args=[world["case_a"].tracking_code])).status_code == 200

    @pytest.mark.parametrize("action", CASE_ACTIONS)
    def test_every_action_on_another_agencys_case_is_refused_and_changes_nothing(self, client, world, action):
        client.force_login(world["a"])
        case_b = world["case_b"]
        before = snapshot(case_b)
        response = client.post(reverse("staff:case_action", args=[case_b.tracking_code, action]),
                               post_data(case_b, action))
        assert response.status_code in (403, 404)
        assert snapshot(case_b) == before

    def test_queue_counts_and_search_show_nothing_of_agency_b(self, client, world):
        client.force_login(world["a"])
        code_b = world["case_b"].tracking_code
        link_b = reverse("staff:case", args=[code_b])
        for params in ({}, {"q": code_b}, {"q": "bí mật"}, {"status": "assigned"}, {"overdue": "on"}):
            response = client.get(reverse("staff:queue"), params)
            body = response.content.decode()
            assert link_b not in body and "hỏng bí mật bên B" not in body
            assert world["case_b"] not in list(response.context["page"])
        page = client.get(reverse("staff:queue"))
        assert page.context["counts"]["open"] == 1 and page.context["counts"]["assigned"] == 1
        assert page.context["counts"]["pending_extensions"] == 0
        assert [c.pk for c in page.context["page"]] == [world["case_a"].pk]

    def test_extension_of_another_agency_is_not_listed_nor_decidable(self, client, world):
        client.force_login(world["a"])
        assert "Chờ bóng đèn" not in client.get(reverse("staff:extensions")).content.decode()
        response = client.post(reverse("staff:decide_extension", args=[world["ext_b"].pk]), {"approve": "1"})
        assert response.status_code == 404
        assert DeadlineExtension.objects.get(pk=world["ext_b"].pk).status == "pending"

    def test_officer_of_the_same_agency_cannot_decide_an_extension(self, client, world):
        client.force_login(world["b"])
        response = client.post(reverse("staff:decide_extension", args=[world["ext_b"].pk]), {"approve": "1"})
        assert response.status_code == 403
        client.force_login(world["mb"])
        client.post(reverse("staff:decide_extension", args=[world["ext_b"].pk]), {"approve": "1"})
        assert DeadlineExtension.objects.get(pk=world["ext_b"].pk).status == "approved"

    def test_bulk_assign_ignores_a_foreign_case(self, client, world):
        client.force_login(world["a"])
        before = snapshot(world["case_b"])
        client.post(reverse("staff:bulk_assign"), {"cases": [world["case_b"].pk], "officer": world["a"].pk})
        assert snapshot(world["case_b"]) == before

    def test_merge_into_a_foreign_case_is_refused(self, english, world):
        client = english
        client.force_login(world["a"])
        case_a = world["case_a"]
        response = client.post(reverse("staff:case_action", args=[case_a.tracking_code, "merge"]),
                               {"version": case_a.version, "into": world["case_b"].tracking_code})
        assert response.status_code == 400
        assert "No case with this tracking code." in response.content.decode()
        assert Case.objects.get(pk=case_a.pk).merged_into is None

    def test_citizen_and_anonymous_have_no_staff_pages(self, client, world, django_user_model):
        assert client.get(reverse("staff:queue")).status_code == 302  # to the login page
        client.force_login(django_user_model.objects.create_user("lan", "lan@example.com", "pw"))
        assert client.get(reverse("staff:queue")).status_code == 403
        assert client.get(reverse("staff:case", args=[world["case_a"].tracking_code])).status_code == 403

    def test_leader_reads_everything_and_changes_nothing(self, client, world):
        leader = make_staff("boss", role=StaffRole.LEADER, agency_code=None)
        client.force_login(leader)
        case_b = world["case_b"]
        page = client.get(reverse("staff:case", args=[case_b.tracking_code]))
        assert page.status_code == 200 and page.context["forms"] == {}
        before = snapshot(case_b)
        assert client.post(reverse("staff:case_action", args=[case_b.tracking_code, "accept"]),
                           {"version": case_b.version}).status_code == 403
        assert snapshot(case_b) == before


class AdminIsolationTests:
    def test_admin_lists_only_own_agency_cases_and_events(self, client, world):
        client.force_login(world["a"])
        code_b = world["case_b"].tracking_code
        for url in (reverse("admin:feedback_case_changelist"), reverse("admin:feedback_case_changelist") + "?q="
                    + code_b, reverse("admin:feedback_caseevent_changelist"),
                    reverse("admin:feedback_deadlineextension_changelist")):
            response = client.get(url)
            assert response.status_code == 200, url
            cl = response.context["cl"]
            assert world["case_b"].pk not in {getattr(o, "case_id", o.pk) for o in cl.root_queryset}, url
            assert reverse("admin:feedback_case_change", args=[world["case_b"].pk]) not in response.content.decode()
        listing = client.get(reverse("admin:feedback_case_changelist"))
        assert world["case_a"].tracking_code in listing.content.decode() and listing.context["cl"].full_result_count == 1

    def test_admin_views_of_a_foreign_case_are_404(self, client, world):
        client.force_login(world["a"])
        case_b = world["case_b"]
        event_b = case_b.events.first()
        for url in (reverse("admin:feedback_case_change", args=[case_b.pk]),
                    reverse("admin:feedback_case_history", args=[case_b.pk]),
                    reverse("admin:feedback_caseevent_change", args=[event_b.pk]),
                    reverse("admin:feedback_deadlineextension_change", args=[world["ext_b"].pk])):
            assert client.get(url).status_code == 404, url
        assert client.get(reverse("admin:feedback_case_change", args=[world["case_a"].pk])).status_code == 200

    def test_admin_action_on_a_foreign_case_does_nothing(self, client, world):
        client.force_login(world["a"])
        before = snapshot(world["case_b"])
        client.post(reverse("admin:feedback_case_changelist"),
                    {"action": "accept", "_selected_action": [world["case_b"].pk], "index": 0})
        assert snapshot(world["case_b"]) == before
        client.post(reverse("admin:feedback_case_changelist"),
                    {"action": "accept", "_selected_action": [world["case_a"].pk], "index": 0})
        assert Case.objects.get(pk=world["case_a"].pk).status == "in_progress"

    def test_events_cannot_be_edited_or_deleted_in_the_admin_even_by_a_superuser(self, client, world,
                                                                                 django_user_model):
        root = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
        client.force_login(root)
        event = world["case_b"].events.first()
        change = client.post(reverse("admin:feedback_caseevent_change", args=[event.pk]), {"note": "rewritten"})
        assert change.status_code == 403
        delete = client.post(reverse("admin:feedback_caseevent_delete", args=[event.pk]), {"post": "yes"})
        assert delete.status_code == 403
        case_delete = client.post(reverse("admin:feedback_case_delete", args=[world["case_b"].pk]), {"post": "yes"})
        assert case_delete.status_code == 403
        assert CaseEvent.objects.get(pk=event.pk).note == event.note


class AppendOnlyLogTests:
    def test_bulk_update_and_delete_of_events_are_refused(self, world):
        from feedback.models import AppendOnlyError

        events = CaseEvent.objects.filter(case=world["case_a"])
        count = events.count()
        with pytest.raises(AppendOnlyError):
            events.update(note="rewritten")
        with pytest.raises(AppendOnlyError):
            events.delete()
        assert CaseEvent.objects.filter(case=world["case_a"], note="rewritten").count() == 0
        assert events.count() == count

    def test_deleting_a_staff_user_keeps_their_events(self, world):
        note = actions.add_internal_note(case=world["case_a"], actor=world["a"], text="Đã gọi điện")
        world["a"].delete()
        event = CaseEvent.objects.get(pk=note.pk)
        assert event.actor is None and event.actor_label == "hk1" and event.note == "Đã gọi điện"
