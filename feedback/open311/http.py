"""The GET answers of Open311 (requests lists and single requests) as cached, conditional, compressed bodies.

A rendered body is cached in Redis under a key made of the figures' version token (`dashboard.cache`, replaced
by every case write, again when its transaction commits, and by a public reply), a 120-s period (what no token
covers: a topic or agency renamed), the normalized query, the language and the format: a case change shows on
the next read, and the default 90-day window is quantised to the minute by the query parser so that one body
serves every client for that minute. The body is built from the primary, never a lagging replica. The key is
also the weak ETag, so a conditional GET that still matches is answered 304 without reading the body, and each
process keeps the bodies it served last (under the same keys, so never stale) to spare a hit the transfer of a
large body from Redis. The gzip body is cached beside the plain one and served when the client accepts it (only
these API answers: no site-wide compression, which would expose the HTML pages' CSRF tokens to BREACH). While
Redis is down the cache misses (ihanoi/cache.py): every answer is rendered from the database and its ETag never
matches again, which is slower but never stale.
"""
from __future__ import annotations

import hashlib
import time
from typing import Callable

from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

from dashboard.cache import current_version
from ihanoi.conditional import RecentBodies, accepts_gzip, gzip_body, not_modified
from ihanoi.db_router import primary_reads

CACHE_TTL = 120  # seconds; the version token makes case writes visible at once, the TTL frees memory
MAX_AGE = 10  # seconds a client or shared cache may reuse an answer without asking again
RECENT_BYTES = 16 * 2**20  # per process: the default list in both formats and encodings, and many small answers
MIN_GZIP = 200  # bytes: smaller bodies are sent as they are (as Django's GZipMiddleware does)
_GZIP_MAGIC = b"\x1f\x8b"  # a JSON or XML body never starts with these bytes


_recent: RecentBodies[bytes] = RecentBodies(RECENT_BYTES, CACHE_TTL)


def cached_response(request, *, parts: tuple, content_type: str, render: Callable[[], bytes]) -> HttpResponse:
    """The body `render()` gives for `parts` (the normalized query and format), from the cache when it holds it.
    `render` may raise (e.g. NotFound): nothing is cached then."""
    # the period bounds what no version token covers (a topic, agency or ward renamed) to CACHE_TTL
    period = int(time.time() // CACHE_TTL)
    raw_key = ":".join(map(str, (current_version(), period, get_language() or "", *parts)))
    digest = hashlib.sha1(raw_key.encode()).hexdigest()
    key, etag = f"open311:{digest}", f'W/"{digest}"'
    if not_modified(request, etag):
        return _headers(HttpResponseNotModified(), etag)
    compressed = accepts_gzip(request)
    wanted = f"{key}:gz" if compressed else key
    body = _recent.get(wanted)
    if body is None:
        body = cache.get(wanted)
        if body is None:
            with primary_reads():  # cached under a token the primary's commits replace: not a lagging replica
                plain = render()
            gz = gzip_body(plain) if len(plain) >= MIN_GZIP else plain
            cache.set_many({key: plain, f"{key}:gz": gz}, CACHE_TTL)
            body = gz if compressed else plain
        _recent.put(wanted, body, len(body))
    compressed = body[:2] == _GZIP_MAGIC  # a small body is cached plain under the gzip key too
    response = HttpResponse(body, content_type=content_type)
    if compressed:
        response["Content-Encoding"] = "gzip"
    return _headers(response, etag)


def _headers(response: HttpResponse, etag: str) -> HttpResponse:
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    patch_vary_headers(response, ("Accept-Encoding", "Accept-Language"))
    return response
