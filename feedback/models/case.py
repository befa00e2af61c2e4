"""The case (a citizen's report and the work on it), its photos and the citizens' "me too" supports; the
conditions of the deadline sweeps' partial indexes."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Topic, Urgency, Ward

from ..lifecycle import FINISHED_STATUSES, OPEN_STATUSES, RESOLVED_OUTCOMES, CaseStatus, Outcome

# What each deadline sweep may still act on (feedback/services/sweeps.py); the partial indexes below use the same
# conditions, in a fixed order, so PostgreSQL matches the sweeps' WHERE to them.
SWEPT_STATUSES = sorted(OPEN_STATUSES)
SWEEP_OVERDUE = Q(status__in=SWEPT_STATUSES, is_overdue=False)
SWEEP_ACCEPT_OVERDUE = Q(status=CaseStatus.ASSIGNED, is_accept_overdue=False)
SWEEP_REMINDER = Q(status__in=SWEPT_STATUSES, reminded_at__isnull=True, is_overdue=False)
SWEEP_ESCALATION = Q(status__in=SWEPT_STATUSES, is_overdue=True, is_escalated=False)
SWEEP_MANAGER = Q(status__in=SWEPT_STATUSES, manager_notified_at__isnull=True) & (
    Q(is_overdue=True) | Q(is_accept_overdue=True)
)
# Cases with a time to resolve (the dashboard's "timed" figure, dashboard.metrics), also the condition
# of the partial index case_timed_hours that the median reads.
TIMED_CASES = Q(status__in=sorted({CaseStatus.RESOLVED, CaseStatus.CLOSED}), outcome__in=sorted(RESOLVED_OUTCOMES),
                resolve_working_hours__isnull=False)


class CaseQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def for_agency(self, agency):
        return self.filter(agency=agency)

    def unrouted(self):
        return self.filter(status=CaseStatus.RECEIVED, agency__isnull=True)

    def with_names(self, *more: str):
        """With the topic, ward and agency joined (and `more`), minus the ward's boundary: a GeoJSON of several
        kilobytes that no list of cases shows, and that took most of a list page's time to decode."""
        return self.select_related("topic", "ward", "agency", *more).defer("ward__boundary")

    def public(self):
        """Cases a citizen may see on the public map: not spam, not merged away."""
        return self.exclude(outcome=Outcome.SPAM).filter(merged_into__isnull=True)


class Case(models.Model):
    """A citizen's report and the case an agency works on it."""

    tracking_code = models.CharField(_("tracking code"), max_length=16, unique=True)
    topic = models.ForeignKey(Topic, verbose_name=_("topic"), on_delete=models.PROTECT, related_name="cases")
    description = models.TextField(_("description"))
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    ward = models.ForeignKey(
        Ward, verbose_name=_("ward"), null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    assigned_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned officer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
    )
    status = models.CharField(_("status"), max_length=12, choices=CaseStatus, default=CaseStatus.RECEIVED)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome, blank=True)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency, default=Urgency.NORMAL)
    channel = models.CharField(_("intake channel"), max_length=60, default="web")
    routing_reason = models.TextField(_("routing reason"), blank=True)

    # Clocks. received_at is the original receipt and never changes; due times move with transfers/extensions.
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    accept_due_at = models.DateTimeField(_("accept by"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Working hours from receipt to resolution, stored at resolution (feedback.clocks.deadlines.working_hours_to_resolve)
    # so the dashboard's average and median are plain database aggregates.
    resolve_working_hours = models.FloatField(_("working hours to resolve"), null=True, blank=True)
    is_overdue = models.BooleanField(_("overdue"), default=False)
    overdue_at = models.DateTimeField(_("flagged overdue at"), null=True, blank=True)
    is_accept_overdue = models.BooleanField(_("acceptance overdue"), default=False)
    is_escalated = models.BooleanField(_("escalated"), default=False)
    escalated_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(_("due-soon reminder sent at"), null=True, blank=True)
    manager_notified_at = models.DateTimeField(_("manager told of the overdue case at"), null=True, blank=True)

    # Reporter contact: private, never on public pages or public API.
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporter account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    reporter_name = models.CharField(_("reporter name"), max_length=120, blank=True)
    reporter_phone = models.CharField(_("reporter phone"), max_length=30, blank=True)
    reporter_email = models.EmailField(_("reporter email"), blank=True)

    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rating_comment = models.TextField(_("rating comment"), blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    transfer_count = models.PositiveSmallIntegerField(_("times transferred"), default=0)
    support_count = models.PositiveIntegerField(_("supporters"), default=0)
    merged_into = models.ForeignKey(
        "self", verbose_name=_("merged into"), null=True, blank=True, on_delete=models.PROTECT, related_name="merged"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["agency", "status", "due_at"], name="case_agency_status_due"),
            models.Index(fields=["status", "due_at"], name="case_status_due"),
            models.Index(fields=["received_at"], name="case_received"),
            models.Index(fields=["ward", "received_at"], name="case_ward_received"),
            models.Index(fields=["topic", "received_at"], name="case_topic_received"),
            models.Index(fields=["agency", "received_at"], name="case_agency_received"),
            # Partial indexes matching the deadline sweeps' WHERE clauses (feedback/services/sweeps.py): each sweep
            # reads only the rows it may still flag, however many cases are open.
            models.Index(fields=["due_at"], condition=SWEEP_OVERDUE, name="case_sweep_overdue"),
            models.Index(fields=["accept_due_at"], condition=SWEEP_ACCEPT_OVERDUE, name="case_sweep_accept"),
            models.Index(fields=["due_at"], condition=SWEEP_REMINDER, name="case_sweep_reminder"),
            models.Index(fields=["due_at"], condition=SWEEP_ESCALATION, name="case_sweep_escalate"),
            models.Index(fields=["id"], condition=SWEEP_MANAGER, name="case_sweep_manager"),
            # "is this yours?" before submit: same topic, bounding box around the pin
            models.Index(fields=["topic", "latitude", "longitude"], name="case_topic_location"),
            # "Overdue now" (dashboard, board, deadline sweeps): open cases by due time, oldest first, and their
            # counts per agency/ward/topic straight from the index.
            models.Index(fields=["due_at", "agency", "ward", "topic"], condition=Q(status__in=sorted(OPEN_STATUSES)),
                         name="case_open_due"),
            # The median time to resolve (dashboard.figures): the period's resolved cases with their stored hours,
            # read from the index alone (PostgreSQL INCLUDE) instead of the heap rows of every received case.
            models.Index(fields=["received_at"], include=["agency", "ward", "topic", "resolve_working_hours"],
                         condition=TIMED_CASES,
                         name="case_timed_hours"),
            # The medians of a long period (dashboard.figures._medians): each set's resolved hours already in
            # (group, hours) order, so PERCENTILE_CONT's sort of every group gets sorted input instead of a
            # GROUPING SETS sort of the whole period (two years: 1.9 s → about a third of it).
            models.Index(fields=["resolve_working_hours"], include=["received_at"], condition=TIMED_CASES,
                         name="case_timed_by_hours"),
            *(models.Index(fields=[dim, "resolve_working_hours"], include=["received_at"], condition=TIMED_CASES,
                           name=f"case_timed_{dim}_hours") for dim in ("agency", "ward", "topic")),
            # The clock-dependent part of the dashboard's figures (dashboard.tally): the open cases, read from
            # the index alone, with everything "late", "pending" and "overdue now" need.
            models.Index(fields=["received_at"], include=["agency", "ward", "topic", "due_at", "accept_due_at",
                                                          "accepted_at", "resolved_at"],
                         condition=Q(status__in=sorted(OPEN_STATUSES)), name="case_open_clock"),
            # The public map (feedback/selectors/public_map.py): the public cases in a box, counted per grid cell or
            # listed, from the index alone (the filters' columns included); a street-level box reads a few hundred
            # entries instead of every case (120k cases: 62 ms → 1 ms on PostgreSQL).
            models.Index(fields=["latitude", "longitude"], include=["topic", "status", "ward", "received_at"],
                         condition=Q(merged_into__isnull=True) & ~Q(outcome=Outcome.SPAM),
                         name="case_public_location"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=CaseStatus.values), name="case_status_valid"),
            models.CheckConstraint(condition=Q(outcome="") | Q(outcome__in=Outcome.values), name="case_outcome_valid"),
            models.CheckConstraint(condition=Q(urgency__in=Urgency.values), name="case_urgency_valid"),
            # Every answer (resolved, rejected, closed) records when it was given: the dashboard's on-time
            # figures compare it with the due time, and only open cases still depend on the clock.
            models.CheckConstraint(
                condition=~Q(status__in=sorted(FINISHED_STATUSES)) | Q(resolved_at__isnull=False),
                name="finished_case_has_resolved_at",
            ),
            models.CheckConstraint(
                condition=Q(status=CaseStatus.RECEIVED) | Q(status=CaseStatus.CLOSED) | Q(status=CaseStatus.REJECTED)
                | Q(agency__isnull=False),
                name="active_case_has_agency",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="rating_1_to_5"
            ),
            models.CheckConstraint(
                condition=(Q(latitude__isnull=True) & Q(longitude__isnull=True))
                | (Q(latitude__gte=-90, latitude__lte=90) & Q(longitude__gte=-180, longitude__lte=180)),
                name="case_location_pair_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_code

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("feedback:track", kwargs={"code": self.tracking_code})

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class PhotoKind(models.TextChoices):
    REPORT = "report", _("Citizen's photo")
    PROOF = "proof", _("Proof of resolution")


def _private_storage():
    """The field's storage (named in migrations): a proxy that resolves STORAGES["private"] at each use."""
    from ..storage import private_storage

    return private_storage


class CasePhoto(models.Model):
    """A photo: the original is private (EXIF kept), the public copy has every EXIF tag stripped."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField(max_length=10, choices=PhotoKind, default=PhotoKind.REPORT)
    original = models.FileField(upload_to="originals/%Y/%m/", storage=_private_storage)
    image = models.ImageField(upload_to="photos/%Y/%m/", width_field="width", height_field="height")
    thumbnail = models.ImageField(upload_to="thumbs/%Y/%m/", blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    event = models.ForeignKey("CaseEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="photos")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")


class Support(models.Model):
    """'Me too': another citizen reports the same problem; optional contact to receive updates."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    name = models.CharField(max_length=120, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
