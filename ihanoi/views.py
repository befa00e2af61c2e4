from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpResponseRedirect, JsonResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

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


@require_GET
def switch_language(request):
    """The language switch of every page: a plain link (?language=en&next=/path), so a page needs no form and
    no CSRF token for it and can be shared from a cache (ihanoi/page_cache.py). Sets Django's language cookie,
    as its POST-only set_language view does (still mounted at /i18n/setlang/), and goes back to `next` when that
    is a path of this site (else to the home page). Changing the language is harmless, so a GET is enough."""
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    language = request.GET.get("language", "")
    if language in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    response["Cache-Control"] = "private, no-store"
    return response
