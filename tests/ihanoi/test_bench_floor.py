"""The benchmark's floor view (ihanoi/bench_floor.py) exists only when IHANOI_BENCH_FLOOR=1 says so."""
import importlib

import pytest
from django.db import connection
from django.test import override_settings
from django.urls import Resolver404, clear_url_caches, resolve

import ihanoi.urls


@pytest.fixture
def reload_urls():
    def reload():
        importlib.reload(ihanoi.urls)
        clear_url_caches()
    yield reload
    reload()  # back to the URLs of the real settings


def test_floor_view_is_off_by_default(client, settings):
    assert settings.BENCH_FLOOR is False
    with pytest.raises(Resolver404):
        resolve("/bench/floor/")
    assert client.post("/bench/floor/", {"note": "x"}).status_code == 404


@pytest.mark.django_db
def test_floor_view_inserts_one_row_when_the_flag_is_set(client, reload_urls):
    from ihanoi.bench_floor import TABLE_SQL

    with override_settings(BENCH_FLOOR=True):
        reload_urls()
        with connection.cursor() as cur:
            cur.execute(TABLE_SQL[connection.vendor])
        resp = client.post("/bench/floor/", {"note": "floor"})
        with connection.cursor() as cur:
            cur.execute("SELECT note FROM bench_floor")
            rows = cur.fetchall()
    assert resp.status_code == 201
    assert rows == [("floor",)]
