from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "feedback"
    verbose_name = _("Reports and cases")

    def ready(self):
        from django.core.signals import setting_changed

        from ihanoi import page_cache
        from ihanoi.cache import on_recovery

        from . import page_tokens, tasks  # noqa: F401 (registers the tasks that services queue by name, notifications.enqueue_task)
        from .clocks import deadlines

        # Invalidations dropped while the cache was down are redone when it answers again (ihanoi/cache.py).
        on_recovery(deadlines.invalidate_calendar)
        page_tokens.connect_signals()  # the shared copies of the citizen pages (ihanoi/page_cache.py)
        on_recovery(page_cache.new_generation)
        setting_changed.connect(page_cache.new_generation, dispatch_uid="page-cache-setting-changed")
