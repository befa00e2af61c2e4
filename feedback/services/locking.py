"""The one way a service takes a case for writing: lock its row (and only its row), then check the actor
against the locked state (not a stale copy) and, when asked, the version the actor saw."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from ..models import Case
from .errors import ConflictError


def lock_case(case: Case | int, *, related: tuple[str, ...] = (), actor=None, allowed=None,
              check_version: bool = False) -> Case:
    """SELECT … FOR UPDATE OF the case row. `allowed(actor, locked)` (a feedback.policy rule) → PermissionDenied;
    `check_version` → ConflictError when someone changed the case since the caller read it."""
    pk = case if isinstance(case, int) else case.pk
    locked = Case.objects.select_for_update(of=("self",)).select_related(*related).get(pk=pk)
    if allowed is not None and not allowed(actor, locked):
        raise PermissionDenied(_("You cannot act on this case."))
    if check_version and locked.version != case.version:
        raise ConflictError(_("This case was changed by someone else. Reload it and try again."))
    return locked


def lock_cases(pks) -> list[Case]:
    """Several cases at once, locked in primary-key order (two writers never wait on each other in a circle)."""
    return list(Case.objects.select_for_update(of=("self",)).filter(pk__in=list(pks)).order_by("pk"))
