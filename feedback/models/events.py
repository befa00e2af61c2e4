"""The append-only event log of a case."""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..lifecycle import EventKind
from .case import Case


class AppendOnlyError(Exception):
    pass


class CaseEventQuerySet(models.QuerySet):
    """Bulk writes would bypass CaseEvent.save/delete; refuse them too."""

    def stamps_after_last(self, case_ids, now):
        """The time to stamp a new event of each case: `now`, or the case's last event time if that is later
        (a sweep's `now` is read before it takes the rows, so another writer's event can be newer). The
        events of a case are then listed, by (created_at, pk), in the order they were written."""
        last = dict(
            self.filter(case_id__in=list(case_ids)).order_by().values("case_id")
            .annotate(last=models.Max("created_at")).values_list("case_id", "last")
        )
        return {pk: max(now, last[pk]) if last.get(pk) else now for pk in case_ids}

    def update(self, **kwargs):
        raise AppendOnlyError("Case events are append-only.")

    def delete(self):
        raise AppendOnlyError("Case events are append-only.")


class CaseEvent(models.Model):
    """Append-only log: who did what to a case, when, and the status change. Never edited or deleted."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24, choices=EventKind)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="case_events"
    )
    actor_label = models.CharField(max_length=120, blank=True, help_text=_("'system', 'citizen' or the agency"))
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    is_public = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = CaseEventQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        indexes = [models.Index(fields=["case", "created_at"], name="event_case_created")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("Case events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Case events are append-only.")
