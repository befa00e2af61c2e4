"""Reads for the agencies domain: ward lookup by point, agencies and staff roles of a user."""
from __future__ import annotations

import time

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max

from . import reference
from .geo import WardIndex, get_index
from .models import Agency, StaffMembership, StaffRole, Ward


WARD_VERSION_CACHE_KEY = "agencies:ward-version"
WARD_VERSION_TIMEOUT = 300  # seconds: the longest another process may serve an index a bulk update made stale
WARD_VERSION_LOCAL_SECONDS = 2.0  # this process re-reads the shared version at most this often
_local_version: dict = {}


def _ward_rows():
    return Ward.objects.values_list("code", "boundary").iterator()


def ward_version() -> str:
    """A token that changes when a ward is added, saved or removed: one cache read every couple of seconds per
    process, not a DB aggregate per lookup (which costs 0.5 ms on PostgreSQL, 1.2 ms on SQLite).

    Ward saves and deletes clear it (agencies.apps connects the signals); on a miss it is recomputed from the
    table (count and last `updated_at`) and cached, so even a change that bypasses save() is seen within
    WARD_VERSION_TIMEOUT.
    """
    now = time.monotonic()
    if _local_version.get("until", 0.0) > now:
        return _local_version["version"]
    version = cache.get(WARD_VERSION_CACHE_KEY)
    if version is None:
        agg = Ward.objects.aggregate(n=Count("id"), last=Max("updated_at"))
        version = f"{agg['n']}:{agg['last'].isoformat() if agg['last'] else '-'}"
        cache.set(WARD_VERSION_CACHE_KEY, version, WARD_VERSION_TIMEOUT)
    _local_version.update(version=version, until=now + WARD_VERSION_LOCAL_SECONDS)
    return version


def invalidate_ward_version(**_signal_kwargs) -> None:
    """Forget the ward version now (this transaction sees its own change) and again after commit (so another
    process that cached the old version in between picks the change up)."""

    forget_ward_version()
    transaction.on_commit(forget_ward_version)


def forget_ward_version() -> None:
    """Forget the ward version now (also run when the cache answers again after an outage, ihanoi/cache.py)."""
    _local_version.clear()
    cache.delete(WARD_VERSION_CACHE_KEY)


def ward_index() -> WardIndex:
    """The process-wide ward index, rebuilt when a ward is added, changed or removed."""
    return get_index(_ward_rows, ward_version())


def ward_by_code(code: str) -> Ward | None:
    """The ward row without its (large) boundary, which routing never needs (it loads on access), from the
    process's routing tables (agencies/reference.py)."""
    return reference.ward(code)


def ward_at(*, lat: float, lon: float) -> Ward | None:
    """The ward containing the point, or None outside every ward (the city edge has ~1% slivers)."""
    code = ward_index().lookup(lat, lon)
    return ward_by_code(code) if code else None


def memberships_of(user) -> list[StaffMembership]:
    if not user.is_authenticated:
        return []
    cache = getattr(user, "_membership_cache", None)
    if cache is None:
        cache = list(StaffMembership.objects.filter(user=user).select_related("agency"))
        user._membership_cache = cache
    return cache


def agencies_of(user, *, roles: tuple[str, ...] = (StaffRole.OFFICER, StaffRole.MANAGER)) -> list[Agency]:
    return [m.agency for m in memberships_of(user) if m.role in roles and m.agency_id]


def has_role(user, *roles: str) -> bool:
    return any(m.role in roles for m in memberships_of(user))
