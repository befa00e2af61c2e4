"""The model learns from the seed phrases, then from staff topic corrections; the Celery task stores versions."""
import pytest
from django.core.management import call_command

from agencies.models import StaffRole, Topic
from feedback.services.rerouting import correct_topic
from tests.factories import make_report, make_staff
from topicsuggest import predictor
from topicsuggest.models import TopicModel
from topicsuggest.tasks import train_topic_model

pytestmark = pytest.mark.django_db

ARSENIC = "Giếng khoan của xóm bị nhiễm asen"  # no seed phrase speaks of wells or arsenic
PROBE = "giếng khoan nhiễm asen"


class TrainingTests:
    def test_task_stores_a_new_version_that_the_predictor_uses(self, topic_model):
        new_pk = train_topic_model.delay().get()
        newest = TopicModel.objects.get(pk=new_pk)
        assert new_pk > topic_model.pk and TopicModel.objects.count() == 2
        assert newest.size_bytes == len(bytes(newest.blob)) > 0
        assert newest.topics == Topic.objects.active().count() and newest.features > 1000
        assert newest.seed_rows > 200 and newest.correction_rows == 0
        assert 0.4 < newest.accuracy <= 1.0
        predictor.suggest("đèn đường hỏng")
        assert predictor._loaded["pk"] == (new_pk, newest.trained_at)

    def test_staff_correction_then_retraining_maps_a_new_phrase_to_the_corrected_topic(self, topic_model):
        before = predictor.suggest(PROBE)
        assert before.topic.code != "water-supply"
        case = make_report(topic_code="environment-noise", description=ARSENIC)
        dispatcher = make_staff("disp", role=StaffRole.DISPATCHER, agency_code=None)
        correct_topic(case=case, actor=dispatcher, topic=Topic.objects.get(code="water-supply"))
        train_topic_model.delay()
        assert TopicModel.objects.order_by("-pk").first().correction_rows == 1
        after = predictor.suggest(PROBE)
        assert after.topic.code == "water-supply" and after.confidence > 0.5

    def test_uncorrected_cases_do_not_train(self, topic_model):
        make_report(topic_code="environment-noise", description=ARSENIC)
        train_topic_model.delay()
        assert TopicModel.objects.order_by("-pk").first().correction_rows == 0
        assert predictor.suggest(PROBE).topic.code != "water-supply"

    def test_only_the_last_versions_are_kept(self, topic_model):
        for _ in range(6):
            train_topic_model.delay()
        assert TopicModel.objects.count() == 5 and not TopicModel.objects.filter(pk=topic_model.pk).exists()

    def test_command_if_missing_trains_only_once(self):
        TopicModel.objects.all().delete()
        call_command("train_topic_model", if_missing=True)
        call_command("train_topic_model", if_missing=True)
        assert TopicModel.objects.count() == 1

    def test_no_model_no_suggestion(self):
        TopicModel.objects.all().delete()
        assert predictor.suggest("Đèn đường hỏng tối om cả đoạn") is None


def test_beat_retrains_nightly(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["train-topic-model"]
    assert entry["task"] == "topicsuggest.tasks.train_topic_model"


def test_admin_lists_versions_read_only(admin_client, topic_model):
    response = admin_client.get("/admin/topicsuggest/topicmodel/")
    assert response.status_code == 200 and "sgd" in response.content.decode()
    assert admin_client.get("/admin/topicsuggest/topicmodel/add/").status_code == 403
