"""Private originals: stored in STORAGES["private"] as it is configured at use, never given a public URL."""
from pathlib import Path

import pytest
from django.urls import reverse

from feedback.models import CasePhoto
from tests.factories import make_report, make_staff
from tests.feedback.services.test_case_actions import jpeg

pytestmark = pytest.mark.django_db


def private_at(settings, location: Path) -> None:
    settings.STORAGES = {**settings.STORAGES, "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(location), "base_url": None},
    }}


class PrivateStorageTests:
    def test_the_original_lands_in_the_overridden_private_location(self, settings, tmp_path):
        private_at(settings, tmp_path / "elsewhere")
        photo = make_report(photos=[jpeg("report.jpg")]).photos.get()
        stored = Path(photo.original.path)
        assert stored.is_relative_to(tmp_path / "elsewhere") and stored.is_file()
        assert photo.original.name.startswith("originals/")
        assert not stored.is_relative_to(settings.MEDIA_ROOT)
        with CasePhoto.objects.get(pk=photo.pk).original.open("rb") as f:
            assert f.read(2) == b"\xff\xd8"

    def test_an_original_has_no_url(self, settings):
        settings.MEDIA_URL = "/media/"
        photo = make_report(photos=[jpeg("report.jpg")]).photos.get()
        with pytest.raises(ValueError):
            photo.original.url  # noqa: B018
        assert photo.image.url.startswith("/media/photos/")

    def test_staff_page_and_admin_do_not_link_originals(self, client, admin_client):
        case = make_report(photos=[jpeg("report.jpg")])
        original = case.photos.get().original.name
        client.force_login(make_staff("hk1"))
        pages = [client.get(reverse("staff:case", args=[case.tracking_code])),
                 admin_client.get(reverse("admin:feedback_case_change", args=[case.pk]))]
        for page in pages:
            assert page.status_code == 200
            body = page.content.decode()
            assert original not in body and "originals/" not in body
