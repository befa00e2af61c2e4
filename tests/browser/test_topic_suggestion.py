"""The report form suggests a topic from the description, in headless chromium: "Có phải: …?" appears while the
citizen types, and one click chooses it."""
import pytest
from django.core.cache import cache

from agencies.models import Topic

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def model(hanoi_data):
    from topicsuggest.training import train_and_store

    cache.clear()  # the endpoint's per-client throttle
    return train_and_store()


class TopicSuggestionTests:
    def test_typing_shows_the_suggestion_and_clicking_chooses_it(self, page, live_server, model, screenshot):
        page.goto(live_server.url + "/report/")
        page.select_option("#id_topic", label="Rác thải, vệ sinh môi trường")
        box = page.locator("#topic-suggestion")
        assert box.is_hidden()
        page.locator("#id_description").press_sequentially("Đèn đường hỏng tối om cả đoạn")
        box.get_by_text("Có phải: Chiếu sáng công cộng?").wait_for()
        screenshot(page, "report-topic-suggestion")
        page.click("#topic-suggestion-choose")
        lighting = Topic.objects.get(code="public-lighting")
        assert page.input_value("#id_topic") == str(lighting.pk)
        assert box.is_hidden()

    def test_no_suggestion_when_the_chosen_topic_already_fits(self, page, live_server, model):
        page.goto(live_server.url + "/report/")
        page.select_option("#id_topic", label="Chiếu sáng công cộng")
        text = "Den duong hong toi om ca doan"
        with page.expect_response(lambda r: "/suggest-topic/" in r.url and "doan" in r.url) as answer:
            page.locator("#id_description").press_sequentially(text)
        assert answer.value.json()["code"] == "public-lighting"
        page.locator(f'#topic-suggestion[data-checked="{text}"]').wait_for(state="attached")
        assert page.locator("#topic-suggestion").is_hidden()
