from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgenciesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "agencies"
    verbose_name = _("Agencies, wards and routing")

    def ready(self) -> None:
        # The process-wide copies (ihanoi/snapshots.py) connect their invalidation signals when their modules are
        # imported: import them in every process, so any process that writes a ward or a rule tells the others.
        from . import addresses, reference, selectors  # noqa: F401
