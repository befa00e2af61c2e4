"""The Content-Security-Policy (on in every mode) in a real browser: every kind of page works under it with no
violation and no console error — the public pages with their maps, a report filled in up to the photo preview
(blob:) and sent, the tracking page, the leader's dashboard, the staff pages, Swagger UI and the admin.
Map tiles cannot be fetched here (no network): a failed tile load is not a violation and is not counted."""
import pytest

from agencies.demo import DEMO_PASSWORD, create_demo_accounts
from tests.browser.test_citizen_journey import fill_report, jpeg
from tests.factories import make_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at " +
                              e.sourceFile + ":" + e.lineNumber);
});
"""
NOT_COUNTED = ("tile.openstreetmap.org",)  # map tiles: unreachable from here


class BrowserWatch:
    """Console errors, uncaught exceptions and CSP violations of one page, across its navigations."""

    def __init__(self, page):
        self.page = page
        self.errors: list[str] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"{page.url}: uncaught {exc}"))

    def _console(self, msg):
        where = msg.location.get("url", "") if msg.location else ""
        if msg.type == "error" and not any(s in where or s in msg.text for s in NOT_COUNTED):
            self.errors.append(f"{self.page.url}: {msg.text} ({where})")

    def visit(self, url: str, ready: str) -> None:
        self.page.goto(url)
        self.page.wait_for_selector(ready)
        self.page.wait_for_load_state("networkidle")
        self.check()

    def check(self) -> None:
        violations = self.page.evaluate("window.__cspViolations")
        assert violations == [], (self.page.url, violations)
        assert self.errors == [], self.errors


def log_in(watch, live_server, username, password, next_url):
    watch.visit(f"{live_server.url}/accounts/login/?next={next_url}", "#id_username")
    watch.page.fill("#id_username", username)
    watch.page.fill("#id_password", password)
    watch.page.click("form.stack button[type=submit]")
    watch.page.wait_for_url(f"**{next_url}")


class CSPInBrowserTests:
    def test_public_pages_and_a_report_sent(self, page, live_server, screenshot):
        case = make_report(topic_code="waste")
        watch = BrowserWatch(page)
        url = live_server.url
        assert "script-src 'self'" in page.goto(url + "/").headers["content-security-policy"]
        watch.check()
        watch.visit(url + "/map/", "#publicmap[data-loaded='1']")
        watch.visit(url + "/board/", "#ward-map.leaflet-container")
        watch.visit(f"{url}/track/{case.tracking_code}/", "#casemap.leaflet-container .leaflet-marker-icon")
        watch.visit(url + "/api/docs/", ".swagger-ui .info .title")

        fill_report(page, live_server, photo=jpeg())
        page.wait_for_selector("#photo-previews img[src^='blob:']")
        watch.check()
        page.click("#submit-report")
        page.wait_for_url("**/track/HN-*/")
        page.click("#private-link")  # selected by static/js/select-on-focus.js, not an inline handler
        assert page.evaluate("document.activeElement.selectionEnd") > 20
        watch.check()
        screenshot(page, "csp-track-after-report")

    def test_leader_and_staff_pages(self, page, live_server, hanoi_data):
        create_demo_accounts()
        case = make_report(topic_code="waste")
        watch = BrowserWatch(page)
        log_in(watch, live_server, "leader", DEMO_PASSWORD, "/dashboard/")
        page.wait_for_function("document.getElementById('trend-chart').width > 0")
        page.wait_for_selector("#ward-map[data-loaded]")
        watch.check()
        watch.visit(live_server.url + "/staff/", "table.queue")
        watch.visit(f"{live_server.url}/staff/cases/{case.tracking_code}/", "#casemap.leaflet-container")

    def test_the_admin(self, page, live_server, hanoi_data):
        from django.contrib.auth import get_user_model

        get_user_model().objects.create_superuser("root", "root@example.com", "pw-root-2025")
        watch = BrowserWatch(page)
        watch.visit(live_server.url + "/admin/login/?next=/admin/", "#id_username")
        page.fill("#id_username", "root")
        page.fill("#id_password", "pw-root-2025")
        page.click("input[type=submit]")
        page.wait_for_url("**/admin/")
        watch.check()
        watch.visit(live_server.url + "/admin/feedback/case/", "#result_list, #changelist")
        watch.visit(live_server.url + "/admin/agencies/topic/add/", "#topic_form")
