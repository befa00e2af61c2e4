import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class HomeInBrowserTests:
    def test_home_page_renders_in_vietnamese(self, page, live_server, screenshot):
        page.goto(live_server.url + "/")
        assert page.locator("html").get_attribute("lang") == "vi"
        assert page.get_by_text("Chiếu sáng công cộng").is_visible()
        assert screenshot(page, "home-1280").stat().st_size > 0

    def test_data_is_back_for_a_second_transactional_test(self, page, live_server):
        page.goto(live_server.url + "/")
        assert page.get_by_text("Cây xanh", exact=True).is_visible()
