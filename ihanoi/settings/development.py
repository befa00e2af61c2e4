"""The embedded default (``bin/run``): no server needed — SQLite, a filesystem Celery broker under var/, email
to the console, Django's debug pages. Every value can still be overridden from the environment."""
from .base import *  # noqa: F401,F403
from .base import SILENCED_SYSTEM_CHECKS, env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-never-in-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
# Links in emails: bin/run passes SITE_URL built from its PORT.
SITE_URL = env("SITE_URL", default=f"http://127.0.0.1:{env('PORT', default='8000')}").rstrip("/")
# The embedded default's local-memory cache is one process's: right for runserver, which is what it serves
# (production requires REDIS_URL, a shared cache, and keeps django-ratelimit's check).
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "django_ratelimit.E003"]
