"""Per-client-IP limits on the anonymous POSTs of the web pages (the API has DRF's throttles).

Counters are django-ratelimit's (a fixed window per client IP in the Django cache, Redis in production; the IP by
ihanoi.client_ip, an IPv6 client counted per /64). A limit guards against spam; it must never refuse a citizen
for our own fault: when the cache cannot be reached the request goes through (fail open) and a warning is logged.
"""
from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django_ratelimit.core import get_usage

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limited:
    """A refused request: how long until its window ends."""

    retry_after: int  # seconds

    @property
    def minutes(self) -> int:
        return max(1, -(-self.retry_after // 60))

    @property
    def until(self) -> datetime:
        return timezone.localtime() + timedelta(seconds=self.retry_after)


def check(request: HttpRequest, *, group: str, rate: str | None) -> Limited | None:
    """Count this request in `group` for its client IP; a Limited when it is over `rate` (e.g. "20/hour")."""
    if not rate:
        return None
    try:
        usage = get_usage(request, group=group, key="ip", rate=rate, method="POST", increment=True)
    except Exception as exc:  # noqa: BLE001 — any cache failure: let the citizen through
        logger.warning("rate limit %s not checked, request let through: cache unavailable (%r)", group, exc)
        return None
    if usage is None or not usage["should_limit"]:
        return None
    return Limited(retry_after=max(1, usage["time_left"]))


def limit_posts(group: str, *, rate_setting: str, refused):
    """View decorator: POSTs over settings.<rate_setting> per client IP get `refused(request, limited, **kwargs)`
    (which should answer 429 and keep what the citizen typed) instead of the view."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "POST":
                limited = check(request, group=group, rate=getattr(settings, rate_setting))
                if limited:
                    response = refused(request, limited, *args, **kwargs)
                    response.status_code = 429
                    response["Retry-After"] = str(limited.retry_after)
                    return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
