"""Open311 GET answers as plain rows, cached, conditional and compressed (feedback/open311/http.py): the same
records and fields as the model-instance serializer gave, one query for 1 or 50 cases, 304 on If-None-Match,
gzip when accepted, and a case change shown on the next read."""
from __future__ import annotations

import gzip
import io
import time
from xml.etree import ElementTree as ET

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from feedback.lifecycle import OPEN_STATUSES, CaseStatus, EventKind
from feedback.models import Case, PhotoKind
from agencies.models import Topic
from feedback.services import Contact, Location, log_event, submit_report, transition_case
from tests.factories import make_report

pytestmark = pytest.mark.django_db
BASE = "/api/georeport/v2"


@pytest.fixture
def steady_key():
    """The key of a default list changes with the minute (its window) and the cache period: a test that reads
    the same key twice starts well inside both, rather than fail once in a few hundred runs."""
    from feedback.open311.http import CACHE_TTL

    while time.time() % 60 > 50 or time.time() % CACHE_TTL > CACHE_TTL - 10:
        time.sleep(0.5)


def get(client, path, **headers):
    return client.get(f"{BASE}/{path}", HTTP_ACCEPT_LANGUAGE="en", **headers)


def photo() -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), "green").save(buf, format="JPEG")
    return SimpleUploadedFile("p.jpg", buf.getvalue(), content_type="image/jpeg")


def w3c(dt):
    return timezone.localtime(dt).replace(microsecond=0).isoformat() if dt else None


def legacy_record(case: Case) -> dict:
    """What the model-instance serializer (RequestSerializer, before the rows) answered for one case."""
    events = list(case.events.filter(is_public=True).order_by("created_at", "pk"))
    notes = [e.note for e in events if e.note]
    photos = list(case.photos.filter(kind=PhotoKind.REPORT))
    submitted = next((e for e in events if e.kind == "submitted"), None)
    is_open = case.status in OPEN_STATUSES
    if case.agency_id is None:
        notice = "The city's dispatcher will send this report to the responsible agency."
    elif is_open and case.due_at:
        notice = (f"{case.agency.name} handles this report; an answer is due by "
                  f"{timezone.localtime(case.due_at):%d/%m/%Y %H:%M}.")
    else:
        notice = f"{case.agency.name} handles this report."
    return {
        "service_request_id": case.tracking_code, "status": "open" if is_open else "closed",
        "status_notes": notes[-1] if notes else None, "service_name": case.topic.name_en,
        "service_code": case.topic.code, "description": case.description,
        "agency_responsible": case.agency.name if case.agency_id else None, "service_notice": notice,
        "requested_datetime": w3c(case.received_at),
        "updated_datetime": w3c(case.updated_at if is_open else (case.closed_at or case.resolved_at
                                                                 or case.updated_at)),
        "expected_datetime": w3c(case.due_at),
        "address": ", ".join(dict.fromkeys(p for p in (case.address, case.ward.full_name if case.ward_id else "",
                                                       "Hà Nội") if p)),
        "address_id": case.ward.code if case.ward_id else None, "zipcode": None,
        "lat": case.latitude, "long": case.longitude,
        "media_url": ("http://testserver" + photos[0].image.url) if photos else (
            (submitted.data.get("media_url") or None) if submitted else None),
    }


@pytest.fixture
def varied(db):
    """Cases that exercise every field: a photo, a partner's media_url, a public note, closed, no coordinates."""
    with_photo = make_report(topic_code="waste", photos=[photo()])
    sent_url = submit_report(topic=Topic.objects.get(code="public-lighting"), description="Đèn hỏng & tối <b>\x07</b>",
                             location=Location(lat=None, lon=None, address="12 Phố Huế"), photos=[],
                             contact=Contact(email="a@example.com"), channel="open311:zalo",
                             intake={"media_url": "https://partner.example/p.jpg"})
    rejected = make_report(topic_code="waste")
    transition_case(case=rejected, to=CaseStatus.REJECTED, actor=None, kind=EventKind.REJECTED,
                    note="Đã xử lý trong phản ánh khác.", public=True, outcome="duplicate")
    noted = make_report(topic_code="drainage")
    log_event(case=noted, kind=EventKind.REPLY, note="Đội thoát nước đã đến.", public=True)
    return [with_photo, sent_url, rejected, noted]


class SameRecordsTests:
    def test_the_list_answers_what_the_model_serializer_answered(self, client, varied):
        body = get(client, "requests.json").json()
        expected = [legacy_record(c) for c in Case.objects.order_by("-received_at", "-pk")]
        assert body == expected
        assert body[-1]["media_url"].startswith("http://testserver/media/photos/")
        assert body[-2]["media_url"] == "https://partner.example/p.jpg"
        assert {r["status_notes"] for r in body} >= {"Đã xử lý trong phản ánh khác.", "Đội thoát nước đã đến."}

    def test_a_single_request_too(self, client, varied):
        for case in varied:
            assert get(client, f"requests/{case.tracking_code.lower()}.json").json() == [legacy_record(case)]

    def test_xml_is_well_formed_and_carries_the_same_values(self, client, varied):
        response = get(client, "requests.xml")
        root = ET.fromstring(response.content)
        records = get(client, "requests.json").json()
        assert [[child.text for child in r] for r in root.findall("request")] == [
            [None if v is None else str(v).replace("\x07", "") for v in r.values()] for r in records]


@pytest.mark.usefixtures("steady_key")
class QueryCountTests:
    @pytest.mark.parametrize("n", [1, 50])
    def test_one_query_for_one_or_fifty_cases(self, client, db, django_assert_num_queries, n):
        for i in range(n):
            make_report(topic_code=("waste", "drainage")[i % 2], photos=[photo()] if i < 3 else ())
        with django_assert_num_queries(1):
            assert len(get(client, "requests.json").json()) == n
        with django_assert_num_queries(0):  # the second read is the cached body
            assert len(get(client, "requests.json").json()) == n


@pytest.mark.usefixtures("steady_key")
class ConditionalTests:
    def test_304_on_if_none_match_and_200_after_a_change(self, client, varied):
        first = get(client, "requests.json")
        etag = first["ETag"]
        assert etag.startswith('W/"') and first["Cache-Control"].startswith("public, max-age=")
        again = get(client, "requests.json", HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
        assert get(client, f"requests/{varied[0].tracking_code}.json", HTTP_IF_NONE_MATCH=etag).status_code == 200
        make_report(topic_code="waste")
        changed = get(client, "requests.json", HTTP_IF_NONE_MATCH=etag)
        assert changed.status_code == 200 and changed["ETag"] != etag and len(changed.json()) == 5

    def test_the_service_list_too(self, client, db):
        first = get(client, "services.json")
        again = get(client, "services.json", HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304 and first.json()[0]["service_code"]
        zipped = get(client, "services.xml", HTTP_ACCEPT_ENCODING="gzip")
        assert ET.fromstring(gzip.decompress(zipped.content)).tag == "services"

    def test_the_language_and_format_have_their_own_etag(self, client, varied):
        tags = {get(client, "requests.json")["ETag"], get(client, "requests.xml")["ETag"],
                client.get(f"{BASE}/requests.json", HTTP_ACCEPT_LANGUAGE="vi")["ETag"]}
        assert len(tags) == 3


class GzipTests:
    def test_gzip_when_accepted(self, client, varied):
        plain = get(client, "requests.json")
        zipped = get(client, "requests.json", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
        assert "Content-Encoding" not in plain and zipped["Content-Encoding"] == "gzip"
        assert gzip.decompress(zipped.content) == plain.content
        assert len(zipped.content) < len(plain.content)
        assert "Accept-Encoding" in zipped["Vary"] and "Accept-Encoding" in plain["Vary"]
        xml = get(client, "requests.xml", HTTP_ACCEPT_ENCODING="gzip")
        ET.fromstring(gzip.decompress(xml.content))

    def test_the_html_pages_are_not_compressed(self, client, varied):
        assert "Content-Encoding" not in client.get("/report/", HTTP_ACCEPT_ENCODING="gzip")


class InvalidationTests:
    def test_a_new_case_and_a_status_change_show_on_the_next_read(self, client, varied):
        before = get(client, "requests.json?status=open").json()
        case = make_report(topic_code="waste")
        after = get(client, "requests.json?status=open").json()
        assert after[0]["service_request_id"] == case.tracking_code and len(after) == len(before) + 1
        transition_case(case=case, to=CaseStatus.REJECTED, actor=None, kind=EventKind.REJECTED, note="Trùng.",
                        public=True, outcome="duplicate")
        assert get(client, f"requests/{case.tracking_code}.json").json()[0]["status"] == "closed"
        still_open = get(client, "requests.json?status=open").json()
        assert case.tracking_code not in {r["service_request_id"] for r in still_open}

    def test_a_public_reply_shows_on_the_next_read(self, client, varied, django_capture_on_commit_callbacks):
        case = varied[0]
        assert get(client, f"requests/{case.tracking_code}.json").json()[0]["status_notes"] is None
        with django_capture_on_commit_callbacks(execute=True):
            log_event(case=case, kind=EventKind.REPLY, note="Đã dọn xong.", public=True)
        assert get(client, f"requests/{case.tracking_code}.json").json()[0]["status_notes"] == "Đã dọn xong."

    def test_the_token_is_replaced_again_at_commit(self, db, django_capture_on_commit_callbacks):
        from dashboard.cache import current_version

        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            make_report()
            during = current_version()  # what a reader that read the rows before the commit took
        for callback in callbacks:
            callback()
        assert current_version() != during
