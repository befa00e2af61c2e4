"""Property-based run of schemathesis against our OpenAPI schema: no 5xx and no response outside the schema.

Every operation of /api/v1/ is called with generated data (bounded examples per operation), authenticated as
a superuser so the staff endpoints answer too, against the in-process WSGI app and the test database.
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def staff_token(db, settings):
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from rest_framework.authtoken.models import Token

    from tests.factories import make_report

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon_report": "100000/hour"}}
    cache.clear()
    make_report(topic_code="waste")
    make_report(topic_code="public-lighting", lat=None, lon=None, address="12 Hàng Bài")
    user = get_user_model().objects.create_superuser("fuzz", "fuzz@example.com", "pw")
    return Token.objects.create(user=user).key


def _load_schema():
    from ihanoi.wsgi import application

    # Building the schema touches no table, so it can load at collection time, before any test database.
    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


schema = _load_schema()


@schema.parametrize()
@settings(max_examples=12, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_api_conforms_to_its_schema(case, staff_token):
    case.call_and_validate(headers={"Authorization": f"Token {staff_token}"},
                           checks=[not_a_server_error, response_schema_conformance])
