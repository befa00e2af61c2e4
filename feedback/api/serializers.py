"""API shapes. Public shapes (tracking, my reports) never include the reporter's contact details.

Over 300 lines: every REST shape in one place, as DRF projects keep them; they share field helpers.
"""
from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from shapely.geometry import mapping, shape

from agencies import reference
from agencies.models import Agency, Topic, Ward
from dashboard import figures as dashboard_figures

from .. import intake
from ..selectors import public_timeline
from ..lifecycle import REJECTED_OUTCOMES, RESOLVED_OUTCOMES, Outcome
from ..models import Case, CaseEvent, CasePhoto, DeadlineExtension


class TopicSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = Topic
        fields = ["code", "name", "name_vi", "name_en", "description_vi", "description_en", "group", "keywords",
                  "urgency", "deadline_days", "deadline_hours"]


class WardPropertiesSerializer(serializers.ModelSerializer):
    centroid = serializers.SerializerMethodField()

    class Meta:
        model = Ward
        fields = ["code", "name", "full_name", "kind", "area_km2", "centroid"]

    def get_centroid(self, ward) -> list[float] | None:
        return [ward.centroid_lon, ward.centroid_lat] if ward.centroid_lat is not None else None


class WardFeatureSerializer(serializers.Serializer):
    """A ward as a GeoJSON Feature. Context: `simplify` (tolerance in degrees) and `geometry` (bool)."""

    type = serializers.SerializerMethodField()
    id = serializers.CharField(source="code")
    properties = serializers.SerializerMethodField()
    geometry = serializers.SerializerMethodField()

    def get_type(self, ward) -> str:
        return "Feature"

    @extend_schema_field(WardPropertiesSerializer)
    def get_properties(self, ward):
        return WardPropertiesSerializer(ward).data

    @extend_schema_field({"type": "object", "nullable": True, "description": "GeoJSON geometry (WGS84)"})
    def get_geometry(self, ward):
        if not self.context.get("geometry", True):
            return None
        tolerance = self.context.get("simplify") or 0
        if not tolerance:
            return ward.boundary
        return mapping(shape(ward.boundary).simplify(tolerance, preserve_topology=True))


class WardQuerySerializer(serializers.Serializer):
    simplify = serializers.FloatField(required=False, min_value=0, max_value=0.01,
                                      help_text=_("Simplify boundaries to this tolerance in degrees "
                                                  "(0.0001 ≈ 11 m); 0 or absent = full precision."))
    geometry = serializers.BooleanField(required=False, default=True,
                                        help_text=_("false: properties only, no boundaries."))


class AgencyBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "code", "name", "short_name"]


class PhotoSerializer(serializers.ModelSerializer):
    image = serializers.ImageField(read_only=True)
    thumbnail = serializers.ImageField(read_only=True)

    class Meta:
        model = CasePhoto
        fields = ["id", "kind", "image", "thumbnail", "width", "height", "created_at"]


class PublicEventSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = CaseEvent
        fields = ["kind", "label", "note", "to_status", "created_at"]


class StaffEventSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = CaseEvent
        fields = ["id", "kind", "label", "actor_label", "from_status", "to_status", "is_public", "note", "data",
                  "created_at"]


class TopicBriefSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = Topic
        fields = ["code", "name"]


class WardBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Ward
        fields = ["code", "name", "full_name"]


class PublicCaseSerializer(serializers.ModelSerializer):
    """What anyone with the tracking code may see (the web tracking page shows the same)."""

    topic = TopicBriefSerializer(read_only=True)
    ward = WardBriefSerializer(read_only=True, allow_null=True)
    agency = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    photos = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = ["tracking_code", "topic", "description", "status", "status_label", "outcome", "address",
                  "latitude", "longitude", "ward", "agency", "received_at", "due_at", "resolved_at", "closed_at",
                  "support_count", "rating", "photos", "timeline"]

    def get_agency(self, case) -> str | None:
        return str(case.agency) if case.agency_id else None

    @extend_schema_field(PhotoSerializer(many=True))
    def get_photos(self, case):
        return PhotoSerializer(case.photos.all(), many=True, context=self.context).data

    @extend_schema_field(PublicEventSerializer(many=True))
    def get_timeline(self, case):
        events = getattr(case, "public_events", None)  # prefetched by list views
        return PublicEventSerializer(public_timeline(case) if events is None else events, many=True).data


class ActiveTopicField(serializers.SlugRelatedField):
    """An active topic by its code, from the process's routing tables (agencies/reference.py): no query."""

    def to_internal_value(self, data):
        topic = reference.active_topic(code=data) if isinstance(data, str) else None
        if topic is None:
            self.fail("does_not_exist", slug_name=self.slug_field, value=str(data))
        return topic


class ReportCreateSerializer(serializers.Serializer):
    topic = ActiveTopicField(slug_field="code", queryset=Topic.objects.active())
    description = serializers.CharField(max_length=intake.DESCRIPTION_MAX)
    latitude = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    longitude = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)
    address = serializers.CharField(required=False, allow_blank=True, max_length=intake.ADDRESS_MAX, default="")
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list,
                                   max_length=intake.photos_max())
    name = serializers.CharField(required=False, allow_blank=True, max_length=120, default="")
    phone = serializers.CharField(required=False, allow_blank=True, max_length=30, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")

    def validate(self, data):
        problem = intake.location_problem(lat=data.get("latitude"), lon=data.get("longitude"),
                                          address=data["address"])
        if problem == intake.INCOMPLETE:
            raise serializers.ValidationError(
                {"longitude" if data.get("latitude") is not None else "latitude":
                 _("Give both latitude and longitude, or neither.")})
        if problem == intake.MISSING:
            raise serializers.ValidationError(
                _("Give a location: a point on the map, your GPS position or an address."))
        return data


class ReportReceiptSerializer(serializers.ModelSerializer):
    topic = serializers.CharField(source="topic.code")
    ward = serializers.CharField(source="ward.code", allow_null=True, default=None)
    agency = serializers.SerializerMethodField()
    tracking_url = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = ["tracking_code", "status", "topic", "ward", "agency", "received_at", "due_at", "tracking_url"]

    def get_agency(self, case) -> str | None:
        return str(case.agency) if case.agency_id else None

    def get_tracking_url(self, case) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(case.get_absolute_url()) if request else case.get_absolute_url()


class StaffCaseListSerializer(serializers.ModelSerializer):
    topic = TopicBriefSerializer(read_only=True)
    ward = WardBriefSerializer(read_only=True, allow_null=True)
    agency = AgencyBriefSerializer(read_only=True, allow_null=True)
    assigned_officer = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Case
        fields = ["tracking_code", "topic", "status", "outcome", "urgency", "ward", "agency", "assigned_officer",
                  "received_at", "accept_due_at", "due_at", "resolved_at", "is_overdue", "is_accept_overdue",
                  "is_escalated", "channel", "version"]


class ExtensionSerializer(serializers.ModelSerializer):
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = DeadlineExtension
        fields = ["id", "requested_due_at", "reason", "status", "requested_by", "decided_by", "decided_at",
                  "created_at"]


class StaffCaseDetailSerializer(StaffCaseListSerializer):
    photos = PhotoSerializer(many=True, read_only=True)
    extensions = ExtensionSerializer(many=True, read_only=True)
    events = StaffEventSerializer(many=True, read_only=True)
    merged_into = serializers.SlugRelatedField(slug_field="tracking_code", read_only=True, allow_null=True)

    class Meta(StaffCaseListSerializer.Meta):
        fields = StaffCaseListSerializer.Meta.fields + [
            "description", "address", "latitude", "longitude", "routing_reason", "reporter_name", "reporter_phone",
            "reporter_email", "rating", "rating_comment", "support_count", "reopen_count", "transfer_count",
            "merged_into", "photos", "extensions", "events",
        ]


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


# --- staff actions: input ---------------------------------------------------------------------------------------
# Text rules (minimum lengths…) live in feedback.services.case_actions; these only parse. `version` is the case version
# the client last saw: when given, an action on a case changed since then fails with 409.


class VersionedInput(serializers.Serializer):
    version = serializers.IntegerField(required=False, min_value=1)


class AcceptInput(VersionedInput):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class TextInput(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, max_length=4000)


class TransferInput(VersionedInput):
    to_agency = serializers.SlugRelatedField(slug_field="code", queryset=Agency.objects.all(), allow_null=True,
                                             help_text=_("Agency code; null sends the case back to the dispatcher."))
    reason = serializers.CharField(allow_blank=True, max_length=4000)


class DispatchInput(VersionedInput):
    agency = serializers.SlugRelatedField(slug_field="code", queryset=Agency.objects.all())
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class ExtensionInput(serializers.Serializer):
    due_at = serializers.DateTimeField()
    reason = serializers.CharField(allow_blank=True, max_length=4000)


class DecideExtensionInput(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


RESOLVED_CHOICES = [(o.value, o.label) for o in Outcome if o in RESOLVED_OUTCOMES]
REJECTED_CHOICES = [(o.value, o.label) for o in Outcome if o in REJECTED_OUTCOMES]


class ResolveInput(VersionedInput):
    outcome = serializers.ChoiceField(choices=RESOLVED_CHOICES)
    reply = serializers.CharField(allow_blank=True, max_length=4000)
    proof_photos = serializers.ListField(child=serializers.FileField(), required=False, default=list,
                                         max_length=intake.photos_max())


class RejectInput(VersionedInput):
    outcome = serializers.ChoiceField(choices=REJECTED_CHOICES)
    reason = serializers.CharField(allow_blank=True, max_length=4000)


class MergeInput(VersionedInput):
    into = serializers.CharField(max_length=16, help_text=_("Tracking code of the case this one duplicates."))
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class AssignInput(serializers.Serializer):
    officer = serializers.CharField(max_length=150, help_text=_("Username of an officer of the case's agency."))


class CloseInput(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


# --- leaders' figures (dashboard.figures) ------------------------------------------------------------------------


class StatsQuerySerializer(serializers.Serializer):
    """The dashboard's period and scope. Context: `slice` (a manager may only narrow to their own agencies)."""

    start = serializers.DateField(required=False, help_text=_("First day (default: 30 days before the end)."))
    end = serializers.DateField(required=False, help_text=_("Last day, included (default: today)."))
    agency = serializers.SlugRelatedField(slug_field="code", queryset=Agency.objects.all(), required=False)
    ward = serializers.SlugRelatedField(slug_field="code", queryset=Ward.objects.all(), required=False)
    topic = serializers.SlugRelatedField(slug_field="code", queryset=Topic.objects.all(), required=False)

    DEFAULT_DAYS = 30
    MAX_DAYS = 3 * 366

    def validate(self, data):
        end = data.get("end") or timezone.localdate()
        start = data.get("start") or end - timedelta(days=self.DEFAULT_DAYS - 1)
        if start > end:
            raise serializers.ValidationError({"start": [_("The start of the period must be on or before its end.")]})
        if (end - start).days >= self.MAX_DAYS:
            raise serializers.ValidationError(_("Choose a period of at most three years."))
        sl = self.context["slice"]
        agency = data.get("agency")
        if agency is not None and not sl.is_city and agency.pk not in sl.agency_ids:
            raise serializers.ValidationError({"agency": [_("Choose one of your own agencies.")]})
        return {
            "period": dashboard_figures.Period(start, end),
            "scope": dashboard_figures.Scope(agency_id=agency.pk if agency else None,
                                 ward_id=data["ward"].pk if data.get("ward") else None,
                                 topic_id=data["topic"].pk if data.get("topic") else None),
            "codes": {k: data[k].code if data.get(k) else None for k in ("agency", "ward", "topic")},
        }


_COUNTS = ("received", "handled", "fixed", "rejected", "on_time", "late", "pending", "accept_on_time",
           "accept_late", "timed", "rated", "satisfied", "reopened", "answered", "overdue")
_DECIMALS = ("avg_hours", "median_hours", "rating_avg", "handled_rate", "fixed_rate", "on_time_rate",
             "accept_on_time_rate", "satisfied_share", "reopen_rate")


class FiguresSerializer(serializers.Serializer):
    """`dashboard.figures.Figures`: counts, average/median working hours to resolve, rates (0–1, null = no data)."""

    def get_fields(self):
        return {**{n: serializers.IntegerField() for n in _COUNTS},
                **{n: serializers.FloatField(allow_null=True) for n in _DECIMALS}}

    def to_representation(self, figures):
        data = figures.as_dict()
        return {name: data.get(name) for name in (*_COUNTS, *_DECIMALS)}


class PeriodSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()


class StatsScopeSerializer(serializers.Serializer):
    agency = serializers.CharField(allow_null=True)
    ward = serializers.CharField(allow_null=True)
    topic = serializers.CharField(allow_null=True)


class StatsSummarySerializer(serializers.Serializer):
    period = PeriodSerializer()
    scope = StatsScopeSerializer()
    totals = FiguresSerializer()
    computed_at = serializers.DateTimeField()


class StatsRowSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("Agency, ward or topic code, YYYY-MM for a month, 'none' if unset."))
    label = serializers.CharField()
    figures = FiguresSerializer()


class StatsTableSerializer(serializers.Serializer):
    group = serializers.CharField()
    period = PeriodSerializer()
    scope = StatsScopeSerializer()
    rows = StatsRowSerializer(many=True)
    computed_at = serializers.DateTimeField()
