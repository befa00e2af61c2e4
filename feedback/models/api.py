"""Partner systems of the Open311 API."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from ihanoi.snapshots import SnapshotQuerySet  # bulk writes refresh the copy of the clients (open311/selectors)


class ApiClient(models.Model):
    """A partner system allowed to POST Open311 requests with its API key. Only the key's SHA-256 hash and
    its first characters are stored (feedback.api_clients); the key is shown once, when it is made."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    key_prefix = models.CharField(_("key starts with"), max_length=8, db_index=True, editable=False)
    key_hash = models.CharField(_("key hash (SHA-256)"), max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")

    def __str__(self) -> str:
        return self.name
