"""The figures' cache: a version token that every case write replaces (dashboard/signals.py), a second one that
only resolutions replace (the medians), and the keys built on them."""
import hashlib
import uuid

from django.core.cache import cache
from django.utils import translation

from ihanoi.page_cache import version_token

CACHE_TTL = 60  # seconds; the version token makes saves visible at once, the TTL bounds clock-driven drift
_VERSION_KEY = "stats:version"
_TIMED_KEY = "stats:timed-version"  # the resolved cases' hours (the medians)


def _token(key: str) -> str:
    return version_token(key, None)


def current_version() -> str:
    return _token(_VERSION_KEY)


def bump_version(*, resolutions: bool = True) -> None:
    """A case changed: every cached figure is stale (with resolutions=False: but not the medians, for a write
    that cannot have changed a resolution). A fresh random token never collides with an old one, even after a
    cache flush or a test rollback."""
    cache.set(_VERSION_KEY, uuid.uuid4().hex, None)
    if resolutions:
        cache.set(_TIMED_KEY, uuid.uuid4().hex, None)


def _cache_key(*parts: str) -> str:
    raw = ":".join(parts + (translation.get_language() or "",))
    return f"stats:{current_version()}:" + hashlib.sha1(raw.encode()).hexdigest()


def get_with_version(key: str):
    """(the current version token, the value cached under `key`) in one round trip to the cache: a caller that
    stores its version beside its value (the public map) checks freshness without a second request to Redis."""
    found = cache.get_many([_VERSION_KEY, key])
    return found.get(_VERSION_KEY) or current_version(), found.get(key)
