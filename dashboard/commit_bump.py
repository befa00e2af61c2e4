"""The figures' version token replaced again when a case write commits (dashboard/signals.py replaces it at
the save itself): a reader that fetched the new token before the commit computed the old rows and stored them
under it (figures, the cached board page, ihanoi/page_cache.py); the second replacement retires them, so the
write shows on the next read. Connected once, from DashboardConfig.ready(); cache invalidation only."""
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from feedback.models import Case

from .cache import bump_version
from .signals import _MAY_CHANGE_A_RESOLUTION


def _on_case_change(sender, instance: Case, **kwargs) -> None:
    if not transaction.get_connection().in_atomic_block:
        return  # autocommit: the save's own bump came after the write
    resolutions = "created" not in kwargs or instance.status in _MAY_CHANGE_A_RESOLUTION
    transaction.on_commit(lambda: bump_version(resolutions=resolutions))


def connect_signals() -> None:
    post_save.connect(_on_case_change, sender=Case, dispatch_uid="stats-case-saved-commit")
    post_delete.connect(_on_case_change, sender=Case, dispatch_uid="stats-case-deleted-commit")
