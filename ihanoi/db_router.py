"""Read replica (city-scale topology): the dashboard's, board's, map's and public lists' reads go to the
"replica" database alias; everything else goes to "default" (the primary).

Only when settings.DATABASES has a "replica" (DATABASE_REPLICA_URL) and REPLICA_READS is on. A read goes to the
primary when it runs inside a transaction (select_for_update, services), when the request has written anything
(it reads its own writes for the rest of the request), and for REPLICA_STICKY_SECONDS after a request that was
not a GET/HEAD (a short cookie), so a citizen who just sent a report sees it on the map despite replica lag.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import connections

PRIMARY, REPLICA = "default", "replica"
STICKY_COOKIE = "ihanoi_primary"
# GET/HEAD requests under these paths read from the replica (settings.REPLICA_READ_PATHS overrides them)
# who is signed in is read from the primary: a fresh login or logout must not wait for the replica
PRIMARY_ONLY_APPS = {"sessions", "auth", "authtoken"}
READ_PATHS = ("/dashboard/", "/board/", "/map/", "/api/v1/stats/", "/api/georeport/v2/requests", "/nearby/")


@dataclass
class _Reads:
    replica: bool = False  # this request's reads may use the replica
    wrote: bool = False  # …until it writes


_state: ContextVar[_Reads | None] = ContextVar("ihanoi_replica_reads", default=None)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES and getattr(settings, "REPLICA_READS", True)


@contextmanager
def replica_reads():
    """Reads in this block may go to the replica (the middleware wraps the read-only pages in it)."""
    token = _state.set(_Reads(replica=True))
    try:
        yield
    finally:
        _state.reset(token)


@contextmanager
def primary_reads():
    """Reads in this block go to the primary, even on a replica page: what is cached under a version token that
    the primary's commits replace must not come from a replica that has not yet seen those commits."""
    token = _state.set(_Reads(replica=False))
    try:
        yield
    finally:
        _state.reset(token)


class ReplicaRouter:
    """Names the database outright (never None): left to itself Django would read related objects of a row
    loaded from the replica from the replica again, even inside a transaction."""

    def db_for_read(self, model, **hints):
        reads = _state.get()
        if reads is None or not reads.replica or reads.wrote or not replica_configured():
            return PRIMARY
        if model._meta.app_label in PRIMARY_ONLY_APPS:
            return PRIMARY
        if connections[PRIMARY].in_atomic_block:
            return PRIMARY  # a transaction reads what it is about to change
        return REPLICA

    def db_for_write(self, model, **hints):
        reads = _state.get()
        if reads is not None:
            reads.wrote = True  # read your own writes for the rest of the request
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data on both aliases

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db == REPLICA else None  # the replica follows the primary's schema by streaming


def _is_replica_read(request) -> bool:
    if request.method not in ("GET", "HEAD") or request.COOKIES.get(STICKY_COOKIE):
        return False
    paths = getattr(settings, "REPLICA_READ_PATHS", READ_PATHS)
    return request.path.startswith(tuple(paths))


class ReplicaMiddleware:
    """Marks the public read-only pages' reads for the replica; after a write request, a short cookie keeps
    the visitor on the primary. Does nothing without a configured replica."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_configured():
            return self.get_response(request)
        if not _is_replica_read(request):
            response = self.get_response(request)
            if request.method not in ("GET", "HEAD", "OPTIONS") and response.status_code < 500:
                seconds = getattr(settings, "REPLICA_STICKY_SECONDS", 10)
                response.set_cookie(STICKY_COOKIE, "1", max_age=seconds, httponly=True, samesite="Lax",
                                    secure=request.is_secure())
            return response
        with replica_reads():
            return self.get_response(request)
