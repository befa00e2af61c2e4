from rest_framework.permissions import BasePermission

from dashboard.periods import dashboard_slice

from ..policy import is_staff_member


class IsAgencyStaff(BasePermission):
    """Agency staff, dispatchers, city leaders and superusers: the people who use the staff dashboard.

    Which cases each of them sees is decided by `feedback.selectors.cases_visible_to`, never here.
    """

    def has_permission(self, request, view) -> bool:
        return is_staff_member(request.user)


class IsDashboardUser(BasePermission):
    """The leaders' dashboard's audience: city leaders (the whole city) and managers (their own agencies)."""

    def has_permission(self, request, view) -> bool:
        return dashboard_slice(request.user) is not None
