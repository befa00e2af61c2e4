from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class AgenciesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "agencies"
    verbose_name = _("Agencies, wards and routing")

    def ready(self) -> None:
        from ihanoi.cache import on_recovery

        from .models import Ward
        from .selectors import forget_ward_version, invalidate_ward_version

        # Cache invalidation only (no business logic): a changed ward rebuilds the ward index and address matcher.
        post_save.connect(invalidate_ward_version, sender=Ward, dispatch_uid="ward-version-save")
        post_delete.connect(invalidate_ward_version, sender=Ward, dispatch_uid="ward-version-delete")
        on_recovery(forget_ward_version)  # a delete dropped while the cache was down (ihanoi/cache.py)
