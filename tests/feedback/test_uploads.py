import io
import struct
import zlib

import pytest
from PIL import Image

from feedback.models import Case, CasePhoto
from tests.feedback.images import GPS_IFD, jpeg_bytes, upload
from tests.feedback.test_report_form import HK, form_data

pytestmark = pytest.mark.django_db


def png_bomb(width=50_000, height=50_000) -> bytes:
    """A tiny PNG whose header claims 2.5 gigapixels."""
    out = io.BytesIO()
    Image.new("L", (1, 1)).save(out, format="PNG")
    data = bytearray(out.getvalue())
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr) & 0xFFFFFFFF)
    return bytes(data)


def stored_files(settings) -> list:
    roots = [settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT]
    return [p for root in roots if root.exists() for p in root.rglob("*") if p.is_file()]


BAD_UPLOADS = {
    "non-image": (upload("notes.jpg", b"just some text, not a photo", "image/jpeg"), "is not a valid image"),
    "truncated": (upload("cut.jpg", jpeg_bytes(size=(400, 300))[:900]), "is not a valid image or is damaged"),
    "bomb": (upload("bomb.png", png_bomb(), "image/png"), "has too many pixels"),
    "svg": (upload("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><circle r="5"/></svg>', "image/svg+xml"),
            "is not a valid image"),
    "gif": (upload("anim.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/gif"), "is not"),
}


@pytest.mark.usefixtures("english")
class BadUploadTests:
    @pytest.mark.parametrize("case", list(BAD_UPLOADS))
    def test_bad_upload_is_400_with_a_message_and_nothing_stored(self, client, settings, case):
        photo, message = BAD_UPLOADS[case]
        resp = client.post("/report/", form_data(photos=[photo]))
        html = resp.content.decode()
        assert resp.status_code == 400
        assert message in html and photo.name in html
        assert 'class="errorlist"' in html
        assert not Case.objects.exists() and not CasePhoto.objects.exists()
        assert stored_files(settings) == []

    def test_oversize_is_400_with_the_limit(self, client, settings):
        settings.PHOTO_MAX_BYTES = 2_000_000
        big = upload("big.jpg", jpeg_bytes(size=(20, 20)) + b"\0" * 2_100_000)
        resp = client.post("/report/", form_data(photos=[big]))
        assert resp.status_code == 400
        assert "big.jpg is too large (2.1 MB); the limit is 2 MB." in resp.content.decode()
        assert stored_files(settings) == [] and not Case.objects.exists()

    def test_a_good_photo_beside_a_bad_one_is_kept_privately_only(self, client, settings):
        resp = client.post("/report/", form_data(photos=[upload("good.jpg"), upload("bad.jpg", b"junk")]))
        assert resp.status_code == 400
        files = stored_files(settings)
        assert len(files) == 1 and str(files[0]).startswith(str(settings.PRIVATE_MEDIA_ROOT))
        assert "good.jpg" in resp.content.decode()


class PublicCopyTests:
    def test_exif_gps_is_absent_from_the_public_copy_and_kept_in_the_original(self, client, settings):
        resp = client.post("/report/", form_data(photos=[upload("gps.jpg", jpeg_bytes(gps=HK))]))
        assert resp.status_code == 302
        photo = CasePhoto.objects.get()
        with photo.image.open("rb") as f, Image.open(f) as public:
            exif = public.getexif()
            assert not exif.get_ifd(GPS_IFD) and len(exif) == 0
            assert "exif" not in public.info
        with photo.original.open("rb") as f, Image.open(f) as original:
            assert original.getexif().get_ifd(GPS_IFD)
        assert not photo.original.path.startswith(str(settings.MEDIA_ROOT))  # outside MEDIA_ROOT: never served
        page = client.get(Case.objects.get().get_absolute_url()).content.decode()
        assert photo.image.url in page or photo.thumbnail.url in page
        assert "originals/" not in page

    def test_orientation_is_applied(self, client):
        resp = client.post("/report/", form_data(photos=[upload("rot.jpg", jpeg_bytes(size=(80, 60), orientation=6))]))
        assert resp.status_code == 302
        photo = CasePhoto.objects.get()
        assert (photo.width, photo.height) == (60, 80)

    def test_png_and_webp_are_accepted(self, client):
        photos = [upload("a.png", jpeg_bytes(fmt="PNG"), "image/png"),
                  upload("b.webp", jpeg_bytes(fmt="WEBP"), "image/webp")]
        assert client.post("/report/", form_data(photos=photos)).status_code == 302
        assert CasePhoto.objects.count() == 2
