"""The installable form: manifest and service worker at the site root, linked from every page (issue 18)."""
import json
import uuid

import pytest
from django.contrib.staticfiles import finders
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_manifest_is_linked_and_describes_the_form(client):
    html = client.get("/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html and 'name="theme-color"' in html
    response = client.get("/manifest.webmanifest")
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["start_url"] == "/report/" and data["display"] == "standalone" and data["theme_color"]
    for icon in data["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/"))  # a file in static/
    assert {i["sizes"] for i in data["icons"]} == {"192x192", "512x512"}


def test_the_service_worker_is_served_from_the_root_with_its_precache_list(client):
    response = client.get("/sw.js")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/" and response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    precache = json.loads(body.split("const PRECACHE = ", 1)[1].split(";\n", 1)[0])
    assert "/report/" in precache and "/static/leaflet/images/marker-icon.png" in precache
    for url in precache:
        assert (finders.find(url.removeprefix("/static/")) if url.startswith("/static/")
                else client.get(url).status_code == 200), url
    assert 'addEventListener("fetch"' in body


def test_the_report_form_carries_the_offline_words_and_script(client):
    html = client.get("/report/").content.decode()
    assert '<script id="offline-i18n" type="application/json">' in html
    assert "/static/js/offline-report.js" in html
    words = json.loads(html.split('<script id="offline-i18n" type="application/json">', 1)[1].split("</script>")[0])
    assert words["saved"] == "Đã lưu trên điện thoại, sẽ gửi khi có mạng."  # Vietnamese by default
    assert words["apiUrl"] == "/api/v1/reports/" and words["topics"]
    client.cookies["django_language"] = "en"
    html = client.get("/report/").content.decode()
    assert "Saved on this phone, will send when online." in html


def test_sent_tells_whether_a_key_became_a_case(client):
    key = str(uuid.uuid4())
    assert client.get(f"/report/sent/{key}/").status_code == 404
    code = APIClient().post("/api/v1/reports/", {"topic": "waste", "description": "Rác đổ trộm ở đầu ngõ",
                                                 "address": "12 Hàng Bài"}, format="json",
                            HTTP_IDEMPOTENCY_KEY=key).json()["tracking_code"]
    assert client.get(f"/report/sent/{key}/").json() == {"tracking_code": code, "url": f"/track/{code}/"}
