"""GET /suggest-topic/ (the report form's live suggestion) and the staff case page's "may be misfiled" hint."""
import pytest
from django.urls import reverse

from agencies.models import Topic
from tests.factories import make_report, make_staff

pytestmark = pytest.mark.django_db

URL = "/suggest-topic/"
LIGHTING = "Đèn đường hỏng tối om cả đoạn"


class SuggestTopicTests:
    @pytest.mark.parametrize("text", [LIGHTING, "Den duong hong toi om ca doan"])
    def test_lighting_with_and_without_diacritics(self, client, topic_model, text):
        response = client.get(URL, {"text": text})
        assert response.status_code == 200
        d = response.json()
        lighting = Topic.objects.get(code="public-lighting")
        assert (d["code"], d["id"], d["suggest"]) == ("public-lighting", lighting.pk, True)
        assert d["name"] == "Chiếu sáng công cộng" and d["message"] == "Có phải: Chiếu sáng công cộng?"
        assert 0.5 <= d["confidence"] <= 1

    def test_english_visitor_gets_english_names(self, english, topic_model):
        d = english.get(URL, {"text": LIGHTING}).json()
        assert d["name"] == "Public lighting" and d["message"] == "Is it: Public lighting?"

    def test_unsure_answers_do_not_suggest(self, client, topic_model, settings):
        settings.TOPIC_SUGGEST_MIN_CONFIDENCE = 1.01
        d = client.get(URL, {"text": LIGHTING}).json()
        assert d["code"] == "public-lighting" and d["suggest"] is False and d["message"] == ""

    def test_bad_input_is_400_in_the_visitors_language(self, client, topic_model):
        response = client.get(URL, {"text": " đèn "})
        assert response.status_code == 400 and response.json()["error"] == "Hãy nhập vài từ mô tả sự việc."
        client.cookies["django_language"] = "en"
        assert client.get(URL).json()["error"] == "Type a few words describing the problem."
        response = client.get(URL, {"text": "đèn " * 600})
        assert response.status_code == 400 and response.json()["error"] == (
            "The description is too long for a suggestion.")

    def test_throttled_per_client(self, client, topic_model, settings):
        settings.TOPIC_SUGGEST_RATE_PER_MINUTE = 2
        assert [client.get(URL, {"text": LIGHTING}).status_code for _ in range(3)] == [200, 200, 429]
        assert client.get(URL, {"text": LIGHTING}).json()["error"] == (
            "Quá nhiều yêu cầu; vui lòng thử lại sau một phút.")

    def test_without_a_model_nothing_is_suggested(self, client):
        from topicsuggest.models import TopicModel

        TopicModel.objects.all().delete()
        d = client.get(URL, {"text": LIGHTING}).json()
        assert d["code"] is None and d["suggest"] is False

    def test_report_form_carries_the_endpoint_and_script(self, client):
        body = client.get(reverse("feedback:report")).content.decode()
        assert 'data-suggest-url="/suggest-topic/"' in body and "js/topic-suggest.js" in body
        assert 'id="topic-suggestion"' in body and "Chọn chủ đề này" in body


class MisfiledHintTests:
    def _page(self, client, case):
        client.force_login(make_staff("hk1"))
        client.cookies["django_language"] = "vi"
        return client.get(reverse("staff:case", args=[case.tracking_code])).content.decode()

    def test_staff_page_shows_the_suggested_topic_and_confidence(self, client, topic_model):
        case = make_report(topic_code="waste", description=LIGHTING)  # filed as waste: UBND Hoàn Kiếm
        body = self._page(client, case)
        assert "Có thể nhầm chủ đề: gợi ý Chiếu sáng công cộng (độ tin cậy " in body
        assert 'id="topic-hint"' in body

    def test_no_hint_when_the_topic_fits(self, client, topic_model):
        case = make_report(topic_code="waste", description="Rác thải tồn đọng nhiều ngày bốc mùi")
        assert 'id="topic-hint"' not in self._page(client, case)

    def test_no_hint_below_the_threshold(self, client, topic_model, settings):
        settings.TOPIC_MISFILED_MIN_CONFIDENCE = 1.01
        case = make_report(topic_code="waste", description=LIGHTING)
        assert 'id="topic-hint"' not in self._page(client, case)


class CorrectTopicFormTests:
    def test_form_preselects_the_suggestion_and_the_correction_trains_the_model(self, client, topic_model):
        from feedback.lifecycle import EventKind
        from feedback.models import Case
        from topicsuggest.training import correction_rows

        case = make_report(topic_code="waste", description=LIGHTING)
        client.force_login(make_staff("hk1"))
        client.cookies["django_language"] = "vi"
        response = client.get(reverse("staff:case", args=[case.tracking_code]))
        form = response.context["forms"]["topic"]
        lighting = Topic.objects.get(code="public-lighting")
        assert form.initial["topic"] == lighting and 'id="action-topic"' in response.content.decode()
        response = client.post(reverse("staff:case_action", args=[case.tracking_code, "topic"]),
                               {"version": case.version, "topic": lighting.pk})
        assert response.status_code == 302
        case = Case.objects.get(pk=case.pk)
        assert case.topic == lighting and case.agency.code == "chieu-sang-hapulico"
        assert case.events.filter(kind=EventKind.TOPIC_CHANGED).count() == 1
        assert [(r.text, r.topic) for r in correction_rows()] == [(LIGHTING, "public-lighting")]

    def test_read_only_leader_gets_no_form(self, client, topic_model):
        from agencies.models import StaffRole

        case = make_report(topic_code="waste", description=LIGHTING)
        client.force_login(make_staff("leader1", role=StaffRole.LEADER, agency_code=None))
        response = client.get(reverse("staff:case", args=[case.tracking_code]))
        assert response.status_code == 200 and "topic" not in response.context["forms"]
