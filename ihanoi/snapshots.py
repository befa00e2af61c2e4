"""Process-local copies of small reference tables (routing rules, topics, wards, API clients), so a report POST
reads none of them from the database: each `Snapshot` is built once per process and rebuilt when its version
token in the shared cache (Redis) changes.

How a change reaches every process:
- the model's writes call `Snapshot.changed()` (post_save / post_delete signals, and the models' QuerySet
  `update()` / `bulk_create()` / `delete()`, which send no post_save); it drops this process's copy and, after
  commit, writes a new random token (never before commit: a process that rebuilt from the old rows in between
  would keep them under the new token);
- another process reads the token at most every CHECK_EVERY seconds, so it serves the old rows for at most that
  long after the commit; it rebuilds at least every MAX_AGE seconds whatever the token says (a cache that is not
  shared between processes, e.g. local memory in development);
- inside the transaction that made the change, the copy is built afresh on each use and not kept (the
  transaction sees its own rows; if it rolls back, nobody keeps them — tests roll back every test this way);
- while the cache is down the token reads as None: the copy is rebuilt at every check (once a second), and
  the first process to see the cache again writes a new token (ihanoi.cache.on_recovery), since invalidations
  may have been dropped meanwhile.
The copies are read from the primary database, never from a replica that may lag behind the token.
"""
from __future__ import annotations

import logging
import time
import uuid
from typing import Callable, Generic, TypeVar

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models.signals import post_delete, post_save

from .cache import on_recovery

log = logging.getLogger(__name__)

T = TypeVar("T")
_of_model: dict[str, list["Snapshot"]] = {}  # "app_label.Model" → the snapshots copying its rows
CHECK_EVERY = 1.0  # seconds between two reads of the shared token by one process
MAX_AGE = 300.0  # seconds: rebuilt at least this often


class Snapshot(Generic[T]):
    def __init__(self, name: str, build: Callable[[str], T], *, models: tuple[str, ...],
                 check_every: float = CHECK_EVERY, max_age: float = MAX_AGE):
        """`build(alias)` reads the rows from the database `alias` and returns the (read-only) copy; `models`
        ("app_label.Model") are the tables it copies: their saves and deletes call `changed()`, and so do the
        bulk writes of a QuerySet with SnapshotQuerySetMixin."""
        self.key = f"snapshot:{name}"
        self._build = build
        self.check_every, self.max_age = check_every, max_age
        self._value: T | None = None
        self._token: str | None = None
        self._built_at = self._check_at = 0.0
        self._dirty = None  # the outermost atomic block of a transaction that changed the rows
        on_recovery(self._bump)
        for label in models:
            _of_model.setdefault(label, []).append(self)
            post_save.connect(self.changed, sender=label, weak=False, dispatch_uid=f"{self.key}:{label}:save")
            post_delete.connect(self.changed, sender=label, weak=False, dispatch_uid=f"{self.key}:{label}:delete")

    def get(self) -> T:
        connection = connections[DEFAULT_DB_ALIAS]
        if self._dirty is not None:
            if connection.atomic_blocks and connection.atomic_blocks[0] is self._dirty:
                return self._build(DEFAULT_DB_ALIAS)  # this transaction's own rows, not kept
            self._dirty, self._value = None, None  # that transaction has ended (committed or rolled back)
        now = time.monotonic()
        if self._value is not None and now < self._check_at:
            return self._value
        token = self._shared_token()
        if self._value is None or token is None or token != self._token or now - self._built_at > self.max_age:
            self._value, self._token, self._built_at = self._build(DEFAULT_DB_ALIAS), token, now
        self._check_at = now + self.check_every
        return self._value

    def changed(self, **_signal_kwargs) -> None:
        """The rows changed (a signal receiver, or called by a QuerySet write): rebuild here now, everywhere
        after commit."""
        self.forget()
        connection = connections[DEFAULT_DB_ALIAS]
        if connection.in_atomic_block:
            self._dirty = connection.atomic_blocks[0]
        transaction.on_commit(self._bump)

    def forget(self) -> None:
        """Drop this process's copy (the next `get()` rebuilds it)."""
        self._value, self._check_at = None, 0.0

    def bump(self) -> None:
        """Make every process rebuild (a new token, never a delete: no stale re-fill race)."""
        self.forget()
        try:
            cache.set(self.key, uuid.uuid4().hex, None)
        except Exception as exc:  # any cache: other processes rebuild within MAX_AGE
            log.warning("cache unavailable, %s refreshed within %ss elsewhere: %s", self.key, self.max_age, exc)

    _bump = bump

    def _shared_token(self) -> str | None:
        """The shared version token; None when the cache is down (then the copy is rebuilt at each check)."""
        try:
            token = cache.get(self.key)
            if token is None:
                cache.add(self.key, uuid.uuid4().hex, None)
                token = cache.get(self.key)
            return token
        except Exception as exc:  # the cache is an optimisation: without it, read the database at each check
            log.warning("cache unavailable for %s: %s", self.key, exc)
            return None


class SnapshotQuerySet(models.QuerySet):
    """The QuerySet of a model copied in snapshots: its bulk writes, which send no post_save, call `changed()`
    of every snapshot of the model too."""

    def _changed(self):
        for snapshot in _of_model.get(self.model._meta.label, ()):
            snapshot.changed()

    def update(self, **kwargs):
        rows = super().update(**kwargs)
        self._changed()
        return rows

    def bulk_create(self, *args, **kwargs):
        objs = super().bulk_create(*args, **kwargs)
        self._changed()
        return objs

    def bulk_update(self, *args, **kwargs):
        rows = super().bulk_update(*args, **kwargs)
        self._changed()
        return rows

    def delete(self):
        result = super().delete()
        self._changed()
        return result
