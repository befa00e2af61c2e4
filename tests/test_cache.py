"""Redis down (cache and broker) degrades, never refuses (ihanoi/cache.py): reports are stored and routed, their
emails wait in the outbox, staff pages and the dashboard read the database, and the invalidations dropped
meanwhile are repaired when the cache answers again."""
from __future__ import annotations

import pytest
import redis.exceptions
from django.core.cache.backends.locmem import LocMemCache
from rest_framework.test import APIClient

from agencies.models import Topic
from feedback.api_clients import set_api_key
from feedback.lifecycle import CaseStatus
from feedback.models import ApiClient, Case, OutboxMessage, OutboxStatus
from ihanoi import cache as fail_soft
from ihanoi.cache import FailSoftMixin
from tests.factories import HOAN_KIEM, make_report, make_staff

pytestmark = pytest.mark.django_db
DEAD = "redis://127.0.0.1:1/0"  # nothing listens on port 1: every connection is refused
KEY = "partner-key-0123456789abcdef"


class UnpluggableCache(LocMemCache):
    """A local-memory cache that can be unplugged like a Redis server (its data survive, as Redis's would)."""

    down = False


def _unpluggable(name):
    def op(self, *args, **kwargs):
        if UnpluggableCache.down:
            raise redis.exceptions.ConnectionError("Connection refused (unplugged)")
        return getattr(LocMemCache, name)(self, *args, **kwargs)

    return op


for _name in ("add", "get", "set", "touch", "delete", "get_many", "has_key", "set_many", "delete_many"):
    setattr(UnpluggableCache, _name, _unpluggable(_name))


class FailSoftUnpluggableCache(FailSoftMixin, UnpluggableCache):
    pass


def _cache(settings, backend: str, location: str, **options) -> None:
    fail_soft._state.clear()
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": location,
                                   "OPTIONS": {"fail_soft_cooldown": 0, **options}}}


@pytest.fixture
def redis_down(settings, monkeypatch):
    """The cache is a Redis nobody answers for, and the broker is down: publishing raises at once."""
    from kombu.exceptions import OperationalError

    from ihanoi.celery_app import app

    _cache(settings, "ihanoi.cache.FailSoftRedisCache", DEAD, socket_connect_timeout=0.25, socket_timeout=0.5)
    app.conf.task_always_eager = False

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    monkeypatch.setattr(app, "send_task", broker_down)
    monkeypatch.setattr("celery.app.task.Task.apply_async", broker_down)


@pytest.fixture
def unpluggable(settings):
    _cache(settings, "tests.test_cache.FailSoftUnpluggableCache", "unpluggable")
    UnpluggableCache.down = False
    yield UnpluggableCache
    UnpluggableCache.down = False


def _jpeg():
    from tests.feedback.images import upload

    return upload()


def _stored_routed_queued(code: str, email: str) -> Case:
    case = Case.objects.get(tracking_code=code)
    assert case.agency.name == "UBND Phường Hoàn Kiếm" and case.status == CaseStatus.ASSIGNED
    assert case.due_at is not None
    assert OutboxMessage.objects.filter(case=case, recipient=email, status=OutboxStatus.PENDING).exists()
    return case


class ReportsWithRedisDownTests:
    def test_web_form(self, client, redis_down, django_capture_on_commit_callbacks):
        data = {"topic": Topic.objects.get(code="waste").pk, "description": "Rác tồn đọng ở góc phố nhiều ngày",
                "latitude": HOAN_KIEM[0], "longitude": HOAN_KIEM[1], "address": "", "name": "Lan",
                "phone": "", "email": "lan@example.com", "photos": [_jpeg()]}
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/report/", data)
        assert response.status_code == 302
        [case] = Case.objects.all()
        assert response.url == case.get_absolute_url()
        _stored_routed_queued(case.tracking_code, "lan@example.com")
        assert client.get(response.url).status_code == 200

    def test_rest_api_and_its_throttle_fails_open(self, redis_down, settings, django_capture_on_commit_callbacks):
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon_report": "1/hour"}}
        data = {"topic": "waste", "description": "Rác đổ trộm ở đầu ngõ", "latitude": HOAN_KIEM[0],
                "longitude": HOAN_KIEM[1], "email": "an@example.com"}
        with django_capture_on_commit_callbacks(execute=True):
            responses = [APIClient().post("/api/v1/reports/", data, format="json") for _ in range(2)]
        # the throttle cannot count without its cache: it lets reports through rather than refuse them
        assert [r.status_code for r in responses] == [201, 201]
        for r in responses:
            _stored_routed_queued(r.json()["tracking_code"], "an@example.com")

    def test_open311(self, client, redis_down, django_capture_on_commit_callbacks):
        set_api_key(client=ApiClient(name="zalo"), api_key=KEY)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/api/georeport/v2/requests.json", {
                "api_key": KEY, "service_code": "waste", "lat": HOAN_KIEM[0], "long": HOAN_KIEM[1],
                "description": "Rác để trên vỉa hè ba ngày rồi", "email": "binh@example.com"})
        assert response.status_code == 201, response.content
        case = _stored_routed_queued(response.json()[0]["service_request_id"], "binh@example.com")
        assert case.channel == "open311:zalo"


class PagesWithRedisDownTests:
    @pytest.mark.parametrize("path", ["/", "/board/", "/map/", "/map/points.json", "/report/"])
    def test_public_pages(self, client, redis_down, path):
        make_report()
        assert client.get(path).status_code == 200

    def test_dashboard_and_staff_pages(self, client, redis_down):
        case = make_report()
        client.force_login(make_staff("leader", role="leader", agency_code=None))
        assert client.get("/dashboard/").status_code == 200
        assert client.get("/api/v1/stats/").json()["totals"]["received"] == 1
        client.force_login(make_staff("hk_officer"))
        assert client.get("/staff/").status_code == 200
        assert client.get(f"/staff/cases/{case.tracking_code}/").status_code == 200


class RepairAfterTheOutageTests:
    def test_a_report_made_while_the_cache_was_down_is_in_the_figures_once_it_is_back(self, client, unpluggable):
        make_report()
        client.force_login(make_staff("leader", role="leader", agency_code=None))
        assert client.get("/api/v1/stats/").json()["totals"]["received"] == 1  # now cached

        unpluggable.down = True
        make_report()  # its invalidation (a new version token) cannot reach the cache
        assert client.get("/api/v1/stats/").json()["totals"]["received"] == 2  # read from the database
        unpluggable.down = False

        # the cache still holds the figures of before the outage; they must not be served again
        assert client.get("/api/v1/stats/").json()["totals"]["received"] == 2

    def test_the_open311_list_shows_a_report_made_while_the_cache_was_down(self, client, unpluggable):
        def codes(**headers):
            response = client.get("/api/georeport/v2/requests.json", **headers)
            assert response.status_code == 200
            return [r["service_request_id"] for r in response.json()], response["ETag"]

        first = make_report()
        listed, etag = codes()
        assert listed == [first.tracking_code]  # now cached

        unpluggable.down = True
        second = make_report()  # its invalidation cannot reach the cache
        listed, down_etag = codes(HTTP_IF_NONE_MATCH=etag)  # read from the database, never a 304 on the old tag
        assert listed == [second.tracking_code, first.tracking_code] and down_etag != etag
        unpluggable.down = False

        # the body cached before the outage (in the cache and in this process) must not be served again
        assert codes(HTTP_IF_NONE_MATCH=etag)[0] == [second.tracking_code, first.tracking_code]

class RedisClientTests:
    def test_one_redis_client_per_pool_not_one_per_cache_call(self, settings):
        _cache(settings, "ihanoi.cache.FailSoftRedisCache", DEAD)
        from django.core.cache import caches

        backend = caches.create_connection("default")
        assert backend._cache.get_client() is backend._cache.get_client(write=True)
