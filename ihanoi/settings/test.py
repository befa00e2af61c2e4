"""pytest (pyproject.toml): the development defaults, a fixed key, fast password hashing. DATABASE_URL and
REDIS_URL still come from the environment, so CI runs the same suite on PostgreSQL and Redis."""
from .development import *  # noqa: F401,F403

DEBUG = False
SECRET_KEY = "test-only-key-" + "x" * 40
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SITE_URL = "http://127.0.0.1:8000"
# The suite posts many reports from 127.0.0.1 within the hour; tests/feedback/test_ratelimits.py sets low rates.
WEB_REPORT_RATE = "100000/hour"
WEB_TRACKING_ACTION_RATE = "100000/hour"

# --- Read replica in tests (city-scale topology): on PostgreSQL a second alias, a mirror of the test database;
# the router sends nothing there unless a test turns REPLICA_READS on (tests/ihanoi/test_db_router.py).
REPLICA_READS = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and "replica" not in DATABASES:  # noqa: F405
    DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
