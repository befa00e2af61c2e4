"""Shared fixtures. Hanoi's real data is loaded once per test database (session scope)."""
from __future__ import annotations

import os

import pytest

REQUIRE_SERVICES = os.environ.get("IHANOI_REQUIRE_SERVICES") == "1"


def require_service(available: bool, what: str) -> None:
    """Skip locally when a server is missing, fail in CI (IHANOI_REQUIRE_SERVICES=1)."""
    if available:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"{what} is required in CI but not available")
    pytest.skip(f"{what} not available")


@pytest.fixture(scope="session", autouse=True)
def _compiled_messages():
    """Compile locale/**/*.po when its .mo is missing or older (bin/setup does the same), so tests that check
    Vietnamese wording do not depend on having run bin/setup first."""
    import shutil
    import subprocess
    from pathlib import Path

    if not shutil.which("msgfmt"):
        return
    compiled = False
    for po in (Path(__file__).resolve().parents[1] / "locale").rglob("*.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            subprocess.run(["msgfmt", "-o", str(mo), str(po)], check=True)
            compiled = True
    if compiled:  # forget every catalogue loaded before (the default and the active ones too)
        from asgiref.local import Local
        from django.utils.translation import trans_real

        import gettext

        gettext._translations.clear()  # the stdlib's cache of parsed .mo files, by path
        trans_real._translations.clear()
        trans_real._default = None
        trans_real._active = Local()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from agencies.seed import load_hanoi

    with django_db_blocker.unblock():
        load_hanoi()


@pytest.fixture
def hanoi_data(django_db_blocker):
    """For transactional tests (live server, real worker): the flush after each such test empties every
    table, so put the Hanoi reference data back when it is missing."""
    from agencies.models import Ward
    from agencies.seed import load_hanoi

    with django_db_blocker.unblock():
        if not Ward.objects.exists():
            load_hanoi()


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: the database is rolled back between tests, so a body cached by one
    test (under a version token no later write replaced) must not answer the next one."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _celery_eager():
    """Tasks run in-process during tests (the real-worker test overrides this)."""
    from ihanoi.celery_app import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def english(client):
    """The test client with English chosen, as after pressing "English" (Django's language cookie): the pages
    ignore the browser's Accept-Language and are Vietnamese until the visitor chooses."""
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def topic(db):
    from agencies.models import Topic

    return Topic.objects.get(code="public-lighting")


@pytest.fixture
def hoan_kiem():
    """Hoàn Kiếm Lake (lat, lon)."""
    return (21.0288, 105.8525)


@pytest.fixture
def migrated_back():
    """For migration tests (transactional): `migrated_back(targets)` puts the schema back to those migrations and
    returns their historical apps; afterwards the latest schema is restored, even if the test failed."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    def back(targets):
        executor = MigrationExecutor(connection)
        executor.migrate(targets)
        return executor.loader.project_state(targets).apps

    yield back
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
