"""The public map at city scale (/map/points.json): box and zoom checked, clusters from the database at low zoom,
points at street level or when few, every answer under 100 KB, ETag/304, cached with exact invalidation."""
import json
import random
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from agencies.models import Topic, Ward
from dashboard.cache import bump_version
from feedback.lifecycle import CaseStatus, Outcome
from feedback.models import Case
from feedback.selectors import public_cases
from feedback.selectors.public_map import HANOI_BBOX, POINTS_MAX, POINTS_ZOOM
from feedback.services.case_actions import resolve_case
from tests.factories import HOAN_KIEM, make_report, make_staff
from tests.feedback.services.test_case_actions import jpeg

pytestmark = pytest.mark.django_db

CITY = ",".join(map(str, HANOI_BBOX))
HK_STREET = "105.8490,21.0260,105.8560,21.0310"  # a street-level view around Hoàn Kiếm lake
PII = ("private.person", "Bí Mật", "0999")


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


def bulk_cases(n: int, *, seed: int = 16, bbox=HANOI_BBOX, prefix: str = "HN-M") -> list[Case]:
    """n public cases spread uniformly over `bbox`, bulk-written (as a bulk import would: no signal, so the
    cache's version is bumped by hand), of every topic, three statuses and a few wards, over 90 days."""
    rng = random.Random(seed)
    topics = list(Topic.objects.filter(is_active=True))
    wards = list(Ward.objects.order_by("code")[:20]) + [None]
    now = timezone.now()
    west, south, east, north = bbox
    cases = []
    for i in range(n):
        status = rng.choice([CaseStatus.RECEIVED, CaseStatus.RECEIVED, CaseStatus.REJECTED])
        received = now - timedelta(minutes=i)
        cases.append(Case(
            tracking_code=f"{prefix}{i:07d}", topic=rng.choice(topics), description="Rác tồn đọng",
            latitude=rng.uniform(south, north), longitude=rng.uniform(west, east), ward=rng.choice(wards),
            status=status, received_at=received, reporter_name="Nguyễn Văn Bí Mật", reporter_phone="0999888777",
            reporter_email="private.person@example.com",
            resolved_at=received if status == CaseStatus.REJECTED else None))
    made = Case.objects.bulk_create(cases, batch_size=2000)
    bump_version()
    return made


def points(client, **params):
    response = client.get("/map/points.json", params)
    assert response.status_code == 200, response.content
    return response.json()


def in_box(qs, bbox):
    west, south, east, north = bbox
    return qs.filter(latitude__gte=south, latitude__lt=north, longitude__gte=west, longitude__lt=east).count()


class PublicFieldsTests:
    def test_a_point_carries_public_fields_only(self, client):
        case = make_report(email="private.person@example.com")
        Case.objects.filter(pk=case.pk).update(reporter_name="Nguyễn Văn Bí Mật", reporter_phone="0999888777")
        bump_version()
        data = points(client)
        assert data["total"] == 1 and data["clusters"] == [] and data["truncated"] is False
        [[code, lat, lon, status, topic, ward, received]] = data["points"]
        assert (code, lat, lon) == (case.tracking_code, HOAN_KIEM[0], HOAN_KIEM[1])
        assert data["statuses"][status][0] == case.status
        assert data["topics"][topic] == "Rác thải, vệ sinh môi trường"
        assert data["wards"][ward] == "Phường Hoàn Kiếm"
        assert received == timezone.localdate(case.received_at).isoformat()
        assert data["url"].replace("{code}", code) == f"/track/{code}/"
        assert set(data) == {"zoom", "cell", "bbox", "total", "truncated", "clusters", "points", "statuses",
                             "topics", "wards", "url"}
        assert not any(s in json.dumps(data, ensure_ascii=False) for s in PII)

    @pytest.mark.usefixtures("english")
    def test_labels_follow_the_language(self, client):
        make_report()
        data = points(client)
        assert data["topics"] == ["Waste & sanitation"]
        assert dict(data["statuses"])["assigned"] == "Assigned"

    def test_spam_and_merged_are_not_public(self, client):
        make_report()
        spam = make_report()
        Case.objects.filter(pk=spam.pk).update(outcome=Outcome.SPAM)
        bump_version()
        assert points(client)["total"] == 1
        assert spam.tracking_code not in client.get("/map/").content.decode()

    @pytest.mark.usefixtures("english")
    def test_filters_by_topic_status_and_ward(self, client):
        make_report(topic_code="waste")
        make_report(topic_code="trees")
        make_report(topic_code="waste", lat=21.0367, lon=105.8342)  # Ba Đình
        assert points(client, topic="waste")["total"] == 2
        assert points(client, ward="00070")["total"] == 2
        assert points(client, topic="waste", ward="00070")["total"] == 1
        assert points(client, status="resolved")["total"] == 0
        html = client.get("/map/", {"topic": "trees"}).content.decode()
        assert "1 report" in html and 'value="trees" selected' in html
        assert 'data-url="/map/points.json?topic=trees"' in html
        assert 'data-bounds="105.28,20.56,106.03,21.39"' in html and "data-center" not in html
        assert 'data-center="21.' in client.get("/map/", {"ward": "00070"}).content.decode()  # opens on the ward

    def test_a_filter_value_cannot_add_parameters_to_the_points_url(self, client):
        html = client.get("/map/", {"topic": "waste&zoom=3#x"}).content.decode()
        assert 'data-url="/map/points.json?topic=waste%26zoom%3D3%23x"' in html

    @pytest.mark.usefixtures("english")
    def test_list_beside_the_map_is_paginated(self, client):
        for _ in range(23):
            make_report()
        html = client.get("/map/").content.decode()
        assert html.count('class="case-item"') == 20 and "Page 1 of 2" in html
        html = client.get("/map/", {"page": 2}).content.decode()
        assert html.count('class="case-item"') == 3
        # the server clusters: the page no longer loads Leaflet.markercluster
        assert 'id="publicmap"' in html and "public-map.js" in html and "markercluster" not in html


class BoxAndZoomTests:
    @pytest.mark.parametrize("params, words", [
        ({"bbox": "105.8,21.0,105.9"}, "bốn số"),
        ({"bbox": "a,b,c,d"}, "bốn số"),
        ({"bbox": "105.8,21.0,105.9,nan"}, "bốn số"),
        ({"bbox": "105.9,21.0,105.8,21.1"}, "tây < đông"),
        ({"bbox": "105.8,21.1,105.9,21.0"}, "tây < đông"),
        ({"bbox": "105.8,21.0,190,21.1"}, "tây < đông"),
        ({"zoom": "x"}, "Mức thu phóng"),
        ({"zoom": "12.5"}, "Mức thu phóng"),
        ({"zoom": "23"}, "Mức thu phóng"),
        ({"zoom": "-1"}, "Mức thu phóng"),
    ])
    def test_a_bad_box_or_zoom_is_a_400_in_vietnamese(self, client, params, words):
        response = client.get("/map/points.json", params)
        assert response.status_code == 400
        assert words in response.json()["error"]

    @pytest.mark.usefixtures("english")
    def test_and_in_english_when_chosen(self, client):
        response = client.get("/map/points.json", {"bbox": "1,2,3", "zoom": "12"})
        assert response.status_code == 400
        assert response.json() == {"error": "The bounding box must be four numbers: west,south,east,north."}

    def test_the_box_is_widened_to_whole_cells(self, client):
        a = points(client, bbox="105.80,21.00,105.90,21.05", zoom=13)
        b = points(client, bbox="105.801,21.001,105.899,21.049", zoom=13)
        assert a["bbox"] == b["bbox"] == [105.796875, 21.0, 105.90625, 21.0625] and a["cell"] == 2 ** -6

    def test_a_large_box_at_high_zoom_gets_wider_cells(self, client):
        data = points(client, bbox=CITY, zoom=16)
        west, south, east, north = data["bbox"]
        assert data["cell"] > 2 ** -9
        assert (east - west) / data["cell"] * (north - south) / data["cell"] <= 1024


class ClusterTests:
    def test_counts_add_up_to_the_filtered_total(self, client):
        bulk_cases(3000)
        for params in ({}, {"topic": "waste"}, {"status": "rejected"}, {"ward": Ward.objects.order_by("code")[0].code}):
            for zoom, bbox in ((10, CITY), (12, CITY), (13, "105.78,20.98,105.92,21.08")):
                data = points(client, bbox=bbox, zoom=zoom, **params)
                expected = in_box(public_cases(**params), data["bbox"])
                assert data["total"] == expected
                if expected > POINTS_MAX:
                    assert data["points"] == [] and sum(n for _lat, _lon, n in data["clusters"]) == expected
                else:
                    assert data["clusters"] == [] and len(data["points"]) == expected

    def test_clusters_are_numbers_only_and_inside_their_box(self, client):
        bulk_cases(2000)
        data = points(client, bbox=CITY, zoom=11)
        west, south, east, north = data["bbox"]
        assert len(data["clusters"]) > 10 and data["points"] == [] and data["topics"] == data["wards"] == []
        for lat, lon, n in data["clusters"]:
            assert south <= lat < north and west <= lon < east and isinstance(n, int) and n > 0
        assert not any(s in json.dumps(data, ensure_ascii=False) for s in PII)

    def test_few_cases_are_points_at_any_zoom(self, client):
        bulk_cases(40)
        data = points(client, bbox=CITY, zoom=10)
        assert data["clusters"] == [] and len(data["points"]) == data["total"] == 40


class SizeTests:
    def test_every_answer_stays_under_100_kb_with_20000_cases(self, client):
        bulk_cases(20_000)
        bulk_cases(3_000, seed=2, bbox=(105.8520, 21.0285, 105.8530, 21.0290), prefix="HN-S")  # a crowded corner
        sizes = {}
        for zoom in range(9, 20):
            for name, bbox in (("city", CITY), ("street", HK_STREET), ("world", "-180,-90,180,90")):
                response = client.get("/map/points.json", {"bbox": bbox, "zoom": zoom})
                assert response.status_code == 200
                sizes[(zoom, name)] = len(response.content)
        assert max(sizes.values()) < 100_000, sizes
        street = points(client, bbox=HK_STREET, zoom=POINTS_ZOOM + 1)
        assert street["truncated"] is True and len(street["points"]) == POINTS_MAX < street["total"]
        codes = [p[0] for p in street["points"]]
        assert codes[0] == "HN-S0000000"  # the newest first


class ConditionalGetTests:
    def test_etag_304_and_cache_control(self, client):
        make_report()
        first = client.get("/map/points.json", {"bbox": CITY, "zoom": 11})
        assert first["Cache-Control"] == "public, max-age=10"
        etag = first["ETag"]
        again = client.get("/map/points.json", {"bbox": CITY, "zoom": 11}, HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
        other = client.get("/map/points.json", {"bbox": CITY, "zoom": 11}, HTTP_IF_NONE_MATCH='"stale"')
        assert other.status_code == 200 and other.content == first.content
        assert "csrftoken" not in first.cookies and "sessionid" not in first.cookies

    def test_a_new_case_shows_on_the_next_read(self, client):
        make_report()
        first = client.get("/map/points.json", {"bbox": CITY, "zoom": 11})
        assert first.json()["total"] == 1
        case = make_report(lat=21.0367, lon=105.8342)
        second = client.get("/map/points.json", {"bbox": CITY, "zoom": 11}, HTTP_IF_NONE_MATCH=first["ETag"])
        assert second.status_code == 200 and second["ETag"] != first["ETag"]
        assert case.tracking_code in [p[0] for p in second.json()["points"]]

    def test_a_status_change_shows_on_the_next_read(self, client):
        case = make_report()
        assert points(client, status="resolved")["total"] == 0
        resolve_case(case=case, actor=make_staff("hk_officer"), outcome=Outcome.FIXED, reply="Đã dọn xong",
                     proof_photos=[jpeg()])
        assert points(client, status="resolved")["total"] == 1


class QueryCountTests:
    def test_one_query_for_clusters_two_for_points_none_when_cached(self, client, django_assert_num_queries):
        bulk_cases(POINTS_MAX + 100)
        with django_assert_num_queries(1):
            assert points(client, bbox=CITY, zoom=11)["clusters"]
        with django_assert_num_queries(0):
            assert points(client, bbox=CITY, zoom=11)["clusters"]
        with django_assert_num_queries(2):
            assert points(client, bbox=CITY, zoom=11, topic="waste")["points"]
