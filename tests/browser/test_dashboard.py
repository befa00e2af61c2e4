from urllib.parse import urlencode

import pytest
from django.core.cache import cache

from agencies.demo import DEMO_PASSWORD, create_demo_accounts
from tests.factories import make_report
from tests.dashboard.known_cases import A, CASES_BEHIND, build_known_cases

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CANVAS_INK = """(id) => {
  const c = document.getElementById(id);
  const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let ink = 0;
  for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) ink++; }
  return {ink: ink, width: c.width, height: c.height};
}"""


@pytest.fixture
def known(hanoi_data):
    cache.clear()
    create_demo_accounts()
    return build_known_cases()


def _log_in(page, live_server, next_url: str):
    page.goto(f"{live_server.url}/accounts/login/?" + urlencode({"next": next_url}))
    page.fill("#id_username", "leader")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("form.stack button[type=submit]")


class DashboardInBrowserTests:
    def test_leader_sees_tables_chart_and_map_and_drills_down(self, page, live_server, known, screenshot):
        query = f"from={known.period.start}&to={known.period.end}"
        _log_in(page, live_server, f"/dashboard/?{query}")
        page.wait_for_url("**/dashboard/**")
        assert page.locator("#table-agency tbody tr").count() >= 3
        assert page.locator(f'#table-agency tr[data-code="{A}"] [data-figure="received"]').inner_text() == "4"
        assert page.locator('.cards [data-figure="received"]').inner_text() == "8"
        assert page.locator("#id_end").input_value() == str(known.period.end)

        page.wait_for_function("document.getElementById('trend-chart').width > 0")
        ink = page.evaluate(CANVAS_INK, "trend-chart")
        assert ink["width"] > 100 and ink["ink"] > 500, ink  # bars and the rate line are drawn

        page.wait_for_selector("#ward-map[data-loaded='126']")
        assert page.locator("#ward-map path.leaflet-interactive, #ward-map canvas").count() >= 1

        # sort the agency table by received (descending on the second click)
        page.click("#table-agency thead th:nth-child(2) button")
        page.click("#table-agency thead th:nth-child(2) button")
        first = page.locator("#table-agency tbody tr").first.get_attribute("data-code")
        assert first == A
        screenshot(page, "dashboard-1280")

        page.click(f'#table-agency tr[data-code="{A}"] [data-figure="late"] a')
        page.wait_for_url("**/dashboard/cases/**")
        assert page.locator("[data-count]").inner_text() == "2"
        listed = set(page.locator("#case-list tbody a.code").all_inner_texts())
        assert listed == {known.cases["c2"].tracking_code, known.cases["c4"].tracking_code}
        assert CASES_BEHIND["late"] >= {"c2", "c4"}
        screenshot(page, "dashboard-drilldown")

        page.click(f'a:has-text("{known.cases["c4"].tracking_code}")')
        page.wait_for_url(f"**/track/{known.cases['c4'].tracking_code}/")

    def test_public_board_without_login(self, page, live_server, known, screenshot):
        make_report()
        make_report(topic_code="public-lighting")
        page.goto(live_server.url + "/board/")
        assert page.locator("#table-agency tbody tr").count() >= 1
        page.wait_for_selector("#ward-map[data-loaded='126']")
        screenshot(page, "board-1280")

    def test_board_on_a_phone(self, browser_context, live_server, known, screenshot):
        page = browser_context(width=390, height=844).new_page()
        page.goto(live_server.url + "/board/")
        page.wait_for_selector("#ward-map[data-loaded='126']")
        assert page.evaluate("document.documentElement.scrollWidth") <= 400
        screenshot(page, "board-390")
