"""The idempotency keys of reports sent from the offline-safe form: one key, one case, however often it is sent."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class SubmissionKey(models.Model):
    """A key the citizen's phone made when the draft started; the unique constraint settles a race of two sends."""

    key = models.UUIDField(_("idempotency key"), unique=True)
    case = models.ForeignKey("feedback.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("submission key")
        verbose_name_plural = _("submission keys")

    def __str__(self) -> str:
        return str(self.key)
