import pytest
from django.core.management import call_command

from agencies.demo import DEMO_PASSWORD
from tests.factories import make_report

pytestmark = pytest.mark.django_db


class PageTests:
    def test_home_answers_in_vietnamese_by_default(self, client):
        resp = client.get("/")
        assert resp.status_code == 200
        assert "Chiếu sáng công cộng" in resp.content.decode()

    def test_tracking_page_shows_status_ward_agency_without_reporter_contact(self, client):
        case = make_report(email="private.person@example.com")
        resp = client.get(f"/track/{case.tracking_code}/")
        html = resp.content.decode()
        assert resp.status_code == 200
        assert "Phường Hoàn Kiếm" in html and "UBND Phường Hoàn Kiếm" in html
        assert "private.person" not in html

    def test_unknown_tracking_code_is_404_with_a_message(self, client):
        resp = client.get("/track/?code=HN-0000-XXXX")
        assert resp.status_code == 404
        assert "HN-0000-XXXX" in resp.content.decode()

    def test_demo_manager_logs_into_admin(self, client):
        call_command("create_demo_accounts", force=True)
        # Through the admin's login form: django-axes needs the request, which Client.login() does not pass.
        resp = client.post("/admin/login/?next=/admin/", {"username": "hk_manager", "password": DEMO_PASSWORD,
                                                          "next": "/admin/"})
        assert resp.status_code == 302 and resp["Location"] == "/admin/"
        assert client.get("/admin/").status_code == 200
