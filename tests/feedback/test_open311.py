"""Open311 GeoReport v2: every call, every filter, both formats, every error case."""
from __future__ import annotations

import io
from datetime import timedelta
from xml.etree import ElementTree as ET

import pytest
from django.core import mail
from django.utils import timezone
from PIL import Image

from feedback.api_clients import set_api_key
from feedback.lifecycle import CaseStatus, EventKind
from feedback.models import ApiClient, Case
from feedback.services import transition_case
from tests.factories import HOAN_KIEM, make_report

pytestmark = pytest.mark.django_db
BASE = "/api/georeport/v2"
KEY = "partner-key-0123456789abcdef"


@pytest.fixture
def client_key(db):
    set_api_key(client=ApiClient(name="zalo"), api_key=KEY)
    return KEY


def post(client, fmt="json", **data):
    data.setdefault("api_key", KEY)
    return client.post(f"{BASE}/requests.{fmt}", data, HTTP_ACCEPT_LANGUAGE="en")


def get(client, path, **params):
    return client.get(f"{BASE}/{path}", params, HTTP_ACCEPT_LANGUAGE="en")


def xml(response) -> ET.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<')
    return ET.fromstring(response.content)


def errors(response) -> list[str]:
    body = response.json()
    assert isinstance(body, list) and all(e["code"] == response.status_code for e in body)
    return [e["description"] for e in body]


def jpeg() -> io.BytesIO:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), "green").save(buf, format="JPEG")
    buf.seek(0)
    buf.name = "tree.jpg"
    return buf


GOOD = {"service_code": "waste", "lat": str(HOAN_KIEM[0]), "long": str(HOAN_KIEM[1]),
        "description": "Rác để trên vỉa hè ba ngày rồi"}


class DiscoveryTests:
    def test_json_and_xml(self, client):
        body = get(client, "discovery.json").json()
        [endpoint] = body["endpoints"]
        assert endpoint["url"] == "http://testserver/api/georeport/v2"
        assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
        assert endpoint["formats"] == ["text/xml", "application/json"] and endpoint["type"] == "production"
        root = xml(get(client, "discovery.xml"))
        assert root.tag == "discovery"
        assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == ["text/xml", "application/json"]


class ServiceListTests:
    def test_json_lists_active_topics_with_the_spec_fields(self, client):
        response = get(client, "services.json")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json; charset=utf-8"
        services = {s["service_code"]: s for s in response.json()}
        assert len(services) == 14
        tree = services["fallen-tree"]
        assert list(tree) == ["service_code", "service_name", "description", "metadata", "type", "keywords",
                              "group"]
        assert tree["service_name"] == "Fallen tree blocking a road"
        assert tree["metadata"] is True and tree["type"] == "realtime"
        assert "cây đổ" in tree["keywords"] and tree["group"] == "Khẩn cấp"
        assert services["waste"]["metadata"] is False

    def test_vietnamese_names_by_default(self, client):
        names = {s["service_code"]: s["service_name"] for s in client.get(f"{BASE}/services.json").json()}
        assert names["waste"] == "Rác thải, vệ sinh môi trường"

    def test_xml(self, client):
        root = xml(get(client, "services.xml"))
        assert root.tag == "services"
        first = root.find("service")
        assert [c.tag for c in first] == ["service_code", "service_name", "description", "metadata", "type",
                                          "keywords", "group"]
        metadata = {s.findtext("service_code"): s.findtext("metadata") for s in root.iter("service")}
        assert metadata["fallen-tree"] == "true" and metadata["waste"] == "false"

    def test_inactive_topic_is_not_a_service(self, client):
        from agencies.models import Topic

        Topic.objects.filter(code="other").update(is_active=False)
        codes = [s["service_code"] for s in get(client, "services.json").json()]
        assert "other" not in codes

    def test_jurisdiction(self, client):
        assert get(client, "services.json", jurisdiction_id="hanoi").status_code == 200
        response = get(client, "services.json", jurisdiction_id="sfgov.org")
        assert response.status_code == 404
        assert "sfgov.org" in errors(response)[0]
        root = xml(get(client, "services.xml", jurisdiction_id="sfgov.org"))
        assert root.tag == "errors" and root.find("error/code").text == "404"

    def test_unknown_resources_are_spec_errors(self, client):
        response = client.get(f"{BASE}/services.csv", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 404
        assert errors(response) == ["No such GeoReport v2 resource: /api/georeport/v2/services.csv"]
        root = xml(client.post(f"{BASE}/nothing/here.xml"))
        assert root.tag == "errors" and root.findtext("error/code") == "404"


class ServiceDefinitionTests:
    def test_json(self, client):
        response = get(client, "services/fallen-tree.json")
        assert response.status_code == 200
        body = response.json()
        assert body["service_code"] == "fallen-tree"
        blocked = body["attributes"][0]
        assert blocked == {
            "variable": True, "code": "road_blocked", "datatype": "singlevaluelist", "required": True,
            "datatype_description": None, "order": 1, "description": "Is the tree blocking the road?",
            "values": [{"key": "fully", "name": "Yes, the road is blocked"},
                       {"key": "partly", "name": "Partly, one lane is blocked"},
                       {"key": "no", "name": "No, traffic can pass"}],
        }
        assert [a["order"] for a in body["attributes"]] == [1, 2]

    def test_xml(self, client):
        root = xml(get(client, "services/fallen-tree.xml"))
        assert root.tag == "service_definition"
        assert root.findtext("service_code") == "fallen-tree"
        attribute = root.find("attributes/attribute")
        assert attribute.findtext("code") == "road_blocked" and attribute.findtext("required") == "true"
        assert [v.findtext("key") for v in attribute.findall("values/value")] == ["fully", "partly", "no"]
        assert attribute.find("datatype_description").text is None

    def test_service_without_attributes_has_an_empty_definition(self, client):
        assert get(client, "services/waste.json").json() == {"service_code": "waste", "attributes": []}

    def test_unknown_service(self, client):
        response = get(client, "services/graffiti.json")
        assert response.status_code == 404
        assert errors(response) == ["service_code “graffiti” was not found."]
        root = xml(get(client, "services/graffiti.xml"))
        assert root.find("error/description").text == "service_code “graffiti” was not found."


class PostRequestTests:
    def test_creates_a_routed_case_with_the_partner_channel(self, client, client_key,
                                                             django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            response = post(client, **GOOD, email="lan@example.com", first_name="Lan", last_name="Nguyễn",
                            phone="0912345678", device_id="dev-1", account_id="acc-9")
        assert response.status_code == 201
        [body] = response.json()
        assert list(body) == ["service_request_id", "service_notice", "account_id"]
        assert body["account_id"] == "acc-9"
        case = Case.objects.get(tracking_code=body["service_request_id"])
        assert case.channel == "open311:zalo"
        assert case.ward.code == "00070" and case.agency.name == "UBND Phường Hoàn Kiếm"
        assert case.status == CaseStatus.ASSIGNED and case.due_at is not None
        assert case.reporter_name == "Lan Nguyễn" and case.reporter_phone == "0912345678"
        due = f"{timezone.localtime(case.due_at):%d/%m/%Y %H:%M}"
        assert body["service_notice"] == f"UBND Phường Hoàn Kiếm handles this report; an answer is due by {due}."
        submitted = case.events.get(kind=EventKind.SUBMITTED)
        assert submitted.data == {"channel": "open311:zalo", "device_id": "dev-1", "account_id": "acc-9",
                                  "client": "zalo"}
        assert {m.to[0] for m in mail.outbox} == {"lan@example.com"}  # same notifications as the web form

    def test_xml_response(self, client, client_key):
        root = xml(post(client, "xml", **GOOD))
        assert root.tag == "service_requests"
        request = root.find("request")
        assert [c.tag for c in request] == ["service_request_id", "service_notice", "account_id"]
        assert Case.objects.filter(tracking_code=request.findtext("service_request_id")).exists()
        assert request.find("account_id").text is None

    def test_address_string_only(self, client, client_key):
        response = post(client, service_code="waste", address_string="12 Hàng Bài, Hoàn Kiếm",
                        description="Rác để trên vỉa hè ba ngày rồi")
        assert response.status_code == 201
        case = Case.objects.get(tracking_code=response.json()[0]["service_request_id"])
        assert case.latitude is None and case.address == "12 Hàng Bài, Hoàn Kiếm"
        assert case.status == CaseStatus.RECEIVED  # no point, no ward: the dispatcher routes it

    def test_address_id_is_a_ward_code(self, client, client_key):
        response = post(client, service_code="waste", address_id="00070", description="Rác để trên vỉa hè ba ngày")
        assert response.status_code == 201
        case = Case.objects.get(tracking_code=response.json()[0]["service_request_id"])
        assert case.ward.code == "00070" and case.agency.name == "UBND Phường Hoàn Kiếm"
        assert case.address == case.ward.full_name

    def test_uploaded_media_is_processed_and_media_url_kept(self, client, client_key):
        response = post(client, **GOOD, media=jpeg(), media_url="https://example.com/p/1.jpg")
        assert response.status_code == 201
        code = response.json()[0]["service_request_id"]
        case = Case.objects.get(tracking_code=code)
        photo = case.photos.get()
        assert photo.image.name.endswith(".jpg") and photo.width == 64
        assert case.events.get(kind=EventKind.SUBMITTED).data["media_url"] == "https://example.com/p/1.jpg"
        [request] = get(client, f"requests/{code}.json").json()
        assert request["media_url"] == "http://testserver" + photo.image.url

    def test_media_url_only_is_shown_back(self, client, client_key):
        code = post(client, **GOOD, media_url="https://example.com/p/1.jpg").json()[0]["service_request_id"]
        assert get(client, f"requests/{code}.json").json()[0]["media_url"] == "https://example.com/p/1.jpg"

    def test_a_damaged_photo_is_refused(self, client, client_key):
        bad = io.BytesIO(b"not an image")
        bad.name = "x.jpg"
        response = post(client, **GOOD, media=bad)
        assert response.status_code == 400
        assert "not a valid image" in errors(response)[0]
        assert not Case.objects.exists()

    def test_attributes_are_checked_and_stored(self, client, client_key):
        data = {**GOOD, "service_code": "fallen-tree", "description": "Cây đổ chắn ngang đường Lê Duẩn"}
        missing = post(client, **data)
        assert missing.status_code == 400
        assert errors(missing) == ["Answer the question “Is the tree blocking the road?” (attribute[road_blocked])."]
        wrong = post(client, **data, **{"attribute[road_blocked]": "maybe"})
        assert wrong.status_code == 400 and "maybe" in errors(wrong)[0]
        unknown = post(client, **data, **{"attribute[road_blocked]": "fully", "attribute[colour]": "red"})
        assert unknown.status_code == 400 and "colour" in errors(unknown)[0]
        ok = post(client, **data, **{"attribute[road_blocked]": "fully",
                                     "attribute[hazards][]": ["power_lines", "injured"]})
        assert ok.status_code == 201
        case = Case.objects.get(tracking_code=ok.json()[0]["service_request_id"])
        assert case.events.get(kind=EventKind.SUBMITTED).data["attributes"] == {
            "road_blocked": "fully", "hazards": ["power_lines", "injured"]}

    def test_number_attribute(self, client, client_key):
        data = {**GOOD, "service_code": "drainage", "description": "Ngập sâu trước cổng trường"}
        assert post(client, **data, **{"attribute[water_depth_cm]": "deep"}).status_code == 400
        ok = post(client, **data, **{"attribute[water_depth_cm]": "35"})
        case = Case.objects.get(tracking_code=ok.json()[0]["service_request_id"])
        assert case.events.get(kind=EventKind.SUBMITTED).data["attributes"] == {"water_depth_cm": 35.0}

    def test_jurisdiction_in_the_body(self, client, client_key):
        assert post(client, **GOOD, jurisdiction_id="hanoi").status_code == 201
        response = post(client, **GOOD, jurisdiction_id="city.gov")
        assert response.status_code == 404 and Case.objects.count() == 1


class PostRequestErrorTests:
    @pytest.mark.parametrize("key", ["", "wrong-key-0123456789abcd"])
    def test_missing_or_bad_api_key(self, client, client_key, key):
        response = post(client, **{**GOOD, "api_key": key})
        assert response.status_code == 403
        assert "api_key" in errors(response)[0]
        assert not Case.objects.exists()

    def test_inactive_client(self, client, client_key):
        ApiClient.objects.update(is_active=False)
        response = post(client, "xml", **GOOD)
        assert response.status_code == 403
        root = xml(response)
        assert root.findtext("error/code") == "403"
        assert root.findtext("error/description") == "Invalid api_key received -- can't proceed with create_request."

    def test_missing_service_code(self, client, client_key):
        response = post(client, **{**GOOD, "service_code": ""})
        assert response.status_code == 400
        assert errors(response) == ["service_code: service_code is required."]

    def test_unknown_service_code(self, client, client_key):
        response = post(client, **{**GOOD, "service_code": "graffiti"})
        assert response.status_code == 404
        assert errors(response) == ["service_code “graffiti” was not found."]

    @pytest.mark.parametrize("lat,lon,field", [
        ("abc", "105.85", "lat"), ("21.02", "east", "long"), ("91", "105.85", "lat"), ("21.02", "181", "long"),
        ("nan", "105.85", "lat"), ("21.02", "inf", "long"), ("-90.5", "0", "lat"),
    ])
    def test_bad_or_out_of_range_lat_long(self, client, client_key, lat, lon, field):
        response = post(client, **{**GOOD, "lat": lat, "long": lon})
        assert response.status_code == 400
        assert errors(response)[0].startswith(f"{field}: ")
        assert not Case.objects.exists()

    def test_lat_without_long(self, client, client_key):
        response = post(client, **{**GOOD, "long": ""})
        assert response.status_code == 400
        assert errors(response) == ["long: Send lat and long together, or neither."]

    def test_no_location(self, client, client_key):
        response = post(client, service_code="waste", description="Rác để trên vỉa hè ba ngày rồi")
        assert response.status_code == 400
        assert errors(response) == ["A location is required: lat and long, address_string or address_id."]

    def test_unknown_address_id(self, client, client_key):
        response = post(client, service_code="waste", address_id="99999", description="Rác để trên vỉa hè ba ngày")
        assert response.status_code == 400 and errors(response) == ["address_id: Not a ward code of Hanoi."]

    def test_too_short_description_and_bad_email_in_xml(self, client, client_key):
        response = post(client, "xml", **{**GOOD, "description": "rác", "email": "not-an-email"})
        assert response.status_code == 400
        root = xml(response)
        assert root.tag == "errors"
        assert [e.findtext("code") for e in root.findall("error")] == ["400"]
        assert root.findtext("error/description") == "email: Enter a valid email address."
        response = post(client, **{**GOOD, "description": "rác"})
        assert errors(response) == ["description: Describe the problem in at least 10 characters."]

    def test_messages_follow_accept_language(self, client, client_key):
        response = client.post(f"{BASE}/requests.json", {**GOOD, "api_key": KEY, "lat": "91"},
                               HTTP_ACCEPT_LANGUAGE="vi")
        assert response.status_code == 400
        assert response.json()[0]["description"].startswith("lat: ")

    def test_no_csrf_needed_for_partners(self, client_key):
        from django.test import Client

        response = post(Client(enforce_csrf_checks=True), **GOOD)
        assert response.status_code == 201

    def test_get_only_on_services(self, client):
        response = client.post(f"{BASE}/services.json")
        assert response.status_code == 405
        assert response.json()[0]["code"] == 405


@pytest.fixture
def cases(db):
    """Three reports: an open waste one, a lighting one, a closed (rejected) one from 10 days ago."""
    waste = make_report(topic_code="waste", email="secret@example.com")
    lighting = make_report(topic_code="public-lighting")
    old = make_report(topic_code="waste")
    transition_case(case=old, to=CaseStatus.REJECTED, actor=None, kind=EventKind.REJECTED,
                    note="Đã xử lý trong phản ánh khác.", public=True, outcome="duplicate")
    Case.objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(days=10))
    return waste, lighting, Case.objects.get(pk=old.pk)


class GetRequestsTests:
    FIELDS = ["service_request_id", "status", "status_notes", "service_name", "service_code", "description",
              "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
              "address", "address_id", "zipcode", "lat", "long", "media_url"]

    def test_every_field_and_no_reporter_contact(self, client, cases):
        waste, _lighting, old = cases
        response = get(client, "requests.json")
        assert response.status_code == 200
        body = response.json()
        assert [r["service_request_id"] for r in body] == [cases[1].tracking_code, waste.tracking_code,
                                                           old.tracking_code]
        request = body[1]
        assert list(request) == self.FIELDS
        waste.refresh_from_db()
        assert request["status"] == "open" and request["status_notes"] is None
        assert request["service_code"] == "waste" and request["service_name"] == "Waste & sanitation"
        assert request["agency_responsible"] == "UBND Phường Hoàn Kiếm"
        assert request["requested_datetime"].endswith("+07:00")
        assert request["requested_datetime"] == timezone.localtime(waste.received_at).replace(
            microsecond=0).isoformat()
        assert request["expected_datetime"].endswith("+07:00")
        assert request["address_id"] == "00070" and "Hà Nội" in request["address"]
        assert request["lat"] == HOAN_KIEM[0] and request["long"] == HOAN_KIEM[1]
        assert b"secret@example.com" not in response.content and b"reporter" not in response.content
        closed = body[2]
        assert closed["status"] == "closed" and closed["status_notes"] == "Đã xử lý trong phản ánh khác."

    def test_xml(self, client, cases):
        root = xml(get(client, "requests.xml"))
        assert root.tag == "service_requests"
        requests = root.findall("request")
        assert len(requests) == 3
        assert [c.tag for c in requests[0]] == self.FIELDS
        assert requests[0].find("zipcode").text is None

    def test_service_request_id_list_overrides_other_filters(self, client, cases):
        waste, lighting, old = cases
        ids = f"{old.tracking_code},{lighting.tracking_code.lower()}"
        body = get(client, "requests.json", service_request_id=ids, service_code="waste", status="open").json()
        assert {r["service_request_id"] for r in body} == {old.tracking_code, lighting.tracking_code}

    def test_service_code_filter(self, client, cases):
        body = get(client, "requests.json", service_code="public-lighting").json()
        assert [r["service_code"] for r in body] == ["public-lighting"]
        body = get(client, "requests.json", service_code="public-lighting,waste").json()
        assert len(body) == 3

    def test_status_filter(self, client, cases):
        assert {r["status"] for r in get(client, "requests.json", status="open").json()} == {"open"}
        assert [r["service_request_id"] for r in get(client, "requests.json", status="closed").json()] == [
            cases[2].tracking_code]
        assert len(get(client, "requests.json", status="open,closed").json()) == 3
        response = get(client, "requests.json", status="pending")
        assert response.status_code == 400 and errors(response)[0].startswith("status: ")

    def test_date_filters(self, client, cases):
        now = timezone.now()
        start = (now - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
        body = get(client, "requests.json", start_date=start).json()
        assert len(body) == 2
        end = timezone.localtime(now - timedelta(days=5)).replace(microsecond=0).isoformat()
        assert [r["service_request_id"] for r in get(client, "requests.json", end_date=end).json()] == [
            cases[2].tracking_code]
        both = get(client, "requests.json", start_date=(now - timedelta(days=11)).date().isoformat(),
                   end_date=end).json()
        assert len(both) == 1

    def test_default_window_is_90_days(self, client, cases):
        Case.objects.filter(pk=cases[2].pk).update(received_at=timezone.now() - timedelta(days=91))
        assert len(get(client, "requests.json").json()) == 2

    @pytest.mark.parametrize("params", [
        {"start_date": "yesterday"}, {"end_date": "2026-13-01"}, {"start_date": "2026-01-01T08:00:00"},
        {"start_date": "9999-12-31T23:59:59-05:00"}, {"end_date": "0001-01-01T00:00:00+01:00"},
        {"start_date": "2026-01-01T00:00:00+21:46"}, {"end_date": "1899-01-01"},
        {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
        {"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"},
    ])
    def test_bad_dates(self, client, cases, params):
        response = get(client, "requests.json", **params)
        assert response.status_code == 400 and errors(response)

    def test_at_most_1000(self, client, cases, monkeypatch):
        from feedback.open311 import selectors

        monkeypatch.setattr(selectors, "MAX_REQUESTS", 2)
        assert len(get(client, "requests.json").json()) == 2

    def test_spam_is_never_listed(self, client, cases):
        Case.objects.filter(pk=cases[0].pk).update(outcome="spam")
        codes = [r["service_request_id"] for r in get(client, "requests.json").json()]
        assert cases[0].tracking_code not in codes
        assert get(client, f"requests/{cases[0].tracking_code}.json").status_code == 404


class GetRequestTests:
    def test_json_and_xml(self, client, cases):
        code = cases[0].tracking_code
        body = get(client, f"requests/{code}.json").json()
        assert len(body) == 1 and body[0]["service_request_id"] == code
        root = xml(get(client, f"requests/{code}.xml"))
        assert root.tag == "service_requests" and root.findtext("request/service_request_id") == code

    def test_unknown_id(self, client, db):
        response = get(client, "requests/HN-0000-ZZZZ.json")
        assert response.status_code == 404
        assert errors(response) == ["service_request_id “HN-0000-ZZZZ” was not found."]
        root = xml(get(client, "requests/HN-0000-ZZZZ.xml"))
        assert root.tag == "errors" and root.findtext("error/code") == "404"


class TokenTests:
    def test_token_resolves_to_the_request(self, client, cases):
        code = cases[0].tracking_code
        assert get(client, f"tokens/{code}.json").json() == [{"service_request_id": code, "token": code}]
        root = xml(get(client, f"tokens/{code}.xml"))
        assert root.findtext("request/service_request_id") == code and root.findtext("request/token") == code

    def test_unknown_token(self, client, db):
        response = get(client, "tokens/nope.json")
        assert response.status_code == 404 and errors(response) == ["token “nope” was not found."]


class ApiKeyAdminTests:
    def test_the_add_form_offers_a_fresh_random_key(self, admin_client):
        first = admin_client.get("/admin/feedback/apiclient/add/").context["adminform"].form.initial["api_key"]
        second = admin_client.get("/admin/feedback/apiclient/add/").context["adminform"].form.initial["api_key"]
        assert len(first) >= 40 and first != second
        response = admin_client.post("/admin/feedback/apiclient/add/", {"name": "zalo", "api_key": first,
                                                                        "is_active": "on"})
        assert response.status_code == 302

    def test_the_database_holds_no_plain_key_and_the_key_still_works(self, admin_client, client):
        key = admin_client.get("/admin/feedback/apiclient/add/").context["adminform"].form.initial["api_key"]
        response = admin_client.post("/admin/feedback/apiclient/add/", {"name": "zalo", "api_key": key,
                                                                        "is_active": "on"}, follow=True)
        assert response.status_code == 200 and key in response.content.decode()  # shown once, on creation
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {ApiClient._meta.db_table}")
            rows = cursor.fetchall()
        assert len(rows) == 1 and not any(key in str(value) for value in rows[0])
        change = admin_client.get(f"/admin/feedback/apiclient/{ApiClient.objects.get().pk}/change/")
        assert change.status_code == 200 and key not in change.content.decode()
        assert key[:6] in change.content.decode()  # the non-secret prefix, to tell keys apart
        assert post(client, **{**GOOD, "api_key": key}).status_code == 201


def test_both_bad_coordinates_are_reported_at_once(client, client_key):
    response = post(client, **{**GOOD, "lat": "91", "long": "east"})
    assert response.status_code == 400
    assert errors(response) == ["lat: Must be between -90 and 90.",
                                "long: Give a number in decimal degrees (WGS84)."]


def test_at_most_five_photos(client, client_key, settings):
    response = post(client, **GOOD, media=[jpeg() for _ in range(settings.PHOTOS_PER_REPORT + 1)])
    assert response.status_code == 400 and errors(response)[0].startswith("media: ")
    assert not Case.objects.exists()


def test_listing_costs_the_same_queries_for_one_or_many(client, django_assert_num_queries, db):
    from django.core.files.uploadedfile import SimpleUploadedFile

    def photo():
        return SimpleUploadedFile("p.jpg", jpeg().read(), content_type="image/jpeg")

    make_report(topic_code="waste", photos=[photo()])
    with django_assert_num_queries(1):  # the cases' columns, their last public note and first photo as subqueries
        assert len(get(client, "requests.json").json()) == 1
    for topic in ("waste", "public-lighting", "drainage"):
        make_report(topic_code=topic, photos=[photo()])
    with django_assert_num_queries(1):
        assert len(get(client, "requests.json").json()) == 4


class FuzzTests:
    """Open311 is not in the OpenAPI document (the GeoReport spec is its contract), so generated input is
    thrown at it here: every answer is a spec error (400/403/404) or a success, never a 5xx."""

    FIELDS = ["service_code", "lat", "long", "address_string", "address_id", "email", "description", "media_url",
              "first_name", "phone", "jurisdiction_id", "attribute[road_blocked]", "attribute[water_depth_cm]",
              "account_id"]
    QUERY = ["service_request_id", "service_code", "status", "start_date", "end_date", "jurisdiction_id"]

    @staticmethod
    def values():
        from hypothesis import strategies as st

        return st.one_of(st.text(max_size=30), st.sampled_from(
            ["21.0288", "105.8525", "nan", "-inf", "1e309", "00070", "waste", "fallen-tree", "drainage", "fully",
             "open,closed", "2026-11-30T00:00:00Z", "0001-01-01", "9999-12-31T23:59:59+23:59", ""]))

    def test_post_never_fails_with_a_server_error(self, client, client_key):
        from hypothesis import HealthCheck, given, settings
        from hypothesis import strategies as st

        @settings(max_examples=60, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
        @given(st.dictionaries(st.sampled_from(self.FIELDS), self.values()), st.sampled_from(["json", "xml"]))
        def run(data, fmt):
            response = post(client, fmt, **{"service_code": "waste", **data})
            assert response.status_code in (201, 400, 404), response.content

        run()

    def test_get_never_fails_with_a_server_error(self, client, cases):
        from hypothesis import HealthCheck, given, settings
        from hypothesis import strategies as st

        @settings(max_examples=60, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
        @given(st.dictionaries(st.sampled_from(self.QUERY), self.values()), st.sampled_from(["json", "xml"]))
        def run(params, fmt):
            response = get(client, f"requests.{fmt}", **params)
            assert response.status_code in (200, 400, 404), response.content

        run()
