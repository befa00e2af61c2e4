"""Media on S3-compatible object storage (city-scale topology), against a local S3 endpoint: moto's server,
started here on a free port (no network). Public photos and thumbnails in one bucket, private originals in
another; staff reach an original only through a presigned URL, anonymous visitors get 403."""
from __future__ import annotations

import io
import socket
import urllib.error
import urllib.request
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from feedback import uploads
from feedback.services import photo_make_thumbnail
from ihanoi.object_storage import s3_storages
from tests.factories import make_report, make_staff
from tests.feedback.images import GPS_IFD, jpeg_bytes, upload

pytestmark = pytest.mark.django_db
PUBLIC, PRIVATE = "ihanoi-public", "ihanoi-private"
KEYS = {"region": "us-east-1", "access_key": "testing", "secret_key": "testing"}
TTL = 120
_direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    server_module = pytest.importorskip("moto.server")
    import boto3

    port = _free_port()
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client("s3", endpoint_url=endpoint, region_name=KEYS["region"],
                          aws_access_key_id=KEYS["access_key"], aws_secret_access_key=KEYS["secret_key"])
    for bucket in (PUBLIC, PRIVATE):
        client.create_bucket(Bucket=bucket)
    try:
        yield endpoint, client
    finally:
        server.stop()


@pytest.fixture
def s3(settings, s3_endpoint):
    endpoint, client = s3_endpoint
    settings.STORAGES = {**settings.STORAGES, **s3_storages(
        bucket=PUBLIC, private_bucket=PRIVATE, endpoint_url=endpoint, ttl=TTL, **KEYS)}
    settings.PRIVATE_URL_TTL = TTL
    return endpoint, client


def _keys(client, bucket: str) -> set[str]:
    return {o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])}


def _get(url: str) -> tuple[int, bytes]:
    try:
        with _direct.open(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as e:
        return e.code, b""


@pytest.fixture
def case(s3):
    case = make_report(photos=[upload("street.jpg", jpeg_bytes(gps=(21.0288, 105.8525)))])
    assert photo_make_thumbnail(photo_id=case.photos.get().pk)
    return case


class ObjectStorageTests:
    def test_a_report_puts_each_file_in_its_bucket(self, s3, case):
        _, client = s3
        photo = case.photos.get()
        public, private = _keys(client, PUBLIC), _keys(client, PRIVATE)
        assert {photo.image.name, photo.thumbnail.name} <= public
        assert photo.original.name in private
        assert not any(k.startswith("originals/") for k in public)
        assert not any(k.startswith(("photos/", "thumbs/")) for k in private)

    def test_the_public_copy_and_thumbnail_are_public_and_without_gps(self, s3, case):
        endpoint, _ = s3
        photo = case.photos.get()
        for field in (photo.image, photo.thumbnail):
            assert field.url.startswith(f"{endpoint}/{PUBLIC}/") and "Signature" not in field.url
            status, body = _get(field.url)
            assert status == 200
            assert not Image.open(io.BytesIO(body)).getexif().get_ifd(GPS_IFD)

    def test_an_anonymous_request_for_an_original_is_refused(self, s3, case, client):
        endpoint, _ = s3
        photo = case.photos.get()
        assert _get(f"{endpoint}/{PRIVATE}/{photo.original.name}")[0] == 403
        with pytest.raises(ValueError):
            photo.original.url  # noqa: B018 — no URL through the model, ever
        original = reverse("staff:photo_original", args=[case.tracking_code, photo.pk])
        assert "/accounts/login/" in client.get(original)["Location"]

    def test_staff_get_the_original_by_a_short_lived_signed_url(self, s3, case, client):
        endpoint, _ = s3
        photo = case.photos.get()
        client.force_login(make_staff("hk1"))
        response = client.get(reverse("staff:photo_original", args=[case.tracking_code, photo.pk]))
        assert response.status_code == 302 and "no-store" in response["Cache-Control"]
        signed = response["Location"]
        assert signed.startswith(f"{endpoint}/{PRIVATE}/{photo.original.name}?")
        query = parse_qs(urlsplit(signed).query)
        assert query["X-Amz-Expires"] == [str(TTL)] and query["X-Amz-Signature"]
        status, body = _get(signed)
        assert status == 200
        assert Image.open(io.BytesIO(body)).getexif().get_ifd(GPS_IFD)  # the original keeps its GPS

    def test_staff_of_another_agency_get_no_signed_url(self, s3, case, client):
        client.force_login(make_staff("hapu1", agency_code="chieu-sang-hapulico"))
        response = client.get(reverse("staff:photo_original", args=[case.tracking_code, case.photos.get().pk]))
        assert response.status_code == 404

    def test_a_photo_kept_between_two_tries_of_the_form_is_private_too(self, s3):
        endpoint, client = s3
        kept = uploads.keep(upload("kept.jpg", jpeg_bytes(gps=(21.03, 105.85))), gps=(21.03, 105.85))
        pending = [k for k in _keys(client, PRIVATE) if k.startswith("pending/")]
        assert pending and not any(k.startswith("pending/") for k in _keys(client, PUBLIC))
        assert uploads.open_kept(kept.token).read()[:2] == b"\xff\xd8"
        assert _get(f"{endpoint}/{PRIVATE}/{pending[0]}")[0] == 403

    def test_the_daily_purge_deletes_old_pending_photos_from_the_bucket(self, s3):
        _, client = s3
        uploads.keep(upload("left.jpg"), gps=None)
        assert uploads.purge_expired(now=timezone.now()) == 0  # still within the token's lifetime
        later = timezone.now() + timedelta(seconds=uploads.MAX_AGE_SECONDS + 60)
        assert uploads.purge_expired(now=later) >= 1
        assert not any(k.startswith("pending/") for k in _keys(client, PRIVATE))
