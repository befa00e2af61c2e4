"""The citizen's journey for real in headless chromium: report with a map pin and a photo, track, switch
language, recover from a bad file; screenshots of the form, tracking page and map at 360 px and 1280 px."""
import pytest

from feedback.policy import reporter_key
from feedback.models import Case
from tests.factories import make_report
from tests.feedback.helpers import reply, resolve
from tests.feedback.images import jpeg_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HK = (21.0288, 105.8525)
WASTE = "Rác thải, vệ sinh môi trường"


def click_map_at(page, lat: float, lon: float, map_name: str = "reportmap") -> None:
    page.wait_for_function(f"() => window.ihanoiMaps && window.ihanoiMaps.{map_name}")
    page.locator(f"#{map_name}").scroll_into_view_if_needed()
    x, y = page.evaluate(
        """([name, lat, lon]) => {
            const m = window.ihanoiMaps[name];
            m.setView([lat, lon], 16, {animate: false});
            const p = m.latLngToContainerPoint([lat, lon]);
            const r = m.getContainer().getBoundingClientRect();
            return [r.left + p.x, r.top + p.y];
        }""",
        [map_name, lat, lon],
    )
    page.mouse.click(x, y)


def fill_report(page, live_server, *, photo: dict):
    page.goto(live_server.url + "/report/")
    page.select_option("#id_topic", label=WASTE)
    page.fill("#id_description", "Rác tồn đọng bên hồ Hoàn Kiếm nhiều ngày")
    click_map_at(page, *HK)
    page.get_by_text("Phường Hoàn Kiếm").wait_for()
    page.set_input_files("#id_photos", files=[photo])
    page.fill("#id_email", "lan@example.com")


def jpeg(name="ho-hoan-kiem.jpg"):
    return {"name": name, "mimeType": "image/jpeg", "buffer": jpeg_bytes(size=(640, 480), color="seagreen")}


class CitizenJourneyTests:
    def test_report_with_map_and_photo_then_track_and_switch_to_english(self, page, live_server, screenshot):
        fill_report(page, live_server, photo=jpeg())
        assert page.locator("#pin-status").inner_text() == "✔ Phường Hoàn Kiếm"
        assert page.locator("#photo-previews img").count() == 1
        screenshot(page, "report-form-1280")
        page.click("#submit-report")
        page.wait_for_url("**/track/HN-*/")
        case = Case.objects.get()
        assert case.photos.count() == 1 and case.ward.code == "00070"
        body = page.locator("main").inner_text()
        assert case.tracking_code in body
        assert "Phường Hoàn Kiếm" in body and "UBND Phường Hoàn Kiếm" in body
        assert "lan@example.com" not in page.content()
        screenshot(page, "track-1280")

        page.get_by_role("link", name="English").click()
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.get_by_role("heading", name=f"Report {case.tracking_code}").is_visible()
        assert page.get_by_text("Timeline", exact=True).is_visible()
        assert "UBND Phường Hoàn Kiếm" in page.locator("main").inner_text()
        page.goto(live_server.url + "/report/")
        assert page.get_by_role("button", name="Send report").is_visible()
        screenshot(page, "report-form-en-1280")
        page.get_by_role("link", name="Tiếng Việt").click()
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == "vi"

    def test_bad_file_shows_the_error_and_keeps_the_rest(self, page, live_server, screenshot):
        bad = {"name": "ghi-chu.jpg", "mimeType": "image/jpeg", "buffer": b"not a photo"}
        fill_report(page, live_server, photo=bad)
        page.click("#submit-report")
        page.locator("#error-summary").wait_for()
        assert "ghi-chu.jpg" in page.locator("#error-summary").inner_text()
        assert page.locator("#id_description").input_value() == "Rác tồn đọng bên hồ Hoàn Kiếm nhiều ngày"
        assert page.locator("#id_topic option:checked").inner_text() == WASTE
        assert page.locator("#id_email").input_value() == "lan@example.com"
        assert page.locator("#id_latitude").input_value().startswith("21.02")
        page.get_by_text("✔ Phường Hoàn Kiếm").wait_for()  # the pin is back on the map with its ward
        assert not Case.objects.exists()
        screenshot(page, "report-form-error-1280")
        # pick a real photo and send: nothing else to retype
        page.set_input_files("#id_photos", files=[jpeg()])
        page.click("#submit-report")
        page.wait_for_url("**/track/HN-*/")
        assert Case.objects.get().description == "Rác tồn đọng bên hồ Hoàn Kiếm nhiều ngày"

    def test_nearby_open_report_offers_me_too(self, page, live_server):
        existing = make_report(topic_code="waste", email="first@example.com")
        page.goto(live_server.url + "/report/")
        page.select_option("#id_topic", label=WASTE)
        click_map_at(page, HK[0] + 0.0002, HK[1])
        page.locator("#nearby").wait_for()
        assert existing.tracking_code in page.locator("#nearby").inner_text()
        page.fill("#id_email", "second@example.com")
        page.get_by_role("button", name=f"Me too — {existing.tracking_code}").or_(
            page.locator("#nearby button")).first.click()
        page.wait_for_url(f"**/track/{existing.tracking_code}/")
        existing.refresh_from_db()
        assert existing.support_count == 1
        assert existing.supports.get().email == "second@example.com"
        assert Case.objects.count() == 1

    def test_screenshots_at_360_px(self, browser_context, live_server, hanoi_data, screenshot):
        make_report(topic_code="waste")
        make_report(topic_code="public-lighting", lat=21.0245, lon=105.8412)
        page = browser_context(width=360, height=780, is_mobile=True, has_touch=True).new_page()
        page.goto(live_server.url + "/report/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
        page.select_option("#id_topic", label=WASTE)
        page.fill("#id_description", "Đèn đường tắt cả tuần")
        click_map_at(page, HK[0] - 0.003, HK[1])
        page.get_by_text("✔ Phường Hoàn Kiếm").wait_for()
        screenshot(page, "report-form-360")
        code = Case.objects.first().tracking_code
        page.goto(f"{live_server.url}/track/{code}/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        screenshot(page, "track-360")
        page.goto(live_server.url + "/map/")
        page.wait_for_selector("#publicmap[data-loaded='2']")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        screenshot(page, "map-360")
        # the reporter comes back from the resolution email: rating and reopen forms
        case = Case.objects.get(tracking_code=code)
        reply(case, "Đã tiếp nhận, đội sửa chữa sẽ đến trong ngày.")
        case = resolve(case, note="Đã thay bóng đèn mới.")
        page.goto(f"{live_server.url}/track/{code}/?key={reporter_key(case)}")
        page.get_by_role("button", name="Gửi đánh giá").wait_for()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        screenshot(page, "track-resolved-360")
        page.get_by_text("4 – hài lòng").click()
        page.fill("#id_comment", "Xử lý nhanh, cảm ơn.")
        page.get_by_role("button", name="Gửi đánh giá").click()
        page.get_by_text("Cảm ơn bạn đã đánh giá.").wait_for()
        case.refresh_from_db()
        assert case.rating == 4 and case.status == "resolved"  # stays reopenable for the window (issue 17)

    def test_public_map_at_1280_px_shows_few_reports_as_points(self, page, live_server, screenshot):
        for i in range(3):
            make_report(topic_code="waste", lat=HK[0] + i * 0.0001, lon=HK[1])
        make_report(topic_code="trees", lat=21.0367, lon=105.8342)
        page.goto(live_server.url + "/map/")
        page.wait_for_selector("#publicmap[data-loaded='4']")
        assert page.locator(".case-item").count() == 4
        assert page.locator("path.pt").count() == 4  # few: the reports themselves (clusters: tests/browser/test_public_map.py)
        screenshot(page, "map-1280")
        page.select_option("#f-topic", label="Cây xanh")
        page.get_by_role("button", name="Lọc").click()
        page.wait_for_selector("#publicmap[data-loaded='1']")
        assert page.locator(".case-item").count() == 1


class LocationWaysTests:
    def test_keyboard_enter_on_the_map_places_the_pin(self, page, live_server):
        page.goto(live_server.url + "/report/")
        page.wait_for_function("() => window.ihanoiMaps && window.ihanoiMaps.reportmap")
        page.evaluate("() => window.ihanoiMaps.reportmap.setView([21.0288, 105.8525], 16, {animate: false})")
        page.focus("#reportmap")
        page.keyboard.press("ArrowLeft")
        page.keyboard.press("Enter")
        page.get_by_text("✔ Phường Hoàn Kiếm").wait_for()
        assert page.locator("#id_latitude").input_value().startswith("21.02")

    def test_use_my_location(self, browser_context, live_server, hanoi_data):
        ctx = browser_context(geolocation={"latitude": HK[0], "longitude": HK[1]}, permissions=["geolocation"])
        page = ctx.new_page()
        page.goto(live_server.url + "/report/")
        page.wait_for_function("() => window.ihanoiMaps && window.ihanoiMaps.reportmap")
        page.get_by_role("button", name="Dùng vị trí của tôi").click()
        page.get_by_text("✔ Phường Hoàn Kiếm").wait_for()
        assert page.locator("#id_longitude").input_value() == "105.852500"

    def test_a_photo_with_gps_offers_its_location(self, page, live_server):
        page.goto(live_server.url + "/report/")
        page.wait_for_function("() => window.ihanoiMaps && window.ihanoiMaps.reportmap")
        page.set_input_files("#id_photos", files=[{"name": "gps.jpg", "mimeType": "image/jpeg",
                                                   "buffer": jpeg_bytes(gps=HK)}])
        page.get_by_role("button", name="Dùng vị trí chụp ảnh").click()
        page.get_by_text("✔ Phường Hoàn Kiếm").wait_for()
        assert page.locator("#id_latitude").input_value() == "21.028800"


class KeptPhotoTests:
    def test_a_good_photo_is_kept_across_an_error_no_re_picking(self, browser_context, live_server, hanoi_data,
                                                                 screenshot):
        page = browser_context(width=360, height=780, is_mobile=True, has_touch=True).new_page()
        page.goto(live_server.url + "/report/")
        page.select_option("#id_topic", label=WASTE)
        page.fill("#id_description", "Rác tồn đọng bên hồ Hoàn Kiếm nhiều ngày")
        click_map_at(page, *HK)
        page.set_input_files("#id_photos", files=[jpeg("tot.jpg"),
                                                  {"name": "hong.jpg", "mimeType": "image/jpeg", "buffer": b"xx"}])
        page.click("#submit-report")
        page.locator("#error-summary").wait_for()
        assert "hong.jpg" in page.locator("#error-summary").inner_text()
        kept = page.locator("#kept-photos input[name=kept_photos]")
        assert kept.count() == 1 and kept.is_checked() and "tot.jpg" in page.locator("#kept-photos").inner_text()
        page.get_by_text("✔ Phường Hoàn Kiếm").wait_for()
        assert page.locator("#reportmap .leaflet-marker-icon").is_visible()
        screenshot(page, "report-form-kept-360")
        page.click("#submit-report")
        page.wait_for_url("**/track/HN-*/")
        assert Case.objects.get().photos.count() == 1
