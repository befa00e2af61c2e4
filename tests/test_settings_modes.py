"""Settings in both modes, checked in fresh interpreters so the environment is what a deployment would give."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(code: str, **env) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY")}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**base, "DJANGO_SETTINGS_MODULE": "ihanoi.settings", **env},
        capture_output=True, text=True, timeout=120,
    )


PRINT = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, s.CACHES['default']['BACKEND'], s.DEBUG)"
)


class SettingsModeTests:
    def test_embedded_default_needs_no_server(self):
        out = _run(PRINT)
        assert out.returncode == 0, out.stderr
        engine, broker, cache, debug = out.stdout.split()
        assert engine == "django.db.backends.sqlite3"
        assert broker == "filesystem://"
        assert cache.endswith("LocMemCache")
        assert debug == "True"

    def test_production_reads_postgres_and_redis_from_the_environment(self):
        out = _run(PRINT, DEBUG="0", SECRET_KEY="x" * 60, ALLOWED_HOSTS="ihanoi.example",
                   DATABASE_URL="postgres://u:p@db:5432/ihanoi", REDIS_URL="redis://redis:6379/0")
        assert out.returncode == 0, out.stderr
        engine, broker, cache, debug = out.stdout.split()
        assert engine == "django.db.backends.postgresql"
        assert broker == "redis://redis:6379/0"
        assert cache.endswith("RedisCache")
        assert debug == "False"

    def test_production_without_secret_key_refuses_to_start(self):
        out = _run(PRINT, DEBUG="0", DATABASE_URL="postgres://u:p@db:5432/ihanoi")
        assert out.returncode != 0
        assert "SECRET_KEY" in out.stderr

    def test_check_deploy_is_clean(self):
        env = {"DEBUG": "0", "SECRET_KEY": "k" * 30 + "Qz9!x" * 10, "ALLOWED_HOSTS": "ihanoi.example",
               "DATABASE_URL": "postgres://u:p@db:5432/ihanoi", "REDIS_URL": "redis://redis:6379/0"}
        # (the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE must not leak into a deployment check)
        drop = ("DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
        base = {k: v for k, v in os.environ.items() if k not in drop}
        out = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                             cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stdout + out.stderr
