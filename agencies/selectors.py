"""Reads for the agencies domain: ward lookup by point, agencies and staff roles of a user."""
from __future__ import annotations

from django.db.models import Count, Max

from .geo import WardIndex, get_index
from .models import Agency, StaffMembership, StaffRole, Ward


def _ward_rows():
    return Ward.objects.values_list("code", "boundary").iterator()


def ward_index() -> WardIndex:
    """The process-wide ward index, rebuilt when a ward is added, changed or removed."""
    version = tuple(Ward.objects.aggregate(n=Count("id"), last=Max("updated_at")).values())
    return get_index(_ward_rows, version)


def ward_at(*, lat: float, lon: float) -> Ward | None:
    code = ward_index().lookup(lat, lon)
    return Ward.objects.filter(code=code).first() if code else None


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
