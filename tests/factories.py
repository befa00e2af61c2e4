"""Test data built through the real services (not raw model writes)."""
from __future__ import annotations

from django.contrib.auth import get_user_model

from agencies.models import Agency, StaffMembership, StaffRole, Topic
from feedback.services import Contact, Location, submit_report

HOAN_KIEM = (21.0288, 105.8525)


def make_report(*, topic_code: str = "waste", lat: float | None = HOAN_KIEM[0], lon: float | None = HOAN_KIEM[1],
                address: str = "", email: str = "citizen@example.com", description: str = "Rác tồn đọng nhiều ngày",
                photos=(), channel: str = "web"):
    return submit_report(
        topic=Topic.objects.get(code=topic_code), description=description,
        location=Location(lat=lat, lon=lon, address=address), photos=photos, contact=Contact(email=email),
        channel=channel,
    )


def make_staff(username: str, *, role: str = StaffRole.OFFICER, agency_code: str | None = "ubnd-00070"):
    user = get_user_model().objects.create_user(username, f"{username}@example.com", "pw", is_staff=True)
    agency = Agency.objects.get(code=agency_code) if agency_code else None
    StaffMembership.objects.create(user=user, agency=agency, role=role)
    return user
