"""Wards, agencies, topics, routing rules and staff membership, old (pre-2025) units and routing suggestions.

Over 300 lines: the routing reference data is one small schema whose models point at each other (rules and
suggestions name a topic, a ward and an agency); split, each file would import all the others.
"""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ihanoi.snapshots import SnapshotQuerySet  # bulk writes refresh the routing tables (agencies/reference.py)


class WardKind(models.TextChoices):
    WARD = "phuong", _("Ward (phường)")
    COMMUNE = "xa", _("Commune (xã)")


class Ward(models.Model):
    """One of Hanoi's 126 commune-level units in force since 1 July 2025."""

    code = models.CharField(_("official code"), max_length=5, unique=True)
    name = models.CharField(_("name"), max_length=100)
    full_name = models.CharField(_("full name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=WardKind)
    boundary = models.JSONField(_("boundary (GeoJSON geometry)"))
    area_km2 = models.FloatField(_("area (km²)"), null=True, blank=True)
    centroid_lat = models.FloatField(null=True, blank=True)
    centroid_lon = models.FloatField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("ward")
        verbose_name_plural = _("wards")
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{5}$"), name="ward_code_5_digits"),
            models.CheckConstraint(condition=Q(kind__in=WardKind.values), name="ward_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.code})"


class AgencyKind(models.TextChoices):
    CITY_DEPARTMENT = "department", _("City department")
    WARD_COMMITTEE = "ward_committee", _("Ward/commune people's committee")
    PUBLIC_UTILITY = "utility", _("Public utility")
    POLICE = "police", _("Police")
    COORDINATION = "coordination", _("Coordination centre")


class AgencyQuerySet(SnapshotQuerySet):
    def active(self):
        return self.filter(is_active=True)


class Agency(models.Model):
    """A body that handles reports (FixMyStreet's 'body')."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=80, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=AgencyKind)
    ward = models.OneToOneField(
        Ward, verbose_name=_("ward"), null=True, blank=True, on_delete=models.PROTECT, related_name="committee"
    )
    email = models.EmailField(_("contact email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = AgencyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=AgencyKind.values), name="agency_kind_valid"),
            models.CheckConstraint(
                condition=~Q(kind=AgencyKind.WARD_COMMITTEE) | Q(ward__isnull=False),
                name="ward_committee_has_ward",
            ),
        ]

    def __str__(self) -> str:
        # The one display name, the official one, on every page, export and email ("UBND Phường Hoàn Kiếm",
        # not the short "UBND Hoàn Kiếm"); short_name is only a search alias in the admin and the API.
        return self.name


class Urgency(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    NORMAL = "normal", _("Normal")
    COMPLEX = "complex", _("Complex")


class TopicQuerySet(SnapshotQuerySet):
    def active(self):
        return self.filter(is_active=True)


class Topic(models.Model):
    """A field of reports (FixMyStreet's 'category'), with its deadline rule."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    description_vi = models.TextField(_("description (Vietnamese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    group = models.CharField(_("group"), max_length=60, blank=True)
    keywords = models.CharField(_("keywords"), max_length=200, blank=True)
    urgency = models.CharField(_("default urgency"), max_length=10, choices=Urgency, default=Urgency.NORMAL)
    deadline_days = models.PositiveSmallIntegerField(_("deadline (working days)"), default=5)
    deadline_hours = models.PositiveSmallIntegerField(
        _("deadline (working hours)"), null=True, blank=True, help_text=_("When set, overrides the days.")
    )
    proof_photo_required = models.BooleanField(_("proof photo required to resolve"), default=True)
    sort_order = models.PositiveSmallIntegerField(default=100)
    is_active = models.BooleanField(_("active"), default=True)

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        constraints = [
            models.CheckConstraint(condition=Q(urgency__in=Urgency.values), name="topic_urgency_valid"),
            models.CheckConstraint(
                condition=Q(deadline_days__gt=0) | Q(deadline_hours__gt=0), name="topic_has_deadline"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        from django.utils.translation import get_language

        return self.name_en if (get_language() or "vi").startswith("en") else self.name_vi


class RoutingTarget(models.TextChoices):
    AGENCY = "agency", _("A named agency")
    WARD_COMMITTEE = "ward_committee", _("The people's committee of the report's ward")
    DISPATCHER = "dispatcher", _("The dispatcher queue (the rule's note says why)")


RULE_CLASH_MESSAGE = _(
    "Another rule already has this topic, ward and priority; change the priority or edit that rule."
)


class RoutingRuleQuerySet(SnapshotQuerySet):
    def active(self):
        return self.filter(is_active=True)


class RoutingRule(models.Model):
    """(topic, ward or city-wide) → agency. The most specific active rule wins, then the lowest priority."""

    topic = models.ForeignKey(Topic, verbose_name=_("topic"), on_delete=models.CASCADE, related_name="rules")
    ward = models.ForeignKey(
        Ward,
        verbose_name=_("ward"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="rules",
        help_text=_("Empty = city-wide."),
    )
    target = models.CharField(_("send to"), max_length=20, choices=RoutingTarget, default=RoutingTarget.AGENCY)
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), null=True, blank=True, on_delete=models.PROTECT, related_name="rules"
    )
    priority = models.PositiveSmallIntegerField(_("priority"), default=100, help_text=_("Lower wins."))
    is_active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = RoutingRuleQuerySet.as_manager()

    class Meta:
        ordering = ["topic", "ward", "priority"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        constraints = [
            # Django validates both in full_clean() (so the admin shows the message, never an IntegrityError).
            models.UniqueConstraint(
                fields=["topic", "ward", "priority"], condition=Q(ward__isnull=False), name="rule_unique_ward",
                violation_error_message=RULE_CLASH_MESSAGE,
            ),
            models.UniqueConstraint(
                fields=["topic", "priority"], condition=Q(ward__isnull=True), name="rule_unique_citywide",
                violation_error_message=RULE_CLASH_MESSAGE,
            ),
            models.CheckConstraint(
                condition=(Q(target=RoutingTarget.AGENCY) & Q(agency__isnull=False))
                | (Q(target__in=[RoutingTarget.WARD_COMMITTEE, RoutingTarget.DISPATCHER]) & Q(agency__isnull=True)),
                name="rule_target_consistent",
            ),
        ]

    def __str__(self) -> str:
        where = self.ward.code if self.ward_id else _("city-wide")
        to = {RoutingTarget.AGENCY: self.agency, RoutingTarget.WARD_COMMITTEE: _("ward committee")}.get(
            self.target, _("dispatcher queue"))
        return f"#{self.pk} {self.topic.code} / {where} → {to}"

    def clean(self) -> None:
        super().clean()
        if self.target == RoutingTarget.AGENCY and not self.agency_id:
            raise ValidationError({"agency": _("Choose the agency this rule sends reports to.")})
        if self.target == RoutingTarget.WARD_COMMITTEE and self.agency_id:
            raise ValidationError({"agency": _("Leave the agency empty: the ward's committee is used.")})
        if self.target == RoutingTarget.DISPATCHER and self.agency_id:
            raise ValidationError({"agency": _("Leave the agency empty: the dispatcher picks one.")})
        if self.is_active and self.agency_id and not self.agency.is_active:
            raise ValidationError({"agency": _("This agency is inactive; rules must point to an active agency.")})


class OldKind(models.TextChoices):
    WARD = "phường", _("ward (phường)")
    COMMUNE = "xã", _("commune (xã)")
    TOWNSHIP = "thị trấn", _("township (thị trấn)")


class OldUnit(models.Model):
    """One (old unit, new ward) pair of Resolution 1656/NQ-UBTVQH15: a commune-level unit in force until 30 June
    2025 (with its old district) and a new ward that took all of it (`whole`) or part of it.

    An old unit has one row with `whole` or two or more rows without. Loaded from
    `agencies/data/hanoi-old-units-2025.csv` by `load_hanoi`.
    """

    old_code = models.CharField(_("old code"), max_length=5)
    old_name = models.CharField(_("old name"), max_length=100)
    old_kind = models.CharField(_("old kind"), max_length=10, choices=OldKind)
    old_district = models.CharField(_("old district"), max_length=100)
    old_district_kind = models.CharField(_("old district kind"), max_length=10)
    ward = models.ForeignKey(Ward, verbose_name=_("new ward"), on_delete=models.CASCADE, related_name="old_units")
    whole = models.BooleanField(_("whole unit"), help_text=_("The whole old unit went into this new ward."))

    objects = SnapshotQuerySet.as_manager()  # bulk writes rebuild the address reader (agencies/addresses.py)

    class Meta:
        ordering = ["old_code", "ward__code"]
        verbose_name = _("old unit (before July 2025)")
        verbose_name_plural = _("old units (before July 2025)")
        constraints = [
            models.UniqueConstraint(fields=["old_code", "ward"], name="old_unit_unique_pair"),
            models.CheckConstraint(condition=Q(old_kind__in=OldKind.values), name="old_unit_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.old_kind} {self.old_name} ({self.old_district}) → {self.ward.full_name}"


class StaffRole(models.TextChoices):
    OFFICER = "officer", _("Officer")
    MANAGER = "manager", _("Manager")
    DISPATCHER = "dispatcher", _("Dispatcher")
    LEADER = "leader", _("City leader")


class StaffMembership(models.Model):
    """Links a user to an agency with a role. Dispatchers and city leaders act city-wide (agency optional)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), null=True, blank=True, on_delete=models.CASCADE, related_name="members"
    )
    role = models.CharField(_("role"), max_length=12, choices=StaffRole)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("staff membership")
        verbose_name_plural = _("staff memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "agency", "role"], name="membership_unique"),
            models.CheckConstraint(condition=Q(role__in=StaffRole.values), name="membership_role_valid"),
            models.CheckConstraint(
                condition=~Q(role__in=[StaffRole.OFFICER, StaffRole.MANAGER]) | Q(agency__isnull=False),
                name="agency_staff_has_agency",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.agency or _('city-wide')}"


class SuggestionStatus(models.TextChoices):
    OPEN = "open", _("Suggested")
    ACCEPTED = "accepted", _("Accepted")
    DISMISSED = "dismissed", _("Dismissed")


class RoutingSuggestionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=SuggestionStatus.OPEN)


class RoutingSuggestion(models.Model):
    """A pattern of staff transfers (topic, ward: agency A → agency B) offered as a routing rule.

    Derived data, kept by `agencies.learning.refresh_suggestions` (nightly); staff accept it (a RoutingRule is
    made) or dismiss it (not offered again unless the pattern grows past `dismissed_at_count`).
    """

    topic = models.ForeignKey(Topic, verbose_name=_("topic"), on_delete=models.CASCADE, related_name="+")
    ward = models.ForeignKey(Ward, verbose_name=_("ward"), on_delete=models.CASCADE, related_name="+")
    from_agency = models.ForeignKey(
        Agency, verbose_name=_("moved from"), on_delete=models.CASCADE, related_name="+"
    )
    to_agency = models.ForeignKey(Agency, verbose_name=_("moved to"), on_delete=models.CASCADE, related_name="+")
    transfer_count = models.PositiveIntegerField(_("cases moved"))
    case_count = models.PositiveIntegerField(_("cases of this topic in this ward"))
    window_days = models.PositiveSmallIntegerField(_("window (days)"))
    case_ids = models.JSONField(_("evidence (case ids)"), default=list, blank=True)
    last_transfer_at = models.DateTimeField(_("last transfer"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=SuggestionStatus, default=SuggestionStatus.OPEN)
    dismissed_at_count = models.PositiveIntegerField(
        _("cases moved when dismissed"), null=True, blank=True,
        help_text=_("A dismissed pattern is suggested again only when more cases than this are moved."),
    )
    rule = models.ForeignKey(
        RoutingRule, verbose_name=_("rule made"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("first suggested"), auto_now_add=True)
    updated_at = models.DateTimeField(_("computed"), auto_now=True)

    objects = RoutingSuggestionQuerySet.as_manager()

    class Meta:
        ordering = ["status", "-transfer_count", "pk"]
        verbose_name = _("suggested routing rule")
        verbose_name_plural = _("suggested routing rules")
        constraints = [
            models.UniqueConstraint(fields=["topic", "ward", "from_agency", "to_agency"],
                                    name="suggestion_unique_pattern"),
            models.CheckConstraint(condition=Q(status__in=SuggestionStatus.values), name="suggestion_status_valid"),
            models.CheckConstraint(condition=~Q(from_agency=models.F("to_agency")), name="suggestion_two_agencies"),
        ]

    def __str__(self) -> str:
        return f"{self.topic.code} / {self.ward.code}: {self.from_agency} → {self.to_agency}"

    @property
    def share(self) -> float:
        return self.transfer_count / self.case_count if self.case_count else 0.0


class SuggestionAction(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    DISMISSED = "dismissed", _("Dismissed")


class RoutingSuggestionDecision(models.Model):
    """Audit row (append-only): who accepted or dismissed a suggestion, when, why, and the evidence then."""

    suggestion = models.ForeignKey(
        RoutingSuggestion, verbose_name=_("suggestion"), on_delete=models.CASCADE, related_name="decisions"
    )
    action = models.CharField(_("action"), max_length=10, choices=SuggestionAction)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(_("by (name)"), max_length=150)
    reason = models.TextField(_("reason"), blank=True)
    evidence = models.JSONField(_("evidence then"), default=dict)
    rule = models.ForeignKey(
        RoutingRule, verbose_name=_("rule made"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("routing suggestion decision")
        verbose_name_plural = _("routing suggestion decisions")
        constraints = [
            models.CheckConstraint(condition=Q(action__in=SuggestionAction.values), name="suggestion_action_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} — {self.actor_label} — {self.created_at:%Y-%m-%d %H:%M}"
