"""What the cached answers share over HTTP: the If-None-Match check, the gzip choice, and the per-process copy
of the bodies served last.

Used by the shared page copies (ihanoi/page_cache.py) and the Open311 GET bodies (feedback/open311/http.py);
the public map's points answer through Django's own `get_conditional_response`, its body being at hand.
"""
from __future__ import annotations

import gzip
import re
import threading
import time
from collections import OrderedDict
from typing import Generic, TypeVar

from django.utils.http import parse_etags

T = TypeVar("T")
_ACCEPTS_GZIP = re.compile(r"\bgzip\b")  # as Django's GZipMiddleware reads Accept-Encoding


def not_modified(request, etag: str) -> bool:
    """Does the request's If-None-Match name `etag`? The weak comparison of RFC 9110 13.1.2: W/"x" matches "x"."""
    wanted = parse_etags(request.META.get("HTTP_IF_NONE_MATCH", ""))
    return "*" in wanted or etag.removeprefix("W/") in {t.removeprefix("W/") for t in wanted}


def accepts_gzip(request) -> bool:
    return bool(_ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")))


def gzip_body(data: bytes) -> bytes:
    """The body gzipped the same way every time (no timestamp): equal bodies, equal bytes."""
    return gzip.compress(data, compresslevel=6, mtime=0)


class RecentBodies(Generic[T]):
    """The answers this process served last, by cache key. The key holds the version tokens of what the answer
    shows, so an entry is never stale (a write changes the key): a hit costs the tokens' read from Redis, not
    the transfer of a body of up to hundreds of kilobytes. Bounded in bytes (`put` is told each entry's size);
    an entry lives `ttl` seconds, as long as its Redis copy."""

    def __init__(self, limit: int, ttl: float):
        self.limit, self.ttl, self.size = limit, ttl, 0
        self.entries: OrderedDict[str, tuple[float, int, T]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> T | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is None:
                return None
            if entry[0] < time.monotonic():
                self._drop(key)
                return None
            self.entries.move_to_end(key)
            return entry[2]

    def put(self, key: str, value: T, size: int) -> None:
        if size > self.limit:
            return
        with self.lock:
            if key in self.entries:
                self._drop(key)
            self.entries[key] = (time.monotonic() + self.ttl, size, value)
            self.size += size
            while self.size > self.limit:
                self._drop(next(iter(self.entries)))

    def _drop(self, key: str) -> None:
        self.size -= self.entries.pop(key)[1]
