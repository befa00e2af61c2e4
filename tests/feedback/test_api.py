"""REST API v1: public reads, report creation with photos, my reports, tracking, tokens, throttling,
and staff cases with the dashboard's permissions (agency isolation on every endpoint)."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from agencies.models import StaffRole
from feedback.lifecycle import CaseStatus, EventKind
from feedback.models import Case, DeadlineExtension
from tests.factories import HOAN_KIEM, make_report, make_staff

pytestmark = pytest.mark.django_db
V1 = "/api/v1"


def jpeg(name="photo.jpg", color=(200, 30, 30)):
    buf = io.BytesIO()
    Image.new("RGB", (80, 60), color).save(buf, format="JPEG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    cache.clear()


@pytest.fixture
def api():
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


def as_user(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


@pytest.fixture
def citizen(db):
    return get_user_model().objects.create_user("lan", "lan@example.com", "pw")


@pytest.fixture
def officer():
    return make_staff("hk1")  # UBND Phường Hoàn Kiếm


@pytest.fixture
def manager():
    return make_staff("hkm", role=StaffRole.MANAGER)


@pytest.fixture
def other_officer():
    return make_staff("light1", agency_code="chieu-sang-hapulico")


@pytest.fixture
def leader():
    return make_staff("boss", role=StaffRole.LEADER, agency_code=None)


@pytest.fixture
def case_a():
    return make_report(topic_code="waste", email="secret@example.com")  # → UBND Phường Hoàn Kiếm


@pytest.fixture
def case_b():
    return make_report(topic_code="public-lighting", email="other@example.com")  # → Hapulico


class TopicTests:
    def test_list_is_paginated_and_filterable(self, api):
        body = api.get(f"{V1}/topics/").json()
        assert body["count"] == 14 and len(body["results"]) == 14
        assert body["results"][0]["name"] == "Traffic & roads"
        assert {t["code"] for t in api.get(f"{V1}/topics/", {"group": "Khẩn cấp"}).json()["results"]} == {
            "fallen-tree"}
        page = api.get(f"{V1}/topics/", {"page_size": 5}).json()
        assert len(page["results"]) == 5 and page["next"]

    def test_detail(self, api):
        assert api.get(f"{V1}/topics/waste/").json()["deadline_days"] == 2
        assert api.get(f"{V1}/topics/nope/").status_code == 404


class WardTests:
    def test_feature_collection(self, api):
        body = api.get(f"{V1}/wards/").json()
        assert body["type"] == "FeatureCollection" and body["count"] == 126 and len(body["features"]) == 126
        feature = next(f for f in body["features"] if f["id"] == "00070")
        assert feature["type"] == "Feature"
        assert feature["properties"]["full_name"] == "Phường Hoàn Kiếm"
        assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")

    def test_simplified_and_without_geometry(self, api):
        def points(geometry):
            rings = geometry["coordinates"] if geometry["type"] == "Polygon" else [
                r for p in geometry["coordinates"] for r in p]
            return sum(len(r) for r in rings)

        full = api.get(f"{V1}/wards/00070/").json()["geometry"]
        simple = api.get(f"{V1}/wards/00070/", {"simplify": "0.001"}).json()["geometry"]
        assert points(simple) < points(full)
        bare = api.get(f"{V1}/wards/", {"geometry": "false", "page_size": 10}).json()
        assert len(bare["features"]) == 10 and bare["next"] and all(f["geometry"] is None for f in bare["features"])

    def test_bad_option_is_a_400(self, api):
        response = api.get(f"{V1}/wards/", {"simplify": "1"})
        assert response.status_code == 400
        assert response.json() == {"simplify": ["Ensure this value is less than or equal to 0.01."]}
        assert api.get(f"{V1}/wards/", {"simplify": "abc"}).json() == {"simplify": ["A valid number is required."]}

    def test_filters(self, api):
        body = api.get(f"{V1}/wards/", {"name": "hoàn kiếm", "geometry": "false"}).json()
        assert [f["id"] for f in body["features"]] == ["00070"]


class ReportCreateTests:
    def test_multipart_with_photos_returns_the_tracking_code(self, api, django_capture_on_commit_callbacks):
        data = {"topic": "waste", "description": "Rác đổ trộm ở đầu ngõ", "latitude": HOAN_KIEM[0],
                "longitude": HOAN_KIEM[1], "email": "lan@example.com", "photos": [jpeg(), jpeg("b.jpg")]}
        with django_capture_on_commit_callbacks(execute=True):
            response = api.post(f"{V1}/reports/", data, format="multipart")
        assert response.status_code == 201, response.content
        body = response.json()
        case = Case.objects.get(tracking_code=body["tracking_code"])
        assert body["status"] == "assigned" and body["ward"] == "00070" and body["agency"] == "UBND Phường Hoàn Kiếm"
        assert body["tracking_url"].endswith(f"/track/{case.tracking_code}/")
        assert case.channel == "api" and case.photos.count() == 2 and case.reporter is None
        assert case.photos.first().thumbnail  # the after-commit task ran

    def test_json_with_an_address_by_a_signed_in_citizen(self, citizen):
        response = as_user(citizen).post(f"{V1}/reports/", {"topic": "waste", "description": "Rác đổ trộm đầu ngõ",
                                                             "address": "12 Hàng Bài"}, format="json")
        assert response.status_code == 201
        case = Case.objects.get(tracking_code=response.json()["tracking_code"])
        assert case.reporter == citizen and case.reporter_email == "lan@example.com"

    @pytest.mark.parametrize("data,field,message", [
        ({"description": "Rác đổ trộm ở đầu ngõ", "address": "x"}, "topic", "This field is required."),
        ({"topic": "graffiti", "description": "Rác đổ trộm ở đầu ngõ", "address": "x"}, "topic",
         "Object with code=graffiti does not exist."),
        ({"topic": "waste", "description": "Rác đổ trộm", "latitude": 21.0}, "longitude",
         "Give both latitude and longitude, or neither."),
        ({"topic": "waste", "description": "Rác đổ trộm", "latitude": 95, "longitude": 105},
         "latitude", "Ensure this value is less than or equal to 90."),
        ({"topic": "waste", "description": "Rác đổ trộm"}, "non_field_errors",
         "Give a location: a point on the map, your GPS position or an address."),
        ({"topic": "waste", "description": "rác", "address": "12 Hàng Bài"}, "description",
         "Describe the problem in at least 10 characters."),
    ])
    def test_bad_input_is_a_clear_400(self, api, data, field, message):
        response = api.post(f"{V1}/reports/", data, format="json")
        assert response.status_code == 400
        assert response.json()[field] == [message]
        assert not Case.objects.exists()

    def test_a_damaged_photo_is_refused(self, api):
        bad = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
        response = api.post(f"{V1}/reports/", {"topic": "waste", "description": "Rác đổ trộm ở đầu ngõ",
                                               "address": "12 Hàng Bài", "photos": [bad]}, format="multipart")
        assert response.status_code == 400 and "not a valid image" in str(response.json())
        assert not Case.objects.exists()

    def test_messages_in_vietnamese_by_default(self):
        response = APIClient().post(f"{V1}/reports/", {}, format="json")
        assert response.status_code == 400 and response.json()["topic"] == ["Trường này là bắt buộc."]

    def test_anonymous_creation_is_throttled(self, api, citizen, settings):
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon_report": "2/hour"}}
        data = {"topic": "waste", "description": "Rác đổ trộm ở đầu ngõ", "address": "12 Hàng Bài"}
        assert [api.post(f"{V1}/reports/", data, format="json").status_code for _ in range(3)] == [201, 201, 429]
        assert Case.objects.count() == 2
        assert as_user(citizen).post(f"{V1}/reports/", data, format="json").status_code == 201


class MyReportsTests:
    def test_only_my_own_reports(self, citizen, case_a):
        mine = as_user(citizen).post(f"{V1}/reports/", {"topic": "waste", "description": "Rác đổ trộm đầu ngõ",
                                                         "address": "12 Hàng Bài"}, format="json").json()
        body = as_user(citizen).get(f"{V1}/reports/mine/").json()
        assert body["count"] == 1 and body["results"][0]["tracking_code"] == mine["tracking_code"]
        assert as_user(citizen).get(f"{V1}/reports/mine/", {"status": "closed"}).json()["count"] == 0

    def test_needs_a_signed_in_user(self, api):
        assert api.get(f"{V1}/reports/mine/").status_code in (401, 403)


class TrackTests:
    def test_public_fields_and_public_timeline_only(self, api, case_a, officer):
        from feedback.services.case_actions import add_internal_note, reply_case

        add_internal_note(case=case_a, actor=officer, text="Người báo hay gọi điện, cẩn thận")
        reply_case(case=case_a, actor=officer, text="Đã cử đội vệ sinh")
        response = api.get(f"{V1}/track/{case_a.tracking_code.lower()}/")
        assert response.status_code == 200
        body = response.json()
        assert body["tracking_code"] == case_a.tracking_code and body["status"] == "assigned"
        assert [e["kind"] for e in body["timeline"]] == [EventKind.SUBMITTED, EventKind.REPLY]
        text = response.content.decode()
        assert "secret@example.com" not in text and "cẩn thận" not in text
        assert "reporter_email" not in body

    def test_unknown_code(self, api, db):
        assert api.get(f"{V1}/track/HN-0000-ZZZZ/").status_code == 404


class TokenAuthTests:
    def test_obtain_and_use_a_token(self, api, citizen, officer, case_a):
        response = api.post(f"{V1}/auth/token/", {"username": "lan", "password": "pw"}, format="json")
        assert response.status_code == 200
        token = response.json()["token"]
        assert Token.objects.get(user=citizen).key == token
        app = APIClient(HTTP_AUTHORIZATION=f"Token {token}")
        assert app.get(f"{V1}/reports/mine/").status_code == 200
        staff_token = api.post(f"{V1}/auth/token/", {"username": "hk1", "password": "pw"}).json()["token"]
        staff = APIClient(HTTP_AUTHORIZATION=f"Token {staff_token}")
        assert staff.get(f"{V1}/cases/").json()["count"] == 1

    def test_wrong_password(self, api, citizen):
        response = api.post(f"{V1}/auth/token/", {"username": "lan", "password": "nope"}, format="json")
        assert response.status_code == 400
        assert response.json() == {"non_field_errors": ["Unable to log in with provided credentials."]}

    def test_bad_token(self, db):
        response = APIClient(HTTP_AUTHORIZATION="Token nope").get(f"{V1}/reports/mine/")
        assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"


ACTIONS = [
    ("accept", {}), ("reply", {"text": "Đã tiếp nhận"}), ("note", {"text": "ghi chú"}),
    ("transfer", {"to_agency": "so-xay-dung", "reason": "Không thuộc thẩm quyền"}),
    ("dispatch", {"agency": "so-xay-dung"}),
    ("extension", {"due_at": "2099-01-01T00:00:00+07:00", "reason": "Cần thêm thời gian"}),
    ("extension/decide", {"approve": True}), ("resolve", {"outcome": "scheduled", "reply": "Sẽ xử lý"}),
    ("reject", {"outcome": "duplicate", "reason": "Trùng lặp"}), ("merge", {"into": "HN-0000-ZZZZ"}),
    ("assign", {"officer": "hk1"}), ("close", {}),
]


class StaffIsolationTests:
    """An officer of agency A against agency B's case: 404 everywhere, nothing in lists or counts."""

    def test_list_and_counts_show_only_my_agency(self, officer, case_a, case_b):
        body = as_user(officer).get(f"{V1}/cases/").json()
        assert body["count"] == 1 and [c["tracking_code"] for c in body["results"]] == [case_a.tracking_code]
        for params in ({"q": case_b.tracking_code}, {"topic": "public-lighting"},
                       {"agency": "chieu-sang-hapulico"}, {"status": "assigned"}):
            codes = [c["tracking_code"] for c in as_user(officer).get(f"{V1}/cases/", params).json()["results"]]
            assert case_b.tracking_code not in codes

    def test_detail_of_another_agency_is_404(self, officer, case_b):
        assert as_user(officer).get(f"{V1}/cases/{case_b.tracking_code}/").status_code == 404

    @pytest.mark.parametrize("name,data", ACTIONS)
    def test_every_action_on_another_agency_is_404_and_writes_nothing(self, officer, case_b, name, data):
        events = case_b.events.count()
        response = as_user(officer).post(f"{V1}/cases/{case_b.tracking_code}/{name}/", data, format="json")
        assert response.status_code == 404
        assert case_b.tracking_code not in response.content.decode()
        case_b.refresh_from_db()
        assert case_b.events.count() == events and case_b.status == CaseStatus.ASSIGNED

    @pytest.mark.parametrize("name,data", [a for a in ACTIONS if a[0] not in ("dispatch",)])
    def test_leader_sees_everything_but_cannot_act(self, leader, case_b, name, data):
        assert as_user(leader).get(f"{V1}/cases/").json()["count"] == 1
        response = as_user(leader).post(f"{V1}/cases/{case_b.tracking_code}/{name}/", data, format="json")
        assert response.status_code in (400, 403)
        assert case_b.events.filter(actor=leader).count() == 0

    def test_citizens_and_anonymous_have_no_staff_api(self, citizen, case_a):
        case_a.reporter = citizen
        case_a.save()
        assert as_user(citizen).get(f"{V1}/cases/").status_code == 403
        assert as_user(citizen).get(f"{V1}/cases/{case_a.tracking_code}/").status_code == 403
        assert APIClient().get(f"{V1}/cases/").status_code in (401, 403)

    def test_merge_into_an_invisible_case_is_refused_like_an_unknown_one(self, officer, case_a, case_b):
        response = as_user(officer).post(f"{V1}/cases/{case_a.tracking_code}/merge/",
                                         {"into": case_b.tracking_code}, format="json")
        assert response.status_code == 400 and response.json() == {"into": ["That case was not found."]}


class StaffActionTests:
    def test_detail_has_contact_and_every_event(self, officer, case_a):
        body = as_user(officer).get(f"{V1}/cases/{case_a.tracking_code.lower()}/").json()
        assert body["reporter_email"] == "secret@example.com"
        assert [e["kind"] for e in body["events"]] == [EventKind.SUBMITTED, EventKind.ROUTED]

    def test_accept_reply_note_resolve_close(self, officer, case_a):
        client, url = as_user(officer), f"{V1}/cases/{case_a.tracking_code}"
        body = client.post(f"{url}/accept/", {"note": "Nhận"}, format="json").json()
        assert body["status"] == "in_progress" and body["assigned_officer"] == "hk1"
        assert client.post(f"{url}/reply/", {"text": "Đội vệ sinh đang tới"}, format="json").status_code == 200
        body = client.post(f"{url}/note/", {"text": "Gọi lại sau"}, format="json").json()
        assert body["events"][-1]["kind"] == "note" and body["events"][-1]["is_public"] is False
        response = client.post(f"{url}/resolve/", {"outcome": "fixed", "reply": "Đã dọn sạch",
                                                   "proof_photos": [jpeg("proof.jpg")]}, format="multipart")
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "resolved"
        assert [p["kind"] for p in response.json()["photos"]] == ["proof"]
        response = client.post(f"{url}/close/", {}, format="json")  # the citizen's window to rate or reopen is open
        assert response.status_code == 400 and "closes by itself" in str(response.json())

    def test_errors_from_the_services_are_400_with_their_message(self, officer, case_a):
        client, url = as_user(officer), f"{V1}/cases/{case_a.tracking_code}"
        response = client.post(f"{url}/resolve/", {"outcome": "fixed", "reply": "Đã dọn"}, format="json")
        assert response.status_code == 400
        assert response.json() == {"proof_photos": ["Add a photo that shows the problem was fixed."]}
        response = client.post(f"{url}/reply/", {"text": ""}, format="json")
        assert response.status_code == 400 and response.json() == {"text": ["Write a reply of at least 3 characters."]}
        assert client.post(f"{url}/close/", {}, format="json").status_code == 400  # assigned → closed is illegal

    def test_stale_version_is_a_409(self, officer, case_a):
        client, url = as_user(officer), f"{V1}/cases/{case_a.tracking_code}"
        version = client.get(f"{url}/").json()["version"]
        client.post(f"{url}/note/", {"text": "x"}, format="json")
        client.post(f"{url}/accept/", {"version": version}, format="json")
        response = client.post(f"{url}/reject/", {"outcome": "duplicate", "reason": "Trùng lặp",
                                                  "version": version}, format="json")
        assert response.status_code == 409

    def test_an_inactive_agency_is_a_400_and_changes_nothing(self, officer, case_a):
        from agencies.models import Agency

        Agency.objects.filter(code="so-xay-dung").update(is_active=False)
        dispatcher = make_staff("disp", role=StaffRole.DISPATCHER, agency_code="ioc-hanoi")
        queued = make_report(lat=20.40, lon=105.90, address="Ngoài ranh giới")
        response = as_user(dispatcher).post(f"{V1}/cases/{queued.tracking_code}/dispatch/",
                                            {"agency": "so-xay-dung"}, format="json")
        assert response.status_code == 400 and response.json() == {"agency": ["This agency is inactive."]}
        response = as_user(officer).post(f"{V1}/cases/{case_a.tracking_code}/transfer/",
                                         {"to_agency": "so-xay-dung", "reason": "Thuộc Sở Xây dựng"}, format="json")
        assert response.status_code == 400 and response.json() == {"to_agency": ["This agency is inactive."]}
        queued.refresh_from_db()
        case_a.refresh_from_db()
        assert queued.agency is None and case_a.agency.code == "ubnd-00070" and case_a.transfer_count == 0

    def test_transfer_then_the_old_agency_loses_it(self, officer, case_a):
        client, url = as_user(officer), f"{V1}/cases/{case_a.tracking_code}"
        body = client.post(f"{url}/transfer/", {"to_agency": "so-xay-dung", "reason": "Thuộc Sở Xây dựng"},
                           format="json")
        assert body.status_code == 404  # done, but no longer ours to see
        case_a.refresh_from_db()
        assert case_a.agency.code == "so-xay-dung" and case_a.transfer_count == 1

    def test_extension_request_and_manager_decision(self, officer, manager, case_a):
        url = f"{V1}/cases/{case_a.tracking_code}"
        due = timezone.localtime(case_a.due_at + timedelta(days=3)).isoformat()
        assert as_user(officer).post(f"{url}/extension/", {"due_at": due, "reason": "Chờ xe chuyên dụng"},
                                     format="json").status_code == 200
        assert as_user(officer).post(f"{url}/extension/decide/", {"approve": True},
                                     format="json").status_code == 403
        body = as_user(manager).post(f"{url}/extension/decide/", {"approve": True}, format="json").json()
        assert body["extensions"][0]["status"] == "approved"
        assert DeadlineExtension.objects.get().status == "approved"
        response = as_user(manager).post(f"{url}/extension/decide/", {"approve": False}, format="json")
        assert response.status_code == 400

    def test_reject_merge_and_assign(self, officer, manager, case_a):
        dup = make_report(topic_code="waste", email="dup@example.com")
        body = as_user(officer).post(f"{V1}/cases/{dup.tracking_code}/merge/", {"into": case_a.tracking_code},
                                     format="json").json()
        assert body["status"] == "rejected" and body["merged_into"] == case_a.tracking_code
        other = make_report(topic_code="waste")
        body = as_user(manager).post(f"{V1}/cases/{other.tracking_code}/assign/", {"officer": "hk1"},
                                     format="json").json()
        assert body["assigned_officer"] == "hk1"
        response = as_user(manager).post(f"{V1}/cases/{other.tracking_code}/assign/", {"officer": "light1"},
                                         format="json")
        assert response.status_code == 400
        body = as_user(officer).post(f"{V1}/cases/{other.tracking_code}/reject/",
                                     {"outcome": "spam", "reason": "Quảng cáo"}, format="json").json()
        assert body["status"] == "rejected" and body["outcome"] == "spam"

    def test_filters(self, officer, case_a):
        make_report(topic_code="waste")
        client = as_user(officer)
        assert client.get(f"{V1}/cases/", {"q": case_a.tracking_code}).json()["count"] == 1
        assert client.get(f"{V1}/cases/", {"status": ["assigned", "in_progress"]}).json()["count"] == 2
        assert client.get(f"{V1}/cases/", {"status": "resolved"}).json()["count"] == 0
        assert client.get(f"{V1}/cases/", {"ward": "00070", "topic": "waste"}).json()["count"] == 2
        assert client.get(f"{V1}/cases/", {"status": "bogus"}).status_code == 400
        since = (timezone.now() - timedelta(hours=1)).isoformat()
        assert client.get(f"{V1}/cases/", {"received_after": since}).json()["count"] == 2
        assert client.get(f"{V1}/cases/", {"received_before": since}).json()["count"] == 0
        for bad in ("1668-02-19T15:03:43+21:46", "9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00Z"):
            response = client.get(f"{V1}/cases/", {"received_after": bad})
            assert response.status_code == 400 and "between 2000 and 2100" in str(response.json())


class SchemaTests:
    def test_openapi_schema_is_valid_without_warnings(self, tmp_path):
        from django.core.management import call_command

        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
        assert "/api/v1/cases/{tracking_code}/resolve/" in (tmp_path / "schema.yaml").read_text()

    def test_schema_and_swagger_ui_are_served_locally(self, api):
        schema = api.get("/api/schema/", {"format": "json"}).json()
        assert schema["openapi"].startswith("3.") and "/api/v1/reports/" in schema["paths"]
        assert set(schema["components"]["securitySchemes"]) == {"tokenAuth", "cookieAuth"}
        page = api.get("/api/docs/").content.decode()
        assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
        assert "cdn." not in page and "unpkg" not in page


class StatsTests:
    """Leaders' figures: the dashboard's numbers, read-only, with the dashboard's audience and slices."""

    def test_leader_sees_the_city(self, leader, case_a, case_b):
        body = as_user(leader).get(f"{V1}/stats/").json()
        assert body["totals"]["received"] == 2 and body["totals"]["pending"] == 2
        assert body["totals"]["on_time_rate"] is None  # nothing answered yet
        assert body["period"]["end"] == timezone.localdate().isoformat()
        rows = as_user(leader).get(f"{V1}/stats/agency/").json()["rows"]
        assert {r["code"]: r["figures"]["received"] for r in rows} == {"ubnd-00070": 1, "chieu-sang-hapulico": 1}

    def test_manager_sees_only_their_agency(self, manager, case_a, case_b):
        client = as_user(manager)
        assert client.get(f"{V1}/stats/").json()["totals"]["received"] == 1
        rows = client.get(f"{V1}/stats/topic/").json()["rows"]
        assert [(r["code"], r["figures"]["received"]) for r in rows] == [("waste", 1)]
        response = client.get(f"{V1}/stats/", {"agency": "chieu-sang-hapulico"})
        assert response.status_code == 400 and response.json() == {"agency": ["Choose one of your own agencies."]}

    def test_scope_period_and_trend(self, leader, case_a, case_b):
        client = as_user(leader)
        body = client.get(f"{V1}/stats/", {"topic": "public-lighting"}).json()
        assert body["totals"]["received"] == 1 and body["scope"] == {"agency": None, "ward": None,
                                                                     "topic": "public-lighting"}
        past = client.get(f"{V1}/stats/", {"start": "2025-01-01", "end": "2025-01-31"}).json()
        assert past["totals"]["received"] == 0
        months = client.get(f"{V1}/stats/month/").json()["rows"]
        assert len(months) == 12 and months[-1]["figures"]["received"] == 2
        assert client.get(f"{V1}/stats/", {"start": "2026-02-01", "end": "2026-01-01"}).status_code == 400
        assert client.get(f"{V1}/stats/", {"start": "2020-01-01", "end": "2026-01-01"}).status_code == 400
        assert client.get(f"{V1}/stats/district/").status_code == 404

    def test_officers_citizens_and_anonymous_are_refused(self, officer, citizen, case_a):
        assert as_user(officer).get(f"{V1}/stats/").status_code == 403
        assert as_user(citizen).get(f"{V1}/stats/ward/").status_code == 403
        assert APIClient().get(f"{V1}/stats/").status_code == 401


@pytest.mark.parametrize("path", ["/cases/", "/reports/mine/"])
def test_list_queries_do_not_grow_with_the_page(officer, citizen, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = officer if path == "/cases/" else citizen

    def count() -> int:
        client = as_user(get_user_model().objects.get(pk=user.pk))  # no membership cache carried over
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"{V1}{path}").status_code == 200
        return len(ctx.captured_queries)

    def add():
        case = make_report(topic_code="waste")
        Case.objects.filter(pk=case.pk).update(reporter=citizen)

    add()
    one = count()
    for _ in range(4):
        add()
    assert count() == one
