"""Reads for the agencies domain: ward lookup by point, agencies and staff roles of a user."""
from __future__ import annotations

from ihanoi.snapshots import Snapshot

from . import reference
from .geo import WardIndex
from .models import Agency, StaffMembership, StaffRole, Ward


def _build_ward_index(alias: str) -> WardIndex:
    return WardIndex(Ward.objects.using(alias).values_list("code", "boundary").iterator())


# The process-wide ward index (ihanoi/snapshots.py): built once per process, rebuilt when a ward is saved or
# removed anywhere; the boundaries are read only then (0.36 s for the 126 wards on PostgreSQL), so at most hourly.
ward_index_snapshot = Snapshot("ward-index", _build_ward_index, models=("agencies.Ward",), max_age=3600.0)


def ward_index() -> WardIndex:
    """The process-wide ward index, rebuilt when a ward is added, changed or removed."""
    return ward_index_snapshot.get()


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
