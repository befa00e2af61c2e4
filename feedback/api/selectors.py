"""Reads the API needs besides `feedback.selectors` (the staff boundary stays `cases_visible_to`)."""
from django.db.models import QuerySet

from agencies.models import Ward

from ..models import Case


def reports_of(user) -> QuerySet[Case]:
    """A citizen's own reports ("my reports"), newest first."""
    if not getattr(user, "is_authenticated", False):
        return Case.objects.none()
    return Case.objects.filter(reporter=user).with_names().order_by("-received_at")


def wards() -> QuerySet[Ward]:
    return Ward.objects.order_by("code")
