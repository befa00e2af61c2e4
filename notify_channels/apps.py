from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyChannelsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notify_channels"
    verbose_name = _("Notification channels")
