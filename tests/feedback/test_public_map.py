import pytest

from feedback.lifecycle import Outcome
from feedback.models import Case
from tests.factories import make_report

pytestmark = pytest.mark.django_db


class PublicMapTests:
    def test_points_have_public_fields_only(self, client):
        case = make_report(email="private.person@example.com")
        Case.objects.filter(pk=case.pk).update(reporter_name="Nguyễn Văn Bí Mật", reporter_phone="0999888777")
        data = client.get("/map/points.json").json()
        assert data["count"] == 1
        assert data["truncated"] is False
        point = data["points"][0]
        assert set(point) == {"code", "lat", "lon", "status", "status_label", "topic", "ward", "received", "url"}
        assert point["ward"] == "Phường Hoàn Kiếm" and point["topic"] == "Rác thải, vệ sinh môi trường"
        text = str(data)
        assert "private.person" not in text and "Bí Mật" not in text and "0999" not in text

    def test_spam_and_merged_are_not_public(self, client):
        make_report()
        spam = make_report()
        Case.objects.filter(pk=spam.pk).update(outcome=Outcome.SPAM)
        assert client.get("/map/points.json").json()["count"] == 1
        assert spam.tracking_code not in client.get("/map/").content.decode()

    @pytest.mark.usefixtures("english")
    def test_filters_by_topic_status_and_ward(self, client):
        make_report(topic_code="waste")
        make_report(topic_code="trees")
        make_report(topic_code="waste", lat=21.0367, lon=105.8342)  # Ba Đình
        assert client.get("/map/points.json", {"topic": "waste"}).json()["count"] == 2
        assert client.get("/map/points.json", {"ward": "00070"}).json()["count"] == 2
        assert client.get("/map/points.json", {"topic": "waste", "ward": "00070"}).json()["count"] == 1
        assert client.get("/map/points.json", {"status": "resolved"}).json()["count"] == 0
        html = client.get("/map/", {"topic": "trees"}).content.decode()
        assert "1 report" in html and 'value="trees" selected' in html

    @pytest.mark.usefixtures("english")
    def test_list_beside_the_map_is_paginated(self, client):
        for _ in range(23):
            make_report()
        html = client.get("/map/").content.decode()
        assert html.count('class="case-item"') == 20 and "Page 1 of 2" in html
        html = client.get("/map/", {"page": 2}).content.decode()
        assert html.count('class="case-item"') == 3
        assert 'id="publicmap"' in html and "leaflet.markercluster.js" in html
