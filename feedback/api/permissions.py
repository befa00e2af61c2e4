from rest_framework.permissions import BasePermission

from agencies.models import StaffRole
from agencies.selectors import has_role

from ..selectors import is_staff_member


class IsAgencyStaff(BasePermission):
    """Agency staff, dispatchers, city leaders and superusers: the people who use the staff dashboard.

    Which cases each of them sees is decided by `feedback.selectors.cases_visible_to`, never here.
    """

    def has_permission(self, request, view) -> bool:
        return is_staff_member(request.user)


class IsLeader(BasePermission):
    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and (user.is_superuser or has_role(user, StaffRole.LEADER)))
