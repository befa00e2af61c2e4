"""Vietnamese first: a phone set to English still gets the Vietnamese portal; English only when its owner
follows the "English" link, and then on every page after."""
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class LanguageChoiceTests:
    def test_an_english_phone_gets_vietnamese_until_english_is_chosen(self, browser_context, live_server,
                                                                       hanoi_data):
        page = browser_context(width=390, height=844, locale="en-US", is_mobile=True, has_touch=True).new_page()
        assert page.evaluate("navigator.language") == "en-US"
        page.goto(live_server.url + "/")
        assert page.locator("html").get_attribute("lang") == "vi"
        assert page.get_by_role("link", name="Gửi phản ánh").first.is_visible()

        page.get_by_role("link", name="English").click()
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == "en"

        page.goto(live_server.url + "/report/")  # the next page load remembers the choice
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.get_by_role("button", name="Send report").is_visible()
        page.get_by_role("link", name="Tiếng Việt").click()
        page.wait_for_load_state()
        page.goto(live_server.url + "/map/")
        assert page.locator("html").get_attribute("lang") == "vi"
