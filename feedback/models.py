"""Reports (cases), their photos, the append-only event log, supports, extensions, calendar, outbox."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Topic, Urgency, Ward

from .lifecycle import FINISHED_STATUSES, OPEN_STATUSES, RESOLVED_OUTCOMES, CaseStatus, EventKind, Outcome

# What each deadline sweep may still act on (feedback/sweeps.py); the partial indexes below use the same
# conditions, in a fixed order, so PostgreSQL matches the sweeps' WHERE to them.
SWEPT_STATUSES = sorted(OPEN_STATUSES)
SWEEP_OVERDUE = Q(status__in=SWEPT_STATUSES, is_overdue=False)
SWEEP_ACCEPT_OVERDUE = Q(status=CaseStatus.ASSIGNED, is_accept_overdue=False)
SWEEP_REMINDER = Q(status__in=SWEPT_STATUSES, reminded_at__isnull=True, is_overdue=False)
SWEEP_ESCALATION = Q(status__in=SWEPT_STATUSES, is_overdue=True, is_escalated=False)
SWEEP_MANAGER = Q(status__in=SWEPT_STATUSES, manager_notified_at__isnull=True) & (
    Q(is_overdue=True) | Q(is_accept_overdue=True)
)
# Cases with a time to resolve (the dashboard's "timed" figure, feedback.stats.conditions), also the condition
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
    # Working hours from receipt to resolution, stored at resolution (feedback.stats.working_hours_to_resolve)
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
            # Partial indexes matching the deadline sweeps' WHERE clauses (feedback/sweeps.py): each sweep
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
            # The median time to resolve (feedback.stats): the period's resolved cases with their stored hours,
            # read from the index alone (PostgreSQL INCLUDE) instead of the heap rows of every received case.
            models.Index(fields=["received_at"], include=["agency", "ward", "topic", "resolve_working_hours"],
                         condition=TIMED_CASES,
                         name="case_timed_hours"),
            # The clock-dependent part of the dashboard's figures (feedback.tally): the open cases, read from
            # the index alone, with everything "late", "pending" and "overdue now" need.
            models.Index(fields=["received_at"], include=["agency", "ward", "topic", "due_at", "accept_due_at",
                                                          "accepted_at", "resolved_at"],
                         condition=Q(status__in=sorted(OPEN_STATUSES)), name="case_open_clock"),
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
    from .storage import private_storage

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


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboxMessage(models.Model):
    """A notification written in the same transaction as the change that causes it; a task sends it.

    `dedupe_key` makes every notification idempotent: the same event never notifies anyone twice.
    """

    channel = models.CharField(max_length=20, default="email")
    recipient = models.CharField(max_length=254)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="outbox")
    dedupe_key = models.CharField(max_length=200, unique=True)
    status = models.CharField(max_length=10, choices=OutboxStatus, default=OutboxStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "created_at"], name="outbox_status_created")]


class ApiClient(models.Model):
    """A partner system allowed to POST Open311 requests with its API key. Only the key's SHA-256 hash and
    its first characters are stored (feedback.api_clients); the key is shown once, when it is made."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    key_prefix = models.CharField(_("key starts with"), max_length=8, db_index=True, editable=False)
    key_hash = models.CharField(_("key hash (SHA-256)"), max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")

    def __str__(self) -> str:
        return self.name


class TallyDimension(models.TextChoices):
    CITY = "city", _("whole city")
    AGENCY = "agency", _("agency")
    WARD = "ward", _("ward")
    TOPIC = "topic", _("topic")


class CaseTally(models.Model):
    """The clock-independent figures of the cases received on one local day, for the whole city and per agency,
    ward and topic (`key`: their id, 0 = none yet). Derived data, kept by `feedback.tally`, never edited."""

    day = models.DateField()
    dim = models.CharField(max_length=6, choices=TallyDimension)
    key = models.PositiveIntegerField(default=0)
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
        constraints = [models.UniqueConstraint(fields=["dim", "key"], name="open_tally_dim_key_unique")]

    def __str__(self) -> str:
        return f"{self.dim} {self.key}"


class StaleTallyDay(models.Model):
    """A local receipt day whose cases changed since its tally rows were computed (one row per change, so a
    writer never waits on another; `feedback.tally.refresh_stale` recomputes the day and removes what it read)."""

    day = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.day)
