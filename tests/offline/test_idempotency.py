"""The idempotency key of a report (issue 18): the same key sent twice gives the same case, on both endpoints."""
import uuid

import pytest
from django.db import IntegrityError
from rest_framework.test import APIClient

from agencies.models import Topic
from feedback.models import Case
from offline.models import SubmissionKey
from offline.services import submit_once
from tests.feedback.images import upload

pytestmark = pytest.mark.django_db

API = "/api/v1/reports/"
REPORT = {"topic": "waste", "description": "Rác đổ trộm ở đầu ngõ", "address": "12 Hàng Bài"}


def web_data(**extra):
    return {"topic": Topic.objects.get(code="waste").pk, "description": "Rác tồn đọng ở góc phố nhiều ngày",
            "latitude": "21.0288", "longitude": "105.8525", "address": "", "name": "", "phone": "", "email": "",
            "photos": [upload()], **extra}


class ApiKeyTests:
    def test_the_same_key_twice_gives_the_same_case(self):
        key = str(uuid.uuid4())
        first = APIClient().post(API, REPORT, format="multipart", HTTP_IDEMPOTENCY_KEY=key)
        again = APIClient().post(API, REPORT, format="multipart", HTTP_IDEMPOTENCY_KEY=key)
        assert first.status_code == 201 and again.status_code == 200
        assert again.json()["tracking_code"] == first.json()["tracking_code"]
        assert Case.objects.count() == 1
        assert SubmissionKey.objects.get(key=key).case.tracking_code == first.json()["tracking_code"]

    def test_the_key_as_a_field(self):
        key = str(uuid.uuid4())
        codes = {APIClient().post(API, {**REPORT, "idempotency_key": key}, format="json").json()["tracking_code"]
                 for _ in range(2)}
        assert len(codes) == 1 and Case.objects.count() == 1

    def test_other_keys_and_no_key_make_new_cases(self):
        for headers in ({"HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4())}, {"HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4())},
                        {}, {}):
            assert APIClient().post(API, REPORT, format="json", **headers).status_code == 201
        assert Case.objects.count() == 4

    def test_a_malformed_key_is_a_400(self):
        response = APIClient().post(API, REPORT, format="json", HTTP_IDEMPOTENCY_KEY="not-a-uuid")
        assert response.status_code == 400 and "idempotency_key" in response.json()
        assert not Case.objects.exists()

    def test_a_refused_report_does_not_use_up_its_key(self):
        key = str(uuid.uuid4())
        assert APIClient().post(API, {**REPORT, "address": ""}, format="json",
                                HTTP_IDEMPOTENCY_KEY=key).status_code == 400
        assert APIClient().post(API, REPORT, format="json", HTTP_IDEMPOTENCY_KEY=key).status_code == 201
        assert Case.objects.count() == 1


class WebFormKeyTests:
    def test_the_same_key_twice_lands_on_the_same_case(self, client):
        key = str(uuid.uuid4())
        first = client.post("/report/", web_data(idempotency_key=key))
        again = client.post("/report/", web_data(idempotency_key=key))
        assert first.status_code == again.status_code == 302
        assert first["Location"] == again["Location"] == Case.objects.get().get_absolute_url()

    def test_the_web_form_and_the_api_share_the_keys(self, client):
        key = str(uuid.uuid4())
        code = APIClient().post(API, REPORT, format="json", HTTP_IDEMPOTENCY_KEY=key).json()["tracking_code"]
        response = client.post("/report/", web_data(idempotency_key=key))
        assert response["Location"] == f"/track/{code}/" and Case.objects.count() == 1

    def test_without_a_key_or_with_a_bad_one_each_post_is_a_case(self, client):
        client.post("/report/", web_data())
        client.post("/report/", web_data(idempotency_key="garbage"))
        assert Case.objects.count() == 2


class RaceTests:
    def test_the_loser_of_a_race_gets_the_winners_case(self):
        """Both sends looked the key up before either wrote it: the unique key rolls the second back."""
        key = uuid.uuid4()
        winner = APIClient().post(API, REPORT, format="json", HTTP_IDEMPOTENCY_KEY=str(key)).json()["tracking_code"]

        def late_submit():  # what the loser's submit does: a new case, then the key clashes
            from feedback.services import Location, submit_report

            topic = Topic.objects.get(code="waste")
            return submit_report(topic=topic, description="Rác đổ trộm ở đầu ngõ",
                                 location=Location(lat=None, lon=None, address="12 Hàng Bài"))

        from offline import services

        real = services.case_for_key
        calls = []

        def first_miss(k):  # the loser's first look-up happened before the winner wrote the key
            calls.append(k)
            return None if len(calls) == 1 else real(k)

        services.case_for_key = first_miss
        try:
            case, created = submit_once(key, late_submit)
        finally:
            services.case_for_key = real
        assert not created and case.tracking_code == winner
        assert Case.objects.count() == 1  # the loser's case was rolled back

    def test_a_different_integrity_error_is_not_swallowed(self):
        def broken():
            raise IntegrityError("something else")

        with pytest.raises(IntegrityError):
            submit_once(uuid.uuid4(), broken)
