from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse

from .celery_app import app as celery_app

BROKER_TIMEOUT = 2.0  # seconds: a health check answers quickly or says "down"


def _database_ok() -> bool:
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
        return True
    except DatabaseError:
        return False


def _broker_ok() -> bool:
    try:
        with celery_app.connection_for_write(connect_timeout=BROKER_TIMEOUT) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT)
        return True
    except Exception:  # noqa: BLE001 — any failure to reach the broker means "down", whatever the transport
        return False


def _cache_ok() -> bool:
    try:
        cache.set("healthz", "ok", 10)
        return cache.get("healthz") == "ok"
    except Exception:  # noqa: BLE001 — the cache backend's own errors (redis, memcached…) mean "down"
        return False


def healthz(request):
    """Health for load balancers, the compose healthcheck and the CI smoke stage:
    ``{"status": ok|degraded|down, "db": ok|down, "broker": ok|down, "cache": ok|down}``.

    Only the database is vital: without it the answer is 503 (take this instance out of rotation). A broker or
    cache outage answers 200 "degraded": reports are still accepted and stored (emails wait in the outbox, reads
    fall back to the database), so the web process must stay in rotation.
    """
    checks = {"db": _database_ok(), "broker": _broker_ok(), "cache": _cache_ok()}
    status = "ok" if all(checks.values()) else ("degraded" if checks["db"] else "down")
    body = {"status": status} | {name: "ok" if ok else "down" for name, ok in checks.items()}
    return JsonResponse(body, status=200 if checks["db"] else 503)
