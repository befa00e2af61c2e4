import pytest
from django.core import mail
from django.urls import reverse

from agencies.models import Topic
from feedback import uploads
from feedback.lifecycle import CaseStatus
from feedback.models import Case, CasePhoto, OutboxMessage, OutboxStatus
from tests.feedback.images import jpeg_bytes, upload

pytestmark = pytest.mark.django_db

HK = (21.0288, 105.8525)


def form_data(**overrides):
    data = {"topic": Topic.objects.get(code="waste").pk, "description": "Rác tồn đọng ở góc phố nhiều ngày",
            "latitude": f"{HK[0]}", "longitude": f"{HK[1]}", "address": "", "name": "Lan", "phone": "0912 345 678",
            "email": "lan@example.com", "photos": [upload()]}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.usefixtures("english")
class ReportFormTests:
    def test_form_renders_with_labels_and_photo_inputs(self, client):
        resp = client.get("/report/")
        html = resp.content.decode()
        assert resp.status_code == 200
        for field in ("id_topic", "id_description", "id_address", "id_name", "id_phone", "id_email", "id_photos"):
            assert f'for="{field}"' in html, field
        assert 'accept="image/*"' in html and 'capture="environment"' in html and "multiple" in html
        assert 'id="reportmap"' in html and "leaflet" in html

    def test_the_early_photo_check_gets_the_servers_limits_in_the_pages_language(self, client, settings):
        import json
        import re

        def words():
            html = client.get("/report/").content.decode()
            assert 'id="photo-warnings"' in html
            found = re.search(r'<script id="report-i18n" type="application/json">(.*?)</script>', html)
            return json.loads(found.group(1))

        settings.PHOTO_MAX_BYTES = 3_000_000
        en = words()
        assert en["photoMaxBytes"] == 3_000_000
        assert en["photoTypes"] == ["image/jpeg", "image/png", "image/webp"]
        assert en["tooBig"] == "is larger than 3 MB; choose a smaller photo."
        assert en["notImage"] == "is not a photo (JPEG, PNG or WebP)."
        client.cookies["django_language"] = "vi"
        assert words()["notImage"] == "không phải là ảnh (JPEG, PNG hoặc WebP)."

    def test_a_topic_link_preselects_the_topic(self, client):
        waste = Topic.objects.get(code="waste")
        html = client.get("/report/", {"topic": "waste"}).content.decode()
        assert f'<option value="{waste.pk}" selected>' in html
        assert 'href="/report/?topic=waste"' in client.get("/").content.decode()

    def test_submit_stores_routes_and_lands_on_tracking_page(self, client, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            resp = client.post("/report/", form_data())
        case = Case.objects.get()
        assert resp.status_code == 302 and resp.url == case.get_absolute_url()
        assert case.ward.full_name == "Phường Hoàn Kiếm" and case.agency.name == "UBND Phường Hoàn Kiếm"
        assert case.status == CaseStatus.ASSIGNED and case.reporter_phone == "0912 345 678"
        assert case.photos.count() == 1 and case.photos.get().thumbnail  # made by the (eager) Celery task
        page = client.get(resp.url).content.decode()
        assert "Thank you! Your report was received." in page and "?key=" in page
        assert "UBND Phường Hoàn Kiếm" in page and "lan@example.com" not in page and "0912" not in page
        assert [m.to for m in mail.outbox] == [["lan@example.com"]]  # one email: received and where it went
        # the confirmation (with the private link) shows once only
        assert "?key=" not in client.get(resp.url).content.decode()

    def test_address_alone_is_enough(self, client):
        resp = client.post("/report/", form_data(latitude=None, longitude=None, address="12 Hàng Bài"))
        assert resp.status_code == 302
        assert Case.objects.get().address == "12 Hàng Bài"

    def test_errors_keep_every_field_and_the_photo(self, client):
        resp = client.post("/report/", form_data(description="short", email="not-an-email"))
        html = resp.content.decode()
        assert resp.status_code == 400 and not Case.objects.exists()
        assert "Please check the form" in html and "Enter a valid email address." in html
        assert 'value="not-an-email"' in html and "short</textarea>" in html and 'value="Lan"' in html
        assert f'value="{HK[0]}"' in html
        token = resp.context["form"].kept[0].token
        assert f'name="kept_photos" value="{token}"' in html and "photo.jpg" in html
        preview = client.get(reverse("feedback:kept_photo", args=[token]))
        assert preview.status_code == 200 and preview["Content-Type"] == "image/jpeg"
        assert client.get(reverse("feedback:kept_photo", args=["forged"])).status_code == 404
        # second try with only the fixed fields: the kept photo is used, no re-picking
        data = form_data(email="lan@example.com", photos=None, kept_photos=[token])
        resp = client.post("/report/", data)
        assert resp.status_code == 302
        assert Case.objects.get().photos.count() == 1
        assert uploads.read_token(token) is None  # the private pending copy is gone once used

    def test_a_forged_kept_photo_token_is_ignored(self, client):
        resp = client.post("/report/", form_data(photos=None, kept_photos=["pending/../../etc/passwd"]))
        assert resp.status_code == 400
        assert "Add at least one photo" in resp.content.decode()

    def test_at_most_five_photos(self, client, settings):
        resp = client.post("/report/", form_data(photos=[upload(f"p{i}.jpg") for i in range(6)]))
        assert resp.status_code == 400 and "Add at most 5 photos." in resp.content.decode()
        assert not Case.objects.exists()

    def test_no_location_offers_the_photo_gps(self, client):
        photo = upload("gps.jpg", jpeg_bytes(gps=HK))
        resp = client.post("/report/", form_data(latitude=None, longitude=None, photos=[photo]))
        html = resp.content.decode()
        assert resp.status_code == 400
        assert "Use the location of my photo" in html and 'data-lat="21.028800"' in html
        assert not Case.objects.exists()

    def test_no_location_and_no_photo_gps_asks_for_one(self, client):
        resp = client.post("/report/", form_data(latitude=None, longitude=None))
        assert resp.status_code == 400
        assert "Give the location: tap the map" in resp.content.decode()

    def test_half_a_point_is_refused(self, client):
        resp = client.post("/report/", form_data(longitude=None))
        assert resp.status_code == 400 and "The map point is incomplete" in resp.content.decode()

    def test_logged_in_citizen_sees_history(self, client, django_user_model):
        user = django_user_model.objects.create_user("lan", "lan@example.com", "pw")
        client.force_login(user)
        client.post("/report/", form_data())
        case = Case.objects.get()
        assert case.reporter == user
        html = client.get("/my-reports/").content.decode()
        assert case.tracking_code in html
        client.logout()
        assert client.get("/my-reports/").status_code == 302

    def test_report_is_stored_when_the_broker_is_down(self, client, caplog, django_capture_on_commit_callbacks):
        """Nothing runs eagerly and the broker's port is closed: the case is routed, outbox rows and photos wait."""
        from ihanoi.celery_app import app

        saved = app.conf.broker_url, app._pool, getattr(app.amqp, "_producer_pool", None)
        app.conf.task_always_eager = False
        app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
        app._pool = app.amqp._producer_pool = None
        try:
            with django_capture_on_commit_callbacks(execute=True):
                resp = client.post("/report/", form_data())
        finally:
            if app._pool is not None:
                app._pool.force_close_all()
            app.conf.broker_url, app._pool, app.amqp._producer_pool = saved
        assert resp.status_code == 302
        case = Case.objects.get()
        assert case.agency.name == "UBND Phường Hoàn Kiếm" and case.status == CaseStatus.ASSIGNED
        assert OutboxMessage.objects.filter(case=case, status=OutboxStatus.PENDING).count() == 1
        assert mail.outbox == []
        assert CasePhoto.objects.get(case=case).thumbnail == ""
        refused = [r.getMessage() for r in caplog.records if "broker unavailable" in r.getMessage()]
        assert len(refused) == 2 and all("closed pool" not in m for m in refused), refused
        # when the broker is back, the periodic drain sends what waited
        from feedback.tasks import drain_outbox

        assert drain_outbox() == 1 and len(mail.outbox) == 1
        from datetime import timedelta

        from django.utils import timezone

        from feedback.tasks import make_missing_thumbnails

        assert make_missing_thumbnails() == 0  # a photo gets two minutes for its own task first
        CasePhoto.objects.update(created_at=timezone.now() - timedelta(minutes=5))
        assert make_missing_thumbnails() == 1 and CasePhoto.objects.get().thumbnail

    def test_kept_photos_expire_and_are_purged(self, client, settings):
        import os
        import time

        resp = client.post("/report/", form_data(description="short"))
        token = resp.context["form"].kept[0].token
        assert uploads.purge_expired() == 0 and uploads.read_token(token) is not None
        for path in (settings.PRIVATE_MEDIA_ROOT / "pending").iterdir():
            old = time.time() - uploads.MAX_AGE_SECONDS - 60
            os.utime(path, (old, old))
        assert uploads.purge_expired() == 1 and uploads.read_token(token) is None


@pytest.mark.usefixtures("english")
class WardAtTests:
    def test_ward_for_a_point(self, client):
        resp = client.get(reverse("feedback:ward_at"), {"lat": HK[0], "lon": HK[1]})
        assert resp.status_code == 200
        assert resp.json() == {"code": "00070", "name": "Hoàn Kiếm", "full_name": "Phường Hoàn Kiếm"}

    def test_outside_hanoi_is_null_with_a_message(self, client):
        data = client.get(reverse("feedback:ward_at"), {"lat": 10.77, "lon": 106.70}).json()
        assert data["code"] is None and "outside" in data["message"]

    @pytest.mark.parametrize(
        "params", [{}, {"lat": "x", "lon": "1"}, {"lat": "91", "lon": "1"}, {"lat": "nan", "lon": "1"}])
    def test_bad_input_is_400_with_a_message(self, client, params):
        resp = client.get(reverse("feedback:ward_at"), params)
        assert resp.status_code == 400 and resp.json()["error"]


class LanguageTests:
    def test_vietnamese_by_default_and_the_switch_to_english_sticks(self, client):
        html = client.get("/report/").content.decode()
        assert '<html lang="vi">' in html and "Gửi phản ánh" in html and "Lĩnh vực" in html
        resp = client.post("/i18n/setlang/", {"language": "en", "next": "/report/"})
        assert resp.status_code == 302 and resp.url == "/report/"
        html = client.get("/report/").content.decode()
        assert '<html lang="en">' in html and "Send report" in html and "Waste &amp; sanitation" in html
        client.post("/i18n/setlang/", {"language": "vi", "next": "/"})
        assert "Gửi phản ánh" in client.get("/report/").content.decode()

    def test_errors_come_in_the_citizens_language(self, client):
        html = client.post("/report/", form_data(photos=[upload("x.jpg", b"junk")])).content.decode()
        assert "x.jpg không phải ảnh hợp lệ hoặc đã bị hỏng." in html
        assert "Vui lòng kiểm tra lại" in html
