"""What the cached answers share over HTTP: the If-None-Match check and the gzip choice.

Used by the shared page copies (ihanoi/page_cache.py) and the Open311 GET bodies (feedback/open311/http.py);
the public map's points answer through Django's own `get_conditional_response`, its body being at hand.
"""
from __future__ import annotations

import gzip
import re

from django.utils.http import parse_etags

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
