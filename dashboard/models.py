"""The dashboard's derived tallies (moved from feedback in dashboard/0001 without rebuilding a table: they keep
their feedback_* table names). Kept by dashboard/tally.py, never edited by hand."""
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class TallyDimension(models.TextChoices):
    CITY = "city", _("whole city")
    AGENCY = "agency", _("agency")
    WARD = "ward", _("ward")
    TOPIC = "topic", _("topic")


class TallyCounters(models.Model):
    """The clock-independent counters and sums of a group of cases (`dashboard.metrics.BASE`, same order)."""

    received = models.PositiveIntegerField(default=0)
    handled = models.PositiveIntegerField(default=0)
    fixed = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    finished_late = models.PositiveIntegerField(default=0)
    open = models.PositiveIntegerField(default=0)
    open_dated = models.PositiveIntegerField(default=0)
    unanswered_dated = models.PositiveIntegerField(default=0)
    accept_on_time = models.PositiveIntegerField(default=0)
    accept_late_answered = models.PositiveIntegerField(default=0)
    timed = models.PositiveIntegerField(default=0)
    hours_sum = models.FloatField(default=0)
    rated = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class CaseTally(TallyCounters):
    """The clock-independent figures of the cases received on one local day, for the whole city and per agency,
    ward and topic (`key`: their id, 0 = none yet). Derived data, kept by `dashboard.tally`, never edited."""

    day = models.DateField()
    dim = models.CharField(max_length=6, choices=TallyDimension)
    key = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "feedback_casetally"
        constraints = [
            models.UniqueConstraint(fields=["day", "dim", "key"], name="tally_day_dim_key_unique"),
            models.CheckConstraint(condition=Q(dim__in=TallyDimension.values), name="tally_dim_valid"),
            models.CheckConstraint(condition=~Q(dim=TallyDimension.CITY) | Q(key=0), name="tally_city_key_0"),
        ]
        # The city rows of a period (trend, totals) without reading the per-agency/ward/topic rows.
        indexes = [models.Index(fields=["dim", "day"], name="tally_dim_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.dim} {self.key}"


class OpenTally(models.Model):
    """All-time counts of the open cases with a due time (and of those still to be accepted with an acceptance
    due time), for the city and per agency, ward and topic: the sum of the day tally's columns, kept by the same
    refresh. "Overdue now" = these − the open cases not yet due."""

    dim = models.CharField(max_length=6, choices=TallyDimension)
    key = models.PositiveIntegerField(default=0)
    open_dated = models.PositiveIntegerField(default=0)
    unanswered_dated = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "feedback_opentally"
        constraints = [models.UniqueConstraint(fields=["dim", "key"], name="open_tally_dim_key_unique")]

    def __str__(self) -> str:
        return f"{self.dim} {self.key}"


class StaleTallyDay(models.Model):
    """A local receipt day whose cases changed since its tally rows were computed (one row per change, so a
    writer never waits on another; `dashboard.tally.refresh_stale` recomputes the day and removes what it read)."""

    day = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "feedback_staletallyday"

    def __str__(self) -> str:
        return str(self.day)


class MonthTally(TallyCounters):
    """A calendar month's day rows (`CaseTally`) summed per dimension and key, recomputed with its days: a long
    period reads its whole months here (two years: ~13,000 rows instead of ~300,000) and only its first and
    last partial months from the day rows."""

    month = models.DateField()  # the first day of the month
    dim = models.CharField(max_length=6, choices=TallyDimension)
    key = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["month", "dim", "key"], name="month_tally_unique")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.dim} {self.key}"
