"""What changes a case's clock: deadline extensions and the city's calendar exceptions."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .case import Case


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Refused")


class DeadlineExtension(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extensions")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_due_at = models.DateTimeField(_("requested due time"))
    reason = models.TextField(_("reason"))
    status = models.CharField(max_length=10, choices=ExtensionStatus, default=ExtensionStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="pending"), name="one_pending_extension_per_case"
            )
        ]


class CalendarDayKind(models.TextChoices):
    DAY_OFF = "day_off", _("Extra day off")
    WORKING_DAY = "working_day", _("Make-up working day")


class CalendarException(models.Model):
    """City-declared exceptions on top of the national calendar from the `holidays` package."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=CalendarDayKind)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"
