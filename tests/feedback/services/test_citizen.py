from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from agencies.models import Topic
from feedback import policy
from feedback.services import citizen
from feedback.lifecycle import CaseStatus, EventKind
from feedback.selectors import nearby_open_cases
from tests.factories import HOAN_KIEM, make_report
from tests.feedback.helpers import resolve

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


class NearbyOpenCasesTests:
    def test_same_topic_within_100_m_nearest_first(self):
        near = make_report(topic_code="waste", lat=HOAN_KIEM[0] + 0.0005, lon=HOAN_KIEM[1])  # ~56 m
        nearer = make_report(topic_code="waste", lat=HOAN_KIEM[0] + 0.0001, lon=HOAN_KIEM[1])  # ~11 m
        make_report(topic_code="waste", lat=HOAN_KIEM[0] + 0.0014, lon=HOAN_KIEM[1])  # ~156 m: too far
        make_report(topic_code="waste", lat=HOAN_KIEM[0], lon=HOAN_KIEM[1] + 0.00095)  # ~99 m east...
        make_report(topic_code="trees")  # other topic
        found = nearby_open_cases(topic=Topic.objects.get(code="waste"), lat=HOAN_KIEM[0], lon=HOAN_KIEM[1])
        assert [c.pk for c in found[:2]] == [nearer.pk, near.pk]
        assert len(found) == 3 and all(c.distance_m <= 100 for c in found)

    def test_closed_reports_are_not_offered(self):
        case = resolve(make_report(topic_code="waste"))
        assert case.pk not in [c.pk for c in nearby_open_cases(topic=case.topic, lat=HOAN_KIEM[0], lon=HOAN_KIEM[1])]

    def test_nearby_endpoint(self, client):
        case = make_report(topic_code="waste")
        data = client.get("/nearby/", {"topic": case.topic_id, "lat": HOAN_KIEM[0], "lon": HOAN_KIEM[1]}).json()
        assert [r["code"] for r in data["results"]] == [case.tracking_code]
        assert "citizen@example.com" not in str(data)
        assert client.get("/nearby/", {"topic": "x", "lat": 1, "lon": 1}).status_code == 400


class AddSupportTests:
    def test_me_too_counts_and_logs_without_a_duplicate(self, client, django_capture_on_commit_callbacks):
        case = make_report(topic_code="waste")
        with django_capture_on_commit_callbacks(execute=True):
            resp = client.post(f"/track/{case.tracking_code}/support/", {"name": "Minh", "email": "minh@example.com"})
        assert resp.status_code == 302
        case.refresh_from_db()
        assert case.support_count == 1 and case.supports.get().email == "minh@example.com"
        assert case.events.filter(kind=EventKind.SUPPORTED, is_public=True).exists()
        page = client.get(case.get_absolute_url()).content.decode()
        assert "1 other citizen reported the same" in page and "minh@example.com" not in page

    def test_the_same_email_twice_is_refused(self):
        case = make_report()
        citizen.add_support(case=case, email="Minh@example.com")
        with pytest.raises(ValidationError):
            citizen.add_support(case=case, email="minh@example.com")
        with pytest.raises(ValidationError):
            citizen.add_support(case=case, email="citizen@example.com")  # the reporter
        case.refresh_from_db()
        assert case.support_count == 1

    def test_anonymous_support_is_fine_and_closed_cases_refuse(self):
        case = make_report()
        citizen.add_support(case=case)
        citizen.add_support(case=case)
        case.refresh_from_db()
        assert case.support_count == 2
        resolve(case)
        with pytest.raises(ValidationError):
            citizen.add_support(case=case, email="late@example.com")

    def test_supporter_is_emailed_without_the_private_link(self, django_capture_on_commit_callbacks):
        case = make_report(email="lan@example.com")
        citizen.add_support(case=case, email="minh@example.com")
        with django_capture_on_commit_callbacks(execute=True):
            resolve(case)
        by_to = {m.to[0]: m.body for m in mail.outbox}
        assert "?key=" in by_to["lan@example.com"] and "?key=" not in by_to["minh@example.com"]
        assert case.get_absolute_url() in by_to["minh@example.com"]


class RateCaseTests:
    def test_rating_keeps_the_case_resolved_and_reopenable(self):
        case = resolve(make_report())
        case = citizen.rate_case(case=case, rating=1, comment="Chưa dọn", key=policy.reporter_key(case))
        assert case.status == CaseStatus.RESOLVED and case.rating == 1 and case.rating_comment == "Chưa dọn"
        assert case.events.get(kind=EventKind.RATED, is_public=True).actor_label == "citizen"
        assert policy.can_reopen(case) and citizen.is_low_rating(case)
        case = citizen.reopen_case(case=case, reason="Rác vẫn còn nguyên", key=policy.reporter_key(case))
        assert case.status == CaseStatus.REOPENED

    def test_the_rating_can_be_changed_within_the_window_then_not(self, settings):
        settings.REOPEN_WINDOW_DAYS = 7
        case = resolve(make_report(), at=timezone.now() - timedelta(days=6))
        citizen.rate_case(case=case, rating=2, key=policy.reporter_key(case))
        case = citizen.rate_case(case=case, rating=4, key=policy.reporter_key(case))
        assert case.rating == 4 and not citizen.is_low_rating(case)
        assert [e.data for e in case.events.filter(kind=EventKind.RATED)] == [
            {"rating": 2, "previous": None}, {"rating": 4, "previous": 2}]
        late = resolve(make_report(), at=timezone.now() - timedelta(days=8))
        with pytest.raises(ValidationError):
            citizen.rate_case(case=late, rating=5, key=policy.reporter_key(late))

    def test_only_the_reporter_may_rate(self, django_user_model):
        case = resolve(make_report())
        with pytest.raises(PermissionDenied):
            citizen.rate_case(case=case, rating=5, key="wrong")
        stranger = django_user_model.objects.create_user("x", "x@example.com", "pw")
        with pytest.raises(PermissionDenied):
            citizen.rate_case(case=case, rating=5, user=stranger)

    @pytest.mark.parametrize("rating", [0, 6, "x"])
    def test_rating_must_be_1_to_5(self, rating):
        case = resolve(make_report())
        with pytest.raises(ValidationError):
            citizen.rate_case(case=case, rating=rating, key=policy.reporter_key(case))

    def test_an_open_case_cannot_be_rated(self):
        case = make_report()
        with pytest.raises(ValidationError):
            citizen.rate_case(case=case, rating=5, key=policy.reporter_key(case))

    def test_rating_through_the_private_link(self, client):
        case = resolve(make_report())
        url = case.get_absolute_url()
        assert "Send rating" not in client.get(url).content.decode()  # a stranger sees no form
        assert client.post(f"{url}rate/", {"rating": 5}).status_code == 403
        resp = client.get(f"{url}?key={policy.reporter_key(case)}")
        assert resp.status_code == 302 and resp.url == url  # the key never stays in the address bar
        assert "Send rating" in client.get(url).content.decode()
        assert client.post(f"{url}rate/", {"rating": 9}).status_code == 400
        resp = client.post(f"{url}rate/", {"rating": 5, "comment": "Cảm ơn"})
        assert resp.status_code == 302
        case.refresh_from_db()
        assert case.rating == 5 and case.status == CaseStatus.RESOLVED
        page = client.get(url).content.decode()
        assert "Change rating" in page and "Reopen the report" in page


class ReopenCaseTests:
    def test_reopen_within_the_window_goes_back_to_the_same_agency(self, django_capture_on_commit_callbacks):
        case = resolve(make_report())
        agency = case.agency
        agency.email = "ubnd.hoankiem@example.vn"
        agency.save()
        with django_capture_on_commit_callbacks(execute=True):
            case = citizen.reopen_case(case=case, reason="Rác vẫn còn nguyên", key=policy.reporter_key(case))
        assert case.status == CaseStatus.REOPENED and case.agency == agency and case.reopen_count == 1
        assert case.due_at > timezone.now()
        event = case.events.get(kind=EventKind.REOPENED)
        assert event.is_public and event.note == "Rác vẫn còn nguyên"
        told = [m for m in mail.outbox if m.to == ["ubnd.hoankiem@example.vn"]]
        assert len(told) == 1 and case.tracking_code in told[0].subject and "Rác vẫn còn nguyên" in told[0].body

    def test_after_the_window_it_is_refused(self, settings):
        settings.REOPEN_WINDOW_DAYS = 7
        case = resolve(make_report(), at=timezone.now() - timedelta(days=8))
        assert not policy.can_reopen(case)
        with translation.override("en"), pytest.raises(ValidationError, match="within 7 days"):
            citizen.reopen_case(case=case, reason="Rác vẫn còn", key=policy.reporter_key(case))
        case.refresh_from_db()
        assert case.status == CaseStatus.RESOLVED

    def test_only_the_reporter_and_with_a_reason(self, client, django_user_model):
        user = django_user_model.objects.create_user("lan", "lan@example.com", "pw")
        case = make_report()
        case.reporter = user
        case.save()
        case = resolve(case)
        with pytest.raises(PermissionDenied):
            citizen.reopen_case(case=case, reason="Chưa xử lý", key="nope")
        with pytest.raises(ValidationError):
            citizen.reopen_case(case=case, reason="", user=user)
        client.force_login(user)  # the logged-in reporter needs no key
        resp = client.post(f"{case.get_absolute_url()}reopen/", {"reason": "Chưa xử lý xong"})
        assert resp.status_code == 302
        case.refresh_from_db()
        assert case.status == CaseStatus.REOPENED


class TrackingPageTests:
    def test_the_due_time_says_which_hours_count(self, client):
        case = make_report()
        client.cookies["django_language"] = "vi"
        html = client.get(case.get_absolute_url()).content.decode()
        assert "Thời hạn chỉ tính giờ hành chính: 08:00–12:00, 13:00–17:00 các ngày làm việc." in html

    def test_public_timeline_replies_and_photos_without_pii(self, client, django_capture_on_commit_callbacks):
        from feedback.services import log_event
        from tests.feedback.helpers import reply
        from tests.feedback.images import upload

        with django_capture_on_commit_callbacks(execute=True):
            case = make_report(email="secret.person@example.com", photos=[upload()])
        reply(case, "Đội thu gom sẽ đến trong chiều nay.")
        log_event(case=case, kind=EventKind.NOTE, actor_label="hk_officer", note="Nội bộ: gọi lại sau", public=False)
        case = resolve(case, note="Đã thu gom xong.")
        html = client.get(case.get_absolute_url()).content.decode()
        assert "Đội thu gom sẽ đến trong chiều nay." in html and "Đã thu gom xong." in html
        assert "Nội bộ" not in html and "hk_officer" not in html
        assert "secret.person" not in html and "originals/" not in html
        assert case.photos.get().thumbnail.url in html
        assert "Resolved" in html and "Public reply" in html
