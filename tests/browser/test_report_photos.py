"""The report form warns about a file that is not a photo, or too large, as soon as it is chosen — in the
page's language, with the server's limits — instead of only after sending (the server still checks)."""
import pytest

from tests.browser.conftest import choose_language
from tests.browser.test_citizen_journey import jpeg

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class EarlyPhotoCheckTests:
    def test_a_non_photo_or_a_too_large_file_is_flagged_on_choosing_it(self, page, live_server, settings):
        settings.PHOTO_MAX_BYTES = 2_000_000
        page.goto(live_server.url + "/report/")
        warnings = page.locator("#photo-warnings")
        assert warnings.is_hidden()

        page.set_input_files("#id_photos", files=[
            {"name": "ghi-chu.jpg", "mimeType": "image/jpeg", "buffer": b"not a photo at all"},  # renamed text
            {"name": "don.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4"},
            {"name": "to.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8\xff" + b"0" * 2_100_000},
            jpeg("ho-guom.jpg"),
        ])
        warnings.get_by_text("ghi-chu.jpg").wait_for()
        text = warnings.inner_text()
        assert "ghi-chu.jpg không phải là ảnh (JPEG, PNG hoặc WebP)." in text
        assert "don.pdf không phải là ảnh (JPEG, PNG hoặc WebP)." in text
        assert "to.jpg lớn hơn 2 MB; hãy chọn ảnh nhỏ hơn." in text
        assert "ho-guom.jpg" not in text and page.locator("#photo-previews img").count() == 1

        page.set_input_files("#id_photos", files=[jpeg("ho-guom.jpg")])  # a good photo clears the warnings
        assert warnings.is_hidden()

    def test_the_warning_is_in_english_when_english_was_chosen(self, browser_context, live_server, hanoi_data):
        ctx = browser_context()
        choose_language(ctx, live_server.url, "en")
        page = ctx.new_page()
        page.goto(live_server.url + "/report/")
        page.set_input_files("#id_photos", files=[{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"x"}])
        assert page.locator("#photo-warnings").inner_text() == "notes.txt is not a photo (JPEG, PNG or WebP)."
