"""Settings in both modes, checked in fresh interpreters so the environment is what a deployment would give."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(code: str, **env) -> subprocess.CompletedProcess:
    """A fresh interpreter with only these variables; DJANGO_SETTINGS_MODULE unset means the project's default."""
    base = {k: v for k, v in os.environ.items() if k not in CLEARED}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120,
    )


# DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests' conftest (Playwright's loop); a deployment never has it.
CLEARED = ("DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE",
           "ALLOWED_HOSTS", "SITE_URL", "EMAIL_URL", "PORT")
DEV = "ihanoi.settings.development"
PROD = {"SECRET_KEY": "k" * 30 + "Qz9!x" * 10, "ALLOWED_HOSTS": "ihanoi.example", "SITE_URL": "https://ihanoi.example",
        "DATABASE_URL": "postgres://u:p@db:5432/ihanoi", "REDIS_URL": "redis://redis:6379/0",
        "EMAIL_URL": "smtp+tls://u:p@smtp.example:587"}
# What wsgi.py, manage.py and the Celery app do when no settings module is named: import the app's default.
DEFAULT = "import ihanoi.celery_app; "
SITE_URL_CODE = "import django; django.setup(); from django.conf import settings as s; print(s.SITE_URL)"

PRINT = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, s.CACHES['default']['BACKEND'], s.DEBUG)"
)


class SettingsModeTests:
    def test_embedded_default_needs_no_server(self):
        out = _run(PRINT, DJANGO_SETTINGS_MODULE=DEV)
        assert out.returncode == 0, out.stderr
        engine, broker, cache, debug = out.stdout.split()
        assert engine == "django.db.backends.sqlite3"
        assert broker == "filesystem://"
        assert cache.endswith("LocMemCache")
        assert debug == "True"

    def test_development_email_links_follow_the_port(self):
        out = _run(SITE_URL_CODE, DJANGO_SETTINGS_MODULE=DEV, PORT="8101")
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == "http://127.0.0.1:8101"

    def test_the_default_is_production_and_reads_postgres_and_redis(self):
        out = _run(DEFAULT + PRINT, DEBUG="1", **PROD)  # DEBUG=1 is ignored outside development
        assert out.returncode == 0, out.stderr
        engine, broker, cache, debug = out.stdout.split()
        assert engine == "django.db.backends.postgresql"
        assert broker == "redis://redis:6379/0"
        assert cache.endswith("RedisCache")
        assert debug == "False"

    def test_a_hung_mail_relay_times_out(self):
        """The production SMTP connection gives up after EMAIL_TIMEOUT seconds (the outbox retries the message)
        instead of holding a Celery worker forever."""
        code = ("import django; django.setup(); from django.core.mail import get_connection; "
                "c = get_connection(); print(type(c).__name__, c.timeout)")
        out = _run(DEFAULT + code, **PROD)
        assert out.returncode == 0, out.stderr
        assert out.stdout.split() == ["EmailBackend", "20"]
        out = _run(DEFAULT + code, EMAIL_TIMEOUT="5", **PROD)
        assert out.stdout.split() == ["EmailBackend", "5"], out.stderr

    @pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL", "DATABASE_URL", "REDIS_URL",
                                         "EMAIL_URL"])
    def test_production_refuses_to_start_without(self, missing):
        env = {k: v for k, v in PROD.items() if k != missing}
        out = _run(DEFAULT + PRINT, **env)
        assert out.returncode != 0
        assert "ImproperlyConfigured" in out.stderr and missing in out.stderr

    def test_check_deploy_is_clean(self):
        base = {k: v for k, v in os.environ.items() if k not in CLEARED}
        out = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                             cwd=ROOT, env={**base, **PROD}, capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stdout + out.stderr
