"""Staff pages: what an officer, a manager and a dispatcher see and do through /staff/."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, StaffRole
from feedback.lifecycle import CaseStatus, EventKind
from feedback.models import Case, CasePhoto, DeadlineExtension, PhotoKind
from tests.factories import make_report, make_staff
from tests.feedback.services.test_case_actions import jpeg

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def officer(client):
    user = make_staff("hk1")
    client.force_login(user)
    return user


def act(client, case, action, data, **extra):
    case = Case.objects.get(pk=case.pk)
    return client.post(reverse("staff:case_action", args=[case.tracking_code, action]),
                       {"version": case.version, **data}, **extra)


class QueueTests:
    def test_overdue_first_then_due_soon_then_the_rest(self, client, officer):
        later, overdue, soon = make_report(), make_report(), make_report()
        now = timezone.now()
        Case.objects.filter(pk=later.pk).update(due_at=now + timedelta(days=5))
        Case.objects.filter(pk=overdue.pk).update(due_at=now - timedelta(hours=2))
        Case.objects.filter(pk=soon.pk).update(due_at=now + timedelta(hours=3))
        response = client.get(reverse("staff:queue"))
        assert [c.pk for c in response.context["page"]] == [overdue.pk, soon.pk, later.pk]
        assert response.context["counts"]["overdue"] == 1
        body = response.content.decode()
        assert body.index(overdue.tracking_code) < body.index(soon.tracking_code) < body.index(later.tracking_code)
        assert "due soon" in body and "overdue" in body

    def test_filters_and_search(self, client, officer):
        waste = make_report(topic_code="waste", description="Rác thải ở chợ Hàng Da")
        order = make_report(topic_code="urban-order", description="Quán lấn chiếm vỉa hè Lò Sũ")
        queue = reverse("staff:queue")

        def found(**params):
            return [c.pk for c in client.get(queue, params).context["page"]]

        assert found(topic=waste.topic_id) == [waste.pk]
        assert found(q=order.tracking_code.lower()) == [order.pk]
        assert found(q="Lò Sũ") == [order.pk]
        assert found(status="in_progress") == []
        today = timezone.localdate()
        assert set(found(received_from=today.isoformat(), received_to=today.isoformat())) == {waste.pk, order.pk}
        assert found(received_to=(today - timedelta(days=1)).isoformat()) == []

    def test_dispatcher_sees_the_unrouted_queue_and_assigns(self, client):
        dispatcher = make_staff("disp", role=StaffRole.DISPATCHER, agency_code="ioc-hanoi")
        client.force_login(dispatcher)
        queued = make_report(lat=20.40, lon=105.90, address="Ngoài ranh giới", description="Ổ gà trên quốc lộ")
        routed = make_report()
        response = client.get(reverse("staff:queue"), {"unrouted": "on"})
        assert [c.pk for c in response.context["page"]] == [queued.pk]
        assert response.context["counts"]["unrouted"] == 1
        page = client.get(reverse("staff:case", args=[queued.tracking_code]))
        assert "dispatch" in page.context["forms"] and "resolve" not in page.context["forms"]
        agency = Agency.objects.get(code="so-xay-dung")
        assert act(client, queued, "dispatch", {"agency": agency.pk}).status_code == 302
        queued.refresh_from_db()
        assert queued.status == CaseStatus.ASSIGNED and queued.agency == agency
        assert "dispatch" not in client.get(reverse("staff:case", args=[routed.tracking_code])).context["forms"]


class CasePageTests:
    def test_the_reject_form_explains_not_in_remit_next_to_the_choice(self, client, officer):
        case = make_report()
        body = client.get(reverse("staff:case", args=[case.tracking_code])).content.decode()
        form = body[body.index('id="action-reject"'):]
        form = form[:form.index("</form>")]
        assert "Not in remit" in form
        assert "It goes back to the dispatcher" in form and "use Transfer instead" in form

    def test_case_page_shows_facts_routing_reason_map_photos_and_internal_events(self, client, officer):
        case = make_report(photos=[jpeg("report.jpg")])
        body = client.get(reverse("staff:case", args=[case.tracking_code])).content.decode()
        assert "ward 00070 Hoàn Kiếm by point" in body  # routing reason
        assert 'id="casemap"' in body and "leaflet" in body and "ward-boundary" in body
        assert CasePhoto.objects.get(case=case).image.url in body
        assert "Routed" in body and "internal" in body  # the internal routing event, staff only

    def test_the_routing_reason_is_shown_in_the_readers_language_and_stored_in_one_form(self, client, officer):
        case = make_report()
        url = reverse("staff:case", args=[case.tracking_code])
        client.cookies["django_language"] = "vi"
        vi = client.get(url).content.decode()
        client.cookies["django_language"] = "en"
        assert "phường/xã 00070 Hoàn Kiếm (theo vị trí ghim)" in vi and "toàn thành phố" in vi
        assert "by point" not in vi
        en = client.get(url).content.decode()
        assert "ward 00070 Hoàn Kiếm by point" in en
        case.refresh_from_db()
        assert case.routing_reason.startswith("ward 00070 Hoàn Kiếm by point; rule #")  # the stored form

    def test_reply_then_the_tracking_page_shows_it(self, client, officer):
        case = make_report()
        assert act(client, case, "reply", {"reply-text": "Tổ công tác sẽ đến trong ngày."}).status_code == 302
        track = client.get(reverse("feedback:track", args=[case.tracking_code])).content.decode()
        assert "Tổ công tác sẽ đến trong ngày." in track

    def test_internal_note_stays_off_the_tracking_page(self, client, officer):
        case = make_report()
        act(client, case, "note", {"note-text": "Số điện thoại tổ trưởng 0912"})
        assert "0912" not in client.get(reverse("feedback:track", args=[case.tracking_code])).content.decode()
        assert "0912" in client.get(reverse("staff:case", args=[case.tracking_code])).content.decode()

    def test_resolve_with_photo_through_the_page(self, client, officer):
        case = make_report()
        response = act(client, case, "resolve", {"outcome": "fixed", "reply": "Đã thu gom.", "proof_photos": jpeg()})
        assert response.status_code == 302
        case.refresh_from_db()
        assert case.status == CaseStatus.RESOLVED
        assert case.photos.get().kind == PhotoKind.PROOF

    def test_resolve_without_photo_says_why(self, client, officer):
        case = make_report()
        response = act(client, case, "resolve", {"outcome": "fixed", "reply": "Đã thu gom."})
        assert response.status_code == 400
        assert "Add a photo that shows the problem was fixed." in response.content.decode()
        assert Case.objects.get(pk=case.pk).status == CaseStatus.ASSIGNED

    def test_an_inactive_agency_is_a_form_error(self, client, officer):
        Agency.objects.filter(code="so-xay-dung").update(is_active=False)
        agency = Agency.objects.get(code="so-xay-dung")
        case = make_report()
        response = act(client, case, "transfer", {"to_agency": agency.pk, "reason": "Thuộc Sở Xây dựng"})
        assert response.status_code == 400 and response.context["forms"]["transfer"].errors["to_agency"]
        dispatcher = make_staff("disp", role=StaffRole.DISPATCHER, agency_code="ioc-hanoi")
        client.force_login(dispatcher)
        queued = make_report(lat=20.40, lon=105.90, address="Ngoài ranh giới")
        response = act(client, queued, "dispatch", {"agency": agency.pk})
        assert response.status_code == 400 and response.context["forms"]["dispatch"].errors["agency"]
        assert Case.objects.get(pk=case.pk).agency.code == "ubnd-00070"
        assert Case.objects.get(pk=queued.pk).agency is None

    def test_a_stale_form_gives_a_clear_conflict(self, client, officer):
        case = make_report()
        stale_version = case.version
        act(client, case, "accept", {})
        response = client.post(reverse("staff:case_action", args=[case.tracking_code, "reject"]),
                               {"version": stale_version, "outcome": "spam", "reason": "Quảng cáo"})
        assert response.status_code == 409
        assert "changed by someone else" in response.content.decode()
        assert Case.objects.get(pk=case.pk).status == CaseStatus.IN_PROGRESS
        form = response.context["forms"]["reject"]
        assert form["version"].value() == str(Case.objects.get(pk=case.pk).version)  # resubmitting now works
        assert form["reason"].value() == "Quảng cáo"

    def test_illegal_transition_is_a_conflict_with_the_reason(self, client, officer):
        case = make_report()
        act(client, case, "accept", {})
        response = act(client, case, "accept", {})
        assert response.status_code == 409 and "cannot become" in response.content.decode()

    def test_transfer_away_returns_to_the_queue(self, client, officer):
        case = make_report()
        target = Agency.objects.get(code="so-xay-dung")
        response = act(client, case, "transfer", {"to_agency": target.pk, "reason": "Thuộc Sở Xây dựng"})
        assert response.status_code == 302 and response.url == reverse("staff:queue")
        assert Case.objects.get(pk=case.pk).agency == target

    def test_merge_through_the_page(self, client, officer):
        main, dup = make_report(), make_report(email="other@example.com")
        assert act(client, dup, "merge", {"into": main.tracking_code}).status_code == 302
        dup.refresh_from_db()
        assert dup.merged_into == main
        assert main.supports.filter(email="other@example.com").exists()


class ExtensionFlowTests:
    def test_officer_requests_and_manager_approves_on_the_extensions_page(self, client, officer):
        case = make_report()
        new_due = timezone.localtime(case.due_at + timedelta(days=3)).replace(second=0, microsecond=0)
        assert act(client, case, "extension", {"due_at": new_due.strftime("%Y-%m-%dT%H:%M"),
                                               "reason": "Chờ xe chuyên dụng"}).status_code == 302
        ext = DeadlineExtension.objects.get(case=case)
        manager = make_staff("hkm", role=StaffRole.MANAGER)
        client.force_login(manager)
        listing = client.get(reverse("staff:extensions"))
        assert "Chờ xe chuyên dụng" in listing.content.decode()
        client.post(reverse("staff:decide_extension", args=[ext.pk]), {"approve": "1", "note": "OK"})
        case.refresh_from_db()
        assert case.due_at == new_due
        assert case.events.filter(kind=EventKind.EXTENSION_APPROVED).exists()

    def test_manager_assigns_cases_in_bulk_from_the_queue(self, client):
        manager = make_staff("hkm", role=StaffRole.MANAGER)
        officer = make_staff("hk1")
        cases = [make_report(), make_report()]
        client.force_login(manager)
        queue = client.get(reverse("staff:queue"))
        assert officer in list(queue.context["officers"])
        client.post(reverse("staff:bulk_assign"), {"cases": [c.pk for c in cases], "officer": officer.pk})
        assert Case.objects.filter(assigned_officer=officer).count() == 2


class ManagerPerformanceTests:
    def test_manager_sees_fixed_and_not_fixed_apart(self, client):
        from feedback.services import case_actions as actions
        from feedback.lifecycle import Outcome
        from tests.feedback.services.test_case_actions import jpeg as photo

        manager = make_staff("hkm", role=StaffRole.MANAGER)
        fixed, not_fixed, _open = make_report(), make_report(), make_report()
        actions.resolve_case(case=fixed, actor=manager, outcome=Outcome.FIXED, reply="Đã sửa", proof_photos=[photo()])
        actions.resolve_case(case=not_fixed, actor=manager, outcome=Outcome.NOT_FIXED_INFEASIBLE, reply="Không thể")
        client.force_login(manager)
        perf = client.get(reverse("staff:queue")).context["performance"]
        assert (perf["received"], perf["answered"], perf["fixed"], perf["not_fixed"]) == (3, 2, 1, 1)
        assert perf["on_time_pct"] == 100
        client.force_login(make_staff("hk1"))
        assert client.get(reverse("staff:queue")).context["performance"] is None

    def test_queue_query_count_does_not_grow_with_cases(self, client, django_assert_max_num_queries):
        client.force_login(make_staff("hk1"))
        for _ in range(3):
            make_report()
        with django_assert_max_num_queries(16) as few:
            client.get(reverse("staff:queue"))
        for _ in range(10):
            make_report()
        with django_assert_max_num_queries(len(few.captured_queries)):
            client.get(reverse("staff:queue"))
