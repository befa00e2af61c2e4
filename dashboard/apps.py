from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dashboard"
    verbose_name = _("Dashboard figures")

    def ready(self):
        from ihanoi.cache import on_recovery

        from . import signals
        from .cache import bump_version

        signals.connect_signals()
        # Invalidations dropped while the cache was down are redone when it answers again (ihanoi/cache.py).
        on_recovery(bump_version)
