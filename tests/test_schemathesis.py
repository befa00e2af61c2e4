"""Property-based run of schemathesis against our OpenAPI schema: no 5xx and no response outside the schema.

Every operation of /api/v1/ is called with generated data (bounded examples per operation, ~40 s), as a
superuser so the staff endpoints answer too, against the in-process WSGI app and the test database. Path
parameters naming a case are pointed at real cases, so the staff actions run with generated bodies.
The coverage phase (exhaustive boundary values, several minutes) is off to keep CI fast.
"""
from __future__ import annotations

import itertools

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def _load_schema():
    from ihanoi.wsgi import application

    # Building the schema touches no table, so it loads at collection time, before any test database exists.
    config = schemathesis.Config.from_dict({"phases": {"coverage": {"enabled": False}}})
    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", application, config=config)


schema = _load_schema()


@pytest.fixture
def world(db, settings):
    """A superuser's token and a cycle of real tracking codes (routed, queued, resolved-ready)."""
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from rest_framework.authtoken.models import Token

    from tests.factories import make_report

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon_report": "100000/hour"}}
    cache.clear()
    cases = [make_report(topic_code="waste"), make_report(topic_code="public-lighting"),
             make_report(topic_code="waste", lat=None, lon=None, address="12 Hàng Bài")]
    user = get_user_model().objects.create_superuser("fuzz", "fuzz@example.com", "pw")
    # Requests go through the raw WSGI handler, not Django's test client: keep it from closing the test's
    # connection (and its open transaction) at each request, as the test client does.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield Token.objects.create(user=user).key, itertools.cycle([c.tracking_code for c in cases])
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=12, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_api_conforms_to_its_schema(case, world):
    token, codes = world
    for name in ("tracking_code", "code"):
        if name in (case.path_parameters or {}) and "/wards/" not in case.path and "/topics/" not in case.path:
            case.path_parameters[name] = next(codes)
    case.call_and_validate(headers={"Authorization": f"Token {token}"},
                           checks=[not_a_server_error, response_schema_conformance])
