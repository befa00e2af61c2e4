from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfflineConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "offline"
    verbose_name = _("Offline report form")
