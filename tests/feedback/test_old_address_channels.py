"""A pre-2025 address reaches its new ward through every channel (all go through submit_report)."""
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from agencies.models import Topic
from feedback.api_clients import set_api_key
from feedback.lifecycle import CaseStatus, EventKind
from feedback.models import ApiClient, Case
from tests.factories import make_report, make_staff
from tests.feedback.images import upload

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}  # the APIs follow Accept-Language; the pages follow the language cookie
WHOLE = "12 Hàng Bài, P. Hàng Bài, Q. Hoàn Kiếm, Hà Nội"  # went whole into Phường Cửa Nam (00082)
SPLIT = "5 Tràng Tiền, phường Tràng Tiền, quận Hoàn Kiếm"  # split between Hoàn Kiếm (00070) and Cửa Nam


def _form(**overrides):
    data = {"topic": Topic.objects.get(code="waste").pk, "description": "Rác tồn đọng ở góc phố nhiều ngày",
            "address": WHOLE, "email": "lan@example.com", "photos": [upload()]}
    data.update(overrides)
    return data


def _routed_to_cua_nam(case: Case) -> None:
    case.refresh_from_db()
    assert case.ward.code == "00082" and case.agency.code == "ubnd-00082" and case.status == CaseStatus.ASSIGNED
    assert case.routing_reason.startswith(
        "old ward Hàng Bài (Hoàn Kiếm) → Phường Cửa Nam; ward 00082 Cửa Nam by address; rule #")


class ChannelTests:
    def test_web_form(self, client):
        response = client.post("/report/", _form())
        assert response.status_code == 302
        _routed_to_cua_nam(Case.objects.get())

    def test_rest_api(self):
        response = APIClient(HTTP_ACCEPT_LANGUAGE="en").post(
            "/api/v1/reports/", {"topic": "waste", "description": "Rác đổ trộm ở đầu ngõ", "address": WHOLE},
            format="json")
        assert response.status_code == 201
        _routed_to_cua_nam(Case.objects.get(tracking_code=response.json()["tracking_code"]))

    def test_open311_address_string(self, client):
        set_api_key(client=ApiClient(name="zalo"), api_key="partner-key-0123456789abcdef")
        response = client.post("/api/georeport/v2/requests.json", {
            "api_key": "partner-key-0123456789abcdef", "service_code": "waste", "address_string": WHOLE,
            "description": "Rác để trên vỉa hè ba ngày rồi"}, **EN)
        assert response.status_code == 201
        _routed_to_cua_nam(Case.objects.get(tracking_code=response.json()[0]["service_request_id"]))


class SplitUnitTests:
    def test_goes_to_the_dispatcher_with_the_candidate_wards(self):
        case = make_report(lat=None, lon=None, address=SPLIT)
        assert case.ward is None and case.agency is None and case.status == CaseStatus.RECEIVED
        assert case.routing_reason == ("old ward Tràng Tiền (Hoàn Kiếm) split between Phường Hoàn Kiếm, "
                                       "Phường Cửa Nam → dispatcher queue")
        assert case.events.get(kind=EventKind.QUEUED).note == case.routing_reason

    def test_the_form_asks_once_for_the_pin_then_sends_it_as_it_is(self, client):
        response = client.post("/report/", _form(address=SPLIT))  # Vietnamese by default
        assert response.status_code == 400 and not Case.objects.exists()
        body = response.content.decode()
        assert "Tràng Tiền (cũ) nay thuộc Phường Hoàn Kiếm hoặc Phường Cửa Nam." in body
        assert "Hãy đặt ghim trên bản đồ" in body
        assert f'name="address_checked" value="{SPLIT}"' in body
        kept = response.context["form"].kept[0].token
        response = client.post("/report/", _form(address=SPLIT, address_checked=SPLIT, photos=[], kept_photos=kept))
        assert response.status_code == 302
        assert Case.objects.get().status == CaseStatus.RECEIVED

    def test_with_a_pin_it_is_routed_by_the_pin(self, client):
        response = client.post("/report/", _form(address=SPLIT, latitude="21.0288", longitude="105.8525"))
        assert response.status_code == 302
        assert Case.objects.get().agency.code == "ubnd-00070"

    def test_the_staff_page_shows_the_reason_in_the_readers_language(self, client):
        case = make_report(lat=None, lon=None, address=WHOLE)
        client.force_login(make_staff("hk", agency_code="ubnd-00082"))
        url = reverse("staff:case", args=[case.tracking_code])
        assert "phường Hàng Bài cũ (Hoàn Kiếm) → Phường Cửa Nam" in client.get(url).content.decode()
        client.cookies["django_language"] = "en"
        assert "old ward Hàng Bài (Hoàn Kiếm) → Phường Cửa Nam" in client.get(url).content.decode()


class AddressPlaceEndpointTests:
    def test_split_unit(self, client):
        data = client.get(reverse("feedback:address_place"), {"address": SPLIT}).json()
        assert data["ward"] is None and data["needs_pin"] is True
        assert [w["code"] for w in data["candidates"]] == ["00070", "00082"]
        assert data["message"].startswith("Tràng Tiền (cũ) nay thuộc Phường Hoàn Kiếm hoặc Phường Cửa Nam.")

    def test_whole_unit_in_english(self, english):
        data = english.get(reverse("feedback:address_place"), {"address": "p. hang bai, q. hoan kiem"}).json()
        assert data["ward"]["code"] == "00082" and data["needs_pin"] is False
        assert data["message"] == "Hàng Bài (old) is now part of Phường Cửa Nam."

    def test_nothing_old(self, client):
        data = client.get(reverse("feedback:address_place"), {"address": "12 Hàng Bài"}).json()
        assert data == {"ward": None, "candidates": [], "needs_pin": False, "message": ""}


class StaffCorrectionTests:
    def test_a_corrected_old_address_routes_with_its_reason(self):
        from agencies.models import StaffRole
        from feedback.services.rerouting import correct_location

        case = make_report(lat=None, lon=None, address=SPLIT)
        dispatcher = make_staff("dieu-phoi", role=StaffRole.DISPATCHER, agency_code=None)
        updated = correct_location(case=case, actor=dispatcher, lat=None, lon=None, address=WHOLE)
        _routed_to_cua_nam(updated)
        assert updated.events.get(kind=EventKind.REROUTED).note == updated.routing_reason
