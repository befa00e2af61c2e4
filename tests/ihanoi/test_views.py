"""/healthz and /favicon.ico as a load balancer and a browser see them."""
from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.test import override_settings

from ihanoi.celery_app import app as celery_app

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connection refused at once


class HealthzTests:
    def test_all_ok(self, client):
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "db": "ok", "broker": "ok", "cache": "ok"}

    def test_broker_down_is_degraded_but_stays_in_rotation(self, client, monkeypatch):
        monkeypatch.setitem(celery_app.conf, "broker_url", DEAD_REDIS)
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "degraded", "db": "ok", "broker": "down", "cache": "ok"}

    def test_cache_down_is_degraded(self, client):
        dead = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": DEAD_REDIS}}
        with override_settings(CACHES=dead):
            response = client.get("/healthz")
        assert response.status_code == 200
        assert response.json()["status"] == "degraded" and response.json()["cache"] == "down"

    def test_database_down_answers_503(self, client):
        with mock.patch.object(connection, "cursor", side_effect=OperationalError("server closed the connection")):
            response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json()["status"] == "down" and response.json()["db"] == "down"


class FaviconTests:
    def test_favicon_at_the_site_root_is_an_icon(self, client):
        response = client.get("/favicon.ico")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("image/")
        assert b"".join(response.streaming_content if response.streaming else [response.content])[:4] == \
            b"\x00\x00\x01\x00"  # the ICO header

    def test_pages_name_the_icon(self, client):
        assert b'rel="icon" href="/favicon.ico"' in client.get("/").content
