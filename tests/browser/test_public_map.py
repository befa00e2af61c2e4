"""The public map at city scale in a real browser: the server's clusters drawn as counts, a click on one zooms in,
and at street level the reports themselves with their popup (code, topic, status, ward, date, tracking link)."""
import pytest

from tests.factories import HOAN_KIEM, make_report
from tests.feedback.test_public_map import bulk_cases

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def cluster_counts(page) -> list[int]:
    return [int(t) for t in page.locator(".map-cluster span").all_inner_texts()]


def central(page, selector: str):
    """The element matching `selector` nearest the map's centre (the corners hold the map's controls)."""
    box = page.locator("#publicmap").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    items = page.locator(selector).all()

    def distance(item):
        b = item.bounding_box()
        return (b["x"] + b["width"] / 2 - cx) ** 2 + (b["y"] + b["height"] / 2 - cy) ** 2

    return min(items, key=distance)


class PublicMapInBrowserTests:
    def test_clusters_then_a_popup(self, page, live_server, screenshot):
        bulk_cases(1500)
        case = make_report(topic_code="waste", lat=HOAN_KIEM[0], lon=HOAN_KIEM[1])
        requests = []
        page.on("request", lambda r: requests.append(r.url) if "/map/points.json" in r.url else None)
        page.goto(live_server.url + "/map/")
        page.wait_for_selector("#publicmap[data-mode='clusters']")
        total = int(page.locator("#publicmap").get_attribute("data-loaded"))
        assert total > 1000 and sum(cluster_counts(page)) == total
        assert page.locator("path.pt").count() == 0
        assert "bbox=" in requests[-1] and "zoom=" in requests[-1]
        assert page.locator("#map-status").inner_text().startswith("Số phản ánh trong vùng này")
        screenshot(page, "map-clusters-1280")

        zoom = page.evaluate("window.ihanoiMaps.publicmap.getZoom()")
        central(page, ".map-cluster").click()  # zooms in on its cell and asks again
        page.wait_for_function(f"() => window.ihanoiMaps.publicmap.getZoom() > {zoom}")
        page.wait_for_function(f"() => document.querySelector('#publicmap').dataset.loaded !== '{total}'")

        # street level over Hoàn Kiếm: the reports themselves
        page.evaluate(f"window.ihanoiMaps.publicmap.setView([{HOAN_KIEM[0]}, {HOAN_KIEM[1]}], 18, {{animate: false}})")
        # the drawing of this view's answer, not of the zoom-in's (already in points mode, it may still land)
        page.wait_for_selector("#publicmap[data-zoom='18'][data-mode='points']")
        assert page.locator("path.pt").count() == int(page.locator("#publicmap").get_attribute("data-loaded")) >= 1
        page.locator("path.pt").first.click()  # the report made through the form: the only one this close
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for()
        text = popup.inner_text()
        assert case.tracking_code in text and "Rác thải, vệ sinh môi trường" in text and "Phường Hoàn Kiếm" in text
        assert popup.get_by_role("link", name=case.tracking_code).get_attribute("href") == \
            f"/track/{case.tracking_code}/"
        screenshot(page, "map-popup-1280")
