"""The cache fails soft: a Redis outage slows pages down (they read the database), it never refuses a request.

`FailSoftRedisCache` (CACHES when REDIS_URL is set) is Django's RedisCache whose operations, when Redis cannot
be reached (refused, timed out — settings keep the timeouts short), answer as an empty cache would: a read is a
miss, a write or delete is dropped. Every caller — the dashboard figures, the calendar and ward tokens, DRF's
throttles — gets this without a try/except of its own. So, while Redis is down:
- reports (web form, REST, Open311) are stored and routed as usual; their emails wait in the outbox;
- pages compute from the database (`dashboard.figures` caches nothing, so nothing stale is served);
- throttles fail OPEN (DRF's and any other cache-counted limit sees an empty history): a report must not be
  refused because the cache is down; the log says so;
- sessions are unaffected (database sessions, Django's default SESSION_ENGINE).

After a failure the backend stops asking Redis for `fail_soft_cooldown` seconds (OPTIONS, default 2): one
timeout per process per cooldown, not one per cache call, bounds the requests' latency. A warning is logged
when Redis is lost (at most once a minute per process) and an info line when it answers again.

Invalidations dropped during the outage are repaired when it ends: the first call of a process that saw the
failure and now succeeds runs the callbacks registered with `on_recovery()` (the apps register their
version-token bumps), so figures cached before the outage are not served after it. Only a process that died
before Redis came back loses its repair; the cached entries' TTLs bound that staleness.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.db import transaction
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

UNAVAILABLE = (RedisError, OSError)
WARN_EVERY = 60.0  # seconds between two "cache unavailable" warnings of one process

_recovery: list[Callable[[], None]] = []
_lock = threading.Lock()
_state: dict[str, dict] = {}  # per cache location: open_until, down, warned_at, failures


def now_and_at_commit(bump: Callable[[], None]) -> None:
    """Run a version-token `bump` now and again when the current transaction commits (only now in autocommit):
    a reader that fetched the new token before the commit read the old rows and may have stored its answer
    under that token; the second bump retires it, so the write shows on the next read."""
    bump()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(bump)


def on_recovery(callback: Callable[[], None]) -> None:
    """Run `callback` (e.g. a version-token bump) when the cache answers again after failing in this process."""
    if callback not in _recovery:
        _recovery.append(callback)


class FailSoftMixin:
    """Cache operations that answer as a miss / a dropped write while the backend is unreachable."""

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        self.fail_soft_cooldown = float(options.pop("fail_soft_cooldown", 2.0))
        super().__init__(server, {**params, "OPTIONS": options})
        self._fail_soft_key = str(server)

    def _soft(self, name: str, default, *args, **kwargs):
        state = _state.setdefault(self._fail_soft_key, {"open_until": 0.0, "down": False, "warned_at": None,
                                                        "failures": 0})
        if state["open_until"] > time.monotonic():
            state["failures"] += 1
            return default
        if state["down"] and not self._repair(state):
            return default
        try:
            return getattr(super(), name)(*args, **kwargs)
        except UNAVAILABLE as exc:
            self._failed(state, name, exc)
            return default

    def _failed(self, state: dict, name: str, exc: Exception) -> None:
        now = time.monotonic()
        with _lock:
            state.update(down=True, open_until=now + self.fail_soft_cooldown, failures=state["failures"] + 1)
            if state["warned_at"] is None or now - state["warned_at"] >= WARN_EVERY:
                state["warned_at"] = now
                log.warning("cache unavailable (%s failed: %s): reading the database, throttles fail open, "
                            "%d cache call(s) skipped so far", name, exc, state["failures"])

    def _repair(self, state: dict) -> bool:
        """The first call after a failure: redo the invalidations that may have been dropped (the callbacks'
        own cache calls are the probe) before anything is read. False when the cache is still unreachable."""
        with _lock:
            if not state["down"] or state.get("repairing"):
                return True
            state.update(down=False, repairing=True)
            skipped = state["failures"]
        try:
            for callback in list(_recovery):
                try:
                    callback()
                except Exception:  # a repair must not break the request that noticed the recovery
                    log.exception("cache recovery callback %r failed", callback)
                if state["down"]:
                    return False
        finally:
            state["repairing"] = False
        state.update(failures=0, warned_at=None)
        log.info("cache available again after %d skipped call(s): invalidations repaired", skipped)
        return True

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._soft("add", False, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._soft("get", default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._soft("set", None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._soft("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._soft("delete", False, key, version)

    def get_many(self, keys, version=None):
        return self._soft("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._soft("has_key", False, key, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._soft("set_many", list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._soft("delete_many", None, keys, version)


class _OneClientPerPool(RedisCacheClient):
    """Django's Redis cache client, building its redis.Redis once per connection pool: Django builds a new one
    (and its ~100 response callbacks) on every cache call, about a third of a cached page's time (issue 16).
    A redis.Redis is thread-safe; its connections come from the pool."""

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


class FailSoftRedisCache(FailSoftMixin, RedisCache):
    """Django's RedisCache, failing soft (see the module docstring), one client per connection pool."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _OneClientPerPool
