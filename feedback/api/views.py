"""API views: parse input, call one service or selector, render. Staff views start from `cases_visible_to`."""
from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, mixins, parsers, permissions, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors as feedback_selectors
from ..models import CaseEvent
from ..services import Contact, Location, submit_report
from . import selectors
from .filters import CaseFilter, MyReportFilter, TopicFilter, WardFilter
from .pagination import FeatureCollectionPagination
from .permissions import IsAgencyStaff
from .serializers import (
    PublicCaseSerializer,
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
    retrieve=extend_schema(parameters=[WardQuerySerializer]),
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

    @extend_schema(request=ReportCreateSerializer, responses={201: ReportReceiptSerializer})
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
        return selectors.reports_of(self.request.user).prefetch_related("photos")


class TrackView(generics.RetrieveAPIView):
    """Follow a report by its tracking code: public fields and the public timeline only."""

    serializer_class = PublicCaseSerializer
    permission_classes = [permissions.AllowAny]
    lookup_url_kwarg = "code"

    def get_object(self):
        case = feedback_selectors.case_by_code(self.kwargs["code"])
        if case is None:
            from django.http import Http404

            raise Http404
        return case


class StaffCaseViewSet(viewsets.ReadOnlyModelViewSet):
    """Cases for agency staff, dispatchers and leaders, exactly those the dashboard shows them."""

    permission_classes = [IsAgencyStaff]
    filterset_class = CaseFilter
    filter_backends = [*viewsets.ReadOnlyModelViewSet.filter_backends, OrderingFilter]
    ordering_fields = ["received_at", "due_at", "accept_due_at"]
    lookup_field = "tracking_code"
    lookup_value_regex = "[A-Za-z0-9-]+"

    def get_queryset(self):
        qs = feedback_selectors.cases_visible_to(self.request.user).select_related("assigned_officer")
        if self.action == "retrieve":
            qs = qs.select_related("merged_into").prefetch_related(
                "photos", Prefetch("events", queryset=CaseEvent.objects.order_by("created_at", "pk")))
        return qs

    def get_serializer_class(self):
        return StaffCaseListSerializer if self.action == "list" else StaffCaseDetailSerializer


class TokenView(APIView):
    """Exchange a username and password for an API token (send it as `Authorization: Token <key>`)."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    parser_classes = [parsers.JSONParser, parsers.FormParser, parsers.MultiPartParser]

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenSerializer})
    def post(self, request):
        form = AuthTokenSerializer(data=request.data, context={"request": request})
        form.is_valid(raise_exception=True)
        token, _created = Token.objects.get_or_create(user=form.validated_data["user"])
        return Response({"token": token.key})
