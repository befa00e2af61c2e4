from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TopicSuggestConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "topicsuggest"
    verbose_name = _("Topic suggestion")
