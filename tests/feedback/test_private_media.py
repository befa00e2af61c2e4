"""Photo originals (EXIF/GPS kept) for staff only, on the filesystem backend (the default): the staff view
streams the file after checking the case is the user's; on S3 it redirects to a presigned URL
(tests/ihanoi/test_object_storage.py)."""
import io

import pytest
from django.urls import reverse
from PIL import Image

from tests.factories import make_report, make_staff
from tests.feedback.images import GPS_IFD, jpeg_bytes, upload

pytestmark = pytest.mark.django_db
GPS = (21.0288, 105.8525)


@pytest.fixture
def case():
    return make_report(photos=[upload("street.jpg", jpeg_bytes(gps=GPS))])


def _original_url(case):
    return reverse("staff:photo_original", args=[case.tracking_code, case.photos.get().pk])


class PhotoOriginalTests:
    def test_the_case_officer_gets_the_original_with_its_gps(self, client, case):
        client.force_login(make_staff("hk1"))
        response = client.get(_original_url(case))
        assert response.status_code == 200
        body = b"".join(response.streaming_content)
        with case.photos.get().original.open("rb") as f:
            assert body == f.read()
        assert Image.open(io.BytesIO(body)).getexif().get_ifd(GPS_IFD)  # the GPS the public copy has not
        assert "no-store" in response["Cache-Control"]

    def test_the_case_page_links_the_original_for_staff(self, client, case):
        client.force_login(make_staff("hk1"))
        page = client.get(reverse("staff:case", args=[case.tracking_code]))
        assert _original_url(case) in page.content.decode()

    def test_staff_of_another_agency_get_404(self, client, case):
        client.force_login(make_staff("hapu1", agency_code="chieu-sang-hapulico"))
        assert client.get(_original_url(case)).status_code == 404

    def test_anonymous_visitors_and_citizens_never_get_it(self, client, case, django_user_model):
        response = client.get(_original_url(case))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        client.force_login(django_user_model.objects.create_user("citizen1", password="pw"))
        assert client.get(_original_url(case)).status_code == 403

    def test_the_public_tracking_page_shows_no_link_to_it(self, client, case):
        page = client.get(case.get_absolute_url())
        assert page.status_code == 200 and "/original/" not in page.content.decode()
