"""API views: parse input, call one service or selector, render. Staff views start from `cases_visible_to`.

Over 300 lines: one thin viewset per resource, each calling one service or selector.
"""
from __future__ import annotations

from axes.helpers import get_cool_off
from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, parsers, permissions, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.decorators import action
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response
from rest_framework.views import APIView

from dashboard import figures

from ..services import case_actions
from .. import selectors as feedback_selectors
from ..models import CaseEvent, ExtensionStatus
from ..services import Contact, Location, submit_report
from . import selectors
from .filters import CaseFilter, MyReportFilter, TopicFilter, WardFilter
from .pagination import FeatureCollectionPagination
from .permissions import IsAgencyStaff, IsDashboardUser
from .serializers import (
    AcceptInput,
    AssignInput,
    CloseInput,
    DecideExtensionInput,
    DispatchInput,
    ExtensionInput,
    MergeInput,
    PublicCaseSerializer,
    RejectInput,
    ResolveInput,
    StatsQuerySerializer,
    StatsSummarySerializer,
    StatsTableSerializer,
    TextInput,
    TransferInput,
    ReportCreateSerializer,
    ReportReceiptSerializer,
    StaffCaseDetailSerializer,
    StaffCaseListSerializer,
    TokenRequestSerializer,
    TokenSerializer,
    TopicSerializer,
    WardFeatureSerializer,
    WardQuerySerializer,
)
from .throttles import AnonReportThrottle


@extend_schema_view(retrieve=extend_schema(parameters=[OpenApiParameter(
    "code", str, OpenApiParameter.PATH, examples=[OpenApiExample("Waste", value="waste")])]))
class TopicViewSet(viewsets.ReadOnlyModelViewSet):
    """Topics a report can be filed under."""

    serializer_class = TopicSerializer
    permission_classes = [permissions.AllowAny]
    filterset_class = TopicFilter
    lookup_field = "code"

    def get_queryset(self):
        return feedback_selectors.active_topics()


@extend_schema_view(
    list=extend_schema(parameters=[WardQuerySerializer]),
    retrieve=extend_schema(parameters=[WardQuerySerializer, OpenApiParameter(
        "code", str, OpenApiParameter.PATH, description="Official ward code",
        examples=[OpenApiExample("Hoàn Kiếm", value="00070")])]),
)
class WardViewSet(viewsets.ReadOnlyModelViewSet):
    """Hanoi's 126 wards and communes as GeoJSON (a FeatureCollection per page, a Feature each)."""

    serializer_class = WardFeatureSerializer
    permission_classes = [permissions.AllowAny]
    pagination_class = FeatureCollectionPagination
    filterset_class = WardFilter
    lookup_field = "code"

    def get_queryset(self):
        return selectors.wards()

    def get_serializer_context(self):
        context = super().get_serializer_context()
        query = WardQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return {**context, **query.validated_data}


class ReportCreateView(APIView):
    """File a report (multipart with `photos`, or JSON without). Returns the tracking code."""

    permission_classes = [permissions.AllowAny]
    throttle_classes = [AnonReportThrottle]
    parser_classes = [parsers.MultiPartParser, parsers.FormParser, parsers.JSONParser]

    @extend_schema(request=ReportCreateSerializer, responses={201: ReportReceiptSerializer}, examples=[
        OpenApiExample("At a point", request_only=True, value={
            "topic": "waste", "description": "Rác đổ trộm ở đầu ngõ 12 Hàng Bài", "latitude": 21.0288,
            "longitude": 105.8525, "email": "lan@example.com"}),
        OpenApiExample("At an address", request_only=True, value={
            "topic": "public-lighting", "description": "Đèn đường tắt cả tuần nay", "address": "12 Hàng Bài"}),
    ])
    def post(self, request):
        form = ReportCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        user = request.user if request.user.is_authenticated else None
        case = submit_report(
            topic=data["topic"], description=data["description"],
            location=Location(lat=data.get("latitude"), lon=data.get("longitude"), address=data["address"]),
            photos=data["photos"],
            contact=Contact(name=data["name"] or (user.get_full_name() if user else ""), phone=data["phone"],
                            email=data["email"] or (user.email if user else ""), user=user),
            channel="api",
        )
        return Response(ReportReceiptSerializer(case, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


class MyReportsView(generics.ListAPIView):
    """The signed-in citizen's own reports."""

    serializer_class = PublicCaseSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = MyReportFilter

    def get_queryset(self):
        return selectors.reports_of(self.request.user).prefetch_related(
            "photos", Prefetch("events", queryset=CaseEvent.objects.filter(is_public=True).order_by("created_at", "pk"),
                               to_attr="public_events"))


class TrackView(generics.RetrieveAPIView):
    """Follow a report by its tracking code: public fields and the public timeline only."""

    serializer_class = PublicCaseSerializer
    permission_classes = [permissions.AllowAny]
    lookup_url_kwarg = "code"

    def get_object(self):
        case = feedback_selectors.case_by_code(self.kwargs["code"])
        if case is None:
            raise Http404
        return case


def staff_action(input_serializer, summary: str, **kwargs):
    """A POST /cases/{code}/<name>/ action: body parsed by `input_serializer`, answer the updated case."""

    def wrap(method):
        method = action(detail=True, methods=["post"], **kwargs)(method)  # first: @action resets method.kwargs
        return extend_schema(request=input_serializer, responses={200: StaffCaseDetailSerializer},
                             summary=summary)(method)

    return wrap


class StaffCaseViewSet(viewsets.ReadOnlyModelViewSet):
    """Cases for agency staff, dispatchers and leaders: exactly those the staff dashboard shows them
    (`feedback.selectors.staff_cases`, built on `cases_visible_to`). Actions call `feedback.services.case_actions`,
    which check who may act; a case the user may not see is 404 on every endpoint."""

    permission_classes = [IsAgencyStaff]
    filterset_class = CaseFilter
    filter_backends = [*viewsets.ReadOnlyModelViewSet.filter_backends, OrderingFilter]
    ordering_fields = ["received_at", "due_at", "accept_due_at"]
    lookup_field = "tracking_code"
    lookup_value_regex = "[A-Za-z0-9-]+"
    parser_classes = [parsers.JSONParser, parsers.MultiPartParser, parsers.FormParser]

    def get_queryset(self):
        qs = feedback_selectors.staff_cases(self.request.user).select_related("assigned_officer")
        if self.action != "list":
            qs = qs.select_related("merged_into").prefetch_related(
                "photos", "extensions__requested_by", "extensions__decided_by",
                Prefetch("events", queryset=CaseEvent.objects.order_by("created_at", "pk")))
        return qs

    def get_object(self):
        self.kwargs[self.lookup_field] = self.kwargs[self.lookup_field].strip().upper()
        return super().get_object()

    def get_serializer_class(self):
        return StaffCaseListSerializer if self.action == "list" else StaffCaseDetailSerializer

    def _run(self, input_serializer, act):
        case = self.get_object()
        form = input_serializer(data=self.request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        if data.get("version"):
            case.version = data.pop("version")
        data.pop("version", None)
        act(case, data)
        return Response(StaffCaseDetailSerializer(self.get_object(), context=self.get_serializer_context()).data)

    @staff_action(AcceptInput, "Accept the case (it becomes in progress)")
    def accept(self, request, tracking_code=None):
        return self._run(AcceptInput, lambda case, d: case_actions.accept_case(case=case, actor=request.user, **d))

    @staff_action(TextInput, "Public reply to the citizen")
    def reply(self, request, tracking_code=None):
        return self._run(TextInput, lambda case, d: case_actions.reply_case(case=case, actor=request.user, **d))

    @staff_action(TextInput, "Internal note (staff only)")
    def note(self, request, tracking_code=None):
        return self._run(TextInput,
                         lambda case, d: case_actions.add_internal_note(case=case, actor=request.user, **d))

    @staff_action(TransferInput, "Transfer to another agency, or back to the dispatcher (to_agency null)")
    def transfer(self, request, tracking_code=None):
        return self._run(TransferInput,
                         lambda case, d: case_actions.transfer_case(case=case, actor=request.user, **d))

    @staff_action(DispatchInput, "Dispatcher: send a queued case to an agency", url_path="dispatch")
    def dispatch_to_agency(self, request, tracking_code=None):  # not `dispatch`: that is APIView's entry point
        return self._run(DispatchInput,
                         lambda case, d: case_actions.dispatch_case(case=case, actor=request.user, **d))

    @staff_action(ExtensionInput, "Ask the manager for a later due time", url_path="extension")
    def request_extension(self, request, tracking_code=None):
        return self._run(ExtensionInput,
                         lambda case, d: case_actions.request_extension(case=case, actor=request.user, **d))

    @staff_action(DecideExtensionInput, "Manager: approve or refuse the pending extension request",
                  url_path="extension/decide")
    def decide_extension(self, request, tracking_code=None):
        def act(case, d):
            extension = case.extensions.filter(status=ExtensionStatus.PENDING).first()
            if extension is None:
                raise ValidationError(_("This case has no extension request waiting for a decision."))
            case_actions.decide_extension(extension=extension, actor=request.user, **d)

        return self._run(DecideExtensionInput, act)

    @staff_action(ResolveInput, "Resolve with an outcome, a public reply and proof photos (multipart)")
    def resolve(self, request, tracking_code=None):
        return self._run(ResolveInput, lambda case, d: case_actions.resolve_case(case=case, actor=request.user, **d))

    @staff_action(RejectInput, "Reject as duplicate or spam, or hand back as not in remit")
    def reject(self, request, tracking_code=None):
        return self._run(RejectInput, lambda case, d: case_actions.reject_case(case=case, actor=request.user, **d))

    @staff_action(MergeInput, "Merge this duplicate into another case")
    def merge(self, request, tracking_code=None):
        def act(case, d):
            into = feedback_selectors.case_for_staff(request.user, code=d.pop("into"))
            if into is None:
                raise ValidationError({"into": [_("That case was not found.")]})
            case_actions.merge_case(case=case, into=into, actor=request.user, **d)

        return self._run(MergeInput, act)

    @staff_action(AssignInput, "Give the case to an officer of its agency")
    def assign(self, request, tracking_code=None):
        def act(case, d):
            officer = feedback_selectors.officers_of(case.agency_id).filter(username=d["officer"]).first()
            if officer is None:
                raise ValidationError({"officer": [_("Not an officer of this case's agency.")]})
            case_actions.assign_officer(cases=[case], officer=officer, actor=request.user)

        return self._run(AssignInput, act)

    @staff_action(CloseInput, "Close a resolved or rejected case")
    def close(self, request, tracking_code=None):
        return self._run(CloseInput, lambda case, d: case_actions.close_case(case=case, actor=request.user, **d))


class TokenView(APIView):
    """Exchange a username and password for an API token (send it as `Authorization: Token <key>`)."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    parser_classes = [parsers.JSONParser, parsers.FormParser, parsers.MultiPartParser]

    @extend_schema(request=TokenRequestSerializer, responses={
        200: TokenSerializer,
        429: OpenApiResponse(description="Too many failed logins for this username from this IP (LOGIN_FAILURE_LIMIT);"
                                         " `Retry-After` gives the seconds left of the lockout."),
    })
    def post(self, request):
        form = AuthTokenSerializer(data=request.data, context={"request": request})
        if not form.is_valid():
            if getattr(request, "axes_locked_out", False):  # django-axes: too many failures for username+IP
                raise Throttled(wait=get_cool_off(request).total_seconds(),
                                detail=_("Too many failed logins for this username from your connection."))
            raise ValidationError(form.errors)
        token, _created = Token.objects.get_or_create(user=form.validated_data["user"])
        return Response({"token": token.key})


class StatsSummaryView(APIView):
    """Leaders' figures for a period (the dashboard's totals): city-wide for city leaders, own agencies for
    managers. Read-only; computed and cached by `dashboard.figures`."""

    permission_classes = [IsDashboardUser]

    @extend_schema(operation_id="stats_summary", parameters=[StatsQuerySerializer],
                   responses={200: StatsSummarySerializer})
    def get(self, request):
        sl, query = _stats_query(request)
        data = figures.dashboard(user=request.user, sl=sl, period=query["period"], scope=query["scope"], groups=())
        return Response(StatsSummarySerializer({"period": data.period, "scope": query["codes"], "totals": data.totals,
                                                "computed_at": data.computed_at}).data)


class StatsTableView(APIView):
    """One dashboard table: a row per agency, ward, topic or month (the monthly trend covers 12 months)."""

    permission_classes = [IsDashboardUser]

    @extend_schema(operation_id="stats_table", parameters=[StatsQuerySerializer, OpenApiParameter(
        "group", str, OpenApiParameter.PATH, enum=list(figures.GROUPS))], responses={200: StatsTableSerializer})
    def get(self, request, group: str):
        sl, query = _stats_query(request)
        data = figures.dashboard(user=request.user, sl=sl, period=query["period"], scope=query["scope"],
                               groups=(group,))
        table = data.tables[group]
        return Response(StatsTableSerializer({"group": group, "period": table.period, "scope": query["codes"],
                                              "rows": table.rows, "computed_at": data.computed_at}).data)


def _stats_query(request):
    sl = figures.dashboard_slice(request.user)
    query = StatsQuerySerializer(data=request.query_params, context={"slice": sl})
    query.is_valid(raise_exception=True)
    return sl, query.validated_data
