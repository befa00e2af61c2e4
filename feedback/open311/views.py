"""Open311 GeoReport v2 endpoints. Thin: parse the arguments, call one selector or `submit_report`, render.

Every error is the spec's list of {code, description}, with HTTP 400 (bad request), 403 (api_key) or 404.
"""
from __future__ import annotations

from typing import Callable

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from ..api.errors import as_api_exception
from ..models import ApiClient
from ..notifications import absolute_url
from ..services import Contact, Location, submit_report
from . import selectors
from .attributes import clean_answers
from .http import cached_response
from .renderers import Open311JSONRenderer, Open311XMLRenderer
from .serializers import (
    PostRequestSerializer,
    RequestsQuerySerializer,
    ServiceSerializer,
    attribute_answers,
    jurisdiction_matches,
    request_records,
    service_definition,
    service_notice,
)


class SuffixNegotiation(DefaultContentNegotiation):
    """The .json / .xml suffix decides the format, whatever the Accept header says."""

    def select_renderer(self, request, renderers, format_suffix=None):
        for renderer in renderers:
            if renderer.format == format_suffix:
                return renderer, renderer.media_type
        return renderers[0], renderers[0].media_type


def error_list(detail, code: int) -> list[dict]:
    """DRF error detail (dict, list or string) → [{"code": …, "description": …}, …]."""
    if isinstance(detail, dict):
        out = []
        for field, value in detail.items():
            for item in error_list(value, code):
                prefix = "" if field in ("detail", "non_field_errors") else f"{field}: "
                out.append({"code": code, "description": prefix + item["description"]})
        return out
    if isinstance(detail, (list, tuple)):
        return [item for value in detail for item in error_list(value, code)]
    return [{"code": code, "description": str(detail)}]


class Open311View(APIView):
    authentication_classes: list = []  # partners identify with api_key; no session, so no CSRF on POST
    permission_classes = [AllowAny]
    throttle_classes: list = []
    renderer_classes = [Open311JSONRenderer, Open311XMLRenderer]
    parser_classes = [FormParser, MultiPartParser]
    content_negotiation_class = SuffixNegotiation
    schema = None  # not part of the /api/v1 OpenAPI document: the GeoReport v2 spec documents it
    xml_root = "service_requests"

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        jurisdiction = request.query_params.get("jurisdiction_id")
        if request.method == "POST":
            jurisdiction = request.data.get("jurisdiction_id") or jurisdiction
        if not jurisdiction_matches(jurisdiction):
            raise exceptions.NotFound(_("jurisdiction_id “%(id)s” was not found; this endpoint serves “%(ours)s”.")
                                      % {"id": jurisdiction, "ours": settings.OPEN311_JURISDICTION_ID})

    def handle_exception(self, exc):
        exc = as_api_exception(exc)
        if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
            exc = exceptions.PermissionDenied(exc.detail)
        response = super().handle_exception(exc)
        if response.status_code >= 500:  # pragma: no cover - DRF only builds 4xx responses
            return response
        code = response.status_code
        if code not in (403, 404, 405, 406, 415, 429):
            response.status_code = code = status.HTTP_400_BAD_REQUEST
        response.data = error_list(response.data, code)
        return response


class CachedMixin:
    """GET answers cached rendered, per version token, period, query, language and format, with an ETag (304 on
    If-None-Match), Cache-Control and gzip when accepted (feedback/open311/http.py)."""

    def cached(self, request, parts: tuple, data: Callable[[], object]) -> HttpResponse:
        renderer = request.accepted_renderer

        def render() -> bytes:
            return renderer.render(data(), renderer.media_type, {"view": self, "request": request})

        return cached_response(request, parts=(renderer.format, *parts), render=render,
                               content_type=f"{renderer.media_type}; charset={renderer.charset}")

    def cached_requests(self, request, parts: tuple, rows: Callable[[], list[dict]]) -> HttpResponse:
        return self.cached(request, parts, lambda: request_records(rows(), request=request))


class UnknownView(Open311View):
    """Any other URL under the endpoint: the spec's error list (JSON unless the URL ends in .xml), not a page."""

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise exceptions.NotFound(_("No such GeoReport v2 resource: %(path)s") % {"path": request.path})

    get = post = put = patch = delete = http_method_not_allowed


class DiscoveryView(Open311View):
    """Service discovery (https://wiki.open311.org/Service_Discovery): where this GeoReport v2 endpoint lives."""

    xml_root = "discovery"
    CHANGESET = "2026-12-01T00:00:00+07:00"  # bump when the endpoint's behaviour changes

    def get(self, request, format=None):
        return Response({
            "changeset": self.CHANGESET,
            "contact": _("iHanoi field reports, Hanoi People's Committee — %(site)s") % {"site": absolute_url()},
            "key_service": _("API keys are issued by the city to partner systems (ask the portal's administrators)."),
            "endpoints": [{
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": request.build_absolute_uri(reverse("open311:services", kwargs={"format": "json"}))
                .removesuffix("/services.json"),
                "changeset": self.CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }],
        })


class ServiceListView(CachedMixin, Open311View):
    xml_root = "services"

    def get(self, request, format=None):
        return self.cached(request, ("services",), lambda: ServiceSerializer(selectors.services(), many=True).data)


class ServiceDefinitionView(Open311View):
    xml_root = "service_definition"

    def get(self, request, service_code, format=None):
        if selectors.service(service_code) is None:
            raise exceptions.NotFound(_("service_code “%(code)s” was not found.") % {"code": service_code})
        return Response(service_definition(service_code))


class RequestsView(CachedMixin, Open311View):
    def get(self, request, format=None):
        query = RequestsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = query.validated_data
        return self.cached_requests(request, ("requests", *sorted(filters.items())),
                                    lambda: selectors.service_requests(**filters))

    def post(self, request, format=None):
        client = self._client(request)
        code = (request.data.get("service_code") or "").strip()
        if not code:
            raise exceptions.ValidationError({"service_code": _("service_code is required.")})
        topic = selectors.service(code)
        if topic is None:
            raise exceptions.NotFound(_("service_code “%(code)s” was not found.") % {"code": code})
        form = PostRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        answers = clean_answers(code, attribute_answers(request.data))
        ward = data.get("address_id")
        location = Location(lat=data["lat"], lon=data["long"],
                            address=data.get("address_string", "") or (ward.full_name if ward else ""))
        name = f"{data.get('first_name', '')} {data.get('last_name', '')}".strip()
        intake = {k: v for k, v in {"attributes": answers, "media_url": data.get("media_url"),
                                    "device_id": data.get("device_id"), "account_id": data.get("account_id"),
                                    "client": client.name}.items() if v}
        case = submit_report(
            topic=topic, description=data.get("description", ""), location=location, photos=data["media"],
            contact=Contact(name=name, phone=data.get("phone", ""), email=data.get("email", "")),
            channel=f"open311:{client.name}"[:60], ward=ward if data["lat"] is None else None, intake=intake,
        )
        body = [{"service_request_id": case.tracking_code, "service_notice": service_notice(case),
                 "account_id": data.get("account_id") or None}]
        return Response(body, status=status.HTTP_201_CREATED)

    @staticmethod
    def _client(request) -> ApiClient:
        key = (request.data.get("api_key") or request.query_params.get("api_key") or "").strip()
        if not key:
            raise exceptions.PermissionDenied(_("api_key is missing: ask the city for a key to post requests."))
        client = selectors.active_client(key)
        if client is None:
            raise exceptions.PermissionDenied(_("Invalid api_key received -- can't proceed with create_request."))
        return client


class RequestView(CachedMixin, Open311View):
    def get(self, request, service_request_id, format=None):
        def rows() -> list[dict]:
            row = selectors.service_request(service_request_id)
            if row is None:
                raise exceptions.NotFound(_("service_request_id “%(id)s” was not found.")
                                          % {"id": service_request_id})
            return [row]

        return self.cached_requests(request, ("request", service_request_id.strip().upper()), rows)


class TokenView(Open311View):
    """Our services are realtime, so a token is the service_request_id itself."""

    def get(self, request, token, format=None):
        case = selectors.service_request(token)
        if case is None:
            raise exceptions.NotFound(_("token “%(token)s” was not found.") % {"token": token})
        return Response([{"service_request_id": case["tracking_code"], "token": token}])
