"""Stored versions of the topic model: the web processes stay stateless and load the newest one lazily."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TopicModel(models.Model):
    """One trained topic classifier (a joblib-pickled scikit-learn pipeline). Written only by
    `topicsuggest.training.train_and_store` (never from user input), so loading its bytes is safe."""

    trained_at = models.DateTimeField(_("trained at"), auto_now_add=True)
    algorithm = models.CharField(_("algorithm"), max_length=80)
    blob = models.BinaryField(_("model bytes"))
    size_bytes = models.PositiveIntegerField(_("size (bytes)"))
    seed_rows = models.PositiveIntegerField(_("seed phrases"))
    correction_rows = models.PositiveIntegerField(_("staff corrections"))
    features = models.PositiveIntegerField(_("features"))
    topics = models.PositiveSmallIntegerField(_("topics"))
    accuracy = models.FloatField(_("held-out accuracy"), null=True)
    train_seconds = models.FloatField(_("training time (s)"))

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("topic model")
        verbose_name_plural = _("topic models")

    def __str__(self) -> str:
        return f"#{self.pk} {self.algorithm} {self.trained_at:%Y-%m-%d %H:%M}"
