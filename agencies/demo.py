"""Demo accounts for the embedded default (never created when DEBUG is off unless forced)."""
from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from .models import Agency, StaffMembership, StaffRole
from .seed import COORDINATION_CODE

DEMO_PASSWORD = "ihanoi-demo-2025"
DEMO_WARD_CODE = "00070"  # Phường Hoàn Kiếm


@dataclass(frozen=True)
class DemoAccount:
    username: str
    label: str
    role: str | None
    agency_code: str | None
    is_staff: bool


DEMO_ACCOUNTS = [
    DemoAccount("citizen", "Citizen", None, None, False),
    DemoAccount("hk_officer", "Officer, UBND Phường Hoàn Kiếm", StaffRole.OFFICER, f"ubnd-{DEMO_WARD_CODE}", True),
    DemoAccount("hk_manager", "Manager, UBND Phường Hoàn Kiếm", StaffRole.MANAGER, f"ubnd-{DEMO_WARD_CODE}", True),
    DemoAccount("sxd_officer", "Officer, Sở Xây dựng", StaffRole.OFFICER, "so-xay-dung", True),
    DemoAccount("dispatcher", "Dispatcher, Trung tâm IOC", StaffRole.DISPATCHER, COORDINATION_CODE, True),
    DemoAccount("leader", "City leader", StaffRole.LEADER, None, True),
]


@transaction.atomic
def create_demo_accounts() -> list[DemoAccount]:
    User = get_user_model()
    for acc in DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(
            username=acc.username, defaults={"email": f"{acc.username}@example.com", "is_staff": acc.is_staff}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        if acc.role:
            agency = Agency.objects.get(code=acc.agency_code) if acc.agency_code else None
            StaffMembership.objects.get_or_create(user=user, agency=agency, role=acc.role)
    return DEMO_ACCOUNTS
